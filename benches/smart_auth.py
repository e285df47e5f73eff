"""What SMART Backend Services cost per request (issue 24): the same governed FHIR search
authenticated with a static installation key, and with an access token plus a fresh signed
acting-person assertion (RS384 and ES384).

Run on demand (never in the test suite; it prints figures and asserts nothing):

    .venv/bin/python benches/smart_auth.py [--rounds 6] [--requests 200]

The test world (tests/worlds.py) on a fresh SQLite file; D1 is P1's family doctor, so
`GET /fhir/Record?patient=P1` through S1 is permitted. Assertions are signed before the timer
starts (signing is the client's cost, printed apart); each timed request verifies one, checks
its claims and remembers its jti. Rounds alternate key / RS384 / ES384, each timing
`--requests` searches in process (Starlette's TestClient, no network), median kept; the ratios
are against the static key.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from search_world import family_doctor_world, median_search_ms

from mahrem.entrypoints.api.app import create_app
from mahrem.services import kts
from tests.e2e.auth import software_headers
from tests.worlds import tckn

AUDIENCE = "http://testserver"


def _signed(key: RSAKey | ECKey, alg: str, claims: dict[str, object]) -> str:
    now = int(time.time())
    body = {"iss": "S1", "exp": now + 240, "jti": uuid.uuid4().hex, **claims}
    return jwt.encode({"alg": alg, "kid": key.kid}, body, key, algorithms=[alg])


def _token(client: TestClient, key: RSAKey | ECKey, alg: str) -> str:
    answer = client.post(
        "/auth/token",
        data={
            "grant_type": "client_credentials",
            "scope": "system/*.rs",
            "client_assertion_type": kts.CLIENT_ASSERTION_TYPE,
            "client_assertion": _signed(key, alg, {"sub": "S1", "aud": f"{AUDIENCE}/auth/token"}),
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    service = family_doctor_world()
    keys = {
        "RS384": RSAKey.generate_key(2048, parameters={"kid": "rs"}),
        "ES384": ECKey.generate_key("P-384", parameters={"kid": "es"}),
    }
    kts.register_client(
        service,
        "S1",
        "G1",
        scopes="system/*.rs",
        jwks={"keys": [k.as_dict(private=False) for k in keys.values()]},
    )
    client = TestClient(create_app(service))
    static = software_headers(service, "S1", "D1", purpose="treatment")
    tokens = {alg: _token(client, key, alg) for alg, key in keys.items()}
    acting = {"sub": tckn(2), "aud": f"{AUDIENCE}/fhir", "purpose": "treatment"}
    results: dict[str, list[float]] = {"key": [], "RS384": [], "ES384": []}
    signing: dict[str, list[float]] = {"RS384": [], "ES384": []}
    for _ in range(args.rounds):
        results["key"].append(median_search_ms(client, [static] * args.requests))
        for alg, key in keys.items():
            started = time.perf_counter()
            assertions = [_signed(key, alg, acting) for _ in range(args.requests)]
            signing[alg].append((time.perf_counter() - started) / args.requests * 1000)
            headers = [
                {"Authorization": f"Bearer {tokens[alg]}", "X-Acting-Person": a} for a in assertions
            ]
            results[alg].append(median_search_ms(client, headers))
    base = statistics.median(results["key"])
    print(f"governed search, median of {args.rounds} alternated rounds x {args.requests} requests:")
    print(f"  static key                      {base:7.2f} ms")
    for alg in keys:
        ms = statistics.median(results[alg])
        sign = statistics.median(signing[alg])
        print(
            f"  token + {alg} assertion        {ms:7.2f} ms   ratio {ms / base:5.2f}"
            f"   (client signing {sign:.2f} ms)"
        )


if __name__ == "__main__":
    main()
