"""`mahrem applications …`: transfers (M15), overdue data subject applications (KVKK 13/2) and
the breach register (M18/2). Thin: every command calls the service layer.

A transfer prints its id and its progress on stderr; interrupted (Ctrl-C), it is run again with
`--id` and goes on where it stopped, without deciding a record twice.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Aktarımlar (M15), KVKK 11 başvuruları ve veri ihlali kaydı (M18/2).", no_args_is_help=True
)
breach_app = typer.Typer(
    help="Veri ihlali kaydı (M18/2): yalnızca veri koruma görevlisi.", no_args_is_help=True
)
app.add_typer(breach_app, name="breach")
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]
ByOpt = Annotated[str, typer.Option("--by", help="The data protection officer acting")]
AtOpt = Annotated[str | None, typer.Option("--at", help="ISO 8601 with offset; default now")]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


def _aware(value: str | None, field: str = "at") -> datetime | None:
    """An ISO 8601 time with its offset (Typer's own datetimes carry none)."""
    from mahrem.services.inputs import parse_time

    return parse_time(value, field) if value is not None else None


def _run(call: Any) -> Any:
    from mahrem.domain.errors import MahremError

    try:
        return call()
    except MahremError as exc:
        typer.echo(
            json.dumps(
                {"result": "error", "code": exc.code, "message": exc.message}, ensure_ascii=False
            )
        )
        raise typer.Exit(1) from exc


def _print(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _ground(text: str | None) -> object:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise typer.BadParameter(f"--ground: not JSON ({exc})") from exc


@app.command()
def transfer(
    by: ByOpt,
    out: Annotated[
        Path,
        typer.Option("--out", help="Where to write the package (JSON: manifest, package, key)"),
    ],
    recipient_name: Annotated[str, typer.Option("--recipient-name", help="The recipient")],
    recipient_kind: Annotated[
        str, typer.Option("--recipient-kind", help="public, private or foreign")
    ],
    patient: Annotated[
        list[str] | None, typer.Option("--patient", help="Every record of (repeatable)")
    ] = None,
    record: Annotated[
        list[str] | None, typer.Option("--record", help="This record (repeatable)")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="Only this category (repeatable)")
    ] = None,
    protocol: Annotated[
        str | None, typer.Option(help="The protocol (public institutions, M15/2)")
    ] = None,
    country: Annotated[str | None, typer.Option(help="The country (foreign recipients)")] = None,
    ground: Annotated[
        str | None,
        typer.Option(
            help='Foreign recipients: the KVKK 9 ground as JSON, e.g. \'{"kind": "incidental", '
            '"basis": "explicit_consent"}\''
        ),
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="The recipient's X25519 key (PEM)")
    ] = None,
    transfer_id: Annotated[str | None, typer.Option("--id", help="Resume this transfer")] = None,
    at: AtOpt = None,
    db: DbOpt = None,
) -> None:
    """M15 — decide every record for the recipient; package the permitted ones, encrypted."""
    import secrets

    from mahrem.services import transfers

    tid = transfer_id or f"T-{secrets.token_hex(8)}"
    typer.echo(f"transfer {tid} (run again with --id {tid} if interrupted)", err=True)
    recipient = {
        "kind": recipient_kind,
        "name": recipient_name,
        "protocol": protocol,
        "country": country,
        "public_key": public_key.read_text() if public_key else None,
        "ground": _ground(ground),
    }
    selection = transfers.Selection(
        tuple(patient or ()), tuple(record or ()), tuple(category or ())
    )

    def progress(done: int, total: int) -> None:
        typer.echo(f"  {done}/{total} records decided", err=True)

    try:
        made = _run(
            lambda: transfers.transfer(
                _service(db),
                by,
                selection,
                recipient,
                transfer_id=tid,
                at=_aware(at),
                progress=progress,
            )
        )
    except KeyboardInterrupt:
        typer.echo(f"interrupted: run again with --id {tid}", err=True)
        raise typer.Exit(130) from None
    body = made.to_json()
    out.write_text(
        json.dumps(
            {k: body[k] for k in ("id", "manifest", "package", "key_wrap")}, ensure_ascii=False
        )
    )
    _print(
        {
            "id": made.id,
            "status": made.status,
            "counts": (made.manifest or {}).get("counts"),
            "refused": made.refused,
            "file": str(out),
        }
    )


@app.command()
def overdue(
    actor: Annotated[str, typer.Option("--as", help="The data protection officer or GM officer")],
    at: AtOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    db: DbOpt = None,
) -> None:
    """KVKK 13/2 — applications not answered by their due day (Istanbul)."""
    from mahrem.services.rights import overdue_applications

    _print(
        _run(
            lambda: overdue_applications(
                _service(db), actor, at=_aware(at), limit=limit, offset=offset
            )
        )
    )


