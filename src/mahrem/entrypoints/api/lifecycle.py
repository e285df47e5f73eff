"""HTTP routes: Corrections (M13) and destruction/retention (M11/2, M14).

Thin: each route builds its input and calls the service layer (see entrypoints/api/deps.py).
"""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
