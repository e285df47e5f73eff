"""Concealed and hidden mean unknown at every door (issue 14, findings 2 and 3).

Every route the application serves is walked (`app.routes`, not only the OpenAPI operations)
with a concealed patient, a record of a concealed patient, a record its patient hid, and ids
that name nothing, for hospital software's key, a patient's session, an officer's session and
no credentials. For each, the answers must be the same byte for byte once the id the caller gave
is masked (status, headers but `Date`, body), and so must the side effects: the rows each call
leaves in every table but the audit log (no SMS, no event accepted). Each call starts from the
same database file, so one answer cannot change the next.

The ids of a pair have the same length, so even `Content-Length` must agree.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from mahrem.adapters.orm import metadata
from mahrem.bootstrap import build
from mahrem.entrypoints.api import problems
from mahrem.entrypoints.api.app import create_app
from mahrem.services import demo
from mahrem.services import events as doors
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for, software_headers
from tests.e2e.conftest import Clock
from tests.integration.helpers import event, loaded

CONCEALED, NOBODY = "P1", "P8"  # P1 is under a concealment order; P8 names nobody
CONCEALED_RECORD, HIDDEN_RECORD, NO_RECORD = "R1", "R4", "R8"  # R1 is P1's; C1 hid R4
UNKNOWN_TCKN = "10000000146"  # a valid TC kimlik no of nobody in the world
# Tables whose rows an answer may leave whatever the target (the audit log and its chain).
IGNORED_TABLES = {"audit_log", "audit_head", "audit_checkpoint"}
CALLERS = ("key", "patient", "officer", "nobody")


@dataclass(frozen=True)
class World:
    app: TestClient
    service: Mahrem
    live: Path
    pristine: Path
    headers: dict[str, dict[str, str]]
    tckn: str  # the concealed patient's


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("walk")
    live = folder / "mahrem.db"
    clock = Clock("2026-03-02T10:00:00+03:00")
    service = build(f"sqlite:///{live}", key_dir=str(folder / "keys"), clock=clock)
    loaded(service)
    assert (
        event(
            service,
            "2026-03-02T08:00:00+03:00",
            "concealment_order",
            patient=CONCEALED,
            court="Ankara 1. Asliye",
            need_to_know=[],
        )[0]
        == "accepted"
    )
    assert (
        event(
            service,
            "2026-03-02T08:10:00+03:00",
            "record_hidden",
            patient="C1",
            record=HIDDEN_RECORD,
        )[0]
        == "accepted"
    )
    headers = {
        "key": software_headers(service, "S1", "D1", purpose="treatment"),
        "patient": headers_for(service, "K1"),
        "officer": headers_for(service, "O1"),
        "nobody": {},
    }

    with service.uow.read() as store:
        tckn = str(store.get("person", CONCEALED)["tckn"])  # type: ignore[index]
    service.uow.engine.dispose()
    pristine = folder / "pristine.db"
    shutil.copy(live, pristine)
    yield World(TestClient(create_app(service)), service, live, pristine, headers, tckn)
    service.uow.engine.dispose()


@dataclass(frozen=True)
class Served:
    """A route and the path the application serves it at (the prefixes of its routers)."""

    path: str
    methods: set[str]
    dependant: Any
    body_field: Any


def routes(app: Any) -> list[Served]:
    """Every API route the application serves, through included routers too."""
    found: list[Served] = []

    def walk(items: list[Any], prefix: str) -> None:
        for r in items:
            if isinstance(r, APIRoute):
                found.append(Served(prefix + r.path, set(r.methods), r.dependant, r.body_field))
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes, prefix + getattr(r.include_context, "prefix", ""))
            elif hasattr(r, "routes"):
                walk(r.routes, prefix)

    walk(app.routes, "")
    return found


# -- requests that name a target -----------------------------------------------------------
PATIENT_NAMES = {"patient", "child", "client", "deceased"}
PERSON_NAMES = {"actor", "person", "parent", "relative", "lawyer", "custodian", "user"}
RECORD_NAMES = {"record"}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any]
    body: Any
    kind: str  # patient or record: which targets it is played with

    @property
    def name(self) -> str:
        return f"{self.method} {self.path} {sorted(self.params)} {str(self.body)[:60]}"


def calls_of(route: Served) -> list[Call]:
    """The calls that name a target through this route: in its path, its query or its body."""
    out: list[Call] = []
    path_params = {p.name for p in route.dependant.path_params}
    query = {p.alias for p in _all_query(route.dependant)}
    for method in sorted(route.methods - {"HEAD"}):
        kinds = set()
        for name in path_params | query:
            kinds |= (
                {"patient"}
                if name in PATIENT_NAMES | PERSON_NAMES | {"patient.identifier"}
                else set()
            )
            kinds |= (
                {"record"}
                if name in RECORD_NAMES or (name == "resource_id" and method == "GET")
                else set()
            )
        for kind in sorted(kinds):
            out.append(
                Call(
                    method,
                    route.path,
                    {n: "<T>" for n in query if _named(n, kind)},
                    _body(route, kind),
                    kind,
                )
            )
        for body, kind in _target_bodies(route, method):
            out.append(Call(method, route.path, {}, body, kind))
    return out


def _all_query(dependant: Any) -> list[Any]:
    params = list(dependant.query_params)
    for sub in dependant.dependencies:
        params += _all_query(sub)
    return params


def _named(name: str, kind: str) -> bool:
    if kind == "record":
        return name in RECORD_NAMES
    return name in PATIENT_NAMES | PERSON_NAMES | {"patient.identifier"}


def _body(route: Served, kind: str) -> Any:
    return {} if route.body_field is not None else None


EVENT_DOORS = {
    "/me/events": doors.PERSON_EVENTS,
    "/sbys/events": doors.SOFTWARE_EVENTS,
    "/officer/events": doors.OFFICER_EVENTS,
}


def _target_bodies(route: Served, method: str) -> list[tuple[Any, str]]:
    """Bodies that name a target: every event of an event door, a decision request, and the
    body fields of the other routes that take a patient, a person or a record."""
    if route.body_field is None or method not in ("POST", "PUT"):
        return []
    if route.path in EVENT_DOORS:
        out: list[tuple[Any, str]] = []
        for etype in sorted(EVENT_DOORS[route.path]):
            out.append(
                (
                    {
                        "event": {
                            "type": etype,
                            "id": "E9",
                            **{f: "<T>" for f in PATIENT_NAMES | PERSON_NAMES},
                        }
                    },
                    "patient",
                )
            )
            if etype in ("record_hidden", "record_unhidden", "correction_requested"):
                out.append(({"event": {"type": etype, "patient": "C1", "record": "<T>"}}, "record"))
        return out
    if route.path == "/decide":
        return [
            ({"request": {"action": "read", "patient": "<T>", "purpose": "treatment"}}, "patient"),
            (
                {
                    "request": {
                        "action": "read",
                        "patient": "C1",
                        "record": "<T>",
                        "purpose": "treatment",
                    }
                },
                "record",
            ),
        ]
    fields = set(getattr(route.body_field.field_info.annotation, "model_fields", {}) or {})
    out = []
    if fields & (PATIENT_NAMES | PERSON_NAMES):
        out.append(({f: "<T>" for f in fields & (PATIENT_NAMES | PERSON_NAMES)}, "patient"))
    if "patients" in fields:
        out.append(({"patients": ["<T>"]}, "patient"))
    if fields & {"record", "records"}:
        out.append(
            (
                {
                    **({"record": "<T>"} if "record" in fields else {}),
                    **({"records": ["<T>"]} if "records" in fields else {}),
                },
                "record",
            )
        )
    return out


def all_calls(app: Any) -> list[Call]:
    calls = [
        c for r in routes(app) if not r.path.startswith(("/fhir", "/portal")) for c in calls_of(r)
    ]
    calls += FHIR_CALLS
    return calls


FHIR_CALLS = [
    Call("GET", "/fhir/{resource_type}", {"patient": "<T>"}, None, "patient"),
    Call("GET", "/fhir/{resource_type}", {"patient.identifier": "<TCKN>"}, None, "patient"),
    Call("GET", "/fhir/{resource_type}/{resource_id}", {}, None, "record"),
]

TARGETS = {"patient": (CONCEALED, NOBODY), "record": (CONCEALED_RECORD, HIDDEN_RECORD, NO_RECORD)}


def _fill(value: Any, target: str, tckn: str) -> Any:
    if isinstance(value, str):
        return value.replace("<TCKN>", tckn).replace("<T>", target)
    if isinstance(value, list):
        return [_fill(v, target, tckn) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, target, tckn) for k, v in value.items()}
    return value


Answer = tuple[int, dict[str, str], bytes, dict[str, int]]


def _restore(w: World) -> None:
    w.service.uow.engine.dispose()
    shutil.copy(w.pristine, w.live)
    for suffix in ("-wal", "-shm"):
        Path(f"{w.live}{suffix}").unlink(missing_ok=True)


def play(w: World, call: Call, caller: str, target: str) -> Answer:
    """One call from the pristine database: status, headers, body, and the rows it left."""
    _restore(w)
    tckn = w.tckn if target == CONCEALED else UNKNOWN_TCKN
    path = call.path.replace("{resource_type}", "Observation").replace("{resource_id}", target)
    path = re.sub(r"\{(patient|child|record|actor|person|relative)\}", target, path)
    path = re.sub(r"\{[a-z_]+\}", "1", path)
    params = _fill(call.params, target, tckn)
    body = _fill(call.body, target, tckn)
    before = _counts(w)
    res = w.app.request(call.method, path, params=params, json=body, headers=w.headers[caller])
    after = _counts(w)
    masked = res.content.replace(tckn.encode(), b"<TCKN>").replace(target.encode(), b"<T>")
    # A record Mahrem stores is named by a random id of its own: noise, not an answer.
    masked = re.sub(rb"[0-9a-f]{32}", b"<ID>", masked)
    headers = {k: v for k, v in res.headers.items() if k not in ("date", "x-request-id")}
    return (
        res.status_code,
        headers,
        masked,
        {t: after[t] - before[t] for t in after if after[t] != before[t]},
    )


def _counts(w: World) -> dict[str, int]:
    with w.service.uow.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
            if t.name not in IGNORED_TABLES
        }


def test_the_walk_reaches_every_door_that_names_a_patient_a_person_or_a_record(
    world: World,
) -> None:
    paths = {c.path for c in all_calls(world.app.app)}
    for door in (
        "/decide",
        "/me/events",
        "/sbys/events",
        "/officer/events",
        "/codes/requests",
        "/codes/entries",
        "/decisions/explain",
        "/patients/{patient}/access-log",
        "/lifecycle/corrections",
        "/lifecycle/records/{record}/history",
        "/lifecycle/patients/{patient}/destruction",
        "/transfers",
        "/breaches/{breach_id}/patient-notice/{patient}",
        "/audit/entries",
        "/fhir/{resource_type}",
        "/fhir/{resource_type}/{resource_id}",
        "/printouts",
    ):
        assert door in paths


@pytest.mark.parametrize("caller", CALLERS)
def test_concealed_hidden_and_unknown_answer_alike_at_every_door_m12_m6_2(
    world: World, caller: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems, "UNKNOWN_PAD_SECONDS", 0.0)
    assert _differing(all_calls(world.app.app), lambda call, t: play(world, call, caller, t)) == []


def _differing(calls: list[Call], answer_of: Any) -> list[str]:
    """Every call whose answers differ between its targets, with where they first differ."""
    differing = []
    for call in calls:
        answers = {t: answer_of(call, t) for t in TARGETS[call.kind]}
        first = next(iter(answers.values()))
        for target, answer in answers.items():
            if answer != first:
                differing.append(
                    f"{call.method} {call.path} [{target}] {answer[0]} {answer[3]} vs {first[0]} "
                    f"{first[3]}: {_first_difference(answer[2], first[2])}"
                )
    return differing


# -- the FHIR push: hospital software naming a patient by TC kimlik no ----------------------
def _observation(subject: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "obs-walk",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": subject},
        "valueQuantity": {"value": 98, "unit": "mg/dL"},
    }


def _patient(tckn: str) -> dict[str, Any]:
    from mahrem.services.records import TCKN_SYSTEM

    return {
        "resourceType": "Patient",
        "id": "hbys-walk",
        "birthDate": "1980-05-01",
        "identifier": [{"system": TCKN_SYSTEM, "value": tckn}],
        "name": [{"text": "Ad Soyad"}],
    }


PUSHES = [
    Call("POST", "/fhir", {}, _observation("Patient?identifier=urn:x|<TCKN>"), "patient"),
    Call(
        "POST",
        "/fhir",
        {},
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": "urn:uuid:p",
                    "resource": _patient("<TCKN>"),
                    "request": {"method": "POST", "url": "Patient"},
                },
                {
                    "resource": _observation("urn:uuid:p"),
                    "request": {"method": "POST", "url": "Observation"},
                },
            ],
        },
        "patient",
    ),
]


@pytest.mark.parametrize("call", PUSHES, ids=["by-identifier", "patient-and-record"])
def test_a_push_naming_a_concealed_patient_answers_as_for_an_unknown_one_m12(
    world: World, call: Call, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(problems, "UNKNOWN_PAD_SECONDS", 0.0)
    concealed, nobody = (play(world, call, "key", t) for t in (CONCEALED, NOBODY))
    assert concealed[:3] == nobody[:3]
    if (
        call.body.get("resourceType") == "Bundle"
    ):  # Patient and record: registered or linked, and kept
        assert concealed[0] == 201 and concealed[3].get("record") == nobody[3].get("record") == 1
    else:  # the TC kimlik no alone: nobody Mahrem may name to this software
        assert concealed[0] == 422 and b"patient.unresolved" in concealed[2]
        assert "record" not in concealed[3] and "record" not in nobody[3]


def test_a_pushed_patient_is_answered_alike_whether_mahrem_knew_the_person_or_not_m12(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    call = Call("POST", "/fhir", {}, _patient("<TCKN>"), "patient")
    concealed, nobody = (play(world, call, "key", t) for t in (CONCEALED, NOBODY))
    assert concealed[:3] == nobody[:3] and concealed[0] == 201
    assert concealed[3] == {"patient_link": 1} and nobody[3] == {"patient_link": 1, "person": 1}


# -- the portal's pages -------------------------------------------------------------------------
PORTAL_CALLERS = ("staff", "patient", "officer", "nobody")
PORTAL_FORM = {
    "tckn": "<TCKN>",
    "purpose": "treatment",
    "court": "Ankara 2. Asliye",
    "need_to_know": "",
    "record": "<T>",
    "records": "<T>",
    "patient": "<T>",
    "reason": "yanlış",
    "code": "123456",
    "until": "",
    "kind": "access",
    "subject": "Verilerim",
}


@pytest.fixture(scope="module")
def portal_sessions(world: World) -> dict[str, dict[str, str]]:
    """Cookies and CSRF tokens of the portal's sessions, made before the pristine copy is taken."""
    from tests.e2e.auth import session_token

    w = world
    w.service.uow.engine.dispose()
    shutil.copy(w.pristine, w.live)
    tokens = {
        "staff": session_token(w.service, "D1", installation="S1"),
        "patient": session_token(w.service, "K1"),
        "officer": session_token(w.service, "O1"),
    }
    w.service.uow.engine.dispose()
    shutil.copy(w.live, w.pristine)
    return {
        who: {"cookie": token, "csrf": w.service.keys.hmac("portal-csrf", "session:" + token)}
        for who, token in tokens.items()
    }


