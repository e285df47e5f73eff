"""Keys kept outside the database: files under `MAHREM_KEY_DIR` (0600), made on first use.

A production deployment points MAHREM_KEY_DIR at a mounted secret volume (or an HSM-backed
path); the database never sees a key.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

DEFAULT_KEY_DIR = "var/keys"


class FileKeyStore:
    """Named 256-bit secrets in files; `hmac` computes HMAC-SHA256 under one of them."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or os.environ.get("MAHREM_KEY_DIR", DEFAULT_KEY_DIR))

    def secret(self, name: str) -> bytes:
        path = self.directory / f"{name}.key"
        if not path.exists():
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        return path.read_bytes()

    def hmac(self, name: str, message: str) -> str:
        return hmac.new(self.secret(name), message.encode(), hashlib.sha256).hexdigest()
