"""The KTS letter: the registry General Directorate officers keep (firms, products, versions,
certificates, installations), installation API keys, the gate at request time, and reports."""

from __future__ import annotations

from mahrem.services.kts.gate import (
    after_decision,
    authenticate_installation,
    authenticate_staff,
    is_installation_key,
    issue_api_key,
    list_api_keys,
    refused_write,
    revoke_api_key,
    rotate_api_key,
    store_key,
    treat_as_export,
)
from mahrem.services.kts.registry import (
    add_catalogue_entry,
    add_certificate,
    add_version,
    declare_integration,
    reactivate,
    register_firm,
    register_installation,
    register_product,
    revoke,
    suspend,
    sweep,
)
from mahrem.services.kts.reports import (
    compliance,
    get_installation,
    incidents,
    installations,
    listing,
)

__all__ = [
    "add_catalogue_entry",
    "add_certificate",
    "add_version",
    "after_decision",
    "authenticate_installation",
    "authenticate_staff",
    "compliance",
    "declare_integration",
    "get_installation",
    "incidents",
    "installations",
    "is_installation_key",
    "issue_api_key",
    "list_api_keys",
    "listing",
    "reactivate",
    "refused_write",
    "register_firm",
    "register_installation",
    "register_product",
    "revoke",
    "revoke_api_key",
    "rotate_api_key",
    "store_key",
    "suspend",
    "sweep",
    "treat_as_export",
]
