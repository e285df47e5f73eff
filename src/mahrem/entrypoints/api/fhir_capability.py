"""GET /fhir/metadata: the CapabilityStatement (R4), generated from what the door really serves:
the stored resource types with their search parameters (domain/fhir_search.py), Patient, and the
interactions of entrypoints/api/fhir.py. The server declares FHIR 4.0.1; resources are validated
with fhir.resources' R4B models, the closest to R4 the library ships (README, "FHIR")."""

from __future__ import annotations

from typing import Any

from mahrem.domain.fhir_search import COMMON, SEARCH_PARAMETERS, STORED_TYPES

FHIR_VERSION = "4.0.1"
RECORD_INTERACTIONS = ("read", "vread", "update", "create", "search-type", "history-instance")
PATIENT_PARAMETERS = (
    ("patient", "reference", "Patient/<Mahrem id>, the bare id, or your facility's Patient id"),
    ("subject", "reference", "As patient"),
)


def capability_statement(base: str, date: str) -> dict[str, Any]:
    resources = [_record_type(t) for t in sorted(STORED_TYPES)]
    resources.append(
        {
            "type": "Patient",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": "_id", "type": "token"},
                {
                    "name": "identifier",
                    "type": "token",
                    "documentation": "<TC kimlik no system>|<TC kimlik no>",
                },
            ],
        }
    )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "kind": "instance",
        "publisher": "Mahrem",
        "software": {"name": "Mahrem"},
        "implementation": {"description": "Mahrem FHIR door", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Every read is decided by the engine and audited. Unknown search parameters "
                    "are refused (400) unless Prefer: handling=lenient; _include, _revinclude, "
                    "_summary, _elements and _total are not supported."
                ),
                "security": _security(base),
                "resource": resources,
                "interaction": [{"code": "transaction"}, {"code": "batch"}],
            }
        ],
    }


def _security(base: str) -> dict[str, Any]:
    """SMART Backend Services (issue 24): where tokens are issued, in SMART's extension."""
    root = base.removesuffix("/fhir")
    return {
        "cors": False,
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ],
                "text": "SMART Backend Services (client_credentials, private_key_jwt)",
            }
        ],
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": "token", "valueUri": f"{root}/auth/token"}],
            }
        ],
        "description": (
            "Authorization: Bearer <access token from /auth/token>, with X-Acting-Person a JWT "
            "the installation signs for the acting staff member (sub: TC kimlik no, purpose, "
            "aud, jti, exp). Scopes: system/<Type>.<cruds>. See "
            f"{base}/.well-known/smart-configuration."
        ),
    }


def _record_type(rtype: str) -> dict[str, Any]:
    params = {**COMMON, **SEARCH_PARAMETERS[rtype]}
    return {
        "type": rtype,
        "interaction": [{"code": code} for code in RECORD_INTERACTIONS],
        "versioning": "versioned-update",
        "readHistory": True,
        "updateCreate": True,
        "conditionalCreate": True,
        "searchParam": [
            *({"name": name, "type": p.kind} for name, p in params.items()),
            *(
                {"name": name, "type": kind, "documentation": doc}
                for name, kind, doc in PATIENT_PARAMETERS
            ),
        ],
    }
