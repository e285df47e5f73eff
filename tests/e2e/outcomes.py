"""What an error said, whichever form it came in: RFC 9457 problem+json, or under /fhir an
OperationOutcome carrying the same code, article and field (entrypoints/api/fhir_outcomes.py)."""

from __future__ import annotations

from typing import Any


def problem_of(res: Any) -> dict[str, Any]:
    """code, basis, field and detail of an error response."""
    body = res.json()
    if body.get("resourceType") != "OperationOutcome":
        return {k: body.get(k) for k in ("code", "basis", "field", "detail")}
    issue = body["issue"][0]
    codes = {
        c["system"].rsplit("/", 1)[-1]: c["code"]
        for c in issue.get("details", {}).get("coding", [])
    }
    return {
        "code": codes.get("problems"),
        "basis": codes.get("basis"),
        "field": (issue.get("expression") or [None])[0],
        "detail": issue.get("diagnostics"),
    }
