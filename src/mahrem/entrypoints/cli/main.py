"""The `mahrem` command line. Thin: every command builds its input and calls the services."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from mahrem.entrypoints.cli import audit as audit_cli
from mahrem.entrypoints.cli import central as central_cli
from mahrem.entrypoints.cli import fhir as fhir_cli
from mahrem.entrypoints.cli import kts as kts_cli
from mahrem.entrypoints.cli import lifecycle as lifecycle_cli
from mahrem.entrypoints.cli import opendata as opendata_cli
from mahrem.entrypoints.cli import policy as policy_cli
from mahrem.entrypoints.cli import printouts as printouts_cli
from mahrem.entrypoints.cli import research as research_cli
from mahrem.entrypoints.cli import rights as rights_cli
from mahrem.entrypoints.cli import scenario as scenario_cli
from mahrem.services import access

app = typer.Typer(
    help="Mahrem: kişisel sağlık verisine erişim kararları ve denetim izi.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(scenario_cli.app, name="scenario")
app.add_typer(audit_cli.app, name="audit")
app.add_typer(central_cli.app, name="central")
app.add_typer(printouts_cli.app, name="printouts")
app.add_typer(fhir_cli.app, name="fhir")
app.add_typer(kts_cli.app, name="kts")
app.add_typer(policy_cli.app, name="policy")
app.add_typer(lifecycle_cli.app, name="lifecycle")
app.add_typer(rights_cli.app, name="rights")
# The round-1 name of the same commands, kept so that scripts written against it still run.
app.add_typer(rights_cli.app, name="applications", hidden=True)
app.add_typer(research_cli.app, name="research")
app.add_typer(opendata_cli.app, name="opendata")


@db_app.command("upgrade")
def db_upgrade(
    db: Annotated[
        str | None, typer.Option(help="Database URL (default MAHREM_DATABASE_URL)")
    ] = None,
) -> None:
    """Create or migrate the schema to the newest revision."""
    from mahrem.bootstrap import upgrade_database

    url = upgrade_database(db)
    typer.echo(f"schema up to date: {_safe(url)}")


@app.command()
def decide(
    db: Annotated[
        str | None, typer.Option(help="Database URL (default MAHREM_DATABASE_URL)")
    ] = None,
    lang: Annotated[str, typer.Option(help="tr or en")] = "tr",
) -> None:
    """Read {"at": …, "request": {…}} on stdin and print the decision as JSON."""
    from mahrem.bootstrap import build
    from mahrem.domain.errors import MahremError
    from mahrem.services.inputs import Fields, parse_time

    try:
        payload = json.loads(sys.stdin.read())
        f = Fields(payload, "input")
        at = parse_time(f.str("at"), "at") if f.has("at") else None
        _, decision = access.decide_json(build(db), payload.get("request"), at)
    except json.JSONDecodeError as exc:
        _fail({"result": "error", "code": "json.invalid", "message": str(exc)})
    except MahremError as exc:
        _fail({"result": "error", "code": exc.code, "message": exc.message})
    typer.echo(
        json.dumps(
            {
                "decision": decision.effect,
                "basis": decision.basis,
                "reason": decision.reason(lang),
                "capacity": decision.capacity,
                "policy_version": decision.policy_version,
            },
            ensure_ascii=False,
        )
    )


@demo_app.command("load")
def demo_load(db: Annotated[str | None, typer.Option(help="Database URL")] = None) -> None:
    """Load the demo world (once; a database that already has people is left alone)."""
    from mahrem.bootstrap import build
    from mahrem.services.demo import load_demo

    service = build(db)
    typer.echo(load_demo(service))


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Serve the HTTP API on host:port."""
    import uvicorn

    uvicorn.run("mahrem.entrypoints.api.app:create_app", factory=True, host=host, port=port)


def _fail(obj: dict[str, object]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))
    raise typer.Exit(1)


def _safe(url: str) -> str:
    """A URL without its password, for messages."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


if __name__ == "__main__":  # pragma: no cover
    app()
