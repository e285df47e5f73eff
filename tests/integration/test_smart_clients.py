"""SMART clients in the KTS registry on SQLite and PostgreSQL (issue 24): a key set published
at a URL is fetched over HTTP, cached, and fetched again when the installation rotates its key;
a forged kid cannot make Mahrem hammer the installation's server; what is registered is public
keys only, at an https URL in production."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from mahrem.adapters.jwks import UrlJwksFetcher
from mahrem.domain.errors import Forbidden, InputError, MahremError
from mahrem.services import kts
from mahrem.services.ports import Mahrem
from tests.integration.helpers import loaded, rows

AUDIENCE = "https://mahrem.example/auth/token"


class KeyServer:
    """An installation's web server publishing its JWKS; counts how often it is asked."""

    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        self.fetches = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.fetches += 1
                body = json.dumps(owner.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def publish(self, *keys: RSAKey | ECKey) -> None:
        self.jwks = {"keys": [k.as_dict(private=False) for k in keys]}


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    server = KeyServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def world(service: Mahrem, ticks: Ticks) -> Mahrem:
    return dataclasses.replace(loaded(service), jwks=UrlJwksFetcher(monotonic=ticks))


def assertion(key: RSAKey | ECKey, alg: str = "RS384", **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": "S1",
        "sub": "S1",
        "aud": AUDIENCE,
        "exp": now + 240,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg])


def token_for(m: Mahrem, signed: str) -> kts.Grant:
    return kts.issue_token(
        m,
        grant_type="client_credentials",
        assertion_type=kts.CLIENT_ASSERTION_TYPE,
        assertion=signed,
        scope="system/Observation.rs",
        audience=AUDIENCE,
        at=datetime.now(UTC),
    )


def test_a_published_key_set_is_fetched_and_a_rotated_key_is_found(
    world: Mahrem, key_server: KeyServer, ticks: Ticks
) -> None:
    old = RSAKey.generate_key(2048, parameters={"kid": "2026-a"})
    new = ECKey.generate_key("P-384", parameters={"kid": "2026-b"})
    key_server.publish(old)
    registered = kts.register_client(
        world, "S1", "G1", scopes="system/Observation.rs", jwks_url=key_server.url
    )
    assert registered["kids"] == ["2026-a"] and key_server.fetches == 1
    grant = token_for(world, assertion(old))
    assert grant.scope == "system/Observation.rs"
    assert key_server.fetches == 1  # the cached set served the token request
    key_server.publish(old, new)  # the installation rotates
    ticks.now += 11
    token_for(world, assertion(new, "ES384"))
    assert key_server.fetches == 2  # the unknown kid asked for a fresh copy, once
    ticks.now += 200
    token_for(world, assertion(new, "ES384"))
    assert key_server.fetches == 2  # cached for five minutes
    ticks.now += 101
    token_for(world, assertion(old))
    assert key_server.fetches == 3  # and fetched again after them
    [entry] = rows(world, "audit_log", action="kts.client_registered")
    assert entry["actor"] == "G1" and entry["basis"] == "KTS/3"


def test_a_forged_kid_does_not_refetch_within_ten_seconds(
    world: Mahrem, key_server: KeyServer, ticks: Ticks
) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "2026-a"})
    key_server.publish(key)
    kts.register_client(world, "S1", "G1", scopes="system/*.rs", jwks_url=key_server.url)
    token_for(world, assertion(key))  # the kid is known: no refetch
    forged = RSAKey.generate_key(2048, parameters={"kid": "forged"})
    ticks.now += 11
    for _ in range(5):
        with pytest.raises(kts.OAuthError) as refused:
            token_for(world, assertion(forged))
        assert refused.value.error == "invalid_client"
        assert "kid" in refused.value.message
    assert key_server.fetches == 2  # registration, then one fresh copy for all five


def test_a_key_set_unreachable_at_registration_is_refused(world: Mahrem) -> None:
    with pytest.raises(MahremError) as refused:
        kts.register_client(
            world, "S1", "G1", scopes="system/*.r", jwks_url="http://127.0.0.1:9/jwks.json"
        )
    assert refused.value.code == "smart.jwks_unavailable"
    assert not rows(world, "kts_client")


def test_in_production_a_jwks_url_is_https(world: Mahrem, key_server: KeyServer) -> None:
    key_server.publish(RSAKey.generate_key(2048, parameters={"kid": "a"}))
    production = dataclasses.replace(world, production=True)
    with pytest.raises(InputError) as refused:
        kts.register_client(production, "S1", "G1", scopes="system/*.r", jwks_url=key_server.url)
    assert refused.value.code == "smart.jwks_url_invalid"
    assert key_server.fetches == 0
    with pytest.raises(InputError):
        kts.register_client(world, "S1", "G1", scopes="system/*.r", jwks_url="ftp://x/jwks")


@pytest.mark.parametrize(
    ("key", "code"),
    [
        (RSAKey.generate_key(2048, parameters={"kid": "a"}).as_dict(private=True), "jwks_private"),
        ({**RSAKey.generate_key(2048).as_dict(private=False), "kid": ""}, "jwks_invalid"),
        (ECKey.generate_key("P-256", parameters={"kid": "a"}).as_dict(), "jwks_invalid"),
    ],
    ids=["private", "no-kid", "p256"],
)
def test_only_public_rsa_or_p384_keys_with_a_kid_are_registered(
    world: Mahrem, key: dict[str, Any], code: str
) -> None:
    with pytest.raises(InputError) as refused:
        kts.register_client(world, "S1", "G1", scopes="system/*.r", jwks={"keys": [key]})
    assert refused.value.code == f"smart.{code}"
    assert not rows(world, "kts_client")


def test_only_a_gm_officer_registers_and_the_administrator_may_look(world: Mahrem) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "a"})
    jwks = {"keys": [key.as_dict(private=False)]}
    with pytest.raises(Forbidden):
        kts.register_client(world, "S1", "D1", scopes="system/*.r", jwks=jwks)
    kts.register_client(world, "S1", "G1", scopes="system/Observation.r", jwks=jwks)
    shown = kts.client(world, "S1", "G1")
    assert shown["kids"] == ["a"] and shown["scopes"] == ["system/Observation.r"]
    assert "keys" not in json.dumps(shown, default=str)  # key ids only, no key material
    with pytest.raises(Forbidden):
        kts.client(world, "S1", "D1")
