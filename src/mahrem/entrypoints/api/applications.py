"""HTTP routes: Transfers (M15), data subject applications and notices (KVKK 11, 13; M5/6-7), breaches (M18/2).

Thin: each route builds its input and calls the service layer (see entrypoints/api/deps.py).
"""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
