"""Errors under /fhir as FHIR clients read them: an OperationOutcome (R4) with the HTTP status,
the problem code and the article in `details`, the element in `expression`. Everywhere else the
API answers RFC 9457 problem+json (problems.py); both are built from the same error."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

FHIR_JSON = "application/fhir+json"
PROBLEM_SYSTEM = "https://mahrem.saglik.gov.tr/problems"
BASIS_SYSTEM = "https://mahrem.saglik.gov.tr/fhir/CodeSystem/basis"
# The R4 IssueType for each HTTP status Mahrem answers with.
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    429: "throttled",
}


def is_fhir(path: str) -> bool:
    return path == "/fhir" or path.startswith("/fhir/")


def fhir_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def operation_outcome(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    basis: str | None = None,
    issues: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    coding = [{"system": PROBLEM_SYSTEM, "code": code}]
    if basis:
        coding.append({"system": BASIS_SYSTEM, "code": basis})
    issue: dict[str, Any] = {
        "severity": "error",
        "code": ISSUE_TYPES.get(status, "exception"),
        "details": {"coding": coding, "text": detail},
        "diagnostics": detail,
    }
    if field:
        issue["expression"] = [field]
    more = issues or []
    return {"resourceType": "OperationOutcome", "issue": [issue, *more]}


def outcome_response(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    errors = extra.pop("errors", None)
    issues = [
        {
            "severity": "error",
            "code": "invalid",
            "diagnostics": f"{e['field']}: {e['message']}",
            "expression": [e["field"]],
        }
        for e in errors or []
    ][1:]
    body = operation_outcome(
        status, code, detail, field=extra.get("field"), basis=extra.get("basis"), issues=issues
    )
    return fhir_response(body, status)
