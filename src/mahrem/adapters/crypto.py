"""AES-256-GCM for record content and for wrapping data keys (M14: crypto-shredding).

A sealed value is `nonce (12 bytes) || ciphertext || tag (16 bytes)`; the associated data
binds it to where it belongs (a record version, a key name), so a ciphertext copied to
another row or a wrapped key renamed fails to open instead of opening as something else.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEY_BYTES = 32


class SealError(ValueError):
    """A ciphertext that does not open under this key and associated data."""


def new_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate `plaintext` under `key`, bound to `aad`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Open what `seal` made; SealError when the key, the data or `aad` differ."""
    if len(sealed) < NONCE_BYTES + 16:
        raise SealError("sealed value too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise SealError("does not open under this key and associated data") from exc
