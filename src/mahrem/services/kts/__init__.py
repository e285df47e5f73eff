"""The KTS letter: the registry General Directorate officers keep (firms, products, versions,
certificates, installations), installation API keys and SMART Backend Services clients, the gate
at request time, and reports."""

from __future__ import annotations

from mahrem.services.kts.catalogue import add_catalogue_entry, declare_integration
from mahrem.services.kts.clients import client, register_client
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
from mahrem.services.kts.installations import (
    reactivate,
    register_installation,
    reregistration_blocker,
    revoke,
    suspend,
)
from mahrem.services.kts.products import (
    add_certificate,
    add_version,
    register_firm,
    register_product,
)
from mahrem.services.kts.reports import (
    compliance,
    get_installation,
    incidents,
    installations,
    listing,
)
from mahrem.services.kts.smart import (
    CLIENT_ASSERTION_TYPE,
    AssertionRejected,
    Grant,
    OAuthError,
    TokenAssertion,
    authenticate_token,
    is_access_token,
    issue_token,
)
from mahrem.services.kts.sweep import sweep

__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "AssertionRejected",
    "Grant",
    "OAuthError",
    "TokenAssertion",
    "add_catalogue_entry",
    "add_certificate",
    "add_version",
    "after_decision",
    "authenticate_installation",
    "authenticate_staff",
    "authenticate_token",
    "client",
    "compliance",
    "declare_integration",
    "get_installation",
    "incidents",
    "installations",
    "is_access_token",
    "is_installation_key",
    "issue_api_key",
    "issue_token",
    "list_api_keys",
    "listing",
    "reactivate",
    "refused_write",
    "register_client",
    "register_firm",
    "register_installation",
    "register_product",
    "reregistration_blocker",
    "revoke",
    "revoke_api_key",
    "rotate_api_key",
    "store_key",
    "suspend",
    "sweep",
    "treat_as_export",
]
