"""M7 — the pseudonymised feed to the central health data system, receivers' key versions, and
re-identification by the Ministry through the engine (rule 9)."""

from __future__ import annotations

from mahrem.services.central.feeding import export, key_versions, reidentify, rotate_key

__all__ = [
    "export",
    "key_versions",
    "reidentify",
    "rotate_key",
]
