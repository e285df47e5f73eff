"""The re-identification vault's cipher (M7): AES-SIV under the key `vault` of the key store.

AES-SIV is deterministic and authenticated: the same patient under the same pseudonym always
gives the same ciphertext (so an export that meets a pseudonym again writes nothing new), and
a ciphertext moved to another row fails to open, because the row's receiver, key version and
pseudonym are bound in as associated data. The key never enters the database: whoever copies
the vault table without the key directory holds nothing but noise.
"""

from __future__ import annotations

from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mahrem.services.ports import VaultError

VAULT_KEY = "vault"
__all__ = ["VAULT_KEY", "SecretSource", "SivVault", "VaultError"]


class SecretSource(Protocol):
    def secret(self, name: str) -> bytes: ...


class SivVault:
    """Seals and opens vault entries with AES-256-SIV (a 512-bit key derived by HKDF from the
    256-bit secret `vault`)."""

    def __init__(self, keys: SecretSource, key_name: str = VAULT_KEY) -> None:
        self.keys = keys
        self.key_name = key_name

    def _cipher(self) -> AESSIV:
        hkdf = HKDF(
            algorithm=hashes.SHA256(), length=64, salt=None, info=b"mahrem vault aes-siv v1"
        )
        return AESSIV(hkdf.derive(self.keys.secret(self.key_name)))

    def seal(self, plaintext: bytes, *context: bytes) -> bytes:
        return self._cipher().encrypt(plaintext, list(context))

    def open(self, ciphertext: bytes, *context: bytes) -> bytes:
        try:
            return self._cipher().decrypt(ciphertext, list(context))
        except InvalidTag as exc:
            raise VaultError("vault entry does not open under this key and context") from exc
