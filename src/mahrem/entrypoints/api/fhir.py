"""FHIR R4 routes: hospital software pushes records; anyone authenticated reads what the engine
permits them, as a searchset Bundle.

Side doors FHIR servers are known to leak through are shut: the total and the paging links are
computed over the permitted records only, `_include`, `_revinclude`, `_summary`, `_total`,
`_elements` and every other result parameter are refused rather than half-honoured, and every
response carries `Cache-Control: no-store` (set for the whole API in app.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from mahrem.domain.errors import Forbidden, InputError
from mahrem.domain.reasons import reason_text
from mahrem.entrypoints.api.deps import Lang, Svc, Who
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import accounts, records
from mahrem.services.records import RecordsView, RecordView

FHIR_JSON = "application/fhir+json"
router = APIRouter(prefix="/fhir", tags=["fhir"])
BUNDLE: dict[int | str, dict[str, Any]] = {
    200: {"description": "A FHIR Bundle", "content": {FHIR_JSON: {}}}
}
RESULT_PARAMETERS = ("_count", "_offset")
RESOURCE_TYPE = Annotated[str, Query(pattern="^[A-Z][A-Za-z]{1,63}$")]


def _fhir(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


def _tckn_system(request: Request) -> str:
    import os

    from mahrem.services.records import TCKN_SYSTEM

    return os.environ.get("MAHREM_TCKN_SYSTEM", TCKN_SYSTEM)


@router.post("", operation_id="fhir_push", responses={**PROBLEMS, **BUNDLE})
def push(
    request: Request,
    service: Svc,
    who: Who,
    body: Annotated[
        dict[str, Any], Body(description="A FHIR resource or a transaction/batch Bundle")
    ],
) -> Any:
    """Hospital software pushes one resource or a transaction Bundle (all or nothing; idempotent on
    the resource id). Answers a transaction-response Bundle."""
    if who.installation is None:
        raise Forbidden("push.software_only", "only registered hospital software pushes records")
    pushed = records.push(
        service, who.installation, who.person, body, tckn_system=_tckn_system(request), key=who.key
    )
    created = any(e.answer == "created" for e in pushed.entries)
    return _fhir(
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [
                {
                    "response": {
                        "status": e.status,
                        "location": f"{e.resource_type}/{e.id}",
                        "outcome": {
                            "resourceType": "OperationOutcome",
                            "issue": [
                                {
                                    "severity": "information",
                                    "code": "informational",
                                    "diagnostics": e.answer,
                                }
                            ],
                        },
                    }
                }
                for e in pushed.entries
            ],
        },
        201 if created else 200,
    )


@router.put(
    "/{resource_type}/{resource_id}", operation_id="fhir_put", responses={**PROBLEMS, **BUNDLE}
)
def put(
    request: Request,
    resource_type: str,
    resource_id: str,
    service: Svc,
    who: Who,
    body: Annotated[dict[str, Any], Body(description="The FHIR resource")],
) -> Any:
    """Push one resource under its id (idempotent)."""
    if body.get("resourceType") != resource_type or body.get("id") != resource_id:
        raise InputError(
            "fhir.id_mismatch", "body: resourceType and id must match the URL", field="body.id"
        )
    return push(request, service, who, body)


@router.get("/{resource_type}", operation_id="fhir_search", responses={**PROBLEMS, **BUNDLE})
def search(
    request: Request,
    resource_type: str,
    service: Svc,
    who: Who,
    lang: Lang,
    patient: Annotated[str | None, Query(description="The patient's Mahrem id")] = None,
    patient_identifier: Annotated[
        str | None,
        Query(
            alias="patient.identifier", description="<system>|<TC kimlik no>, or the TC kimlik no"
        ),
    ] = None,
    purpose: Annotated[str | None, Query(description="Purpose, if not in X-Purpose")] = None,
    count: Annotated[int, Query(alias="_count", ge=1, le=100)] = 20,
    offset: Annotated[int, Query(alias="_offset", ge=0)] = 0,
) -> Any:
    """The patient's records of this type (`Record` for every type) that the engine permits the
    caller, oldest first; each decision is audited. Withheld records the caller may know about
    are listed in an OperationOutcome with the article and what would open them."""
    _refuse_result_parameters(request)
    person = _patient(service, patient, patient_identifier)
    view = records.read_records(
        service,
        who.person,
        person,
        via=who.installation,
        purpose=purpose or who.purpose,
        capacity=who.capacity,
        key=who.key,
        resource_type=None if resource_type == "Record" else resource_type,
    )
    return _fhir(_searchset(request, view, count, offset, lang))


@router.get(
    "/{resource_type}/{resource_id}", operation_id="fhir_read", responses={**PROBLEMS, **BUNDLE}
)
def read(
    resource_type: str,
    resource_id: str,
    service: Svc,
    who: Who,
    purpose: Annotated[str | None, Query(description="Purpose, if not in X-Purpose")] = None,
) -> Any:
    """One record, if the engine permits it (403 with the article otherwise; a concealed
    patient's record is exactly an unknown one)."""
    view = records.read_record(
        service,
        who.person,
        resource_id,
        via=who.installation,
        purpose=purpose or who.purpose,
        capacity=who.capacity,
        key=who.key,
    )
    if view.resource_type != resource_type:
        from mahrem.services.lookup import unknown

        raise unknown("record", resource_id, "record")
    return _fhir(_served(view))


def _refuse_result_parameters(request: Request) -> None:
    for name in request.query_params:
        if name.startswith("_") and name not in RESULT_PARAMETERS:
            raise InputError(
                "search.unsupported",
                f"{name}: not supported (only _count and _offset page a search)",
                field=name,
            )


def _patient(service: Any, patient: str | None, identifier: str | None) -> str:
    if (patient is None) == (identifier is None):
        raise InputError(
            "search.patient", "give exactly one of patient and patient.identifier", field="patient"
        )
    if patient is not None:
        return patient
    assert identifier is not None
    tckn = identifier.rsplit("|", 1)[-1]
    found = accounts.person_id(service, tckn) if tckn.isdigit() and len(tckn) == 11 else None
    if found is None:
        from mahrem.services.lookup import unknown

        raise unknown("person", tckn, "patient.identifier")
    return str(found)


def _searchset(
    request: Request, view: RecordsView, count: int, offset: int, lang: str
) -> dict[str, Any]:
    page = view.permitted[offset : offset + count]
    base = str(request.base_url).rstrip("/") + "/fhir"
    links = [{"relation": "self", "url": _page_url(request, offset, count)}]
    if offset + count < len(view.permitted):
        links.append({"relation": "next", "url": _page_url(request, offset + count, count)})
    if offset > 0:
        links.append(
            {"relation": "previous", "url": _page_url(request, max(0, offset - count), count)}
        )
    entries: list[dict[str, Any]] = [_match(base, r) for r in page]
    if (view.withheld or view.legally_restricted) and offset == 0:
        entries.append({"resource": _withheld_outcome(view, lang), "search": {"mode": "outcome"}})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(view.permitted),
        "link": links,
        "entry": entries,
    }


