"""`mahrem central …`: the pseudonymised feed to the central health data system, its keys, and
re-identification by GM-authorised ministry users (M7). The same service path as the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mahrem.services import central

app = typer.Typer(
    help="Merkezi sağlık veri sistemi: kimliksizleştirilmiş gönderim, anahtarlar, "
    "yeniden kimliklendirme (M7).",
    no_args_is_help=True,
)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]
ReceiverOpt = Annotated[
    str, typer.Option("--receiver", help="Receiving system, e.g. esaglik (names its key)")
]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="Person id recorded in the audit log as the operator")
]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


def _fail(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))
    raise typer.Exit(1)


@app.command()
def export(
    receiver: ReceiverOpt,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the Bundle here (default stdout)")
    ] = None,
    facility: Annotated[str | None, typer.Option(help="Only this facility's records")] = None,
    birth_date: Annotated[str, typer.Option(help="year or remove")] = "year",
    address: Annotated[str, typer.Option(help="province or remove")] = "province",
    by: ByOpt = None,
    db: DbOpt = None,
) -> None:
    """Write the feed: every record as FHIR, direct identifiers removed, patients pseudonymised."""
    from mahrem.domain.errors import MahremError
    from mahrem.domain.pseudonym import Reduction

    try:
        feed = central.export(
            _service(db),
            receiver,
            facility=facility,
            by=by,
            reduction=Reduction(birth_date=birth_date, address=address),
        )
    except MahremError as exc:
        _fail({"result": "error", "code": exc.code, "message": exc.message})
    text = json.dumps(feed, ensure_ascii=False, indent=1)
    if out is None:
        typer.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    tag = feed["meta"]["tag"][0]["code"]
    typer.echo(f"{len(feed['entry'])} resources for {tag} written to {out}", err=True)


@app.command("rotate-key")
def rotate_key(receiver: ReceiverOpt, by: ByOpt = None, db: DbOpt = None) -> None:
    """Retire the receiver's pseudonym key and start a new version (pseudonyms change)."""
    version = central.rotate_key(_service(db), receiver, by)
    typer.echo(f"{receiver}: key version {version} in use from now on")


@app.command()
def keys(
    receiver: Annotated[str | None, typer.Option(help="Only this receiver")] = None,
    db: DbOpt = None,
) -> None:
    """List the pseudonym key versions (never the keys: they stay in MAHREM_KEY_DIR)."""
    for k in central.key_versions(_service(db), receiver):
        retired = k["retired_at"].isoformat() if k["retired_at"] else "in use"
        typer.echo(f"{k['receiver']}\tv{k['version']}\t{k['created_at'].isoformat()}\t{retired}")


@app.command()
def reidentify(
    pseudonym: Annotated[str, typer.Argument(help="A pseudonym from the feed")],
    actor: Annotated[str, typer.Option("--as", help="The ministry user asking (person id)")],
    purpose: Annotated[str, typer.Option(help="planning, financing, inspection or regulation")],
    lang: Annotated[str, typer.Option(help="tr or en")] = "tr",
    db: DbOpt = None,
) -> None:
    """Print the identity behind PSEUDONYM, if rule 9 (M7) permits; every attempt is audited."""
    from mahrem.domain.errors import MahremError, Refused

    try:
        identity = central.reidentify(_service(db), actor, pseudonym, purpose, lang)
    except Refused as exc:
        _fail({"result": "refused", "code": exc.code, "basis": exc.basis, "message": exc.message})
    except MahremError as exc:
        _fail({"result": "error", "code": exc.code, "message": exc.message})
    typer.echo(json.dumps(identity, ensure_ascii=False))
