"""Transfers (M15), data subject applications and information notices (KVKK 11, 13; M5/6-7), breaches (M18/2).

Tables share the one `metadata` of `mahrem.adapters.orm` (imported at the end of that module).
"""
from __future__ import annotations

from mahrem.adapters.orm import metadata  # noqa: F401
