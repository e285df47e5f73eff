"""HTTP routes: The KTS registry and gate (the letter, points 1-3): firms, products, certificates, installations, catalogue, incidents, compliance.

Thin: each route builds its input and calls the service layer (see entrypoints/api/deps.py).
"""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
