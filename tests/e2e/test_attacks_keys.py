"""Attacks on what an installation key may assert (issue 14, finding 1): a hospital's key acts
only for a staff member of its own facility, at that instant, and only as staff; everything
else needs the person's own session. And the log names who acted (finding 4)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mahrem.services import events
from tests.e2e.auth import headers_for, software_headers
from tests.e2e.conftest import svc
from tests.e2e.outcomes import problem_of
from tests.integration.helpers import event, rows, t

READ = {"action": "read", "patient": "P1", "record": "R1", "purpose": "treatment"}


def key_as(api: TestClient, person: str, **extra: str) -> dict[str, str]:
    """F1's software (S1) naming `person` as the acting person."""
    return software_headers(svc(api), "S1", person, **extra)


def _refused_401(res: object) -> None:
    assert res.status_code == 401, res.text  # type: ignore[attr-defined]
    assert problem_of(res)["code"] == "auth.invalid"


def test_a_key_cannot_act_as_the_data_protection_officer_to_read_the_audit_log(
    api: TestClient,
) -> None:
    _refused_401(api.get("/audit/entries", headers=key_as(api, "A1")))
    _refused_401(api.get("/audit/export", headers=key_as(api, "A1")))


def test_a_key_cannot_act_as_a_gm_officer_to_mint_installation_keys(api: TestClient) -> None:
    _refused_401(api.post("/kts/installations/S1/keys", headers=key_as(api, "G1")))


def test_a_suspended_installation_cannot_reactivate_itself_through_a_gm_officer(
    api: TestClient,
) -> None:
    headers = key_as(api, "G1")
    _refused_401(
        api.post("/kts/installations/S1/reactivate", json={"reason": "self"}, headers=headers)
    )


def test_a_key_cannot_act_as_a_province_officer_to_issue_or_lift_a_concealment_order(
    api: TestClient,
) -> None:
    order = {
        "type": "concealment_order",
        "patient": "P1",
        "court": "Ankara 1. Asliye",
        "need_to_know": [],
    }
    _refused_401(api.post("/officer/events", json={"event": order}, headers=key_as(api, "O1")))
    assert rows(svc(api), "concealment_order") == []


def test_a_key_cannot_act_as_a_patient_to_hide_records_or_authorise_a_relative(
    api: TestClient,
) -> None:
    hide = {"type": "record_hidden", "patient": "P1", "record": "R1"}
    _refused_401(api.post("/me/events", json={"event": hide}, headers=key_as(api, "P1")))
    authorise = {"type": "relative_authorized", "patient": "P1", "relative": "D3"}
    _refused_401(api.post("/me/events", json={"event": authorise}, headers=key_as(api, "P1")))
    assert rows(svc(api), "relative_authorization", patient="P1") == []


def test_a_key_cannot_read_as_the_patient_self_to_escape_the_copying_detector(
    api: TestClient,
) -> None:
    _refused_401(api.get("/fhir/Record", params={"patient": "P1"}, headers=key_as(api, "P1")))


def test_a_key_cannot_act_as_a_physician_of_another_facility(api: TestClient) -> None:
    _refused_401(
        api.post(
            "/decide",
            json={"request": READ},
            headers=key_as(api, "D3", **{"X-Purpose": "treatment"}),
        )
    )


def test_me_with_any_tc_kimlik_no_tells_nobodys_name(api: TestClient) -> None:

    with svc(api).uow.read() as store:
        tckn = store.get("person", "P1")["tckn"]  # type: ignore[index]
    stranger = api.get("/me", headers=key_as(api, tckn))
    unknown = api.get("/me", headers=key_as(api, "10000000146"))
    assert stranger.status_code == unknown.status_code == 401
    assert stranger.content == unknown.content
    assert api.get("/me", headers=key_as(api, "D1")).json()["person"] == "D1"


