"""The Bundles the FHIR door answers with: a searchset over the permitted records only (its
total, pages and links never count a withheld record), and the transaction- or batch-response
of a push, naming Mahrem's ids."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from mahrem.domain.fhir_search import Search
from mahrem.domain.reasons import reason_text
from mahrem.entrypoints.api.fhir_outcomes import operation_outcome
from mahrem.services.records import EntryResult, Pushed, RecordsView, RecordView

PAGING = ("_count", "_offset")


def searchset(request: Request, view: RecordsView, search: Search, lang: str) -> dict[str, Any]:
    count, offset = search.count, search.offset
    page = view.permitted[offset : offset + count] if count else ()
    base = str(request.base_url).rstrip("/") + "/fhir"
    links = [{"relation": "self", "url": page_url(request, offset, count)}]
    if count and offset + count < len(view.permitted):
        links.append({"relation": "next", "url": page_url(request, offset + count, count)})
    if count and offset > 0:
        links.append(
            {"relation": "previous", "url": page_url(request, max(0, offset - count), count)}
        )
    entries: list[dict[str, Any]] = [match(base, r) for r in page]
    issues = withheld_issues(view, lang) if offset == 0 else []
    if search.ignored:
        issues.append(
            {
                "severity": "warning",
                "code": "not-supported",
                "diagnostics": "ignored (Prefer: handling=lenient): " + ", ".join(search.ignored),
            }
        )
    if issues:
        entries.append(
            {
                "resource": {"resourceType": "OperationOutcome", "issue": issues},
                "search": {"mode": "outcome"},
            }
        )
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(view.permitted),
        "link": links,
        "entry": entries,
    }


def page_url(request: Request, offset: int, count: int) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in PAGING]
    params += [("_count", str(count)), ("_offset", str(offset))]
    return str(request.url.replace(query=urlencode(params)))


def match(base: str, record: RecordView) -> dict[str, Any]:
    return {
        "fullUrl": f"{base}/{record.resource_type}/{record.id}",
        "resource": served(record),
        "search": {"mode": "match"},
    }


def served(record: RecordView) -> dict[str, Any]:
    """The resource as served: under the record's id, whatever the sender called it."""
    return {**record.resource, "id": record.id}


def withheld_issues(view: RecordsView, lang: str) -> list[dict[str, Any]]:
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
    return issues


def push_response(pushed: Pushed) -> dict[str, Any]:
    kind = "batch-response" if pushed.kind == "batch" else "transaction-response"
    return {"resourceType": "Bundle", "type": kind, "entry": [_answer(e) for e in pushed.entries]}


def _answer(e: EntryResult) -> dict[str, Any]:
    if e.error is not None:
        status = 403 if getattr(e.error, "basis", None) else 422
        outcome = operation_outcome(
            status,
            e.error.code,
            e.error.message,
            field=e.error.field,
            basis=getattr(e.error, "basis", None),
        )
        return {"response": {"status": f"{status}", "outcome": outcome}}
    response: dict[str, Any] = {
        "status": e.status,
        "outcome": {
            "resourceType": "OperationOutcome",
            "issue": [
                {"severity": "information", "code": "informational", "diagnostics": e.answer}
            ],
        },
    }
    if e.location:
        response["location"] = e.location
    if e.version is not None:
        response["etag"] = f'W/"{e.version}"'
    if e.resource is not None and e.resource.get("meta", {}).get("lastUpdated"):
        response["lastModified"] = e.resource["meta"]["lastUpdated"]
    # No resource in the entry: the stored one names the person Mahrem knows, and the answer to
    # a push must not tell whether Mahrem knew them (M12); the Location is there to read it.
    return {"response": response}
