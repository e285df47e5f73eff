"""`mahrem lifecycle …`: Corrections (M13) and destruction/retention (M11/2, M14). Thin: every command calls the service layer."""
from __future__ import annotations

import typer

app = typer.Typer(help="Corrections (M13) and destruction/retention (M11/2, M14)", no_args_is_help=True)
