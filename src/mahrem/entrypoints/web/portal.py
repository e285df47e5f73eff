"""The portal's routes (Jinja2 + htmx), mounted at / by entrypoints/api/app.py."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
