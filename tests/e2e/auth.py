"""How a test authenticates an HTTP call as a person: one helper, so the API's authentication
can change without touching every test."""
from __future__ import annotations

from typing import Any


def headers_for(service: Any, person: str, **extra: str) -> dict[str, str]:
    """Headers that make `person` the acting person of a request to the API."""
    return {"X-Acting-Person": person, **extra}
