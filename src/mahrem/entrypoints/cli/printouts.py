"""`mahrem printouts …`: masked laboratory printouts (M5/5) and the full document behind a
verification code, for its owner only. The same service path as the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mahrem.services import printouts

app = typer.Typer(
    help="Maskeli laboratuvar sonuç çıktıları ve doğrulama kodu (M5/5).", no_args_is_help=True
)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


def _fail(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))
    raise typer.Exit(1)


def _masking(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, mode = pair.partition("=")
        if not sep:
            raise typer.BadParameter(
                f"{pair!r}: expected FIELD=MODE, e.g. name=hide", param_hint="--mask"
            )
        out[field.strip()] = mode.strip()
    return out


@app.command()
def create(
    patient: Annotated[str, typer.Argument(help="The patient (person id)")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the PDF")],
    by: Annotated[
        str | None, typer.Option("--by", help="Who prints (default: the patient)")
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="Purpose of a staff member's read, e.g. treatment")
    ] = None,
    facility: Annotated[
        str | None, typer.Option(help="Default: the facility of the latest result")
    ] = None,
    record: Annotated[
        list[str] | None, typer.Option("--record", help="Only these records (repeatable)")
    ] = None,
    mask: Annotated[
        list[str] | None, typer.Option("--mask", help="FIELD=MODE, e.g. birth_date=hide")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Print the patient's laboratory results with identifiers masked; prints the code."""
    from mahrem.domain.errors import MahremError

    try:
        made = printouts.create_printout(
            _service(db),
            by or patient,
            patient,
            facility=facility,
            records=record or None,
            masking=_masking(mask or []),
            purpose=purpose,
        )
    except MahremError as exc:
        _fail({"result": "error", "code": exc.code, "message": exc.message})
    assert made.pdf is not None
    out.write_bytes(made.pdf)
    typer.echo(json.dumps({"code": made.code, "file": str(out)}, ensure_ascii=False))


@app.command("open")
def open_(
    code: Annotated[str, typer.Argument(help="The verification code on the printout")],
    actor: Annotated[
        str, typer.Option("--as", help="The person asking (only the patient is answered)")
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the full PDF")],
    db: DbOpt = None,
) -> None:
    """Write the full (unmasked) document behind CODE, when the one asking is its patient."""
    from mahrem.domain.errors import MahremError

    try:
        opened = printouts.open_printout(_service(db), actor, code)
    except MahremError as exc:
        _fail({"result": "error", "code": exc.code, "message": exc.message})
    assert opened.pdf is not None
    out.write_bytes(opened.pdf)
    typer.echo(json.dumps({"code": opened.code, "file": str(out)}, ensure_ascii=False))
