"""`mahrem opendata …`: open health data (M17): aggregate tables with small cells suppressed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Açık sağlık verisi (M17).", no_args_is_help=True)


@app.command()
def publish(
    since: Annotated[str, typer.Option(help="First day of the period (YYYY-MM-DD)")],
    until: Annotated[str, typer.Option(help="Last day of the period (YYYY-MM-DD)")],
    method: Annotated[
        str, typer.Option(help="suppression (small cells withheld) or dp (OpenDP noise)")
    ] = "suppression",
    epsilon: Annotated[float | None, typer.Option(help="ε for --method dp")] = None,
    max_per_person: Annotated[
        int, typer.Option(help="Diagnoses a person contributes at most (dp)")
    ] = 1,
    name: Annotated[
        str | None, typer.Option(help="Dataset identifier (default diagnoses-<since>-<until>)")
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Output directory (default MAHREM_OPEN_DIR or var/open)"),
    ] = None,
    by: Annotated[str | None, typer.Option(help="Person id recorded in the audit log")] = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
    ] = None,
) -> None:
    """Write the diagnoses table (ICD-10 chapter × province × month × age band × sex) as CSV, JSON
    and metadata; running it again rewrites the same files."""
    from mahrem.bootstrap import build
    from mahrem.domain.errors import MahremError
    from mahrem.services.opendata import publish as publish_release

    try:
        start, end = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        typer.echo(
            json.dumps(
                {"result": "error", "code": "field.invalid", "message": "dates are YYYY-MM-DD"}
            )
        )
        raise typer.Exit(1) from None
    typer.echo(f"opendata: counting diagnoses {since} … {until} ({method})…", err=True)
    try:
        meta = publish_release(
            build(db),
            start,
            end,
            method=method,
            epsilon=epsilon,
            max_per_person=max_per_person,
            name=name,
            by=by,
            directory=directory,
        )
    except MahremError as exc:
        typer.echo(
            json.dumps(
                {"result": "error", "code": exc.code, "message": exc.message}, ensure_ascii=False
            )
        )
        raise typer.Exit(1) from None
    typer.echo(
        json.dumps(
            {
                "result": "published",
                "identifier": meta["identifier"],
                "cells": meta["cells"],
                "method": meta["method"]["kind"],
                "files": [d["downloadURL"] for d in meta["distribution"]],
            },
            ensure_ascii=False,
        )
    )
