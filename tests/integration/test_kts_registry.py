"""The KTS registry on SQLite and PostgreSQL (the letter, points 1-3): GM-only registration,
the catalogue, the lifecycle sweep by date as the engine sees it, installation keys,
incidents naming the administrator, the compliance report and the copying detector."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from mahrem.domain import engine
from mahrem.domain.decision import Decision, Request
from mahrem.domain.errors import Forbidden, InputError, Refused
from mahrem.domain.policy import Policy
from mahrem.services import access, audit, demo, kts
from mahrem.services.access import parse_request
from mahrem.services.policies import policy_at
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, rows, t

AT = "2025-12-01T09:00:00+03:00"


def decide(
    service: Mahrem,
    at: str,
    via: str,
    actor: str = "D1",
    record: str = "R1",
    patient: str = "P1",
    action: str = "read",
) -> tuple[str, str]:
    """Decide through the engine and run the KTS gate's after-decision step, as the service
    layer does for every decision."""
    with service.uow.write() as store:
        req = parse_request(
            store,
            {
                "actor": actor,
                "action": action,
                "patient": patient,
                "record": record,
                "purpose": "treatment",
                "via": via,
            },
            t(at),
        )
        decision = engine.decide(req, store.facts_for(req), policy_at(store, req.at))
        kts.after_decision(store, req, decision, req.at)
    return decision.effect, decision.basis


def registry(service: Mahrem, valid_until: str = "2026-01-02", installation: str = "S2") -> None:
    """A firm, product, version and mandatory certificate, and installation S2 at F1."""
    loaded(service)
    kts.register_firm(
        service, "FIRM1", "Örnek Bilişim A.Ş.", "4540536920", "Ayşe Demir", by="G1", at=t(AT)
    )
    kts.register_product(service, "HBYS1", "FIRM1", "Örnek HBYS", "HBYS", by="G1", at=t(AT))
    kts.add_version(
        service, "HBYS1-5", "HBYS1", "5.0", "İlk sürüm / first release", by="G1", at=t(AT)
    )
    kts.add_certificate(
        service,
        "CERT1",
        "FIRM1",
        "ISO/IEC 27001",
        "TSE",
        date.fromisoformat(valid_until),
        by="G1",
        at=t(AT),
    )
    kts.register_installation(service, installation, "HBYS1-5", "F1", "A1", by="G1", at=t(AT))


def status(service: Mahrem, installation: str = "S2", at: str = "2030-01-01T00:00:00+03:00") -> str:
    return str(kts.get_installation(service, installation, t(at))["status"])


# -- registration --------------------------------------------------------------------
def test_a_registered_installation_passes_the_gate_kts_3(service: Mahrem) -> None:
    registry(service)
    event(service, "2025-12-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    assert decide(service, "2025-12-02T10:00:00+03:00", "S2") == ("permit", "6/3-c")
    view = kts.get_installation(service, "S2", t("2025-12-02T10:00:00+03:00"))
    assert (view["status"], view["firm"], view["sbys_type"], view["administrator"]) == (
        "registered",
        "FIRM1",
        "HBYS",
        "A1",
    )
    assert view["vendor"] == "Örnek Bilişim A.Ş." and view["version"] == "5.0"


def test_a_world_installation_is_linked_not_duplicated_kts_3(service: Mahrem) -> None:
    registry(service, installation="S1")
    assert len(rows(service, "installation", id="S1")) == 1
    assert [r["status"] for r in rows(service, "installation_status", installation="S1")] == [
        "registered"
    ]
    assert rows(service, "kts_installation", installation="S1")[0]["product_version"] == "HBYS1-5"


def test_only_a_gm_officer_registers_and_the_refusal_is_audited_kts_3(service: Mahrem) -> None:
    loaded(service)
    for person in ("D1", "O1", "A1"):
        with pytest.raises(Forbidden) as err:
            kts.register_firm(service, "FIRM1", "X A.Ş.", "4540536920", "X", by=person, at=t(AT))
        assert err.value.code == "kts.forbidden"
    assert rows(service, "kts_firm") == []
    refused = rows(service, "audit_log", action="kts.firm_registered")
    assert [(e["actor"], e["outcome"], e["reason"]) for e in refused] == [
        ("D1", "rejected", "kts.forbidden"),
        ("O1", "rejected", "kts.forbidden"),
        ("A1", "rejected", "kts.forbidden"),
    ]


def test_an_invalid_tax_number_changes_nothing(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(InputError) as err:
        kts.register_firm(service, "FIRM1", "X A.Ş.", "1234567891", "X", by="G1", at=t(AT))
    assert err.value.code == "vkn.invalid"
    assert rows(service, "kts_firm") == [] and rows(service, "audit_log") == []


def test_an_integration_outside_the_catalogue_is_refused_kts_1(service: Mahrem) -> None:
    registry(service)
    kts.add_catalogue_entry(service, "MEDULA", "MEDULA", "SGK", by="G1", at=t(AT))
    with pytest.raises(Refused) as err:
        kts.declare_integration(service, "S2", "ACME-CLOUD", by="G1", at=t(AT))
    assert (err.value.code, err.value.basis) == ("kts.integration_not_in_catalogue", "KTS/1")
    assert kts.declare_integration(service, "S2", "MEDULA", by="G1", at=t(AT))["system"] == "MEDULA"
    assert [r["system"] for r in rows(service, "kts_integration", installation="S2")] == ["MEDULA"]
    attempts = rows(service, "audit_log", action="kts.integration_declared")
    assert sorted((e["outcome"], e["basis"]) for e in attempts) == [
        ("accepted", "KTS/1"),
        ("rejected", "KTS/1"),
    ]


# -- the lifecycle by date -------------------------------------------------------------
def test_the_sweep_warns_then_makes_passive_then_deletes_by_date_kts_3(service: Mahrem) -> None:
    registry(service, valid_until="2026-01-02")
    first = kts.sweep(service, t("2025-12-26T23:00:00+03:00"), by="G1")
    assert first == []  # the warning is due from 27 December
    warned = kts.sweep(service, t("2025-12-27T00:00:00+03:00"), by="G1")
    assert [(c["installation"], c["kind"], c["certificate"]) for c in warned] == [
        ("S2", "warning", "CERT1")
    ]
    assert kts.sweep(service, t("2026-01-13T12:00:00+03:00"), by="G1") == []
    passive = kts.sweep(service, t("2026-01-14T00:00:00+03:00"), by="G1")
    assert [(c["from"], c["to"], c["basis"]) for c in passive] == [
        ("registered", "passive", "KTS/3")
    ]
    assert (
        kts.sweep(service, t("2026-01-14T00:00:00+03:00"), by="G1") == []
    )  # run again: nothing more
    assert status(service, at="2026-01-14T10:00:00+03:00") == "passive"
    deleted = kts.sweep(service, t("2026-04-14T00:00:00+03:00"))
    assert [(c["from"], c["to"], c["reason"]) for c in deleted] == [
        ("passive", "deleted", "kts.passive_too_long")
    ]
    history = sorted(
        rows(service, "installation_status", installation="S2"), key=lambda r: r["valid_from"]
    )
    assert [(r["status"], r["valid_from"]) for r in history] == [
        ("registered", t(AT)),
        ("passive", t("2026-01-14T00:00:00+03:00")),
        ("deleted", t("2026-04-14T00:00:00+03:00")),
    ]
    assert audit.verify(service).ok


def test_the_engine_refuses_a_passive_installation_and_replays_the_past_kts_3(
    service: Mahrem,
) -> None:
    registry(service, valid_until="2026-01-02")
    event(service, "2026-01-13T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    kts.sweep(service, t("2026-01-14T00:00:00+03:00"))
    assert decide(service, "2026-01-14T08:00:00+03:00", "S2") == ("deny", "KTS/3")
    assert decide(service, "2026-01-13T10:00:00+03:00", "S2") == ("permit", "6/3-c")


def test_a_renewed_certificate_brings_a_passive_installation_back_kts_3(service: Mahrem) -> None:
    registry(service, valid_until="2026-01-02")
    kts.sweep(service, t("2026-01-20T00:00:00+03:00"))
    kts.add_certificate(
        service,
        "CERT2",
        "FIRM1",
        "ISO/IEC 27001",
        "TSE",
        date(2027, 1, 2),
        by="G1",
        at=t("2026-01-21T09:00:00+03:00"),
    )
    back = kts.sweep(service, t("2026-01-21T10:00:00+03:00"))
    assert [(c["from"], c["to"], c["reason"]) for c in back] == [
        ("passive", "registered", "kts.certificates_renewed")
    ]


def test_a_sweep_never_rewrites_a_status_recorded_after_its_time_kts_3(service: Mahrem) -> None:
    registry(service, valid_until="2026-01-02")
    kts.sweep(service, t("2026-02-01T00:00:00+03:00"))
    assert kts.sweep(service, t("2026-01-20T00:00:00+03:00")) == []
    assert len(rows(service, "installation_status", installation="S2")) == 2


def test_a_gm_officer_suspends_revokes_and_reactivates_kts_3(service: Mahrem) -> None:
    registry(service, valid_until="2027-01-02")
    event(service, "2026-01-05T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    with pytest.raises(Forbidden):
        kts.suspend(service, "S2", by="A1", at=t("2026-01-05T09:30:00+03:00"))
    done = kts.suspend(service, "S2", by="G1", reason="denetim", at=t("2026-01-05T10:00:00+03:00"))
    assert (done["from"], done["to"]) == ("registered", "suspended")
    assert decide(service, "2026-01-05T10:30:00+03:00", "S2") == ("deny", "KTS/3")
    kts.reactivate(service, "S2", by="G1", at=t("2026-01-05T11:00:00+03:00"))
    assert decide(service, "2026-01-05T11:30:00+03:00", "S2") == ("permit", "6/3-c")
    kts.revoke(service, "S2", by="G1", at=t("2026-01-05T12:00:00+03:00"))
    with pytest.raises(Refused) as err:
        kts.reactivate(service, "S2", by="G1", at=t("2026-01-05T13:00:00+03:00"))
    assert (err.value.code, err.value.basis) == ("kts.status_final", "KTS/3")
    assert status(service) == "revoked"


def test_reactivation_is_refused_while_a_certificate_has_lapsed_kts_3(service: Mahrem) -> None:
    registry(service, valid_until="2026-01-02")
    kts.suspend(service, "S2", by="G1", at=t("2025-12-20T10:00:00+03:00"))
    with pytest.raises(Refused) as err:
        kts.reactivate(service, "S2", by="G1", at=t("2026-02-01T10:00:00+03:00"))
    assert err.value.code == "kts.certificate_expired"
    assert status(service) == "suspended"


# -- keys ----------------------------------------------------------------------------------
def test_a_key_is_shown_once_and_stored_only_as_an_hmac_kts_3(service: Mahrem) -> None:
    loaded(service)
    key = kts.issue_api_key(service, "S1", by="G1", at=t(AT))
    assert key.startswith("mhr_") and len(key) > 40
    (row,) = rows(service, "kts_api_key", installation="S1")
    assert key not in {str(v) for v in row.values()}
    assert row["key_hmac"] == service.keys.hmac("kts-api-key", key)
    assert kts.authenticate_installation(service, key, t(AT)) == "S1"
    assert kts.authenticate_installation(service, key + "x", t(AT)) is None
    assert kts.authenticate_installation(service, "mhr_" + "A" * 43, t(AT)) is None
    assert (
        kts.authenticate_installation(service, key, t("2025-12-01T08:59:00+03:00")) is None
    )  # before issue


def test_rotation_ends_the_old_key_and_keeps_its_history_kts_3(service: Mahrem) -> None:
    loaded(service)
    old = kts.issue_api_key(service, "S1", by="A1", at=t(AT))  # the installation's administrator
    new = kts.rotate_api_key(service, "S1", by="G1", at=t("2025-12-02T09:00:00+03:00"))
    assert new != old
    assert kts.authenticate_installation(service, old, t("2025-12-02T10:00:00+03:00")) is None
    assert kts.authenticate_installation(service, old, t("2025-12-01T10:00:00+03:00")) == "S1"
    assert kts.authenticate_installation(service, new, t("2025-12-02T10:00:00+03:00")) == "S1"
    assert kts.revoke_api_key(service, "S1", by="G1", at=t("2025-12-03T09:00:00+03:00")) == 1
    assert kts.authenticate_installation(service, new, t("2025-12-03T10:00:00+03:00")) is None
    history = kts.list_api_keys(service, "S1")
    assert [h["revoked_reason"] for h in history] == ["revoked", "rotated"]
    assert all("key_hmac" not in h for h in history)


def test_only_the_administrator_or_a_gm_officer_manages_keys_kts_3(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(Forbidden):
        kts.issue_api_key(service, "S1", by="D1", at=t(AT))
    assert rows(service, "kts_api_key") == []


# -- incidents and compliance -------------------------------------------------------------
def test_a_refused_installation_leaves_an_incident_naming_its_administrator_kts_3(
    service: Mahrem,
) -> None:
    registry(service, valid_until="2027-01-02")
    kts.suspend(service, "S2", by="G1", at=t("2026-01-05T10:00:00+03:00"))
    assert decide(service, "2026-01-05T10:30:00+03:00", "S2") == ("deny", "KTS/3")
    assert decide(service, "2026-01-05T10:31:00+03:00", "NOPE") == ("deny", "KTS/3")
    found = {i["installation"]: i for i in kts.incidents(service)}
    assert (found["S2"]["facility"], found["S2"]["administrator"], found["S2"]["kind"]) == (
        "F1",
        "A1",
        "not_registered",
    )
    assert found["S2"]["detail"]["status"] == "suspended" and found["S2"]["detail"]["actor"] == "D1"
    assert (found["NOPE"]["facility"], found["NOPE"]["kind"]) == (None, "unknown_installation")


def test_compliance_lists_software_status_administrator_and_incidents_per_facility_kts_3(
    service: Mahrem,
) -> None:
    registry(service, valid_until="2027-01-02")
    kts.suspend(service, "S2", by="G1", at=t("2026-01-05T10:00:00+03:00"))
    decide(service, "2026-01-05T10:30:00+03:00", "S2")
    decide(service, "2026-01-05T10:31:00+03:00", "NOPE")
    (f1,) = kts.compliance(service, "F1", t("2026-01-06T00:00:00+03:00"))
    software = {s["installation"]: s for s in f1["software"]}
    assert set(software) == {"S1", "S2"}
    assert (software["S2"]["status"], software["S2"]["administrator"]) == ("suspended", "A1")
    assert software["S2"]["administrator_name"] == "Kişi A1"
    assert software["S1"]["status"] == "registered" and software["S1"]["firm"] is None
    assert [i["installation"] for i in f1["incidents"]] == ["S2"]
    everything = kts.compliance(service, None, t("2026-01-06T00:00:00+03:00"))
    assert [f["facility"] for f in everything] == ["F1", "F2", "F3", None]
    assert [i["installation"] for i in everything[-1]["incidents"]] == ["NOPE"]
    assert [f["facility"] for f in kts.compliance(service, None, limit=2, offset=1)] == ["F2", "F3"]


# -- the copying detector (KTS/2) -------------------------------------------------------
def staff_read(
    patient: str, at: str, effect: str = "deny", basis: str = "6/3", action: str = "read"
) -> tuple[Request, Decision]:
    req = Request(
        actor="D1",
        action=action,
        patient=patient,
        at=t(at),
        record=None,
        purpose="treatment",
        via="S1",
    )
    return req, Decision(effect, basis, "x", "x", "x", 1, None if action == "export" else "staff")  # type: ignore[arg-type]


def note(service: Mahrem, *reads: tuple[Request, Decision]) -> None:
    with service.uow.write() as store:
        for req, decision in reads:
            kts.after_decision(store, req, decision, req.at)


def looks_like_copying(service: Mahrem, at: str, policy: Policy) -> bool:
    with service.uow.write() as store:
        return kts.treat_as_export(store, staff_read("P1", at)[0], policy)


POLICY = Policy(copy_distinct_patients=3)  # window: one hour


def test_reads_of_many_patients_without_care_look_like_copying_kts_2(service: Mahrem) -> None:
    loaded(service)
    note(
        service,
        staff_read("P1", "2026-01-05T10:00:00+03:00"),
        staff_read("C1", "2026-01-05T10:10:00+03:00"),
    )
    assert not looks_like_copying(
        service, "2026-01-05T10:30:00+03:00", POLICY
    )  # two patients: below
    note(service, staff_read("M1", "2026-01-05T10:20:00+03:00"))
    assert looks_like_copying(service, "2026-01-05T10:30:00+03:00", POLICY)  # three: reached
    assert not looks_like_copying(
        service, "2026-01-05T11:05:00+03:00", POLICY
    )  # the window slid past 10:00


def test_care_reads_and_repeat_patients_do_not_count_as_copying_kts_2(service: Mahrem) -> None:
    loaded(service)
    note(
        service,
        staff_read("P1", "2026-01-05T10:00:00+03:00"),
        staff_read("P1", "2026-01-05T10:05:00+03:00"),
        staff_read("C1", "2026-01-05T10:10:00+03:00", "permit", "6/3-c"),
        staff_read("M1", "2026-01-05T10:15:00+03:00", "permit", "6/1"),
        staff_read("K1", "2026-01-05T10:20:00+03:00"),
    )
    assert not looks_like_copying(service, "2026-01-05T10:30:00+03:00", POLICY)
    assert [r["care"] for r in sorted(rows(service, "kts_read"), key=lambda r: r["at"])] == [
        False,
        False,
        True,
        True,
        False,
    ]


def test_a_read_decided_as_export_is_an_incident_of_copying_kts_2(service: Mahrem) -> None:
    loaded(service)
    from mahrem.services.policies import change_policy

    with service.uow.write() as store:
        change_policy(
            store, {"copy_distinct_patients": 2}, by="G1", at=t("2026-01-01T00:00:00+03:00")
        )
    note(
        service,
        staff_read("P1", "2026-01-05T10:00:00+03:00"),
        staff_read("C1", "2026-01-05T10:10:00+03:00"),
    )
    with service.uow.write() as store:
        req = staff_read("M1", "2026-01-05T10:20:00+03:00")[0]
        assert kts.treat_as_export(store, req, policy_at(store, req.at))
    note(service, staff_read("M1", "2026-01-05T10:20:00+03:00", "deny", "KTS/2", action="export"))
    (incident,) = kts.incidents(service)
    assert (
        incident["kind"],
        incident["basis"],
        incident["facility"],
        incident["administrator"],
    ) == ("copying", "KTS/2", "F1", "A1")


def test_real_decisions_note_reads_with_their_care_relationship_kts_2(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-01-05T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    assert decide(service, "2026-01-05T10:00:00+03:00", "S1") == ("permit", "6/3-c")
    assert decide(service, "2026-01-05T10:01:00+03:00", "S1", record="R4", patient="C1") == (
        "deny",
        "6/3",
    )
    assert decide(service, "2026-01-05T10:02:00+03:00", "S1", actor="P1") == ("permit", "5/6")
    reads = sorted(rows(service, "kts_read"), key=lambda r: r["at"])
    assert [(r["patient"], r["care"]) for r in reads] == [("P1", True), ("C1", False), ("P1", True)]


# -- the demo registry ---------------------------------------------------------------------
def test_the_demo_registry_registers_every_installation_once_with_a_working_key_kts_3(
    service: Mahrem,
) -> None:
    loaded(service)
    keys = demo.load_demo_registry(service, t(AT))
    assert keys == {"S1": demo.demo_key("S1")}
    assert (
        kts.authenticate_installation(service, keys["S1"], t("2025-12-01T10:00:00+03:00")) == "S1"
    )
    counts: dict[str, Any] = {
        k: len(rows(service, k)) for k in ("kts_firm", "kts_certificate", "kts_api_key")
    }
    assert demo.load_demo_registry(service, t(AT) + timedelta(hours=1)) == keys
    assert (
        {k: len(rows(service, k)) for k in counts}
        == counts
        == {"kts_firm": 1, "kts_certificate": 2, "kts_api_key": 1}
    )
    view = kts.get_installation(service, "S1", t(AT))
    assert view["integrations"] == ["ENABIZ", "MEDULA"] and view["status"] == "registered"


def test_the_sweep_forgets_detector_notes_a_week_after_their_window_kts_2(service: Mahrem) -> None:
    loaded(service)
    note(service, staff_read("P1", "2026-01-05T10:00:00+03:00"))
    kts.sweep(service, t("2026-01-12T10:59:00+03:00"))
    assert len(rows(service, "kts_read")) == 1
    kts.sweep(service, t("2026-01-12T11:00:00+03:00"))  # one hour's window and seven days later
    assert rows(service, "kts_read") == []


def test_the_service_layer_turns_copying_into_a_refused_export_with_an_incident_kts_2(
    service: Mahrem,
) -> None:
    loaded(service)
    from mahrem.services.policies import change_policy

    with service.uow.write() as store:
        change_policy(
            store, {"copy_distinct_patients": 2}, by="G1", at=t("2026-01-01T00:00:00+03:00")
        )
    through = {"action": "read", "purpose": "treatment", "via": "S1", "actor": "D1"}
    for at, patient, record in (("10:00", "P1", "R1"), ("10:01", "C1", "R4")):
        _, decision = access.decide_json(
            service,
            {**through, "patient": patient, "record": record},
            t(f"2026-01-05T{at}:00+03:00"),
        )
        assert (decision.effect, decision.basis) == ("deny", "6/3")
    _, decision = access.decide_json(
        service, {**through, "patient": "P1", "record": "R2"}, t("2026-01-05T10:02:00+03:00")
    )
    assert (decision.effect, decision.basis) == ("deny", "KTS/2")
    (incident,) = kts.incidents(service)
    assert (incident["kind"], incident["facility"], incident["administrator"]) == (
        "copying",
        "F1",
        "A1",
    )
    logged = sorted(rows(service, "audit_log", kind="decision"), key=lambda e: e["seq"])
    assert [e["action"] for e in logged] == ["read", "read", "export"]
    # An hour later the window has slid past both reads: an ordinary read again.
    _, decision = access.decide_json(
        service, {**through, "patient": "P1", "record": "R1"}, t("2026-01-05T11:02:00+03:00")
    )
    assert decision.basis == "6/3"


def test_the_service_layer_records_an_incident_for_an_unknown_installation_kts_3(
    service: Mahrem,
) -> None:
    loaded(service)
    _, decision = access.decide_json(
        service,
        {
            "actor": "D1",
            "action": "read",
            "patient": "P1",
            "record": "R1",
            "purpose": "treatment",
            "via": "GHOST",
        },
        t("2026-01-05T10:00:00+03:00"),
    )
    assert (decision.effect, decision.basis) == ("deny", "KTS/3")
    assert [(i["installation"], i["facility"], i["kind"]) for i in kts.incidents(service)] == [
        ("GHOST", None, "unknown_installation")
    ]


def test_the_officer_door_re_registers_software_by_the_registry_s_one_rule_kts_3(
    service: Mahrem,
) -> None:
    """`software_registered` from a GM officer re-activates suspended software as the registry
    does, but a revoked installation only comes back as a new registration; the operator's
    load (the scenario runner) is not the officer door."""
    from mahrem.services import events

    loaded(service)
    at = t("2026-02-01T09:00:00+03:00")
    for etype in ("software_suspended", "software_registered"):
        done = events.report_event(
            service, "officer", "G1", {"type": etype, "software": "S1"}, at=at
        )
        assert done.result == "accepted"
    events.report_event(
        service, "officer", "G1", {"type": "software_revoked", "software": "S1"}, at=at
    )
    with pytest.raises(Refused) as refused:
        events.report_event(
            service, "officer", "G1", {"type": "software_registered", "software": "S1"}, at=at
        )
    assert (refused.value.code, refused.value.basis) == ("kts.status_final", "KTS/3")
    [current] = rows(service, "installation_status", installation="S1", valid_to=None)
    assert current["status"] == "revoked"
    later = "2026-02-02T09:00:00+03:00"  # the operator's load is not the officer door
    assert event(service, later, "software_registered", software="S1")[0] == "accepted"
