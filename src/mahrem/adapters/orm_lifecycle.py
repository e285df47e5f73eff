"""Corrections with versions (M13), destruction and retention with crypto-shredding keys (M11/2, M14).

Tables share the one `metadata` of `mahrem.adapters.orm` (imported at the end of that module).
"""
from __future__ import annotations

from mahrem.adapters.orm import metadata  # noqa: F401
