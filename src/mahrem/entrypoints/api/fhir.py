"""FHIR R4 routes (issue 17): hospital software reads and writes as a stock FHIR client does.

- `GET /fhir/metadata`: the CapabilityStatement (no key needed).
- Writes: `POST /fhir` (a transaction or batch Bundle, or one resource), `POST /fhir/{type}`
  (create; `If-None-Exist` makes it conditional), `PUT /fhir/{type}/{id}` (update or create
  under the sender's id; `If-Match` with the version's ETag). Each answers Mahrem's ids.
- Reads: `GET /fhir/{type}/{id}` with `ETag`, `/_history` and `/_history/{version}` (M13's
  version rules), `GET /fhir/{type}?…` searches (domain/fhir_search.py), Patient included.

Side doors FHIR servers are known to leak through are shut: the total and the paging links are
computed over the permitted records only, `_include`, `_summary`, `_elements` and every other
parameter not listed in the CapabilityStatement are refused rather than half-honoured, and
every response carries `Cache-Control: no-store` (set for the whole API in app.py). A type
Mahrem does not store is a 404 OperationOutcome; errors are OperationOutcomes (fhir_outcomes.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse

from mahrem.domain import fhir_search
from mahrem.domain.errors import (
    Forbidden,
    InputError,
    NotSupported,
    PreconditionFailed,
)
from mahrem.entrypoints.api.deps import Caller, Lang, Svc, Who
from mahrem.entrypoints.api.fhir_bundles import push_response, searchset, served
from mahrem.entrypoints.api.fhir_capability import capability_statement
from mahrem.entrypoints.api.fhir_outcomes import FHIR_JSON, fhir_response
from mahrem.entrypoints.api.fhir_patients import (
    patient_of,
    patient_resource,
    patient_search,
    tckn_system,
)
from mahrem.entrypoints.api.problems import PROBLEMS
from mahrem.services import corrections, events, records
from mahrem.services.lookup import unknown
from mahrem.services.ports import Mahrem
from mahrem.services.records import SUBJECT_FIELDS

router = APIRouter(prefix="/fhir", tags=["fhir"])
BUNDLE: dict[int | str, dict[str, Any]] = {
    200: {"description": "A FHIR resource or Bundle", "content": {FHIR_JSON: {}}}
}
RESPONSES = {**PROBLEMS, **BUNDLE}
# `Record` is Mahrem's own: a search of every stored type at once.
SEARCHABLE = fhir_search.STORED_TYPES | {"Patient", "Record"}
Purpose = Annotated[str | None, Query(description="Purpose, if not in X-Purpose")]


def _stored(resource_type: str, *, patient: bool = True, record: bool = False) -> str:
    allowed = fhir_search.STORED_TYPES | ({"Patient"} if patient else set())
    if resource_type not in allowed and not (record and resource_type == "Record"):
        raise NotSupported(
            "fhir.type_unsupported",
            f"{resource_type[:64]}: not a resource type Mahrem stores "
            "(GET /fhir/metadata lists them)",
            field="resource_type",
        )
    return resource_type


def _software(who: Caller) -> str:
    if who.installation is None:
        raise Forbidden("push.software_only", "only registered hospital software pushes records")
    return who.installation


@router.get("/metadata", operation_id="fhir_capabilities", responses=BUNDLE)
def metadata(request: Request) -> Any:
    """The CapabilityStatement: what this server supports, generated from what it serves."""
    base = str(request.base_url).rstrip("/") + "/fhir"
    return fhir_response(capability_statement(base, datetime.now(UTC).date().isoformat()))


@router.post("", operation_id="fhir_push", responses=RESPONSES)
def push(
    service: Svc,
    who: Who,
    body: Annotated[
        dict[str, Any], Body(description="A FHIR resource, or a transaction or batch Bundle")
    ],
) -> Any:
    """Hospital software pushes a transaction Bundle (all or nothing), a batch (entry by entry)
    or one resource; idempotent on the sender's ids. Answers a transaction- or batch-response
    naming Mahrem's ids (`response.location`)."""
    _push_scopes(who, body)
    pushed = _pushed(service, who, body)
    created = any(e.answer == "created" for e in pushed.entries)
    return fhir_response(push_response(pushed), 201 if created and pushed.kind != "batch" else 200)


@router.post("/{resource_type}", operation_id="fhir_create", responses=RESPONSES)
def create(
    request: Request,
    resource_type: str,
    service: Svc,
    who: Who,
    body: Annotated[dict[str, Any], Body(description="The FHIR resource")],
    if_none_exist: Annotated[
        str | None, Header(description="A search: create only if none of yours matches")
    ] = None,
) -> Any:
    """FHIR create: Mahrem names the resource (201, `Location`, `ETag`). With `If-None-Exist`
    (or the same search as the query), one matching resource this installation sent is
    answered instead (200); more than one is 412."""
    _stored(resource_type, patient=True)
    who.require_scope(resource_type, "c")
    installation = _software(who)
    _same_type(body, resource_type)
    # FHIR's If-None-Exist header, or the same search as the query (fhirpy's conditional create).
    asked = if_none_exist or request.url.query
    if asked:
        condition = fhir_search.parse(resource_type, parse_qsl(asked.partition("?")[2] or asked))
        found = records.own_matches(service, installation, condition)
        if len(found) > 1:
            raise PreconditionFailed(
                "fhir.condition_ambiguous",
                f"If-None-Exist: {len(found)} of your resources match",
                field="If-None-Exist",
            )
        if found:
            return _resource_response(request, found[0], 200)
    pushed = _pushed(service, who, body, keep_id=resource_type == "Patient")
    return _entry_response(request, body, pushed.entries[0])


