"""Hospital software authenticates the SMART Backend Services way (issue 24): a GM officer
registers the installation's public key, the installation obtains a token with authlib's OAuth 2
client (`private_key_jwt`), and every request names its acting staff member in a JWT the
installation signs. Against a live server, so the token endpoint's audience is a real URL."""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fastapi.testclient import TestClient
from fhirclient.server import FHIRServer
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.services import kts
from mahrem.services.ports import Mahrem
from mahrem.services.records import TCKN_SYSTEM
from tests.e2e.auth import headers_for, software_headers
from tests.e2e.live_server import served
from tests.integration.helpers import loaded, rows
from tests.worlds import BASE_WORLD, tckn

S1_KEY = RSAKey.generate_key(2048, parameters={"kid": "s1-2026"})
S2_KEY = ECKey.generate_key("P-384", parameters={"kid": "s2-2026"})
OBSERVATION_ONLY = "system/Observation.crs system/Patient.ru system/Encounter.cu"
D1, D3 = tckn(2), tckn(4)  # D1: physician at S1's facility F1; D3: at F3 only


@dataclass
class Live:
    root: str
    service: Mahrem

    @property
    def token_url(self) -> str:
        return f"{self.root}/auth/token"


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):
    """authlib's `private_key_jwt` with SMART's lifetime: authlib signs for an hour and keeps
    its first jti in `claims` (every later assertion would be a replay); SMART wants at most
    five minutes and a fresh jti each time."""

    alg = "RS384"

    def sign(self, auth: Any, token_endpoint: str) -> Any:
        self.claims = {"exp": int(time.time()) + 240, "jti": uuid.uuid4().hex}
        return super().sign(auth, token_endpoint)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Mahrem with a second installation (S2 at F3), served by uvicorn on a free port; S1 and S2
    registered as SMART clients by the GM officer over HTTP."""
    folder: Path = tmp_path_factory.mktemp("smart")
    s2 = {**BASE_WORLD["software"][0], "id": "S2", "facility": "F3"}
    service = loaded(
        build(f"sqlite:///{folder}/m.db", key_dir=str(folder / "keys")),
        software=[*BASE_WORLD["software"], s2],
    )
    gm = headers_for(service, "G1")
    with served(service) as root:
        for installation, key, scopes in (
            ("S1", S1_KEY, OBSERVATION_ONLY),
            ("S2", S2_KEY, "system/Observation.rs"),
        ):
            answer = requests.put(
                f"{root}/kts/installations/{installation}/client",
                json={"jwks": {"keys": [key.as_dict(private=False)]}, "scopes": scopes},
                headers=gm,
                timeout=10,
            )
            assert answer.status_code == 200, answer.text
        yield Live(root, service)


def access_token(live: Live, scope: str = OBSERVATION_ONLY) -> str:
    """A token for S1, obtained by authlib's OAuth 2 client as any SMART client would."""
    session = OAuth2Session(
        "S1",
        S1_KEY,
        token_endpoint_auth_method=ShortLivedPrivateKeyJWT(
            live.token_url, headers={"kid": S1_KEY.kid}
        ),
        scope=scope,
    )
    token = session.fetch_token(live.token_url, grant_type="client_credentials")
    assert token["token_type"] == "bearer" and token["expires_in"] == 300
    return str(token["access_token"])


def acting(
    live: Live,
    person: str = D1,
    *,
    key: RSAKey | ECKey = S1_KEY,
    iss: str = "S1",
    lifetime: int = 60,
    aud: str | None = None,
    jti: str | None = None,
    purpose: str = "treatment",
) -> str:
    """An acting-person assertion, signed as the installation's HBYS signs one per request."""
    alg = "RS384" if isinstance(key, RSAKey) else "ES384"
    claims = {
        "iss": iss,
        "sub": person,
        "aud": aud or live.root,
        "purpose": purpose,
        "jti": jti or uuid.uuid4().hex,
        "exp": int(time.time()) + lifetime,
    }
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])


