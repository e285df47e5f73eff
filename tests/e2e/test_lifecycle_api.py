"""Corrections (M13) and destruction (M14, M11/2) over HTTP and the CLI: the same service path,
problem+json refusals with their article, paginated lists, progress on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services import access, demo
from mahrem.services.demo.loading import load_into
from mahrem.services.policies import ensure_policy, policy_at
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for
from tests.integration.helpers import event, rows, t
from tests.worlds import OBSERVATION, world

runner = CliRunner()
FIXED = {**OBSERVATION, "valueQuantity": {"value": 88, "unit": "mg/dL"}}


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    return f"sqlite:///{tmp_path}/lifecycle.db"


@pytest.fixture
def service(url: str, tmp_path: Path) -> Iterator[Mahrem]:
    svc = build(url, key_dir=str(tmp_path / "keys"))
    at = t("2026-01-01T00:00:00+03:00")
    with svc.uow.write() as store:
        ensure_policy(store)
        load_into(store, world(), policy_at(store, at), at, keys=svc.keys)
    event(
        svc,
        "2026-02-01T10:00:00+03:00",
        "record_created",
        record={
            "id": "R5",
            "patient": "P1",
            "facility": "F1",
            "author": "D1",
            "category": "laboratory",
            "resource": {**OBSERVATION, "valueQuantity": {"value": 980, "unit": "mg/dL"}},
        },
    )
    yield svc
    svc.uow.dispose()


@pytest.fixture
def client(service: Mahrem) -> TestClient:
    return TestClient(create_app(service))


def as_(service: Mahrem, person: str) -> dict[str, str]:
    return headers_for(service, person)


def post(client: TestClient, service: Mahrem, who: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=as_(service, who))


def test_the_correction_workflow_over_http_m13_1(client: TestClient, service: Mahrem) -> None:
    filed = post(
        client,
        service,
        "P1",
        "/lifecycle/corrections",
        {"record": "R5", "reason": "yanlış değer", "id": "CR1", "at": "2026-03-01T10:00:00+03:00"},
    )
    assert filed.status_code == 201 and filed.json()["status"] == "filed"
    assert filed.json()["answer_due"] == "2026-04-01T00:00:00+03:00"
    steps = [("investigation", "investigating"), ("forwarding", "forwarded")]
    for i, (step, status) in enumerate(steps):
        r = post(
            client,
            service,
            "O1",
            f"/lifecycle/corrections/CR1/{step}",
            {"at": f"2026-03-0{i + 2}T10:00:00+03:00"},
        )
        assert r.status_code == 200 and r.json()["status"] == status
    fixed = post(
        client,
        service,
        "G1",
        "/lifecycle/records/R5/corrections",
        {"resource": FIXED, "request": "CR1", "at": "2026-03-05T10:00:00+03:00"},
    )
    assert (
        fixed.status_code == 201
        and fixed.json()["basis"] == "13/1"
        and fixed.json()["version"] == 2
    )
    seen = client.get(
        "/lifecycle/corrections/CR1", headers=as_(service, "P1") | {"accept-language": "en"}
    )
    assert seen.json()["status"] == "corrected" and "corrected" in seen.json()["message"]
    listed = client.get(
        "/lifecycle/patients/P1/corrections?limit=1&offset=0", headers=as_(service, "P1")
    )
    assert [r["id"] for r in listed.json()] == ["CR1"]
    history = client.get("/lifecycle/records/R5/history", headers=as_(service, "P1")).json()
    assert [v["resource"]["valueQuantity"]["value"] for v in history["versions"]] == [980, 88]
    assert history["versions"][1]["provenance"]["resourceType"] == "Provenance"
    feed = client.get("/lifecycle/facilities/F1/corrections", headers=as_(service, "D1")).json()
    assert feed["type"] == "history" and len(feed["entry"]) == 2


def test_refusals_are_problems_with_their_article_m13_1(
    client: TestClient, service: Mahrem
) -> None:
    post(
        client,
        service,
        "P1",
        "/lifecycle/corrections",
        {"record": "R5", "reason": "x", "id": "CR1"},
    )
    r = post(client, service, "G1", "/lifecycle/records/R5/corrections", {"resource": FIXED})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["basis"] == "13/1"
    r = post(client, service, "O1", "/lifecycle/corrections/CR1/rejection", {"reason": ""})
    assert r.status_code == 422
    r = client.get("/lifecycle/corrections/CR1", headers=as_(service, "D3"))
    assert r.status_code == 404 and r.json()["code"] == "correction.unknown"
    r = post(
        client, service, "O1", "/lifecycle/corrections/CR1/rejection", {"reason": "doğru kayıt"}
    )
    assert r.status_code == 200 and r.json()["history"][-1]["reason"] == "doğru kayıt"
    r = post(client, service, "O1", "/lifecycle/corrections/CR1/forwarding", {})
    assert r.status_code == 422


def test_a_dry_run_then_a_run_then_the_destruction_records_over_http_m14_1(
    client: TestClient, service: Mahrem
) -> None:
    access.change_policy(
        service,
        {"retention_rules": {"psychiatry": {"years": 1, "method": "destroy"}}},
        "G1",
        t("2026-01-02T00:00:00+03:00"),
    )
    at = "2027-06-01T10:00:00+03:00"
    dry = post(client, service, "A1", "/lifecycle/runs", {"dry_run": True, "at": at})
    assert (
        dry.status_code == 200
        and dry.json()["dry_run"]
        and dry.json()["items"][0]["record"] == "R2"
    )
    assert client.get("/lifecycle/destruction-records", headers=as_(service, "A1")).json() == []
    done = post(client, service, "A1", "/lifecycle/runs", {"at": at})
    assert done.json()["counts"]["destroyed"] == 1 and done.json()["run"] == 1
    records = client.get(
        "/lifecycle/destruction-records?limit=10&offset=0", headers=as_(service, "A1")
    ).json()
    assert [(r["record"], r["method"], r["by"]) for r in records] == [("R2", "destroy", "A1")]
    assert (
        client.get("/lifecycle/runs", headers=as_(service, "A1")).json()[0]["finished_at"]
        is not None
    )
    schedule = client.get("/lifecycle/schedule", headers=as_(service, "A1")).json()
    # the schedule is read now (the real clock, before the run's `at` in 2027): no run has
    # happened yet and nothing is due yet, so nothing is overdue
    assert schedule == {
        "last_run_at": None,
        "next_run_due": None,
        "records_due": 0,
        "overdue": False,
    }
    assert client.get("/lifecycle/schedule", headers=as_(service, "D1")).status_code == 403
    r = post(client, service, "D1", "/lifecycle/runs", {"at": at})
    assert r.status_code == 403 and r.json()["code"] == "lifecycle.forbidden"
    assert (
        client.get("/lifecycle/destruction-records", headers=as_(service, "P1")).status_code == 403
    )


def test_the_dpo_destroys_a_patients_data_and_the_engine_refuses_for_the_recently_dead_m11_2(
    client: TestClient, service: Mahrem
) -> None:
    event(service, "2026-02-10T10:00:00+03:00", "death", patient="C1")
    r = post(
        client,
        service,
        "A1",
        "/lifecycle/patients/C1/destruction",
        {"method": "destroy", "at": "2027-01-01T10:00:00+03:00"},
    )
    assert r.status_code == 403 and r.json()["basis"] == "11/2"
    r = post(
        client,
        service,
        "A1",
        "/lifecycle/patients/P1/destruction",
        {"method": "anonymise", "request": "AP7", "at": "2027-01-01T10:00:00+03:00"},
    )
    assert r.status_code == 200 and sorted(r.json()["records"]) == ["R1", "R2", "R5"]
    r = post(client, service, "A1", "/lifecycle/patients/P1/destruction", {"method": "burn"})
    assert r.status_code == 422


def test_the_cli_runs_with_progress_on_stderr_and_lists_the_records_m14_1(
    service: Mahrem, url: str
) -> None:
    access.change_policy(
        service,
        {"retention_rules": {"laboratory": {"years": 1, "method": "anonymise"}}},
        "G1",
        t("2026-01-02T00:00:00+03:00"),
    )
    dry = runner.invoke(
        cli,
        [
            "lifecycle",
            "run",
            "--dry-run",
            "--at",
            "2027-06-01T10:00:00+03:00",
            "--by",
            "A1",
            "--db",
            url,
        ],
    )
    assert dry.exit_code == 0 and json.loads(dry.stdout)["due"] == 3
    assert rows(service, "record_disposal") == []
    done = runner.invoke(
        cli,
        [
            "lifecycle",
            "run",
            "--at",
            "2027-06-01T10:00:00+03:00",
            "--by",
            "A1",
            "--db",
            url,
            "--batch",
            "1",
        ],
    )
    assert done.exit_code == 0 and json.loads(done.stdout)["counts"]["anonymised"] == 3
    assert "3/3" in done.stderr
    listed = runner.invoke(cli, ["lifecycle", "records", "--by", "A1", "--db", url, "--limit", "2"])
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 2
    refused = runner.invoke(cli, ["lifecycle", "run", "--by", "D1", "--db", url])
    assert refused.exit_code == 1 and json.loads(refused.stdout)["code"] == "lifecycle.forbidden"
    bad = runner.invoke(
        cli, ["lifecycle", "run", "--by", "A1", "--at", "2027-06-01T10:00:00", "--db", url]
    )
    assert bad.exit_code != 0


def test_the_cli_destroys_a_patients_data_on_request_m14_1(service: Mahrem, url: str) -> None:
    out = runner.invoke(
        cli,
        [
            "lifecycle",
            "destroy-patient",
            "C1",
            "--by",
            "A1",
            "--method",
            "delete",
            "--request",
            "AP9",
            "--db",
            url,
        ],
    )
    assert out.exit_code == 0 and json.loads(out.stdout)["records"] == ["R4"]
    refused = runner.invoke(cli, ["lifecycle", "destroy-patient", "C1", "--by", "G1", "--db", url])
    assert refused.exit_code == 1


def test_the_cli_seals_records_held_in_clear_and_a_second_run_finds_none_m14_1(
    tmp_path: Path, url: str
) -> None:
    svc = build(url, key_dir=str(tmp_path / "keys"))
    demo.load_world(svc, world(), t("2026-01-01T00:00:00+03:00"))
    with svc.uow.write() as store:  # as a database from before encryption at rest holds them
        for r in store.rows("record_version"):
            store.conn.exec_driver_sql("DELETE FROM record_version WHERE id = ?", (r["id"],))
        for r in store.rows("record"):
            store.set("record", r["id"], resource=OBSERVATION)
    first = runner.invoke(cli, ["lifecycle", "seal", "--db", url])
    assert (
        first.exit_code == 0 and json.loads(first.stdout) == {"sealed": 3} and "3/3" in first.stderr
    )
    assert all(r["resource"] == {} for r in rows(svc, "record"))
    again = runner.invoke(cli, ["lifecycle", "seal", "--db", url])
    assert json.loads(again.stdout) == {"sealed": 0}
    svc.uow.dispose()
