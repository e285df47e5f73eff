"""`mahrem kts …`: The KTS registry and gate (the letter, points 1-3): firms, products, certificates, installations, catalogue, incidents, compliance. Thin: every command calls the service layer."""
from __future__ import annotations

import typer

app = typer.Typer(help="The KTS registry and gate (the letter, points 1-3): firms, products, certificates, installations, catalogue, incidents, compliance", no_args_is_help=True)
