"""`mahrem audit …`: verify the log, seal checkpoints, prove and check inclusion, search."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from mahrem.services import audit

app = typer.Typer(help="Audit log: verify, seal, prove, search.", no_args_is_help=True)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


@app.command()
def verify(
    db: DbOpt = None,
    public_key: Annotated[
        Path | None, typer.Option(help="PEM public key (default: this installation's)")
    ] = None,
) -> None:
    """Check the hash chain and every signed checkpoint; exit 1 naming the first bad entry."""
    pem = public_key.read_text() if public_key else None
    report = audit.verify(_service(db), pem)
    if report.ok:
        typer.echo(f"OK: {report.entries} entries, chain and checkpoints verify")
        return
    for problem in report.problems:
        typer.echo(f"FAIL [{problem.kind}] entry {problem.seq}: {problem.message}")
    raise typer.Exit(1)


@app.command()
def seal(db: DbOpt = None) -> None:
    """Seal the entries since the last checkpoint (schedule it, e.g. every few minutes)."""
    cp = audit.seal(_service(db))
    if cp is None:
        typer.echo("nothing to seal")
        return
    typer.echo(json.dumps(cp, ensure_ascii=False))


@app.command()
def prove(
    entry: Annotated[int, typer.Argument(help="Sequence number of the entry")], db: DbOpt = None
) -> None:
    """Print an inclusion proof of ENTRY in its signed checkpoint (JSON)."""
    from mahrem.domain.errors import MahremError

    try:
        typer.echo(json.dumps(audit.prove(_service(db), entry), ensure_ascii=False, indent=2))
    except MahremError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc


@app.command("check-proof")
def check_proof(
    proof: Annotated[
        Path, typer.Argument(help="Proof file from `mahrem audit prove` (- for stdin)")
    ],
    public_key: Annotated[Path, typer.Option(help="The published PEM public key")],
    checkpoint: Annotated[
        Path | None, typer.Option(help="The checkpoint as published (JSON)")
    ] = None,
) -> None:
    """Check a proof with nothing but the public key: no database is opened."""
    from mahrem.bootstrap import verify_signature
    from mahrem.services.audit import check_proof as check

    data = json.loads(sys.stdin.read() if str(proof) == "-" else proof.read_text())
    published = json.loads(checkpoint.read_text()) if checkpoint else None
    ok, message = check(data, public_key.read_text(), verify_signature, published)
    typer.echo(("OK: " if ok else "FAIL: ") + message)
    raise typer.Exit(0 if ok else 1)


@app.command("public-key")
def public_key(db: DbOpt = None) -> None:
    """Print the public key that checks this installation's checkpoints (publish it)."""
    typer.echo(_service(db).signer.public_pem(), nl=False)


@app.command()
def checkpoints(db: DbOpt = None) -> None:
    """Print every checkpoint as one JSON object per line (what is published)."""
    from mahrem.services.audit import list_checkpoints

    for cp in list_checkpoints(_service(db)):
        typer.echo(json.dumps(cp))


@app.command()
def search(
    viewer: Annotated[str, typer.Option(help="The data protection officer asking (person id)")],
    db: DbOpt = None,
    patient: str | None = None,
    actor: str | None = None,
    facility: str | None = None,
    via: str | None = None,
    basis: str | None = None,
    since: Annotated[str | None, typer.Option(help="ISO time with offset")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time with offset")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or fhir")] = "table",
    limit: int = 1000,
) -> None:
    """Search the audit log (data protection officer); export as CSV or FHIR AuditEvents."""
    from mahrem.domain.errors import MahremError
    from mahrem.services.inputs import parse_time

    filters = {
        k: v
        for k, v in dict(
            patient=patient, actor=actor, facility=facility, via=via, basis=basis
        ).items()
        if v
    }
    try:
        if since:
            filters["since"] = parse_time(since, "since")
        if until:
            filters["until"] = parse_time(until, "until")
        service = _service(db)
        if fmt in ("csv", "fhir"):
            out = audit.export_log(service, viewer, filters, fmt, limit)
            typer.echo(
                out if isinstance(out, str) else json.dumps(out, ensure_ascii=False, indent=2),
                nl=fmt != "csv",
            )
            return
        for e in audit.search_log(service, viewer, filters, limit):
            typer.echo(
                f"{e['seq']:>7} {e['at'].isoformat()} {e['actor'] or '-':<6} {e['action']:<28} "
                f"{e['patient'] or '-':<6} {e['record'] or '-':<6} {e['outcome']:<8} "
                f"{e['basis'] or ''}"
            )
    except MahremError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
