"""`mahrem scenario run`: the conformance runner's door (output shape, exit codes)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mahrem.entrypoints.scenario.runner import StepResult, run_file

app = typer.Typer(help="Conformance scenarios.", no_args_is_help=True)


def _build_service(url: str, key_dir: str):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build, holds_data
    from mahrem.entrypoints.scenario.runner import ScenarioLoadError

    if holds_data(url):
        raise ScenarioLoadError(
            "", "db.not_empty", "the database already holds Mahrem data; give a fresh one"
        )
    return build(url, key_dir=key_dir)


@app.command("run")
def run(
    files: Annotated[list[Path], typer.Argument(help="Scenario JSON files")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per step on stdout")
    ] = False,
    db: Annotated[str | None, typer.Option("--db", help="Play into this (empty) database")] = None,
    lang: Annotated[str, typer.Option(help="Language of reasons: tr or en")] = "tr",
) -> None:
    """Play scenario files; ends with "N passed, M failed"; exit 0 when all counted steps pass."""
    if lang not in ("tr", "en"):
        raise typer.BadParameter("tr or en", param_hint="--lang")
    passed = failed = 0
    for path in files:
        if not as_json:
            typer.echo(f"== {path}")
        for result in run_file(path, _build_service, db, lang):
            if result.counted:
                if result.passed:
                    passed += 1
                else:
                    failed += result.weight
            typer.echo(json.dumps(result.line(), ensure_ascii=False) if as_json else _human(result))
    summary = f"{passed} passed, {failed} failed"
    if as_json:
        print(summary, file=sys.stderr)
    else:
        typer.echo(summary)
    raise typer.Exit(0 if failed == 0 else 1)


def _human(result: StepResult) -> str:
    o = result.outcome
    if "decision" in o:
        got = f"{o['decision']} {o['basis']}"
    elif o.get("result") == "error":
        got = f"error {o.get('code')}: {o.get('message')}"
    else:
        got = o["result"] + (f" {o['basis']}" if o.get("basis") else "")
    mark = "·" if not result.counted else ("✓" if result.passed else "✗")
    line = f"{mark} [{result.step}] {result.at} {result.summary} → {got}"
    if result.counted and not result.passed and result.expect is not None:
        line += f"   (expected {' '.join(str(v) for v in result.expect.values())})"
    return line
