"""M15 — the transfer package: the records sealed under a fresh data key, the key wrapped for the
recipient (X25519 for a recipient abroad with its own key, the key store otherwise), and how
a recipient opens it. Nothing leaves in clear."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mahrem.domain.errors import InputError
from mahrem.services.ports import KeyStore

if TYPE_CHECKING:
    pass


X25519_WRAP = "X25519-HKDF-SHA256-A256GCM"
KEYSTORE_WRAP = "KEYSTORE-HMAC-SHA256-A256GCM"
KEYSTORE_NAME = "transfer"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def validate_bundle(bundle: dict[str, Any]) -> dict[str, Any]:
    """Validate a FHIR R4 Bundle with fhir.resources (R4B models); returns it as given."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)
    return bundle


# -- encryption --------------------------------------------------------------------------------
def _aad(tid: str) -> bytes:
    return f"mahrem-transfer-v1:{tid}".encode()


def _keystore_kek(keys: KeyStore, tid: str) -> bytes:
    return bytes.fromhex(keys.hmac(KEYSTORE_NAME, f"transfer-kek:{tid}"))


def _x25519_kek(shared: bytes, epk: bytes, rpk: bytes, tid: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + rpk, info=_aad(tid)).derive(shared)


def seal(
    plain: bytes, tid: str, recipient: dict[str, Any], keys: KeyStore
) -> tuple[bytes, dict[str, Any]]:
    """AES-256-GCM under a fresh content key; the key wrapped for the recipient."""
    cek, nonce, wrap_nonce = (
        AESGCM.generate_key(256),
        secrets.token_bytes(12),
        secrets.token_bytes(12),
    )
    package = nonce + AESGCM(cek).encrypt(nonce, plain, _aad(tid))
    if recipient.get("public_key"):
        rpk = base64.b64decode(recipient["public_key"])
        eph = X25519PrivateKey.generate()
        epk = eph.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        kek = _x25519_kek(eph.exchange(X25519PublicKey.from_public_bytes(rpk)), epk, rpk, tid)
        wrap = {
            "alg": X25519_WRAP,
            "epk": _b64(epk),
            "recipient_key_sha256": hashlib.sha256(rpk).hexdigest(),
        }
    else:
        kek = _keystore_kek(keys, tid)
        wrap = {"alg": KEYSTORE_WRAP, "key": KEYSTORE_NAME}
    wrapped = AESGCM(kek).encrypt(wrap_nonce, cek, _aad(tid))
    return package, {
        **wrap,
        "transfer": tid,
        "nonce": _b64(wrap_nonce),
        "wrapped_key": _b64(wrapped),
    }


def open_package(
    package: bytes,
    key_wrap: dict[str, Any],
    *,
    private_key: X25519PrivateKey | None = None,
    keys: KeyStore | None = None,
) -> dict[str, Any]:
    """What the recipient does: unwrap the content key and decrypt the Bundle (raises
    cryptography's InvalidTag when the key is wrong or anything was changed)."""
    tid = key_wrap["transfer"]
    if key_wrap["alg"] == X25519_WRAP:
        if private_key is None:
            raise InputError("transfer.key_missing", "the recipient's X25519 private key is needed")
        epk = base64.b64decode(key_wrap["epk"])
        rpk = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        kek = _x25519_kek(
            private_key.exchange(X25519PublicKey.from_public_bytes(epk)), epk, rpk, tid
        )
    else:
        if keys is None:
            raise InputError("transfer.key_missing", "the key store is needed")
        kek = _keystore_kek(keys, tid)
    cek = AESGCM(kek).decrypt(
        base64.b64decode(key_wrap["nonce"]), base64.b64decode(key_wrap["wrapped_key"]), _aad(tid)
    )
    plain = AESGCM(cek).decrypt(package[:12], package[12:], _aad(tid))
    result: dict[str, Any] = json.loads(plain)
    return result
