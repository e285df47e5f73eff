"""A client that sends too much is told to wait (issue 17): 429 Too Many Requests with
`Retry-After`, per credential (the hash of its Authorization header), over a sliding minute.
MAHREM_RATE_LIMIT sets how many requests a credential may send a minute (default 1200; 0 turns
the limit off). Requests without a credential are not counted here: a shared address (a whole
hospital behind one proxy) must not lock itself out.

The window lives in this process; with several workers each holds its own.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from mahrem.entrypoints.api.problems import answer

WINDOW = 60.0


class Throttle:
    """At most `limit` requests per credential in any `WINDOW` seconds."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, credential: str) -> float:
        """0 when this request may go on (and counts it), else the seconds until it may."""
        now = self.clock()
        with self._lock:
            times = self._seen.setdefault(credential, deque())
            while times and times[0] <= now - WINDOW:
                times.popleft()
            if len(times) >= self.limit:
                return times[0] + WINDOW - now
            times.append(now)
            if len(self._seen) > 100_000:  # forget idle credentials
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - WINDOW}
            return 0.0


def limit_from_environment() -> int:
    return int(os.environ.get("MAHREM_RATE_LIMIT", "1200"))


def throttling(throttle: Throttle) -> Callable[[Request, Any], Awaitable[Response]]:
    async def middleware(request: Request, call_next: Any) -> Response:
        credential = request.headers.get("authorization")
        if throttle.limit > 0 and credential:
            digest = hashlib.sha256(credential.encode()).hexdigest()
            wait = throttle.wait_for(digest)
            if wait > 0:
                response = answer(
                    request,
                    429,
                    "rate.limited",
                    f"too many requests: at most {throttle.limit} a minute; retry later",
                )
                response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
                return response
        result: Response = await call_next(request)
        return result

    return middleware
