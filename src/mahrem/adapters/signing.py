"""The Ed25519 key that signs audit checkpoints, kept outside the database (MAHREM_KEY_DIR).

Publishing the public key (`mahrem audit public-key`) lets an outside party check a
checkpoint and an inclusion proof without trusting Mahrem's database.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from mahrem.adapters.keys import DEFAULT_KEY_DIR

KEY_NAME = "audit-ed25519.pem"


class CheckpointSigner:
    """Signs checkpoint payloads; creates the key (0600) on first use."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.path = Path(directory or os.environ.get("MAHREM_KEY_DIR", DEFAULT_KEY_DIR)) / KEY_NAME
        self._key: Ed25519PrivateKey | None = None

    def _private(self) -> Ed25519PrivateKey:
        if self._key is None:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                pem = Ed25519PrivateKey.generate().private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
            key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
            assert isinstance(key, Ed25519PrivateKey)
            self._key = key
        return self._key

    def public_pem(self) -> str:
        return (
            self._private()
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def key_id(self) -> str:
        return key_id(self.public_pem())

    def verify(self, public_pem: str, payload: bytes, signature: bytes) -> bool:
        """True when `signature` is a valid signature of `payload` under `public_pem`."""
        return verify_signature(public_pem, payload, signature)

    def sign(self, payload: bytes) -> bytes:
        return self._private().sign(payload)


def key_id(public_pem: str) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_pem.strip().encode()).hexdigest()[:16]


def verify_signature(public_pem: str, payload: bytes, signature: bytes) -> bool:
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(signature, payload)
    except InvalidSignature:
        return False
    return True
