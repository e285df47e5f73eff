"""What the one door check costs (issue 14): a governed FHIR search with and without it.

Run on demand (never in the test suite; it prints figures and asserts nothing):

    .venv/bin/python benches/door_check.py [--rounds 6] [--requests 200]

The test world (tests/worlds.py) on a fresh SQLite file; D1 is P1's family doctor, so the search
`GET /fhir/Record?patient=P1` through S1's key is permitted. Two apps over the same service: one
as served (the app-wide `targets_known` dependency), one with that dependency replaced by a
no-op. Rounds alternate between them; each round times `--requests` searches in process (Starlette's
TestClient, no network) and keeps the median. The ratio is with / without: the price of checking
that the patient named is not concealed (M12) before anything reads the record set.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi import Request
from fastapi.testclient import TestClient
from search_world import family_doctor_world, median_search_ms

from mahrem.entrypoints.api import app as app_module
from tests.e2e.auth import software_headers


async def _no_check(request: Request) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    service = family_doctor_world()
    headers = software_headers(service, "S1", "D1", purpose="treatment")
    checked = TestClient(app_module.create_app(service))
    served_check = app_module.targets_known
    app_module.targets_known = _no_check
    try:
        unchecked = TestClient(app_module.create_app(service))
    finally:
        app_module.targets_known = served_check
    with_check, without = [], []
    for _ in range(args.rounds):
        with_check.append(median_search_ms(checked, [headers] * args.requests))
        without.append(median_search_ms(unchecked, [headers] * args.requests))
    a, b = statistics.median(with_check), statistics.median(without)
    print(f"governed search, median of {args.rounds} alternated rounds x {args.requests} requests:")
    print(f"  with the door check    {a:7.2f} ms")
    print(f"  without                {b:7.2f} ms")
    print(f"  ratio with / without   {a / b:7.3f}")


if __name__ == "__main__":
    main()
