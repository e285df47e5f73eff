"""`mahrem opendata …`: open health data (M17): aggregate tables with small cells suppressed."""
from __future__ import annotations

import typer

app = typer.Typer(help="Açık sağlık verisi (M17).", no_args_is_help=True)