@router.put("/{resource_type}/{resource_id}", operation_id="fhir_put", responses=RESPONSES)
def put(
    request: Request,
    resource_type: str,
    resource_id: str,
    service: Svc,
    who: Who,
    body: Annotated[dict[str, Any], Body(description="The FHIR resource")],
    if_match: Annotated[str | None, Header(description='The ETag read, W/"<version>"')] = None,
) -> Any:
    """FHIR update: the same content again changes nothing (200); new content under an id this
    installation has not used creates the resource (201); other content for a stored record is
    a correction (M13, refused here). `If-Match` with a stale version is 412."""
    _stored(resource_type, patient=True)
    who.require_scope(resource_type, "u")
    installation = _software(who)
    _same_type(body, resource_type)
    if body.get("id") != resource_id:
        raise InputError("fhir.id_mismatch", "body.id: must be the id in the URL", field="body.id")
    local_id = resource_id
    if resource_type != "Patient":
        known = records.own_record(service, installation, resource_type, resource_id)
        if known is not None:
            local_id = known[1]
            _check_version(if_match, known[2])
        elif if_match:
            raise PreconditionFailed(
                "fhir.version_conflict", "If-Match: no such resource of yours", field="If-Match"
            )
    pushed = _pushed(service, who, {**body, "id": local_id}, given_id=local_id)
    return _entry_response(request, body, pushed.entries[0])


@router.get("/{resource_type}", operation_id="fhir_search", responses=RESPONSES)
def search(
    request: Request,
    resource_type: str,
    service: Svc,
    who: Who,
    lang: Lang,
    purpose: Purpose = None,
    prefer: Annotated[str | None, Header(description="handling=lenient")] = None,
) -> Any:
    """The records of one patient of this type (`Record`: every type) that the engine permits
    the caller, filtered by the search parameters, oldest first unless `_sort`; each decision
    is audited. Withheld records the caller may know about are listed in an OperationOutcome
    entry with the article and what would open them."""
    if resource_type not in SEARCHABLE:
        _stored(resource_type)
    who.require_scope(resource_type, "s")
    lenient = "handling=lenient" in (prefer or "").replace(" ", "")
    if resource_type == "Patient":
        return patient_search(request, service, who, purpose, lenient)
    kind = None if resource_type == "Record" else resource_type
    query = fhir_search.parse(kind or "Record", request.query_params.multi_items(), lenient=lenient)
    person = patient_of(service, who, query.patient)
    view = records.read_records(
        service,
        who.person,
        person,
        via=who.installation,
        purpose=who.purpose_for(purpose),
        capacity=who.capacity,
        key=who.key,
        resource_type=kind,
        search=query,
    )
    return fhir_response(searchset(request, view, query, lang))


@router.get("/{resource_type}/{resource_id}", operation_id="fhir_read", responses=RESPONSES)
def read(
    request: Request,
    resource_type: str,
    resource_id: str,
    service: Svc,
    who: Who,
    purpose: Purpose = None,
) -> Any:
    """One resource, if the engine permits it (403 with the article otherwise; a concealed
    patient's record is exactly an unknown one), with its `ETag`."""
    _stored(resource_type)
    who.require_scope(resource_type, "r")
    if resource_type == "Patient":
        return _resource_response(
            request, patient_resource(service, who, resource_id, purpose), 200
        )
    view = records.read_record(
        service,
        who.person,
        resource_id,
        via=who.installation,
        purpose=who.purpose_for(purpose),
        capacity=who.capacity,
        key=who.key,
    )
    if view.resource_type != resource_type:
        raise unknown("record", resource_id, "record")
    return _resource_response(request, served(view), 200)


@router.get(
    "/{resource_type}/{resource_id}/_history", operation_id="fhir_history", responses=RESPONSES
)
def history(resource_type: str, resource_id: str, service: Svc, who: Who) -> Any:
    """Every version of a record, newest first, for those M13 lets see its history (the patient
    and the data protection officer); anyone else is answered as for an unknown record."""
    who.require_scope(resource_type, "r")
    versions = _versions(service, who, resource_type, resource_id)
    return fhir_response(
        {
            "resourceType": "Bundle",
            "type": "history",
            "total": len(versions),
            "entry": [
                {
                    "fullUrl": f"{resource_type}/{resource_id}",
                    "resource": v,
                    "request": {"method": "PUT", "url": f"{resource_type}/{resource_id}"},
                    "response": {"status": "200 OK", "etag": _etag(v)},
                }
                for v in reversed(versions)
            ],
        }
    )