def as_staff(token: str, assertion: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Acting-Person": assertion}


def push_patient(live: Live, token: str) -> None:
    patient = {
        "resourceType": "Patient",
        "id": "smart-1",
        "identifier": [{"system": TCKN_SYSTEM, "value": tckn(801)}],
        "name": [{"family": "Kaya", "given": ["Elif"]}],
        "birthDate": "1979-03-02",
    }
    answer = requests.put(
        f"{live.root}/fhir/Patient/smart-1",
        json=patient,
        headers=as_staff(token, acting(live)),
        timeout=10,
    )
    assert answer.status_code in (200, 201), answer.text
    encounter = {
        "resourceType": "Encounter",
        "status": "in-progress",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": "Patient/smart-1"},
    }
    answer = requests.post(
        f"{live.root}/fhir/Encounter",
        json=encounter,
        headers=as_staff(token, acting(live)),
        timeout=10,
    )
    assert answer.status_code in (200, 201), answer.text  # 200: the open encounter


def test_a_physician_of_the_facility_pushes_and_reads_with_a_token(live: Live) -> None:
    token = access_token(live)
    push_patient(live, token)
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": "Patient/smart-1"},
        "effectiveDateTime": "2026-03-02T10:00:00+03:00",
        "valueQuantity": {"value": 97, "unit": "mg/dL"},
    }
    created = requests.post(
        f"{live.root}/fhir/Observation",
        json=observation,
        headers=as_staff(token, acting(live)),
        timeout=10,
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assertion = acting(live)
    read = requests.get(
        f"{live.root}/fhir/Observation/{rid}", headers=as_staff(token, assertion), timeout=10
    )
    assert read.status_code == 200, read.text
    assert read.json()["valueQuantity"]["value"] == 97
    # The log proves what the installation asserted, and keeps no TC kimlik no of it.
    header = jwt.decode(assertion, S1_KEY, algorithms=["RS384"]).claims
    digest = hashlib.sha256(assertion.encode()).hexdigest()
    [entry] = [
        e
        for e in rows(live.service, "audit_log", kind="decision", record=rid)
        if (e["detail"] or {}).get("key") == f"jwt:s1-2026:{header['jti']}:{digest}"
    ]
    assert entry["via"] == "S1" and entry["capacity"] == "staff" and entry["purpose"] == "treatment"
    assert D1 not in str(entry) and assertion not in str(entry)


def test_a_scope_not_granted_refuses_the_push_naming_the_missing_scope(live: Live) -> None:
    token = access_token(live)
    push_patient(live, token)
    condition = {
        "resourceType": "Condition",
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11"}]},
        "subject": {"reference": "Patient/smart-1"},
    }
    refused = requests.post(
        f"{live.root}/fhir/Condition",
        json=condition,
        headers=as_staff(token, acting(live)),
        timeout=10,
    )
    assert refused.status_code == 403
    outcome = refused.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "system/Condition.c" in outcome["issue"][0]["diagnostics"]
    bundle = {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": condition}]}
    refused = requests.post(
        f"{live.root}/fhir", json=bundle, headers=as_staff(token, acting(live)), timeout=10
    )
    assert refused.status_code == 403 and "system/Condition.c" in refused.text


def test_a_token_is_granted_only_the_scopes_registered(live: Live) -> None:
    session = OAuth2Session(
        "S1",
        S1_KEY,
        token_endpoint_auth_method=ShortLivedPrivateKeyJWT(
            live.token_url, headers={"kid": S1_KEY.kid}
        ),
        scope="system/Observation.rs system/Condition.c",
    )
    narrowed = session.fetch_token(live.token_url, grant_type="client_credentials")
    assert narrowed["scope"] == "system/Observation.rs"
    answer = _token_request(live, _client_assertion(live), scope="system/Condition.c")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"


def _client_assertion(
    live: Live,
    *,
    key: RSAKey | ECKey = S1_KEY,
    iss: str = "S1",
    lifetime: int = 240,
    jti: str | None = None,
) -> str:
    alg = "RS384" if isinstance(key, RSAKey) else "ES384"
    claims = {
        "iss": iss,
        "sub": iss,
        "aud": live.token_url,
        "jti": jti or uuid.uuid4().hex,
        "exp": int(time.time()) + lifetime,
    }
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])


def _token_request(live: Live, assertion: str, scope: str = "system/Observation.rs") -> Any:
    return requests.post(
        live.token_url,
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": kts.CLIENT_ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scope,
        },
        timeout=10,
    )


@pytest.mark.parametrize(
    ("case", "assertion"),
    [
        ("expired", lambda live: _client_assertion(live, lifetime=-120)),
        ("an hour long", lambda live: _client_assertion(live, lifetime=3600)),
        ("another installation's key", lambda live: _client_assertion(live, key=S2_KEY)),
        (
            "a forged kid",
            lambda live: jwt.encode(
                {"alg": "ES384", "kid": "s1-2026"},
                {"iss": "S1", "sub": "S1", "aud": live.token_url, "jti": "x", "exp": 2**31},
                S2_KEY,
                algorithms=["ES384"],
            ),
        ),
        ("an unregistered client", lambda live: _client_assertion(live, iss="S9")),
        ("not a JWT", lambda live: "not.a.jwt"),
    ],
)
def test_the_token_endpoint_refuses_an_assertion_that_is_not_good_evidence(
    live: Live, case: str, assertion: Any
) -> None:
    answer = _token_request(live, assertion(live))
    assert answer.status_code == 401, case
    assert answer.json()["error"] == "invalid_client", case
    assert "access_token" not in answer.json()


