"""HTTP routes: Research datasets (M16) and open health data at /open/ (M17).

Thin: each route builds its input and calls the service layer (see entrypoints/api/deps.py).
"""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