# -- breaches -----------------------------------------------------------------------------------
@breach_app.command("record")
def breach_record(
    by: ByOpt,
    detected_at: Annotated[str, typer.Option("--detected-at", help="When the breach was detected")],
    description: Annotated[str, typer.Option(help="What happened")],
    category: Annotated[list[str], typer.Option("--category", help="Data concerned (repeatable)")],
    measure: Annotated[
        list[str] | None, typer.Option("--measure", help="A measure taken (repeatable)")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source of the breach")] = None,
    at: AtOpt = None,
    db: DbOpt = None,
) -> None:
    """Enter a breach; prints it with its 72-hour deadline."""
    from mahrem.services import rights

    _print(
        _run(
            lambda: rights.record_breach(
                _service(db),
                by,
                detected_at=_aware(detected_at, "detected_at"),
                description=description,
                categories=category,  # type: ignore[arg-type]
                measures=measure or [],
                source=source,
                at=_aware(at),
            )
        )
    )


@breach_app.command("list")
def breach_list(
    by: ByOpt,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only those past 72 hours")] = False,
    at: AtOpt = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    db: DbOpt = None,
) -> None:
    """The register, newest first."""
    from mahrem.services import rights

    _print(
        _run(
            lambda: rights.list_breaches(
                _service(db),
                by,
                overdue=True if overdue else None,
                at=_aware(at),
                limit=limit,
                offset=offset,
            )
        )
    )


@breach_app.command("affected")
def breach_affected(
    breach: Annotated[int, typer.Argument(help="The breach")],
    by: ByOpt,
    actor: Annotated[str | None, typer.Option(help="Whose reads")] = None,
    via: Annotated[str | None, typer.Option(help="Through which installation")] = None,
    facility: Annotated[str | None, typer.Option(help="From which facility")] = None,
    since: Annotated[str | None, typer.Option(help="From (inclusive)")] = None,
    until: Annotated[str | None, typer.Option(help="Until (exclusive)")] = None,
    record: Annotated[list[str] | None, typer.Option("--record", help="Only these records")] = None,
    at: AtOpt = None,
    db: DbOpt = None,
) -> None:
    """Find the affected patients in the audit log."""
    from mahrem.services import rights

    _print(
        _run(
            lambda: rights.find_affected(
                _service(db),
                by,
                breach,
                actor=actor,
                via=via,
                facility=facility,
                since=_aware(since, "since"),
                until=_aware(until, "until"),
                records=record,
                at=_aware(at),
            )
        )
    )


@breach_app.command("notify")
def breach_notify(
    breach: Annotated[int, typer.Argument()],
    by: ByOpt,
    delay_reason: Annotated[str | None, typer.Option("--delay-reason")] = None,
    at: AtOpt = None,
    db: DbOpt = None,
) -> None:
    """Record that the Board was notified (after 72 hours: --delay-reason)."""
    from mahrem.services import rights

    _print(
        _run(
            lambda: rights.notify_board(
                _service(db), by, breach, delay_reason=delay_reason, at=_aware(at)
            )
        )
    )


@breach_app.command("draft")
def breach_draft(
    breach: Annotated[int, typer.Argument()], by: ByOpt, at: AtOpt = None, db: DbOpt = None
) -> None:
    """The Board's notification form, filled in."""
    from mahrem.services import rights

    draft = _run(lambda: rights.board_draft(_service(db), by, breach, at=_aware(at)))
    for f in draft["fields"]:
        typer.echo(f"{f['label_tr']}: {f['value']}")


@breach_app.command("notice")
def breach_notice(
    breach: Annotated[int, typer.Argument()],
    patient: Annotated[str, typer.Argument()],
    by: ByOpt,
    lang: Annotated[str, typer.Option(help="tr or en")] = "tr",
    db: DbOpt = None,
) -> None:
    """The notice to one affected patient."""
    from mahrem.services import rights

    notice = _run(lambda: rights.patient_notice(_service(db), by, breach, patient))
    typer.echo(notice["en" if lang == "en" else "tr"])


@breach_app.command("close")
def breach_close(
    breach: Annotated[int, typer.Argument()], by: ByOpt, at: AtOpt = None, db: DbOpt = None
) -> None:
    """Close a breach the Board was notified of."""
    from mahrem.services import rights

    _print(_run(lambda: rights.close_breach(_service(db), by, breach, at=_aware(at))))
