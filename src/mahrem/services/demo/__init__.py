"""The demo world `make run` serves and the scenario runner's world loading: facilities,
people, staff, records, KTS registry and accounts. Never loaded with MAHREM_ENV=production;
the demo's published secrets live here and nowhere else."""

from __future__ import annotations

from mahrem.services.demo.accounts import DEMO_TOTP_SECRET, load_demo_accounts
from mahrem.services.demo.kts_registry import demo_key, load_demo_registry
from mahrem.services.demo.loading import load_world
from mahrem.services.demo.seed import demo_world, load_demo

__all__ = [
    "DEMO_TOTP_SECRET",
    "demo_key",
    "demo_world",
    "load_demo",
    "load_demo_accounts",
    "load_demo_registry",
    "load_world",
]
