"""`mahrem research …`: Research datasets (M16) and open health data at /open/ (M17). Thin: every command calls the service layer."""
from __future__ import annotations

import typer

app = typer.Typer(help="Research datasets (M16) and open health data at /open/ (M17)", no_args_is_help=True)
