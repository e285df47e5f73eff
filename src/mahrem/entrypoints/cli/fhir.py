"""`mahrem fhir import …`: push a FHIR bulk export (NDJSON files) through an installation, one
transaction Bundle per patient, on the same service path as `POST /fhir`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from mahrem.services import accounts, records

app = typer.Typer(help="FHIR R4: toplu içe aktarma (NDJSON) / bulk import.", no_args_is_help=True)


@app.command("import")
def import_ndjson(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Folder of *.ndjson files (one resource per line)", exists=True, file_okay=False
        ),
    ],
    installation: Annotated[str, typer.Option(help="The registered installation that pushes")],
    actor: Annotated[
        str,
        typer.Option(
            help="Who imports (TC kimlik no or id), for the audit log only: a record's author "
            "is the clinician it names"
        ),
    ],
    tckn_map: Annotated[
        Path | None,
        typer.Option(
            help="CSV of patient_id,tckn; default: Synthea's SSN mapping (services/bulk.py)"
        ),
    ] = None,
    practitioner_map: Annotated[
        Path | None,
        typer.Option(
            help="CSV of practitioner_id,tckn: the export's clinicians who are staff here"
        ),
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Database URL (default MAHREM_DATABASE_URL)")
    ] = None,
) -> None:
    """Import every patient of a bulk export; a patient already imported is left unchanged, so an
    interrupted import can simply be run again."""
    from mahrem.bootstrap import build
    from mahrem.domain.errors import MahremError
    from mahrem.services import events
    from mahrem.services.records import patient_bundles, practitioner_batch, synthea_tckn

    service = build(db)
    person = accounts.person_id(service, actor)
    if person is None:
        typer.echo(json.dumps({"result": "error", "code": "person.unknown", "message": actor}))
        raise typer.Exit(1)
    mapping = _read_map(tckn_map) if tckn_map else None

    def tckn_for(patient: dict[str, Any]) -> str:
        return mapping[str(patient["id"])] if mapping is not None else synthea_tckn(patient)

    clinicians = _read_map(practitioner_map) if practitioner_map else {}
    resources = [
        json.loads(line)
        for f in sorted(directory.glob("*.ndjson"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]
    totals: dict[str, int] = {}
    try:
        staff = practitioner_batch(resources, lambda p: clinicians.get(str(p.get("id"))))
        if staff is not None:
            records.push(service, installation, person, staff)
        bundles = list(patient_bundles(resources, tckn_for))
        for n, (pid, bundle) in enumerate(bundles, 1):
            pushed = records.push(service, installation, person, bundle)
            events.follow_pushed(service, installation, person, pushed.entries, None)
            for entry in pushed.entries:
                totals[entry.outcome] = totals.get(entry.outcome, 0) + 1
            print(
                f"[{n}/{len(bundles)}] Patient/{pid}: {len(pushed.entries)} resources",
                file=sys.stderr,
            )
    except MahremError as exc:
        typer.echo(
            json.dumps(
                {"result": "error", "code": exc.code, "message": exc.message}, ensure_ascii=False
            )
        )
        raise typer.Exit(1) from exc
    typer.echo(json.dumps({"result": "ok", "patients": len(bundles), **totals}))


def _read_map(path: Path) -> dict[str, str]:
    with path.open(newline="") as fh:
        return {
            row[0]: row[1]
            for row in csv.reader(fh)
            if len(row) >= 2 and row[0] not in ("patient_id", "practitioner_id")
        }


@app.command("review")
def review(
    by: Annotated[str, typer.Option("--by", help="A data protection officer or GM officer")],
    limit: Annotated[int, typer.Option(help="How many codes")] = 50,
    db: Annotated[
        str | None, typer.Option(help="Database URL (default MAHREM_DATABASE_URL)")
    ] = None,
) -> None:
    """Codes of pushed records that no category list matched (filed `general`), most frequent
    first: records, installation, type, system|code, display."""
    from mahrem.bootstrap import build
    from mahrem.domain.errors import MahremError

    service = build(db)
    person = accounts.person_id(service, by) or by
    try:
        listed = records.review_list(service, person, limit=limit)
    except MahremError as exc:
        typer.echo(json.dumps({"result": "error", "code": exc.code, "message": exc.message}))
        raise typer.Exit(1) from exc
    typer.echo(
        f"{listed['total']} codes on {listed['records']} records; value sets {listed['value_sets']}"
    )
    for c in listed["codes"]:
        typer.echo(
            f"{c['records']}\t{c['installation']}\t{c['resource_type']}\t"
            f"{c['system']}|{c['code']}\t{c['display'] or ''}"
        )
