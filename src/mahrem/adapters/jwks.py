"""Fetching an installation's published JSON Web Key Set (SMART Backend Services `jwks_uri`).

Key sets are cached for five minutes; a key id the cached set lacks asks for a fresh copy
(the installation rotated its keys), at most once every ten seconds per URL, so a stream of
forged key ids cannot make Mahrem hammer the installation's server.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from mahrem.domain.errors import MahremError

MAX_BYTES = 64 * 1024
TTL = 300.0
REFRESH_GAP = 10.0


class UrlJwksFetcher:
    """`fetcher(url)` → the key set at `url` as a dict; `fresh=True` refetches unless the cached
    copy is under ten seconds old."""

    def __init__(
        self, timeout: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.timeout = timeout
        self.monotonic = monotonic
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def __call__(self, url: str, *, fresh: bool = False) -> dict[str, Any]:
        now = self.monotonic()
        with self._lock:
            held = self._cache.get(url)
        if held is not None:
            age = now - held[0]
            if age < (REFRESH_GAP if fresh else TTL):
                return held[1]
        jwks = self._fetch(url)
        with self._lock:
            self._cache[url] = (now, jwks)
        return jwks

    def _fetch(self, url: str) -> dict[str, Any]:
        if not url.startswith(("https://", "http://")):
            raise MahremError("smart.jwks_unavailable", "a JWKS URL is https:// (or http://)")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                body = answer.read(MAX_BYTES + 1)
        except OSError as exc:
            raise MahremError(
                "smart.jwks_unavailable", f"the JWKS at {url[:200]} could not be fetched"
            ) from exc
        if len(body) > MAX_BYTES:
            raise MahremError("smart.jwks_unavailable", "the JWKS is larger than 64 KiB")
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise MahremError("smart.jwks_unavailable", "the JWKS is not JSON") from exc
        if not isinstance(data, dict):
            raise MahremError("smart.jwks_unavailable", "the JWKS is not a JSON object")
        return data
