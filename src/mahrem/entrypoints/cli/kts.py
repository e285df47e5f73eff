"""`mahrem kts …`: the KTS registry and gate (the letter, points 1-3).

Firms, products, certificates, installations, catalogue, incidents, compliance. Thin: every
command calls the service layer."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from mahrem.entrypoints.cli.acts import run_act

app = typer.Typer(
    help=(
        "The KTS registry and gate (the letter, points 1-3): firms, products, certificates, "
        "installations, catalogue, incidents, compliance"
    ),
    no_args_is_help=True,
)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]
ByOpt = Annotated[
    str,
    typer.Option(
        "--by", help="Person id acting (a GM officer, or the installation's administrator)"
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="ISO 8601 time with offset, or a date (its first minute, Istanbul); default now",
    ),
]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


def _at(value: str | None) -> datetime | None:
    from mahrem.domain.clock import day_start
    from mahrem.services.inputs import parse_time

    if value is None:
        return None
    if len(value) == 10:
        from datetime import date

        return day_start(date.fromisoformat(value))
    return parse_time(value, "at")


@app.command()
def sweep(
    at: AtOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="GM officer running it")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only show what is due")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOpt = None,
) -> None:
    """Apply the registry lifecycle at DATE (warnings, passive, deleted, renewed) and print what
    changed. Running it again at the same time changes nothing more."""
    from mahrem.services import kts

    def progress(done: int, total: int) -> None:
        if done == total or done % 500 == 0:
            typer.echo(f"\r{done}/{total} installations", err=True, nl=done == total)

    changes = run_act(
        lambda: kts.sweep(_service(db), _at(at), by=by, dry_run=dry_run, progress=progress)
    )
    if as_json:
        typer.echo(json.dumps(changes, ensure_ascii=False, default=str))
        return
    for c in changes:
        what = (
            f"{c['from']} → {c['to']}"
            if c["kind"] == "status"
            else f"certificate {c['certificate']} expires {c['valid_until']}"
        )
        typer.echo(f"{c['installation']}\t{c['kind']}\t{what}\t{c['basis']}\t{c['reason_en']}")
    typer.echo(f"{len(changes)} change(s){' (dry run)' if dry_run else ''}", err=True)


@app.command()
def report(
    facility: Annotated[str | None, typer.Option(help="Only this facility")] = None,
    at: AtOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    db: DbOpt = None,
) -> None:
    """Per facility: the software in use, its registration status, the responsible
    administrator and the incidents (KTS/3)."""
    from mahrem.services import kts

    facilities = run_act(lambda: kts.compliance(_service(db), facility, _at(at), limit=100000))
    if as_json:
        typer.echo(json.dumps(facilities, ensure_ascii=False, default=str))
        return
    for f in facilities:
        typer.echo(f"{f['facility'] or '(unknown software)'}\t{f['name'] or ''}")
        for s in f["software"]:
            typer.echo(
                f"  {s['installation']}\t{s['product']} {s['version']}\t{s['status']}\t"
                f"administrator: {s['administrator'] or '-'} "
                f"{s['administrator_name'] or ''}".rstrip()
            )
        for i in f["incidents"]:
            typer.echo(
                f"  ! {i['at'].isoformat()}\t{i['installation']}\t{i['kind']}\t{i['basis']}\t"
                f"administrator: {i['administrator'] or '-'}"
            )


@app.command("issue-key")
def issue_key(installation: str, by: ByOpt, db: DbOpt = None) -> None:
    """Print a new API key for INSTALLATION (shown once; only its HMAC is kept)."""
    from mahrem.services import kts

    typer.echo(run_act(lambda: kts.issue_api_key(_service(db), installation, by=by)))


@app.command("rotate-key")
def rotate_key(installation: str, by: ByOpt, db: DbOpt = None) -> None:
    """Print a new API key for INSTALLATION; every key in use ends now."""
    from mahrem.services import kts

    typer.echo(run_act(lambda: kts.rotate_api_key(_service(db), installation, by=by)))


@app.command("revoke-key")
def revoke_key(installation: str, by: ByOpt, db: DbOpt = None) -> None:
    """End every API key of INSTALLATION now (history is kept)."""
    from mahrem.services import kts

    count = run_act(lambda: kts.revoke_api_key(_service(db), installation, by=by))
    typer.echo(f"{installation}: {count} key(s) revoked")


@app.command("register-client")
def register_client(
    installation: str,
    by: ByOpt,
    scopes: Annotated[
        str, typer.Option("--scopes", help='SMART scopes granted, e.g. "system/Observation.crs"')
    ],
    jwks: Annotated[
        str | None, typer.Option("--jwks", help="File holding the installation's public JWKS")
    ] = None,
    jwks_url: Annotated[
        str | None, typer.Option("--jwks-url", help="https URL the installation publishes it at")
    ] = None,
    db: DbOpt = None,
) -> None:
    """Register INSTALLATION as a SMART Backend Services client: its public keys and scopes
    (a GM officer; replaces an earlier registration)."""
    from pathlib import Path

    from mahrem.services import kts

    key_set = None
    if jwks is not None:
        try:
            key_set = json.loads(Path(jwks).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"{jwks}: not a readable JSON file ({exc})") from exc
    done = run_act(
        lambda: kts.register_client(
            _service(db), installation, by, scopes=scopes, jwks=key_set, jwks_url=jwks_url
        )
    )
    typer.echo(f"{installation}: keys {', '.join(done['kids'])}; scopes {' '.join(done['scopes'])}")
