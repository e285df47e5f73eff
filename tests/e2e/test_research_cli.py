"""M16, M17 through the CLI: `mahrem research export` and `mahrem opendata publish`, the same
service path as the API; refusals exit with status 1 and name the article."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from pycanon import anonymity
from typer.testing import CliRunner

from mahrem.bootstrap import build
from mahrem.entrypoints.cli.main import app
from tests.integration.helpers import event
from tests.integration.test_research_export import world_with_opinion

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path}/cli.db"
    service = build(db, key_dir=str(tmp_path / "keys"))
    world_with_opinion(service, opinion=False)
    # The CLI acts now: an opinion in force for years.
    assert (
        event(
            service,
            "2026-03-01T09:00:00+03:00",
            "written_opinion_issued",
            id="WO9",
            software="S1",
            facility="F1",
            purpose="research",
            by="O1",
            valid_until="2099-12-31",
        )[0]
        == "accepted"
    )
    service.uow.engine.dispose()
    return db


def test_research_export_writes_a_k_anonymous_csv_and_prints_its_account_m16(
    url: str, tmp_path: Path
) -> None:
    out = tmp_path / "dataset.csv"
    result = runner.invoke(
        app,
        [
            "research",
            "export",
            "--as",
            "A1",
            "--via",
            "S1",
            "--qi",
            "age",
            "--qi",
            "sex",
            "--qi",
            "province",
            "--sensitive",
            "icd10",
            "--k",
            "4",
            "--suppression",
            "0.05",
            "--out",
            str(out),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    account = json.loads(result.stdout)
    df = pd.read_csv(io.StringIO(out.read_text()), dtype=str)
    assert len(df) == account["rows_out"]
    assert anonymity.k_anonymity(df, ["age", "sex", "province"]) >= 4


def test_research_export_without_the_installation_is_refused_with_kts_2(url: str) -> None:
    result = runner.invoke(
        app, ["research", "export", "--as", "A1", "--qi", "age", "--k", "2", "--db", url]
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["basis"] == "KTS/2"


def test_opendata_publish_writes_the_three_files_m17(url: str, tmp_path: Path) -> None:
    target = tmp_path / "open"
    result = runner.invoke(
        app,
        [
            "opendata",
            "publish",
            "--since",
            "2026-01-01",
            "--until",
            "2026-02-28",
            "--dir",
            str(target),
            "--db",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    name = json.loads(result.stdout)["identifier"]
    assert sorted(p.name for p in target.iterdir()) == sorted(
        f"{name}.{x}" for x in ("csv", "json", "meta.json")
    )
