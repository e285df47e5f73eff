"""The world the door benchmarks search (benches/door_check.py, benches/smart_auth.py): the test
world on a fresh SQLite file with D1 as P1's family doctor, so `GET /fhir/Record?patient=P1`
through S1 is permitted; and the median time of a run of such searches."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient

from mahrem.bootstrap import build
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded


def family_doctor_world() -> Mahrem:
    folder = tempfile.mkdtemp(prefix="mahrem-bench-")
    service = build(f"sqlite:///{folder}/bench.db", key_dir=f"{folder}/keys")
    loaded(service)
    event(
        service,
        "2026-01-01T00:00:00+03:00",
        "family_doctor_registered",
        patient="P1",
        physician="D1",
    )
    return service


def median_search_ms(client: TestClient, headers: Iterable[dict[str, str]]) -> float:
    """The median time of one governed search per header set, in milliseconds."""
    times = []
    for h in headers:
        started = time.perf_counter()
        res = client.get("/fhir/Record", params={"patient": "P1"}, headers=h)
        times.append(time.perf_counter() - started)
        assert res.status_code == 200, res.text
    return statistics.median(times) * 1000