def test_a_key_acts_only_as_staff_even_for_a_staff_member_who_is_also_an_officer(
    api: TestClient,
) -> None:
    events.apply_event(
        svc(api),
        {
            "type": "staff_post_assigned",
            "person": "A1",
            "facility": "F1",
            "role": "physician",
            "specialty": "internal_medicine",
            "by": "G1",
        },
        t("2026-03-02T08:00:00+03:00"),
    )
    headers = key_as(api, "A1", **{"X-Purpose": "treatment"})
    as_officer = api.post("/decide", json={"request": {**READ, "as": "officer"}}, headers=headers)
    assert as_officer.status_code == 403 and as_officer.json()["code"] == "decide.key_staff_only"
    decided = api.post("/decide", json={"request": READ}, headers=headers)
    assert decided.status_code == 200 and decided.json()["capacity"] == "staff"
    refused = api.get("/audit/entries", headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "auth.session_required"


def test_a_post_ends_and_the_key_no_longer_acts_for_that_person_ckys(api: TestClient) -> None:
    assert api.get("/me", headers=key_as(api, "N1")).status_code == 200
    outcome = events.apply_event(
        svc(api),
        {"type": "staff_post_ended", "person": "N1", "facility": "F1", "by": "O1"},
        t("2026-03-02T08:00:00+03:00"),
    )
    assert outcome.result == "accepted"
    _refused_401(api.get("/me", headers=key_as(api, "N1")))


def test_only_a_registry_officer_records_a_staff_post_ckys(api: TestClient) -> None:
    post = {
        "type": "staff_post_assigned",
        "person": "K1",
        "facility": "F1",
        "role": "physician",
        "by": "O2",
    }
    assert (
        events.apply_event(svc(api), {**post, "by": "D1"}, t("2026-03-02T08:00:00+03:00")).basis
        == "6/1"
    )
    _refused_401(api.get("/me", headers=key_as(api, "K1")))
    assert (
        events.apply_event(svc(api), {**post, "by": "O1"}, t("2026-03-02T08:00:00+03:00")).result
        == "accepted"
    )
    assert api.get("/me", headers=key_as(api, "K1")).status_code == 200


def test_no_hospital_push_creates_or_extends_a_staff_post(api: TestClient) -> None:
    role = {
        "resourceType": "PractitionerRole",
        "id": "pr1",
        "active": True,
        "practitioner": {"reference": "Practitioner/K1"},
        "organization": {"reference": "Organization/F1"},
        "code": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/practitioner-role",
                        "code": "doctor",
                    }
                ]
            }
        ],
    }
    practitioner = {
        "resourceType": "Practitioner",
        "id": "K1",
        "identifier": [{"system": "urn:oid:2.16.792.1.56.5.3.1.6.1", "value": "12347163850"}],
    }
    before = rows(svc(api), "staff_post")
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": practitioner, "request": {"method": "PUT", "url": "Practitioner/K1"}},
            {"resource": role, "request": {"method": "PUT", "url": "PractitionerRole/pr1"}},
        ],
    }
    api.post("/fhir", json=bundle, headers=key_as(api, "D1"))
    assert rows(svc(api), "staff_post") == before
    _refused_401(api.get("/me", headers=key_as(api, "K1")))


def test_the_log_names_the_staff_member_the_capacity_and_the_key_of_an_sbys_check_in(
    api: TestClient,
) -> None:
    check_in = {"type": "check_in", "id": "E1", "patient": "P1"}
    assert (
        api.post("/sbys/events", json={"event": check_in}, headers=key_as(api, "N1")).json()[
            "result"
        ]
        == "accepted"
    )
    entry = next(e for e in rows(svc(api), "audit_log") if e["action"] == "check_in")
    assert (entry["actor"], entry["capacity"], entry["via"]) == ("N1", "staff", "S1")
    assert entry["detail"]["key"].startswith("mhr_")


def test_every_decision_through_a_key_is_logged_with_the_key_that_asserted_the_person(
    api: TestClient,
) -> None:
    api.post(
        "/decide", json={"request": READ}, headers=key_as(api, "D1", **{"X-Purpose": "treatment"})
    )
    entry = next(e for e in rows(svc(api), "audit_log") if e["kind"] == "decision")
    assert (entry["actor"], entry["capacity"], entry["via"]) == ("D1", "staff", "S1")
    assert entry["detail"]["key"].startswith("mhr_")


def test_a_concealment_order_records_the_officer_who_executed_and_lifted_it_m12(
    api: TestClient,
) -> None:
    order = {
        "type": "concealment_order",
        "patient": "P1",
        "court": "Ankara 1. Asliye",
        "need_to_know": [],
    }
    officer = headers_for(svc(api), "O1")
    assert (
        api.post("/officer/events", json={"event": order}, headers=officer).json()["result"]
        == "accepted"
    )
    lift = {"type": "concealment_lifted", "patient": "P1"}
    assert (
        api.post("/officer/events", json={"event": lift}, headers=officer).json()["result"]
        == "accepted"
    )
    [stored] = rows(svc(api), "concealment_order")
    assert (stored["ordered_by"], stored["lifted_by"]) == ("O1", "O1")
    logged = [
        (e["action"], e["actor"], e["capacity"])
        for e in rows(svc(api), "audit_log")
        if e["action"].startswith("concealment")
    ]
    assert logged == [
        ("concealment_order", "O1", "officer"),
        ("concealment_lifted", "O1", "officer"),
    ]


def test_gm_registering_software_is_logged_with_the_officer(api: TestClient) -> None:
    event(svc(api), "2026-03-02T08:00:00+03:00", "software_suspended", software="S1")
    res = api.post(
        "/officer/events",
        json={"event": {"type": "software_registered", "software": "S1"}},
        headers=headers_for(svc(api), "G1"),
    )
    assert res.json()["result"] == "accepted"
    entry = [e for e in rows(svc(api), "audit_log") if e["action"] == "software_registered"][-1]
    assert (entry["actor"], entry["capacity"]) == ("G1", "officer")


def test_a_push_is_logged_with_the_staff_member_the_capacity_and_the_key(api: TestClient) -> None:
    from tests.integration.test_records_ingest import bundle, condition, patient

    local = patient(number=None)

    with svc(api).uow.read() as store:
        local["identifier"][0]["value"] = store.get("person", "P1")["tckn"]  # type: ignore[index]
    assert (
        api.post(
            "/fhir", json=bundle(local, condition("k1", "J45")), headers=key_as(api, "N1")
        ).status_code
        == 201
    )
    entry = next(e for e in rows(svc(api), "audit_log") if e["action"] == "record_created")
    assert (entry["actor"], entry["capacity"], entry["via"]) == ("N1", "staff", "S1")
    assert entry["detail"]["key"].startswith("mhr_")
