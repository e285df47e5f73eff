"""SMART Backend Services clients in the KTS registry (issue 24; the KTS letter, point 3: the
installation answers for what it asserts).

A General Directorate officer registers, for an installation, the public keys it signs with
(a JSON Web Key Set, or the URL it publishes one at) and the SMART scopes it is granted. Mahrem
never holds a secret of the installation: it checks signatures with these public keys.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from mahrem.domain.errors import Forbidden, InputError, MahremError, NotFound
from mahrem.domain.smart_scopes import Scope, parse_scope, parse_scopes
from mahrem.services import audit
from mahrem.services.kts.gate import may_manage_keys
from mahrem.services.lookup import require
from mahrem.services.ports import Row, Store

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem

# RFC 7518 names; SMART Backend Services requires servers to support both.
ALGORITHMS = ("RS384", "ES384")
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def register_client(
    m: Mahrem,
    installation: str,
    by: str,
    *,
    scopes: str,
    jwks: dict[str, Any] | None = None,
    jwks_url: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """KTS/3 — a GM officer registers (or replaces) the installation's public keys and grants
    it SMART scopes (`system/Observation.rs system/Condition.c …`). Exactly one of `jwks` and
    `jwks_url`; a key set holding a private key, a key without `kid` or a key type other than
    RSA or EC P-384 is refused, and so is a URL whose key set cannot be fetched now."""
    when = m.at(at)
    if (jwks is None) == (jwks_url is None):
        raise InputError("smart.jwks_required", "give exactly one of jwks and jwks_url")
    granted = parse_scopes(scopes)
    if not granted:
        raise InputError("smart.scope_invalid", "grant at least one scope", field="scope")
    if jwks_url is not None:
        _check_url(m, jwks_url)
    key_set = key_set_of(m, jwks, jwks_url)
    with m.uow.write() as store:
        require(store, "installation", installation, "installation")
        if not any(
            r["role"] == "gm_officer" for r in store.open_rows("officer_role", when, person=by)
        ):
            raise Forbidden(
                "kts.client_forbidden",
                "only a General Directorate officer registers an installation's keys",
            )
        values = {
            "jwks": jwks,
            "jwks_url": jwks_url,
            "scopes": [str(s) for s in granted],
            "registered_at": when,
            "registered_by": by,
        }
        if store.get("kts_client", installation) is None:
            store.add("kts_client", installation=installation, **values)
        else:
            store.set("kts_client", installation, **values)
        kids = sorted(str(k.kid) for k in key_set.keys)
        audit.append(
            store,
            at=when,
            kind="admin",
            actor=by,
            via=installation,
            action="kts.client_registered",
            outcome="accepted",
            basis="KTS/3",
            detail={"kids": kids, "jwks_url": jwks_url, "scopes": values["scopes"]},
        )
    return {"installation": installation, "kids": kids, **values}


def client(m: Mahrem, installation: str, by: str) -> dict[str, Any]:
    """The installation's registration: key ids, JWKS URL, scopes (public keys only), shown to
    a GM officer and to the installation's administrator."""
    with m.uow.read() as store:
        require(store, "installation", installation, "installation")
        if not may_manage_keys(store, by, installation, m.at()):
            raise Forbidden(
                "kts.keys_forbidden",
                "only a General Directorate officer or the installation's administrator "
                "sees its keys",
            )
        row = store.get("kts_client", installation)
    if row is None:
        raise NotFound("kts.client_unknown", "no SMART client is registered for it")
    keys = key_set_of(m, row["jwks"], row["jwks_url"])
    return {
        "installation": installation,
        "kids": sorted(str(k.kid) for k in keys.keys),
        "jwks_url": row["jwks_url"],
        "scopes": row["scopes"],
        "registered_at": row["registered_at"],
        "registered_by": row["registered_by"],
    }


def registration(store: Store, installation: str) -> Row | None:
    """The installation's client row, if one is registered."""
    return store.get("kts_client", installation)


def granted_scopes(row: Row) -> tuple[Scope, ...]:
    """The scopes a client row grants."""
    return tuple(parse_scope(s) for s in row["scopes"])


def key_set_of(
    m: Mahrem, jwks: dict[str, Any] | None, jwks_url: str | None, *, fresh: bool = False
) -> KeySet:
    """The public keys of a registration, checked: from the stored set, or fetched."""
    if jwks is None:
        if m.jwks is None or jwks_url is None:
            raise MahremError("smart.jwks_unavailable", "no JWKS fetcher is configured")
        jwks = m.jwks(jwks_url, fresh=fresh)
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list) or not keys:
        raise InputError("smart.jwks_invalid", 'a JWKS is {"keys": [...]} with one key or more')
    for key in keys:
        _check_key(key)
    try:
        return KeySet.import_key_set({"keys": keys})
    except (JoseError, ValueError, TypeError) as exc:
        raise InputError("smart.jwks_invalid", f"the JWKS does not parse: {exc}") from exc


def _check_key(key: object) -> None:
    if not isinstance(key, dict):
        raise InputError("smart.jwks_invalid", "each key of a JWKS is a JSON object")
    if PRIVATE_MEMBERS & key.keys():
        raise InputError(
            "smart.jwks_private",
            "the JWKS holds a private key: register public keys only, keep the private key",
        )
    if not isinstance(key.get("kid"), str) or not key["kid"]:
        raise InputError("smart.jwks_invalid", "each key names its kid")
    if not (key.get("kty") == "RSA" or (key.get("kty") == "EC" and key.get("crv") == "P-384")):
        raise InputError("smart.jwks_invalid", "keys are RSA (RS384) or EC P-384 (ES384)")


def _check_url(m: Mahrem, url: str) -> None:
    local = url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))
    if not url.startswith("https://") and not (local and not m.production):
        raise InputError(
            "smart.jwks_url_invalid",
            "a JWKS URL is https:// (plain http only on the loopback, outside production)",
            field="jwks_url",
        )
