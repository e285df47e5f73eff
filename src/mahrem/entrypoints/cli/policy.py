"""`mahrem policy …`: the policy in force and a GM officer's drafts of a change (M6/4; issue
21). Thin: every command calls services.rights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mahrem.entrypoints.cli.acts import run_act

app = typer.Typer(
    help="Politika (M6/4): yürürlükteki sürüm ve GM taslakları / the policy and GM's drafts.",
    no_args_is_help=True,
)
DbOpt = Annotated[
    str | None, typer.Option("--db", help="Database URL (default MAHREM_DATABASE_URL)")
]
ByOpt = Annotated[str, typer.Option("--by", help="The General Directorate officer acting")]


def _service(db: str | None):  # type: ignore[no-untyped-def]
    from mahrem.bootstrap import build

    return build(db)


def _json_file(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(f"{path}: {what} is not a readable JSON file ({exc})") from exc


@app.command("show")
def show(db: DbOpt = None) -> None:
    """Print the version in force, its parameters and the versions scheduled after it."""
    from mahrem.services import rights

    typer.echo(json.dumps(rights.policy_in_force(_service(db)), ensure_ascii=False, indent=2))


@app.command("draft")
def draft(
    by: ByOpt,
    changes: Annotated[
        Path, typer.Option(help='JSON file of the changes, e.g. {"code_lifetime": 900}')
    ],
    effective_at: Annotated[
        str, typer.Option(help="ISO 8601 with offset, strictly after now (M6/4)")
    ],
    reason: Annotated[str, typer.Option(help="Why the policy changes")],
    notice: Annotated[
        Path, typer.Option(help="JSON file of the notice: title_tr, title_en, body_tr, body_en")
    ],
    db: DbOpt = None,
) -> None:
    """Draft a change (checked now: what the law fixes is refused with its article)."""
    from mahrem.services import rights
    from mahrem.services.inputs import parse_time

    done = run_act(
        lambda: rights.draft_policy(
            _service(db),
            by,
            changes=_json_file(changes, "changes"),
            effective_at=parse_time(effective_at, "effective_at"),
            reason=reason,
            notice=_json_file(notice, "notice"),
        )
    )
    typer.echo(json.dumps(done, ensure_ascii=False))


@app.command("drafts")
def drafts(by: ByOpt, db: DbOpt = None) -> None:
    """List the drafts, newest first: id, status, effective time, parameters, reason."""
    from mahrem.services import rights

    for d in run_act(lambda: rights.policy_drafts(_service(db), by)):
        typer.echo(
            f"{d['id']}\t{d['status']}\t{d['effective_at']}\t{','.join(sorted(d['changes']))}"
            f"\t{d['reason']}"
        )


@app.command("activate")
def activate(draft_id: int, by: ByOpt, db: DbOpt = None) -> None:
    """Activate DRAFT_ID: its notice is published now, its version takes effect at its time."""
    from mahrem.services import rights

    done = run_act(lambda: rights.activate_policy(_service(db), by, draft_id))
    typer.echo(
        f"draft {draft_id}: policy version {done['policy_version']} from {done['effective_at']}, "
        f"notice version {done['notice_version']}"
    )


@app.command("withdraw")
def withdraw(draft_id: int, by: ByOpt, db: DbOpt = None) -> None:
    """Withdraw DRAFT_ID (not activated)."""
    from mahrem.services import rights

    run_act(lambda: rights.withdraw_policy(_service(db), by, draft_id))
    typer.echo(f"draft {draft_id}: withdrawn")
