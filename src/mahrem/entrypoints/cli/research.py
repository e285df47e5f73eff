"""`mahrem research …`: research datasets (M16) and open health data at /open/ (M17).

Thin: every command calls the service layer."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Research datasets (M16) and open health data at /open/ (M17)", no_args_is_help=True
)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]


def _fail(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))
    raise typer.Exit(1)


@app.command()
def export(
    actor: Annotated[
        str,
        typer.Option(
            "--as", help="The person analysing (a dpo, or staff of the installation's facility)"
        ),
    ],
    via: Annotated[
        str | None,
        typer.Option(help="The registered installation with a written opinion (KTS/2)"),
    ] = None,
    purpose: Annotated[str, typer.Option(help="The purpose of the written opinion")] = "research",
    qi: Annotated[
        list[str] | None,
        typer.Option(
            "--qi",
            help="A quasi-identifier (repeat): age, birth_date, sex, "
            "province, facility, icd10, category, month",
        ),
    ] = None,
    sensitive: Annotated[
        list[str] | None, typer.Option(help="A sensitive attribute (repeat)")
    ] = None,
    k: Annotated[int | None, typer.Option(help="k-anonymity")] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            help="A privacy model as JSON (repeat), e.g. "
            '\'{"model": "distinct-l", "attribute": "icd10", "l": 3}\''
        ),
    ] = None,
    suppression: Annotated[
        float, typer.Option(help="Largest share of records suppressed, e.g. 0.05")
    ] = 0.0,
    facility: Annotated[str | None, typer.Option(help="Only this facility's records")] = None,
    hierarchy: Annotated[
        list[str] | None, typer.Option(help="attribute=FILE.csv, an ARX hierarchy (repeat)")
    ] = None,
    spec: Annotated[
        Path | None, typer.Option(help="The whole request as a JSON file (options add to it)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the anonymised rows here as CSV")] = None,
    db: DbOpt = None,
) -> None:
    """Build an anonymised research dataset; prints the account (transformation, suppressed rows,
    utility, risk) as JSON; exit status 1 when refused."""
    from mahrem.bootstrap import build
    from mahrem.domain.errors import MahremError, Refused
    from mahrem.services.research import run_export

    request: dict[str, Any] = json.loads(spec.read_text()) if spec else {}
    request.setdefault("purpose", purpose)
    if via is not None:
        request["via"] = via
    if qi:
        request["quasi_identifiers"] = qi
    if sensitive:
        request["sensitive"] = sensitive
    models = list(request.get("models", []))
    if k is not None:
        models.append({"model": "k", "k": k})
    models += [json.loads(m) for m in model or []]
    request["models"] = models
    if suppression:
        request["suppression"] = suppression
    if facility:
        request["facility"] = facility
    hierarchies = dict(request.get("hierarchies", {}))
    for item in hierarchy or []:
        name, _, path = item.partition("=")
        hierarchies[name] = Path(path).read_text(encoding="utf-8")
    request["hierarchies"] = hierarchies
    typer.echo("research export: deciding, selecting and anonymising…", err=True)
    try:
        result = run_export(build(db), actor, request)
    except Refused as exc:
        _fail({"result": "refused", "basis": exc.basis, "code": exc.code, "message": exc.message})
    except MahremError as exc:
        _fail({"result": "error", "code": exc.code, "message": exc.message})
    if out is not None:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(result.csv(), encoding="utf-8")
        os.replace(tmp, out)
        typer.echo(
            f"{result.result.rows_out if result.result else 0} rows written to {out}", err=True
        )
    typer.echo(json.dumps(result.summary(), ensure_ascii=False, indent=1))