def test_a_client_assertion_is_spent_once(live: Live) -> None:
    assertion = _client_assertion(live)
    assert _token_request(live, assertion).status_code == 200
    again = _token_request(live, assertion)
    assert again.status_code == 401 and "used before" in again.json()["error_description"]


@pytest.mark.parametrize(
    ("case", "header", "code"),
    [
        ("staff elsewhere", lambda live: acting(live, D3), "auth.invalid"),
        ("a stranger", lambda live: acting(live, tckn(999)), "auth.invalid"),
        ("signed by S2", lambda live: acting(live, key=S2_KEY), "auth.assertion_invalid"),
        ("an hour long", lambda live: acting(live, lifetime=3600), "auth.assertion_invalid"),
        ("expired", lambda live: acting(live, lifetime=-120), "auth.assertion_invalid"),
        ("another audience", lambda live: acting(live, aud="https://x"), "auth.assertion_invalid"),
        ("a bare TC kimlik no", lambda live: D1, "auth.acting_assertion"),
    ],
)
def test_an_acting_person_assertion_that_is_not_good_evidence_is_refused(
    live: Live, case: str, header: Any, code: str
) -> None:
    answer = requests.get(
        f"{live.root}/fhir/Observation?patient=P1",
        headers=as_staff(access_token(live), header(live)),
        timeout=10,
    )
    assert answer.status_code == 401, case
    assert code in answer.text, (case, answer.text)


def test_an_acting_person_assertion_is_spent_once(live: Live) -> None:
    token = access_token(live)
    assertion = acting(live)
    url = f"{live.root}/fhir/Observation?patient=P1"
    first = requests.get(url, headers=as_staff(token, assertion), timeout=10)
    assert first.status_code == 200, first.text
    again = requests.get(url, headers=as_staff(token, assertion), timeout=10)
    assert again.status_code == 401 and "auth.assertion_replayed" in again.text


def test_the_signed_purpose_cannot_be_changed_by_a_header(live: Live) -> None:
    answer = requests.get(
        f"{live.root}/fhir/Observation?patient=P1",
        headers={**as_staff(access_token(live), acting(live)), "X-Purpose": "research"},
        timeout=10,
    )
    assert answer.status_code == 401 and "auth.purpose_unsigned" in answer.text


def test_smart_clients_discover_the_token_endpoint(live: Live) -> None:
    config = requests.get(f"{live.root}/fhir/.well-known/smart-configuration", timeout=10).json()
    assert config["token_endpoint"] == live.token_url
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert set(config["token_endpoint_auth_signing_alg_values_supported"]) == {"RS384", "ES384"}
    server = FHIRServer(None, base_uri=f"{live.root}/fhir/")
    server.prepare()  # fhirclient reads the CapabilityStatement's SMART security extension
    assert server.auth is not None and server.auth._token_uri == live.token_url


def test_only_a_gm_officer_registers_an_installations_keys(live: Live) -> None:
    jwks = {"keys": [S1_KEY.as_dict(private=False)]}
    refused = requests.put(
        f"{live.root}/kts/installations/S1/client",
        json={"jwks": jwks, "scopes": "system/*.cruds"},
        headers=headers_for(live.service, "A1"),  # the installation's administrator
        timeout=10,
    )
    assert refused.status_code == 403
    private = requests.put(
        f"{live.root}/kts/installations/S1/client",
        json={"jwks": {"keys": [S1_KEY.as_dict(private=True)]}, "scopes": "system/*.rs"},
        headers=headers_for(live.service, "G1"),
        timeout=10,
    )
    assert private.status_code == 422 and "smart.jwks_private" in private.text
    shown = requests.get(
        f"{live.root}/kts/installations/S1/client",
        headers=headers_for(live.service, "A1"),
        timeout=10,
    ).json()
    assert shown["kids"] == ["s1-2026"] and "jwks" not in shown


def test_in_production_a_static_key_is_refused(tmp_path: Path) -> None:
    service = loaded(build(f"sqlite:///{tmp_path}/p.db", key_dir=str(tmp_path / "keys")))
    headers = software_headers(service, "S1", "D1", purpose="treatment")
    development = TestClient(create_app(service))
    assert development.get("/fhir/Observation?patient=P1", headers=headers).status_code == 200
    production = TestClient(create_app(dataclasses.replace(service, production=True)))
    refused = production.get("/fhir/Observation?patient=P1", headers=headers)
    assert refused.status_code == 401 and "auth.static_key_production" in refused.text
    service.uow.dispose()
