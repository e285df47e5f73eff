"""A Mahrem app served by uvicorn on a free loopback port in a thread, for tests that drive it
with real HTTP clients (fhirpy, fhirclient, authlib, Chromium)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from mahrem.entrypoints.api.app import create_app
from mahrem.services.ports import Mahrem


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(service: Mahrem) -> Iterator[str]:
    """`http://127.0.0.1:<port>` while the block runs; the server stops and the service's
    database connections close after it."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(service),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ws="none",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        service.uow.dispose()
