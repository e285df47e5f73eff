"""The KTS registry: firms, products, versions, certificates, installation credentials, the integration catalogue and incidents (the KTS letter, points 1-3).

Tables share the one `metadata` of `mahrem.adapters.orm` (imported at the end of that module).
"""
from __future__ import annotations

from mahrem.adapters.orm import metadata  # noqa: F401
