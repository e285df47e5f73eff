"""Keys kept outside the database: files under `MAHREM_KEY_DIR` (0600), made on first use.

A production deployment points MAHREM_KEY_DIR at a mounted secret volume (or an HSM-backed
path); the database never sees a key.

Data keys (M14, crypto-shredding): record content is encrypted under a data key per patient
and key version (envelope encryption). Each data key is kept wrapped (AES-256-GCM) under the
master key, one small file per data key under `data-keys/`, named by a hash of
the key's name; the master key is `masters/data.key`. Destroying a data key overwrites and
unlinks its file: every copy of the ciphertext — the live database, a dump, a backup — becomes
unreadable for good. For that to hold, `data-keys/` must be kept out of long-lived backups (or
backed up with a retention shorter than the destruction deadline); the master key alone opens
nothing, and is backed up like any other key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from mahrem.adapters.crypto import KEY_BYTES, new_key, seal, unseal

DEFAULT_KEY_DIR = "var/keys"
MASTER_KEY = "masters/data"


class FileKeyStore:
    """Named 256-bit secrets in files; `hmac` computes HMAC-SHA256 under one of them; data keys
    seal and open record content and can be destroyed one by one."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or os.environ.get("MAHREM_KEY_DIR", DEFAULT_KEY_DIR))
        self._data_keys: dict[str, tuple[int, int, bytes]] = {}

    def secret(self, name: str) -> bytes:
        path = self.directory / f"{name}.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return path.read_bytes()
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
        return path.read_bytes()

    def hmac(self, name: str, message: str) -> str:
        return hmac.new(self.secret(name), message.encode(), hashlib.sha256).hexdigest()

    # -- data keys (envelope encryption, crypto-shredding) ----------------------------------
    def seal(self, key_name: str, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt under the data key `key_name`, made (and wrapped) on first use."""
        key = self._data_key(key_name)
        if key is None:
            key = self._create_data_key(key_name)
        return seal(key, plaintext, aad)

    def unseal(self, key_name: str, sealed: bytes, aad: bytes) -> bytes | None:
        """Decrypt under the data key `key_name`; None when that key does not exist (destroyed).
        A ciphertext that does not open under an existing key raises crypto.SealError."""
        key = self._data_key(key_name)
        return None if key is None else unseal(key, sealed, aad)

    def has_data_key(self, key_name: str) -> bool:
        return self._data_key_path(key_name).exists()

    def shred(self, key_name: str) -> bool:
        """Destroy the data key for good (overwrite, flush, unlink); False when already gone."""
        self._data_keys.pop(key_name, None)
        path = self._data_key_path(key_name)
        try:
            fd = os.open(path, os.O_WRONLY)
        except FileNotFoundError:
            return False
        try:
            size = os.fstat(fd).st_size
            os.write(fd, secrets.token_bytes(size))
            os.fsync(fd)
        finally:
            os.close(fd)
        path.unlink(missing_ok=True)
        _fsync_dir(path.parent)
        return True

    def _data_key_path(self, key_name: str) -> Path:
        digest = hashlib.sha256(key_name.encode()).hexdigest()
        return self.directory / "data-keys" / digest[:2] / f"{digest}.dek"

    def _wrap_aad(self, key_name: str) -> bytes:
        return b"mahrem data key\x00" + key_name.encode()

    def _data_key(self, key_name: str) -> bytes | None:
        path = self._data_key_path(key_name)
        try:
            st = path.stat()
        except FileNotFoundError:
            self._data_keys.pop(key_name, None)
            return None
        cached = self._data_keys.get(key_name)
        if cached is not None and cached[:2] == (st.st_ino, st.st_mtime_ns):
            return cached[2]
        key = unseal(self.secret(MASTER_KEY), path.read_bytes(), self._wrap_aad(key_name))
        self._data_keys[key_name] = (st.st_ino, st.st_mtime_ns, key)
        return key

    def _create_data_key(self, key_name: str) -> bytes:
        path = self._data_key_path(key_name)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = new_key()
        tmp = path.with_suffix(f".{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(seal(self.secret(MASTER_KEY), key, self._wrap_aad(key_name)))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic, and never replaces a key another process made first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        existing = self._data_key(key_name)
        assert existing is not None and len(existing) == KEY_BYTES
        return existing


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
