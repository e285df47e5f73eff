"""`mahrem lifecycle …`: corrections (M13) and destruction/retention (M11/2, M14).

Thin: every command calls the service layer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Corrections (M13) and destruction/retention (M11/2, M14)", no_args_is_help=True
)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]
ByOpt = Annotated[str, typer.Option("--by", help="The data protection officer acting (person id)")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Reference time, ISO 8601 with offset (default now)")
]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


def _at(value: str | None) -> datetime | None:
    from mahrem.domain.clock import require_aware

    if value is None:
        return None
    try:
        return require_aware(datetime.fromisoformat(value), "--at")
    except ValueError as exc:
        raise typer.BadParameter(f"--at: {exc}") from exc


def _echo(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=1, default=str))


def _fail(exc: Any) -> None:
    body = {"result": "error", "code": exc.code, "message": exc.message}
    if getattr(exc, "basis", None):
        body["basis"] = exc.basis
    typer.echo(json.dumps(body, ensure_ascii=False))
    raise typer.Exit(1)


@app.command("run")
def run(
    by: ByOpt,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; change nothing")
    ] = False,
    at: AtOpt = None,
    batch: Annotated[int, typer.Option(min=1, help="Records per committed batch")] = 200,
    db: DbOpt = None,
) -> None:
    """M14/1 — dispose of every record whose retention has ended (schedule at least every six
    months). Progress on stderr; interrupted, run it again: nothing is lost or repeated."""
    from mahrem.domain.errors import MahremError
    from mahrem.services import lifecycle

    def progress(done: int, total: int) -> None:
        typer.echo(f"{done}/{total}", err=True)

    try:
        result = lifecycle.run(
            _service(db), by, _at(at), dry_run=dry_run, progress=progress, batch_size=batch
        )
    except MahremError as exc:
        _fail(exc)
    _echo(result)


@app.command("records")
def records(
    by: ByOpt,
    patient: Annotated[str | None, typer.Option(help="Only this patient's")] = None,
    run_id: Annotated[int | None, typer.Option("--run", help="Only this run's")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    db: DbOpt = None,
) -> None:
    """M14 — the destruction records (what, which method, when, who), newest first."""
    from mahrem.domain.errors import MahremError
    from mahrem.services import lifecycle

    try:
        rows = lifecycle.destruction_records(
            _service(db), by, patient=patient, run=run_id, limit=limit, offset=offset
        )
    except MahremError as exc:
        _fail(exc)
    _echo(rows)


@app.command("destroy-patient")
def destroy_patient(
    patient: str,
    by: ByOpt,
    method: Annotated[str, typer.Option(help="delete, destroy or anonymise")] = "destroy",
    request: Annotated[
        str | None, typer.Option(help="The data subject's application it answers")
    ] = None,
    at: AtOpt = None,
    db: DbOpt = None,
) -> None:
    """M14/1 — dispose of every record of a patient (the data subject's request)."""
    from mahrem.domain.errors import MahremError
    from mahrem.services import lifecycle

    try:
        result = lifecycle.destroy_patient_data(
            _service(db), patient, method, by, _at(at), request=request
        )
    except MahremError as exc:
        _fail(exc)
    _echo(result)


@app.command("seal")
def seal(db: DbOpt = None) -> None:
    """M14 — encrypt every record still held in clear (databases from before encryption at rest).
    Progress on stderr; interrupted, run it again."""
    from mahrem.services import lifecycle

    def progress(done: int, total: int) -> None:
        typer.echo(f"{done}/{total}", err=True)

    _echo({"sealed": lifecycle.seal_plaintext_records(_service(db), progress=progress)})
