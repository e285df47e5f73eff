"""The HTTP door over the same service layer: authentication, decisions, events bound to the
caller, problem+json errors, and the audit trail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mahrem.entrypoints.api.app import create_app
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for, software_headers
from tests.e2e.conftest import Clock
from tests.integration.helpers import loaded

READ = {"action": "read", "patient": "P1", "record": "R1", "purpose": "treatment"}
CHECK_IN = {"type": "check_in", "id": "E1", "patient": "P1"}


@pytest.fixture
def api(clocked: Mahrem) -> TestClient:
    return TestClient(create_app(loaded(clocked)))


@pytest.fixture
def sqlite_api(sqlite_clocked: Mahrem) -> TestClient:
    return TestClient(create_app(loaded(sqlite_clocked)))


def svc(api: TestClient) -> Mahrem:
    service: Mahrem = api.app.state.service  # type: ignore[attr-defined]
    return service


def test_health_answers_ok(sqlite_api: TestClient) -> None:
    assert sqlite_api.get("/health").json() == {"status": "ok"}


def test_a_call_without_credentials_is_a_401_problem(sqlite_api: TestClient) -> None:
    res = sqlite_api.post("/decide", json={"request": READ})
    assert res.status_code == 401 and res.headers["content-type"] == "application/problem+json"
    assert res.headers["www-authenticate"].startswith("Bearer")
    assert res.json()["code"] == "auth.required"


def test_an_invalid_token_is_a_401_problem(sqlite_api: TestClient) -> None:
    res = sqlite_api.post(
        "/decide", json={"request": READ}, headers={"Authorization": "Bearer nonsense"}
    )
    assert res.status_code == 401 and res.json()["code"] == "auth.invalid"


def test_software_must_name_a_known_acting_person(sqlite_api: TestClient) -> None:
    headers = software_headers(svc(sqlite_api), "S1", "D1")
    missing = sqlite_api.post(
        "/decide",
        json={"request": READ},
        headers={k: v for k, v in headers.items() if k != "X-Acting-Person"},
    )
    unknown = sqlite_api.post(
        "/decide", json={"request": READ}, headers={**headers, "X-Acting-Person": "nobody"}
    )
    assert missing.status_code == unknown.status_code == 401
    assert missing.json()["code"] == "auth.acting_person"
    assert unknown.json()["code"] == "auth.invalid"  # as for a person the key may not act for


def test_software_reports_a_check_in_then_its_physician_reads_under_m6_3_c(
    api: TestClient, clock: Clock
) -> None:
    headers = software_headers(svc(api), "S1", "D1", "treatment")
    ev = api.post("/sbys/events", json={"event": CHECK_IN}, headers=headers)
    assert ev.json() == {"result": "accepted", "basis": None, "reason": None}
    clock.set("2026-03-02T09:05:00+03:00")
    res = api.post("/decide", json={"request": READ}, headers={**headers, "accept-language": "en"})
    body = res.json()
    assert res.status_code == 200
    assert (body["decision"], body["basis"], body["policy_version"], body["capacity"]) == (
        "permit",
        "6/3-c",
        1,
        "staff",
    )
    assert body["reason"].startswith("Past data")


def test_the_acting_person_cannot_be_someone_else(sqlite_api: TestClient) -> None:
    res = sqlite_api.post(
        "/decide",
        json={"request": {**READ, "actor": "D3"}},
        headers=headers_for(svc(sqlite_api), "D1"),
    )
    assert res.status_code == 403 and res.json()["code"] == "decide.not_yours"


def test_software_reports_events_of_its_own_facility_only(sqlite_api: TestClient) -> None:
    headers = software_headers(svc(sqlite_api), "S1", "D1")
    res = sqlite_api.post(
        "/sbys/events", json={"event": {**CHECK_IN, "facility": "F3"}}, headers=headers
    )
    assert res.status_code == 403 and res.json()["code"] == "event.other_facility"
    person = sqlite_api.post(
        "/sbys/events", json={"event": CHECK_IN}, headers=headers_for(svc(sqlite_api), "D1")
    )
    assert person.status_code == 403 and person.json()["code"] == "event.software_only"


def test_a_person_sets_their_own_preferences_only_m6_2(sqlite_api: TestClient) -> None:
    mine = sqlite_api.post(
        "/me/events",
        json={"event": {"type": "record_hidden", "record": "R1"}},
        headers=headers_for(svc(sqlite_api), "P1"),
    )
    assert mine.json()["result"] == "accepted"
    other = sqlite_api.post(
        "/me/events",
        json={"event": {"type": "history_locked", "patient": "P1"}},
        headers=headers_for(svc(sqlite_api), "D1"),
    )
    assert other.status_code == 403 and other.json()["code"] == "event.not_yours"
    not_here = sqlite_api.post(
        "/me/events",
        json={"event": {"type": "concealment_order", "patient": "P1"}},
        headers=headers_for(svc(sqlite_api), "P1"),
    )
    assert not_here.status_code == 422 and not_here.json()["code"] == "event.not_here"


def test_officers_act_in_their_own_role_only_m12(sqlite_api: TestClient) -> None:
    order = {
        "type": "concealment_order",
        "patient": "P1",
        "court": "Ankara 5. ACM",
        "need_to_know": ["O1"],
    }
    refused = sqlite_api.post(
        "/officer/events", json={"event": order}, headers=headers_for(svc(sqlite_api), "G1")
    )
    assert refused.status_code == 403 and refused.json()["code"] == "event.role"
    accepted = sqlite_api.post(
        "/officer/events", json={"event": order}, headers=headers_for(svc(sqlite_api), "O1")
    )
    assert accepted.json()["result"] == "accepted"


def test_an_unknown_record_is_a_problem_json_404(sqlite_api: TestClient) -> None:
    res = sqlite_api.post(
        "/decide",
        json={"request": {**READ, "record": "R99"}},
        headers=headers_for(svc(sqlite_api), "D1"),
    )
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
    assert res.json()["code"] == "record.unknown" and res.json()["field"] == "request.record"


def test_malformed_bodies_are_problem_json(sqlite_api: TestClient) -> None:
    res = sqlite_api.post(
        "/decide", json={"at": "yesterday"}, headers=headers_for(svc(sqlite_api), "D1")
    )
    assert res.status_code == 422 and res.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in res.json()["errors"]} >= {"body.request"}


def test_problem_details_speak_turkish_by_default_and_english_on_request(
    sqlite_api: TestClient,
) -> None:
    tr = sqlite_api.post("/decide", json={}, headers=headers_for(svc(sqlite_api), "D1"))
    en = sqlite_api.post(
        "/decide", json={}, headers={**headers_for(svc(sqlite_api), "D1"), "accept-language": "en"}
    )
    assert (tr.json()["title"], en.json()["title"]) == ("Geçersiz girdi", "Invalid input")


def test_every_response_forbids_caching(sqlite_api: TestClient) -> None:
    assert sqlite_api.get("/health").headers["cache-control"] == "no-store"


def test_the_patient_reads_who_saw_their_data_over_http(api: TestClient, clock: Clock) -> None:
    headers = software_headers(svc(api), "S1", "D1", "treatment")
    api.post("/sbys/events", json={"event": CHECK_IN}, headers=headers)
    clock.set("2026-03-02T09:05:00+03:00")
    api.post("/decide", json={"request": READ}, headers=headers)
    res = api.get(
        "/patients/P1/access-log", headers=headers_for(svc(api), "P1", **{"accept-language": "en"})
    )
    assert res.status_code == 200
    assert [(e["actor"], e["basis"], e["software"]) for e in res.json()] == [
        ("D1", "6/3-c", "Örnek HBYS 1")
    ]
    assert res.json()[0]["article"].startswith("Regulation art. 6/3-c")


def test_a_stranger_gets_the_unknown_patient_answer(sqlite_api: TestClient) -> None:
    stranger = sqlite_api.get("/patients/P1/access-log", headers=headers_for(svc(sqlite_api), "D1"))
    unknown = sqlite_api.get(
        "/patients/P404/access-log", headers=headers_for(svc(sqlite_api), "D1")
    )
    assert stranger.status_code == unknown.status_code == 404
    assert stranger.json().keys() == unknown.json().keys()
    assert stranger.json()["code"] == unknown.json()["code"] == "person.unknown"


def test_the_dpo_searches_exports_seals_verifies_and_proves_over_http(
    sqlite_api: TestClient,
) -> None:
    dpo = headers_for(svc(sqlite_api), "A1")
    sqlite_api.post(
        "/decide", json={"request": READ}, headers=software_headers(svc(sqlite_api), "S1", "D1")
    )
    page = sqlite_api.get(
        "/audit/entries", params={"patient": "P1", "limit": 10}, headers=dpo
    ).json()
    assert [e["basis"] for e in page["items"]] == ["6/3"] and page["limit"] == 10
    csv = sqlite_api.get("/audit/export", params={"format": "csv", "patient": "P1"}, headers=dpo)
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\n") == 2
    fhir = sqlite_api.get("/audit/export", params={"patient": "P1"}, headers=dpo).json()
    assert fhir["entry"][0]["resource"]["resourceType"] == "AuditEvent"
    sealed = sqlite_api.post("/audit/checkpoints", headers=dpo).json()
    verified = sqlite_api.get("/audit/verify", headers=dpo).json()
    assert (
        verified["ok"] is True
        and verified["entries"] == sealed["last_seq"]
        and verified["problems"] == []
    )
    assert sqlite_api.get("/audit/checkpoints").json()[0]["id"] == 1
    assert "BEGIN PUBLIC KEY" in sqlite_api.get("/audit/public-key").text
    assert sqlite_api.get("/audit/proofs/1", headers=dpo).json()["leaf_index"] == 0
    refused = sqlite_api.get("/audit/entries", headers=headers_for(svc(sqlite_api), "D1"))
    assert refused.status_code == 403 and refused.json()["code"] == "audit.forbidden"


def test_a_concealed_patient_is_indistinguishable_from_an_unknown_one_m12(api: TestClient) -> None:
    api.post(
        "/officer/events",
        json={
            "event": {
                "type": "concealment_order",
                "patient": "P1",
                "court": "Ankara 5. ACM",
                "need_to_know": ["O1"],
            }
        },
        headers=headers_for(svc(api), "O1"),
    )
    physician = software_headers(svc(api), "S1", "D1", "treatment")
    concealed = api.post("/decide", json={"request": READ}, headers=physician)
    unknown = api.post("/decide", json={"request": {**READ, "patient": "P1X"}}, headers=physician)
    assert concealed.status_code == unknown.status_code == 404
    assert concealed.json() == {
        **unknown.json(),
        "detail": unknown.json()["detail"].replace("P1X", "P1"),
    }
    named = api.post(
        "/decide",
        json={"request": {**READ, "purpose": "inspection"}},
        headers=headers_for(svc(api), "O1"),
    )
    assert named.json()["basis"] == "12/1" and named.json()["decision"] == "permit"
    log = api.get(
        "/audit/entries", params={"basis": "12/1"}, headers=headers_for(svc(api), "A1")
    ).json()["items"]
    assert [(e["actor"], e["outcome"]) for e in log if e["kind"] == "decision"] == [
        ("D1", "deny"),
        ("O1", "permit"),
    ]


def test_the_server_seals_the_audit_log_periodically(sqlite_clocked: Mahrem) -> None:
    import time

    app = create_app(loaded(sqlite_clocked), seal_every=0.05)
    with TestClient(app) as api:
        api.post("/decide", json={"request": READ}, headers=headers_for(sqlite_clocked, "D1"))
        deadline = time.monotonic() + 5
        while not api.get("/audit/checkpoints").json() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.get("/audit/checkpoints").json()[0]["last_seq"] >= 1


def test_the_published_checkpoints_are_paged(sqlite_api: TestClient, clock: Clock) -> None:
    dpo = headers_for(svc(sqlite_api), "A1")
    for minute in range(3):
        clock.set(f"2026-03-02T09:1{minute}:00+03:00")
        sqlite_api.post(
            "/decide", json={"request": READ}, headers=headers_for(svc(sqlite_api), "D1")
        )
        sqlite_api.post("/audit/checkpoints", headers=dpo)
    ids = [
        c["id"]
        for c in sqlite_api.get("/audit/checkpoints", params={"limit": 2, "offset": 1}).json()
    ]
    assert ids == [2, 3]
