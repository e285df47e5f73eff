"""The Synthea sample (FHIR R4 NDJSON that nobody here wrote) ingests through the API after the
documented identifier mapping (services/bulk.py: SSN digits + TC kimlik check digits), with
categories derived from the codes, and reads back through the engine."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from stdnum.tr import tckimlik
from typer.testing import CliRunner

from mahrem.entrypoints.api.app import create_app
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services.ports import Mahrem
from mahrem.services.records import patient_bundles, synthea_tckn
from tests.conftest import SHARED
from tests.e2e.auth import headers_for, software_headers
from tests.integration.helpers import loaded

SYNTHEA = SHARED / "data" / "synthea-10-patients"


def resources() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for f in sorted(SYNTHEA.glob("*.ndjson"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]


def test_the_synthea_mapping_gives_valid_distinct_tc_kimlik_numbers() -> None:
    patients = [r for r in resources() if r["resourceType"] == "Patient"]
    numbers = [synthea_tckn(p) for p in patients]
    assert len(patients) == 13 and len(set(numbers)) == 13
    assert all(tckimlik.is_valid(n) for n in numbers)


def test_every_synthea_patient_ingests_through_the_api_and_reads_back(
    sqlite_service: Mahrem,
) -> None:
    api = TestClient(create_app(loaded(sqlite_service)))
    everything = resources()
    expected = Counter(
        r["resourceType"]
        for r in everything
        if r["resourceType"] not in ("Patient", "Organization", "Location", "Practitioner")
    )
    stored: Counter[str] = Counter()
    for _, bundle in patient_bundles(everything, synthea_tckn):
        res = api.post("/fhir", json=bundle, headers=software_headers(sqlite_service, "S1", "D1"))
        assert res.status_code == 201, res.text
        stored.update(
            e["response"]["location"].split("/")[0]
            for e in res.json()["entry"]
            if e["response"]["status"] == "201 Created"
        )
    assert stored == expected + Counter(Patient=13)
    with sqlite_service.uow.read() as store:
        categories = Counter(r["category"] for r in store.rows("record"))
        people = store.rows("person")
    assert categories["vaccination"] == expected["Immunization"]
    assert categories["prescription"] == expected["MedicationRequest"]
    assert categories["reproductive"] >= 1 and categories["substance_use"] >= 1
    # each patient reads back exactly their own records, through the engine (M5/6)
    first = next(p for p in people if p["id"].startswith("p-"))
    search = api.get(
        "/fhir/Record",
        params={"patient": first["id"], "_count": 100},
        headers=headers_for(sqlite_service, first["id"]),
    )
    assert search.status_code == 200 and search.json()["total"] > 0
    assert all(
        e["resource"].get("subject", e["resource"].get("patient"))
        == {"reference": f"Patient/{first['id']}"}
        for e in search.json()["entry"]
    )


def test_the_cli_imports_the_sample_and_a_second_run_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mahrem.bootstrap import build

    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    url = f"sqlite:///{tmp_path}/synthea.db"
    loaded(build(url, key_dir=str(tmp_path / "keys")))
    runner = CliRunner()
    args = ["fhir", "import", str(SYNTHEA), "--installation", "S1", "--actor", "D1", "--db", url]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["patients"] == 13 and summary["registered"] == 13 and summary["created"] > 5000
    again = json.loads(runner.invoke(cli, args).stdout.strip().splitlines()[-1])
    assert (
        again["patients"] == 13
        and "created" not in again
        and again["unchanged"] == summary["created"] + 13
    )