def portal_calls(app: Any) -> list[Call]:
    out: list[Call] = []
    for route in routes(app):
        if not route.path.startswith("/portal") or "{name}" in route.path or "{lang}" in route.path:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            names = {p.name for p in route.dependant.path_params}
            kind = "record" if "record" in names else "patient"
            out.append(
                Call(method, route.path, {}, PORTAL_FORM if method == "POST" else None, kind)
            )
    return out


def play_portal(
    w: World, call: Call, sessions: dict[str, dict[str, str]], caller: str, target: str
) -> Answer:
    _restore(w)
    tckn = w.tckn if target in (CONCEALED, CONCEALED_RECORD) else UNKNOWN_TCKN
    path = re.sub(r"\{(patient|record|relative)\}", target, call.path)
    path = path.replace("{step}", "request").replace("{change}", "hide")
    path = re.sub(r"\{[a-z_]+\}", "x", path)
    session = sessions.get(caller)
    cookies = {"mahrem_session": session["cookie"]} if session else {}
    form = (
        {**_fill(call.body, target, tckn), "csrf": session["csrf"] if session else ""}
        if call.body
        else None
    )
    before = _counts(w)
    client = TestClient(
        w.app.app, base_url="https://testserver", cookies=cookies, follow_redirects=False
    )
    res = client.request(call.method, path, data=form)
    after = _counts(w)
    masked = res.content.replace(tckn.encode(), b"<TCKN>").replace(target.encode(), b"<T>")
    # A login form's CSRF token is bound to a fresh random pre-session cookie: noise, not an answer.
    masked = re.sub(rb'name="csrf" value="[0-9a-f]+"', b'name="csrf" value="<CSRF>"', masked)
    headers = {
        k: re.sub(
            r"expires=[^;]+",
            "expires=<WHEN>",
            re.sub(r"mahrem_pre=[^;]+", "mahrem_pre=<PRE>", v.replace(target, "<T>")),
        )
        for k, v in res.headers.items()
        if k not in ("date", "x-request-id")
    }
    return (
        res.status_code,
        headers,
        masked,
        {t: after[t] - before[t] for t in after if after[t] != before[t]},
    )


