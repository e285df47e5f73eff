"""The HTTP door over the same service layer: decisions, events, problem+json errors."""
from __future__ import annotations

from fastapi.testclient import TestClient

from mahrem.entrypoints.api.app import create_app
from mahrem.services.app import Mahrem
from tests.integration.helpers import loaded

READ = {"actor": "D1", "action": "read", "patient": "P1", "record": "R1", "purpose": "treatment", "via": "S1"}


def client(service: Mahrem) -> TestClient:
    return TestClient(create_app(loaded(service)))


def test_health_answers_ok(sqlite_service: Mahrem) -> None:
    assert client(sqlite_service).get("/health").json() == {"status": "ok"}


def test_a_check_in_then_a_read_is_permitted_under_m6_3_c(sqlite_service: Mahrem) -> None:
    api = client(sqlite_service)
    at = "2026-03-02T10:00:00+03:00"
    ev = api.post("/events", json={"at": at, "event": {"type": "check_in", "id": "E1", "patient": "P1", "facility": "F1"}})
    assert ev.json() == {"result": "accepted", "basis": None, "reason": None}
    res = api.post("/decide", json={"at": "2026-03-02T10:05:00+03:00", "request": READ},
                   headers={"accept-language": "en"})
    body = res.json()
    assert res.status_code == 200
    assert (body["decision"], body["basis"], body["policy_version"], body["capacity"]) == ("permit", "6/3-c", 1, "staff")
    assert body["reason"].startswith("Past data")


def test_an_unknown_record_is_a_problem_json_404(sqlite_service: Mahrem) -> None:
    res = client(sqlite_service).post("/decide", json={"at": "2026-03-02T10:05:00+03:00",
                                                        "request": {**READ, "record": "R99"}})
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
    assert res.json()["code"] == "record.unknown" and res.json()["field"] == "request.record"


def test_a_naive_time_is_a_problem_json_422(sqlite_service: Mahrem) -> None:
    res = client(sqlite_service).post("/decide", json={"at": "2026-03-02T10:05:00", "request": READ})
    assert res.status_code == 422 and res.json()["code"] == "time.naive"


def test_malformed_bodies_are_problem_json(sqlite_service: Mahrem) -> None:
    res = client(sqlite_service).post("/decide", json={"at": "yesterday"})
    assert res.status_code == 422 and res.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in res.json()["errors"]} >= {"body.request"}


def test_the_openapi_document_names_every_operation(sqlite_service: Mahrem) -> None:
    doc = client(sqlite_service).get("/openapi.json").json()
    ids = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert ids == {"health", "decide", "apply_event", "access_log", "audit_search", "audit_export",
                   "audit_verify", "audit_seal", "audit_checkpoints", "audit_public_key", "audit_prove",
                   "central_reidentify", "printout_create", "printout_open"}


def test_the_patient_reads_who_saw_their_data_over_http(sqlite_service: Mahrem) -> None:
    api = client(sqlite_service)
    api.post("/events", json={"at": "2026-03-02T10:00:00+03:00",
                              "event": {"type": "check_in", "id": "E1", "patient": "P1", "facility": "F1"}})
    api.post("/decide", json={"at": "2026-03-02T10:05:00+03:00", "request": READ})
    res = api.get("/patients/P1/access-log", headers={"x-acting-person": "P1", "accept-language": "en"})
    assert res.status_code == 200
    assert [(e["actor"], e["basis"], e["software"]) for e in res.json()] == [("D1", "6/3-c", "Örnek HBYS 1")]
    assert res.json()[0]["article"].startswith("Regulation art. 6/3-c")


def test_a_stranger_gets_the_unknown_patient_answer(sqlite_service: Mahrem) -> None:
    api = client(sqlite_service)
    stranger = api.get("/patients/P1/access-log", headers={"x-acting-person": "D1"})
    unknown = api.get("/patients/P404/access-log", headers={"x-acting-person": "D1"})
    assert stranger.status_code == unknown.status_code == 404
    assert stranger.json().keys() == unknown.json().keys()
    assert stranger.json()["code"] == unknown.json()["code"] == "person.unknown"


def test_the_dpo_searches_exports_seals_verifies_and_proves_over_http(sqlite_service: Mahrem) -> None:
    api = client(sqlite_service)
    dpo = {"x-acting-person": "A1"}
    api.post("/decide", json={"at": "2026-03-02T10:05:00+03:00", "request": READ})
    page = api.get("/audit/entries", params={"patient": "P1", "limit": 10}, headers=dpo).json()
    assert [e["basis"] for e in page["items"]] == ["6/3"] and page["limit"] == 10
    csv = api.get("/audit/export", params={"format": "csv"}, headers=dpo)
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.count("\n") == 2
    fhir = api.get("/audit/export", headers=dpo).json()
    assert fhir["entry"][0]["resource"]["resourceType"] == "AuditEvent"
    assert api.post("/audit/checkpoints", headers=dpo).json()["last_seq"] == 1
    assert api.get("/audit/verify", headers=dpo).json() == {"ok": True, "entries": 1, "problems": []}
    assert api.get("/audit/checkpoints").json()[0]["id"] == 1
    assert "BEGIN PUBLIC KEY" in api.get("/audit/public-key").text
    assert api.get("/audit/proofs/1", headers=dpo).json()["leaf_index"] == 0
    refused = api.get("/audit/entries", headers={"x-acting-person": "D1"})
    assert refused.status_code == 403 and refused.json()["code"] == "audit.forbidden"


def test_a_concealed_patient_is_indistinguishable_from_an_unknown_one_m12(sqlite_service: Mahrem) -> None:
    api = client(sqlite_service)
    api.post("/events", json={"at": "2026-03-02T09:00:00+03:00", "event": {
        "type": "concealment_order", "patient": "P1", "court": "Ankara 5. ACM", "need_to_know": ["O1"]}})
    concealed = api.post("/decide", json={"at": "2026-03-02T10:00:00+03:00", "request": READ})
    unknown = api.post("/decide", json={"at": "2026-03-02T10:00:00+03:00", "request": {**READ, "patient": "P1X"}})
    assert concealed.status_code == unknown.status_code == 404
    assert concealed.json() == {**unknown.json(), "detail": unknown.json()["detail"].replace("P1X", "P1")}
    named = api.post("/decide", json={"at": "2026-03-02T10:00:00+03:00", "request": {
        "actor": "O1", "action": "read", "patient": "P1", "record": "R1", "purpose": "inspection"}})
    assert named.json()["basis"] == "12/1" and named.json()["decision"] == "permit"
    log = api.get("/audit/entries", params={"basis": "12/1"}, headers={"x-acting-person": "A1"}).json()["items"]
    assert [(e["actor"], e["outcome"]) for e in log] == [("D1", "deny"), ("O1", "permit")]


def test_the_server_seals_the_audit_log_periodically(sqlite_service: Mahrem) -> None:
    import time

    app = create_app(loaded(sqlite_service), seal_every=0.05)
    with TestClient(app) as api:
        api.post("/decide", json={"at": "2026-03-02T10:05:00+03:00", "request": READ})
        deadline = time.monotonic() + 5
        while not api.get("/audit/checkpoints").json() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert api.get("/audit/checkpoints").json()[0]["last_seq"] == 1
