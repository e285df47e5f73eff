"""The API's one door check for what a request names (issue 14; services/disclosure.py).

Every route runs `targets_known` before its own work: FastAPI has already read the body and
refused what is not JSON (the checks on the request's bytes alone), and nothing else has read
stored data. The patients, records and persons the request names, in its path, its query or
its JSON body, are checked together; a concealed patient, a hidden record and an unknown id get
the one unknown answer, built from the request's own input.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from mahrem.services import access
from mahrem.services.access import PATIENT, PERSON, RECORD, TCKN, Target, Viewer

# Field names that name a patient, a person or a record, wherever they appear.
PATIENT_FIELDS = frozenset({"patient", "child", "client", "deceased"})
PERSON_FIELDS = frozenset(
    {
        "actor",
        "person",
        "parent",
        "relative",
        "lawyer",
        "custodian",
        "user",
        "heirs",
        "need_to_know",
    }
)
RECORD_FIELDS = frozenset({"record", "records"})
LIST_FIELDS = frozenset({"records", "patients", "heirs", "need_to_know"})
# Body objects whose fields are read too (an event, a decision request).
NESTED = ("event", "request")
# Routes whose ids are the hospital's own (a push names the hospital's ids) or no one's.
UNCHECKED_PATHS = ("/auth/", "/fhir")  # the FHIR door checks its own (below, and in ingest)


def targets_of(request: Request, body: Any) -> list[Target]:
    """What the request names, in the order path, query, body."""
    out: list[Target] = []
    path = request.url.path
    for name, value in request.path_params.items():
        kind = _kind(name)
        if kind is not None:
            out.append(Target(kind, str(value), name))
    if path.startswith("/fhir/"):
        # The FHIR door resolves every form of a patient reference itself (records/identity.py)
        # and answers a concealed patient as an unknown one there; a record id is checked here.
        if (
            request.method == "GET"
            and "resource_id" in request.path_params
            and request.path_params.get("resource_type") != "Patient"
        ):
            out.append(Target(RECORD, str(request.path_params["resource_id"]), "resource_id"))
        return out
    for name, value in request.query_params.multi_items():
        kind = TCKN if name == "patient.identifier" else _kind(name)
        if kind is not None:
            given = value.rsplit("|", 1)[-1] if kind == TCKN else value
            out.append(Target(kind, given, name))
    if isinstance(body, dict) and not path.startswith(UNCHECKED_PATHS):
        out.extend(_body_targets(body, ""))
        for key in NESTED:
            if isinstance(body.get(key), dict):
                out.extend(_body_targets(body[key], f"{key}."))
    return out


def _kind(name: str) -> str | None:
    if name in PATIENT_FIELDS or name == "patients":
        return PATIENT
    if name in PERSON_FIELDS:
        return PERSON
    if name in RECORD_FIELDS:
        return RECORD
    return None


def _body_targets(obj: dict[str, Any], prefix: str) -> list[Target]:
    out: list[Target] = []
    for name, value in obj.items():
        kind = _kind(name)
        if kind is None:
            continue
        if isinstance(value, str):
            out.append(Target(kind, value, f"{prefix}{name}"))
        elif isinstance(value, list) and name in LIST_FIELDS:
            out.extend(
                Target(kind, v, f"{prefix}{name}[{i}]")
                for i, v in enumerate(value)
                if isinstance(v, str)
            )
    return out


async def targets_known(request: Request) -> None:
    """A router dependency: the unknown answer for a target the caller may not know of."""
    body: Any = None
    if request.method in ("POST", "PUT", "PATCH") and "json" in request.headers.get(
        "content-type", ""
    ):
        try:
            body = json.loads(await request.body() or b"null")
        except (ValueError, RecursionError):
            # FastAPI answers a body that is not JSON on its own (400), the same for everyone
            return
    targets = targets_of(request, body)
    if not targets:
        return
    viewer = await run_in_threadpool(_viewer, request)
    await run_in_threadpool(_check, request, viewer, targets, body)


def _viewer(request: Request) -> Viewer:
    from mahrem.domain.errors import MahremError
    from mahrem.entrypoints.api.deps import authenticated

    try:
        who = authenticated(request)
    except MahremError:
        return Viewer(None)  # the route's own authentication answers (401) the same for everyone
    return Viewer(who.person, who.capacity, who.installation, who.key)


def _check(request: Request, viewer: Viewer, targets: list[Target], body: Any) -> None:
    if viewer.person is None:
        return
    asked = body.get("request") if isinstance(body, dict) else None
    action = (
        asked.get("action")
        if isinstance(asked, dict) and isinstance(asked.get("action"), str)
        else None
    )
    route = request.scope.get("route")
    door = f"{request.method} {getattr(route, 'path', request.url.path)}"
    access.check_targets(
        request.app.state.service,
        viewer,
        targets,
        action=(action or _ACTION[request.method])[:48],
        door=door,
    )


_ACTION = {
    "GET": "read",
    "HEAD": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "write",
}
