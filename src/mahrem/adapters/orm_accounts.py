"""People's accounts: password hashes (argon2), TOTP secrets, sessions and login attempts.

Tables share the one `metadata` of `mahrem.adapters.orm` (imported at the end of that module).
"""
from __future__ import annotations

from mahrem.adapters.orm import metadata  # noqa: F401