def _page_url(request: Request, offset: int, count: int) -> str:
    params = {k: v for k, v in request.query_params.items() if k not in RESULT_PARAMETERS}
    params.update({"_count": str(count), "_offset": str(offset)})
    return str(request.url.replace_query_params(**params))


def _match(base: str, record: RecordView) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{record.resource_type}/{record.id}",
        "resource": _served(record),
        "search": {"mode": "match"},
    }


def _served(record: RecordView) -> dict[str, Any]:
    """The resource as served: under the record's id, whatever the sender called it."""
    return {**record.resource, "id": record.id}


def _withheld_outcome(view: RecordsView, lang: str) -> dict[str, Any]:
    en = lang == "en"
    # SPEC.md, "What a refusal may tell": the basis and the remedy, a count only for restricted
    # categories; never a record id, a date, a type or a facility.
    issues = [
        {
            "severity": "information",
            "code": "suppressed",
            "diagnostics": f"[{w.basis}] {reason_text(w.reason_key)[1 if en else 0]}"
            + (f" ({w.count})" if w.count is not None else "")
            + (f" — {w.remedy(lang)}" if w.remedy(lang) else ""),
        }
        for w in view.withheld
    ]
    if view.legally_restricted:  # M12 care path: that much, and nothing more
        tr, en_text = reason_text("concealment.legal_restriction")
        issues.append(
            {
                "severity": "information",
                "code": "suppressed",
                "diagnostics": f"[12/1] {en_text if en else tr}",
            }
        )
    return {"resourceType": "OperationOutcome", "issue": issues}