@pytest.mark.parametrize("caller", PORTAL_CALLERS)
def test_concealed_hidden_and_unknown_answer_alike_on_every_portal_page_m12_m6_2(
    world: World, portal_sessions: dict[str, dict[str, str]], caller: str
) -> None:
    calls = portal_calls(world.app.app)
    assert {
        "/portal/clinic/search",
        "/portal/me/records/{record}",
        "/portal/officer/concealment",
    } <= {c.path for c in calls}
    assert (
        _differing(calls, lambda call, t: play_portal(world, call, portal_sessions, caller, t))
        == []
    )


def _first_difference(a: bytes, b: bytes) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"{a[max(0, i - 80) : i + 80]!r} vs {b[max(0, i - 80) : i + 80]!r}"


def test_a_parents_page_reads_alike_for_a_concealed_child_and_one_outside_rule_5_m12_m8_1(
    tmp_path: Path,
) -> None:
    """The children page once told a concealed child apart by its text. A parent now sees, for
    a child under a concealment order, the card of a child with no records to show."""
    from tests.e2e.auth import session_token
    from tests.worlds import person, world

    clock = Clock("2026-03-02T10:00:00+03:00")
    service = build(f"sqlite:///{tmp_path}/m.db", key_dir=str(tmp_path / "keys"), clock=clock)
    base = world()
    base["people"] = [*base["people"], person("C2", 17, birth_date="2010-01-01")]
    base["records"] = [*base["records"], {**base["records"][-1], "id": "R5", "patient": "C2"}]
    demo.load_world(service, base, clock.now - timedelta(days=1))
    for child in ("C1", "C2"):
        assert (
            event(service, "2026-03-02T08:00:00+03:00", "parent_of", parent="M1", child=child)[0]
            == "accepted"
        )
    client = TestClient(
        create_app(service),
        base_url="https://testserver",
        cookies={"mahrem_session": session_token(service, "M1")},
    )
    before = client.get("/portal/me/children").text
    assert "R4" not in before and before.count("record-list") == 2  # both children's records show
    assert (
        event(
            service,
            "2026-03-02T09:00:00+03:00",
            "concealment_order",
            patient="C1",
            court="Ankara 1. Aile",
            need_to_know=[],
        )[0]
        == "accepted"
    )
    assert (
        event(service, "2026-03-02T09:00:00+03:00", "parental_access_restricted", child="C2")[0]
        == "accepted"
    )
    page = client.get("/portal/me/children").text
    cards = dict(
        re.findall(
            r'<section class="card" aria-labelledby="child-(C\d)">(.*?)</section>', page, re.S
        )
    )
    empty = '<p class="empty">Gösterilecek kayıt yok.</p>'
    # C1 is concealed (M12), C2 made its parents ask (M8/1): each card ends the same, with no
    # records.
    assert all(
        "record-list" not in body and body.strip().endswith(empty) for body in cards.values()
    )
    assert all("12/1" not in body and "karar" not in body.lower() for body in cards.values())
