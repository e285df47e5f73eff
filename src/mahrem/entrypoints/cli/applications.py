"""`mahrem applications …`: Transfers (M15), data subject applications and notices (KVKK 11, 13; M5/6-7), breaches (M18/2). Thin: every command calls the service layer."""
from __future__ import annotations

import typer

app = typer.Typer(help="Transfers (M15), data subject applications and notices (KVKK 11, 13; M5/6-7), breaches (M18/2)", no_args_is_help=True)
