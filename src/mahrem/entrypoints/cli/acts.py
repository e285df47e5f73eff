"""How a command reports the outcome of an act: the use case's answer, or its refusal as one
JSON line (`result`, `code`, `basis` for a refusal, `message`) and exit status 1."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import typer


def run_act(fn: Callable[[], Any]) -> Any:
    """`fn()`, or exit 1 printing its refusal or input error."""
    from mahrem.domain.errors import MahremError, Refused

    try:
        return fn()
    except Refused as exc:
        fail({"result": "refused", "code": exc.code, "basis": exc.basis, "message": exc.message})
    except MahremError as exc:
        fail({"result": "error", "code": exc.code, "message": exc.message})
    except ValueError as exc:
        fail({"result": "error", "code": "input.invalid", "message": str(exc)})


def fail(obj: dict[str, Any]) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))
    raise typer.Exit(1)
