"""M15 — the recipient of a transfer: a kind the law names (a public body, a private party at
home, one abroad), and for a recipient with its own key its X25519 public key, checked."""

from __future__ import annotations

import base64
from datetime import date
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from mahrem.domain.errors import InputError
from mahrem.domain.transfer_grounds import check_ground
from mahrem.services.transfers.packaging import _b64

if TYPE_CHECKING:
    pass


KINDS = {
    "public": "public_institution",
    "public_institution": "public_institution",
    "private": "private",
    "foreign": "foreign",
}


# -- input ----------------------------------------------------------------------------------
def public_key_bytes(text: str) -> bytes:
    """An X25519 public key given as PEM (SubjectPublicKeyInfo) or base64 of its 32 bytes."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, X25519PublicKey):
                raise ValueError("not an X25519 key")
            return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        text = text.replace("-", "+").replace("_", "/")
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        X25519PublicKey.from_public_bytes(raw)
        return raw
    except ValueError as exc:
        raise InputError(
            "transfer.public_key_invalid",
            "recipient.public_key: not an X25519 public key",
            field="recipient.public_key",
        ) from exc


def parse_recipient(
    data: object, *, adequate_countries: tuple[str, ...] = (), today: date | None = None
) -> dict[str, Any]:
    """{kind: public|private|foreign, name, protocol? (public), country? (foreign), public_key?,
    ground? (foreign: KVKK 9, domain/transfer_grounds.py, checked against `today`)}."""
    if not isinstance(data, dict):
        raise InputError("field.invalid", "recipient: an object is required", field="recipient")
    kind = KINDS.get(str(data.get("kind")))
    if kind is None:
        raise InputError(
            "field.invalid",
            "recipient.kind: one of public, private, foreign",
            field="recipient.kind",
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(
            "field.missing",
            "recipient.name: the recipient's name is required",
            field="recipient.name",
        )
    country = data.get("country")
    if kind == "foreign" and not (isinstance(country, str) and country.strip()):
        raise InputError(
            "field.missing",
            "recipient.country: a foreign recipient's country is required",
            field="recipient.country",
        )
    protocol = data.get("protocol") if kind == "public_institution" else None
    key = data.get("public_key")
    code = country.strip().upper() if isinstance(country, str) and country.strip() else None
    ground = None
    if kind == "foreign":
        assert code is not None and today is not None
        ground = check_ground(data.get("ground"), code, adequate_countries, today)
    return {
        "kind": kind,
        "name": name.strip(),
        "protocol": protocol if isinstance(protocol, str) else None,
        "country": code,
        "public_key": _b64(public_key_bytes(key)) if isinstance(key, str) and key.strip() else None,
        "ground": ground,
    }
