"""Policy changes at the API and the command line (M6/4; issue 21): a GM officer's draft with
its reason, time and notice; what the law fixes refused with its article as problem+json; the
policy in force public; a hospital's key and other people refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for, software_headers
from tests.integration.helpers import loaded

NOTICE = {
    "title_tr": "Aydınlatma metni 2",
    "title_en": "Information notice 2",
    "body_tr": "Kod süresi uzadı.",
    "body_en": "Codes last longer.",
}


def body(changes: dict[str, object], days: int = 7) -> dict[str, object]:
    return {
        "changes": changes,
        "effective_at": (datetime.now(UTC) + timedelta(days=days)).isoformat(),
        "reason": "SMS gecikmeleri",
        "notice": NOTICE,
    }


def test_a_gm_officer_drafts_and_activates_at_the_api(sqlite_service: Mahrem) -> None:
    api = TestClient(create_app(loaded(sqlite_service)))
    gm = headers_for(sqlite_service, "G1")
    refused = api.post("/policy/drafts", json=body({"majority_age": 16}), headers=gm)
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (problem["code"], problem["basis"]) == ("policy.statutory_bound", "TMK/11")
    past = api.post("/policy/drafts", json=body({"code_lifetime": 900}, days=-1), headers=gm)
    assert past.status_code == 403 and past.json()["basis"] == "6/4"
    made = api.post("/policy/drafts", json=body({"code_lifetime": 900}), headers=gm)
    assert made.status_code == 201, made.text
    draft = made.json()
    assert draft["status"] == "draft" and draft["notice"] == NOTICE
    assert [d["id"] for d in api.get("/policy/drafts", headers=gm).json()] == [draft["id"]]
    active = api.post(f"/policy/drafts/{draft['id']}/activate", headers=gm)
    assert active.status_code == 200, active.text
    assert api.get("/notices/current").json()["version"] == active.json()["notice_version"]
    shown = api.get("/policy").json()
    assert [s["version"] for s in shown["scheduled"]] == [active.json()["policy_version"]]
    assert shown["parameters"]["code_lifetime"] == 600  # still the old one until its time


def test_only_a_gm_officer_in_their_own_session_changes_the_policy(
    sqlite_service: Mahrem,
) -> None:
    api = TestClient(create_app(loaded(sqlite_service)))
    draft = body({"code_lifetime": 900})
    as_dpo = api.post("/policy/drafts", json=draft, headers=headers_for(sqlite_service, "A1"))
    assert as_dpo.status_code == 403 and as_dpo.json()["code"] == "policy.forbidden"
    as_key = api.post(
        "/policy/drafts", json=draft, headers=software_headers(sqlite_service, "S1", "D1")
    )
    assert as_key.status_code == 403 and as_key.json()["code"] == "auth.session_required"
    assert api.get("/policy/drafts").status_code == 401


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path}/policy.db"
    service = build(db, key_dir=str(tmp_path / "keys"))
    loaded(service)
    service.uow.dispose()
    return db


def test_the_command_line_drafts_lists_and_activates(url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    changes, notice = tmp_path / "changes.json", tmp_path / "notice.json"
    notice.write_text(json.dumps(NOTICE))
    when = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    args = ["--effective-at", when, "--reason", "r", "--notice", str(notice), "--db", url]
    changes.write_text(json.dumps({"retention_after_death_years": 10}))
    refused = runner.invoke(
        cli, ["policy", "draft", "--by", "G1", "--changes", str(changes), *args]
    )
    assert refused.exit_code == 1 and '"basis": "11/2"' in refused.stdout
    changes.write_text(json.dumps({"retention_after_death_years": 25}))
    made = runner.invoke(cli, ["policy", "draft", "--by", "G1", "--changes", str(changes), *args])
    assert made.exit_code == 0, made.output
    draft_id = json.loads(made.stdout)["id"]
    listed = runner.invoke(cli, ["policy", "drafts", "--by", "G1", "--db", url])
    assert listed.stdout.startswith(f"{draft_id}\tdraft\t")
    done = runner.invoke(cli, ["policy", "activate", str(draft_id), "--by", "G1", "--db", url])
    assert done.exit_code == 0 and "policy version 2" in done.stdout
    shown = json.loads(runner.invoke(cli, ["policy", "show", "--db", url]).stdout)
    assert shown["version"] == 1 and shown["scheduled"][0]["version"] == 2
    again = runner.invoke(cli, ["policy", "withdraw", str(draft_id), "--by", "G1", "--db", url])
    assert again.exit_code == 1 and "policy.draft_closed" in again.stdout
