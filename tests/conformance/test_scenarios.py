"""The conformance stories in ../shared/scenarios, played by `mahrem scenario run` on SQLite
and on PostgreSQL: every step must pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mahrem.entrypoints.cli.main import app
from tests.conftest import SCENARIOS

runner = CliRunner()


def run_json(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["scenario", "run", "--json", *args])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def test_the_shared_scenarios_exist() -> None:
    assert len(SCENARIOS) >= 9


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_step_of_the_scenario_passes(path: Path, db_url: str) -> None:
    story = json.loads(path.read_text())
    code, lines, summary = run_json(str(path), "--db", db_url)
    assert [line["step"] for line in lines] == list(range(len(story["steps"])))
    for line, step in zip(lines, story["steps"], strict=True):
        for key, value in step.get("expect", {}).items():
            assert line[key] == value, (path.stem, line, step)
    counted = sum(1 for s in story["steps"] if "expect" in s)
    assert summary.strip() == f"{counted} passed, 0 failed"
    assert code == 0