@router.get(
    "/{resource_type}/{resource_id}/_history/{version_id}",
    operation_id="fhir_vread",
    responses=RESPONSES,
)
def vread(
    request: Request,
    resource_type: str,
    resource_id: str,
    version_id: str,
    service: Svc,
    who: Who,
    purpose: Purpose = None,
) -> Any:
    """One version of a record: the current one for whoever may read the record, an earlier one
    for those M13 lets see its history."""
    _stored(resource_type, patient=False)
    current = read(request, resource_type, resource_id, service, who, purpose)
    if current.headers.get("etag") == f'W/"{version_id}"':
        return current
    for v in _versions(service, who, resource_type, resource_id):
        if v["meta"]["versionId"] == version_id:
            return _resource_response(request, v, 200)
    raise unknown("record", f"{resource_id}/_history/{version_id}", "version_id")


# -- helpers ---------------------------------------------------------------------------------
def _pushed(service: Mahrem, who: Caller, body: dict[str, Any], **how: Any) -> records.Pushed:
    """Store a push, then report the episodes its resources carry (events/from_fhir.py)."""
    installation = _software(who)
    pushed = records.push(
        service, installation, who.person, body, tckn_system=tckn_system(), key=who.key, **how
    )
    events.follow_pushed(service, installation, who.person, pushed.entries, who.key)
    return pushed


def _push_scopes(who: Caller, body: dict[str, Any]) -> None:
    """SMART scopes of a push: each entry's type, `c` to create (POST, or no request: a batch
    or collection entry), `u` to update (PUT)."""
    if who.scopes is None:
        return
    if body.get("resourceType") != "Bundle":
        who.require_scope(str(body.get("resourceType")), "c")
        return
    for entry in body.get("entry") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
            continue  # the push itself refuses a malformed entry, with its index
        method = (entry.get("request") or {}).get("method", "POST")
        who.require_scope(
            str(entry["resource"].get("resourceType")), "u" if method == "PUT" else "c"
        )


def _same_type(body: dict[str, Any], resource_type: str) -> None:
    if body.get("resourceType") != resource_type:
        raise InputError(
            "fhir.type_mismatch",
            f"body.resourceType: must be {resource_type}, the type in the URL",
            field="body.resourceType",
        )


def _check_version(if_match: str | None, current: dict[str, Any] | None) -> None:
    if not if_match:
        return
    version = (current or {}).get("meta", {}).get("versionId")
    if if_match.strip() not in (f'W/"{version}"', f'"{version}"'):
        raise PreconditionFailed(
            "fhir.version_conflict",
            f'If-Match: the current version is W/"{version}"',
            field="If-Match",
        )


def _etag(resource: dict[str, Any]) -> str:
    return f'W/"{resource.get("meta", {}).get("versionId", "1")}"'


def _resource_response(request: Request, resource: dict[str, Any], status: int) -> JSONResponse:
    base = str(request.base_url).rstrip("/") + "/fhir"
    headers = {"ETag": _etag(resource)}
    updated = resource.get("meta", {}).get("lastUpdated")
    if updated:
        headers["Last-Modified"] = datetime.fromisoformat(updated).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
    if status == 201:
        headers["Location"] = (
            f"{base}/{resource['resourceType']}/{resource['id']}"
            f"/_history/{resource.get('meta', {}).get('versionId', '1')}"
        )
    return fhir_response(resource, status, headers)


def _entry_response(
    request: Request, body: dict[str, Any], entry: records.EntryResult
) -> JSONResponse:
    status = 201 if entry.answer == "created" else 200
    if entry.resource_type == "Patient":
        # As sent, under the facility's own id: the answer must not tell whether Mahrem knew
        # the person (M12); GET /fhir/Patient/<that id> gives Mahrem's, governed.
        resource = {**body, "id": entry.local_id, "meta": {"versionId": "1"}}
    else:
        assert entry.resource is not None
        # The subject as the sender named it, for the same reason (M12).
        sent = {k: body[k] for k in (*SUBJECT_FIELDS, "participant") if k in body}
        resource = {**entry.resource, **sent}
    return _resource_response(request, resource, status)


def _versions(
    service: Mahrem, who: Caller, resource_type: str, resource_id: str
) -> list[dict[str, Any]]:
    _stored(resource_type, patient=False)
    found = corrections.record_history(service, who.person, resource_id)
    if found["resource_type"] != resource_type:
        raise unknown("record", resource_id, "record")
    out = []
    for v in found["versions"]:
        if v["resource"] is None:
            continue
        out.append(
            {
                **v["resource"],
                "id": resource_id,
                "meta": {
                    **v["resource"].get("meta", {}),
                    "versionId": str(v["version"]),
                    "lastUpdated": v["created_at"],
                },
            }
        )
    return out
