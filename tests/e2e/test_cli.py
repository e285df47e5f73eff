"""The CLI door: db upgrade, demo load, decide."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mahrem.entrypoints.cli.main import app

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    return f"sqlite:///{tmp_path}/cli.db"


def test_db_upgrade_creates_the_schema(url: str) -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert result.exit_code == 0 and "schema up to date" in result.stdout


def test_demo_load_is_idempotent(url: str) -> None:
    assert "loaded" in runner.invoke(app, ["demo", "load", "--db", url]).stdout
    assert "left as it is" in runner.invoke(app, ["demo", "load", "--db", url]).stdout


def test_decide_reads_a_request_on_stdin(url: str) -> None:
    runner.invoke(app, ["demo", "load", "--db", url])
    request = {
        "request": {
            "actor": "D2",
            "action": "read",
            "patient": "P1",
            "record": "R1",
            "purpose": "treatment",
        }
    }
    result = runner.invoke(app, ["decide", "--db", url], input=json.dumps(request))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    # P1 has an e-Nabız account and D2 is her family doctor: M6/2.
    assert (out["decision"], out["basis"], out["policy_version"]) == ("permit", "6/2", 1)


def test_decide_reports_bad_input_as_an_error_object(url: str) -> None:
    runner.invoke(app, ["demo", "load", "--db", url])
    result = runner.invoke(
        app, ["decide", "--db", url], input=json.dumps({"at": "2026-01-01T10:00", "request": {}})
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["code"] == "time.naive"


def test_demo_records_get_their_categories_from_their_codes(url: str) -> None:
    from mahrem.adapters.db import make_engine, unit_of_work

    runner.invoke(app, ["demo", "load", "--db", url])
    engine = make_engine(url)
    with unit_of_work(engine) as store:
        categories = {r["id"]: r["category"] for r in store.rows("record")}
    engine.dispose()
    assert categories == {
        "R1": "laboratory",
        "R2": "psychiatry",
        "R3": "laboratory",
        "R4": "laboratory",
    }


def test_the_demo_is_refused_in_production(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mahrem.bootstrap import build
    from mahrem.domain.errors import MahremError
    from mahrem.services.demo import load_demo

    service = build(f"sqlite:///{tmp_path}/prod.db", key_dir=str(tmp_path / "keys"))
    monkeypatch.setenv("MAHREM_ENV", "production")
    with pytest.raises(MahremError) as refused:
        load_demo(service)
    assert refused.value.code == "demo.production"
