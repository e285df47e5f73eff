"""Reading a patient's records through the engine (C1, C2): every record decided and audited;
only permitted content leaves; withheld records listed with their article and remedy, except
hidden ones (M6/2) and concealed patients (M12), which are not disclosed at all."""

from __future__ import annotations

import pytest

from mahrem.domain.errors import Forbidden, NotFound, Refused
from mahrem.services import access, records
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, rows, t
from tests.worlds import OBSERVATION

CHECK_IN = "2026-03-02T09:00:00+03:00"
DURING = "2026-03-02T10:00:00+03:00"


def checked_in(service: Mahrem) -> Mahrem:
    loaded(service)
    assert event(service, CHECK_IN, "check_in", id="E1", patient="P1", facility="F3") == (
        "accepted",
        None,
    )
    return service


def test_a_physician_in_a_window_reads_past_data_m6_3_c(service: Mahrem) -> None:
    view = records.read_records(checked_in(service), "D3", "P1", purpose="treatment", at=t(DURING))
    assert [(r.id, r.decision.basis) for r in view.permitted] == [("R1", "6/3-c"), ("R2", "6/3-c")]
    assert view.permitted[0].resource["resourceType"] == "Observation"
    assert view.withheld == ()


def test_a_locked_history_is_withheld_with_the_code_as_remedy_m6_5(service: Mahrem) -> None:
    checked_in(service)
    assert (
        event(service, "2026-03-02T09:30:00+03:00", "history_locked", patient="P1")[0] == "accepted"
    )
    view = records.read_records(service, "D3", "P1", purpose="treatment", at=t(DURING))
    assert view.permitted == ()
    # SPEC.md, "What a refusal may tell" (b): the history is locked and a code opens it; no count.
    assert [(w.basis, w.reason_key, w.count) for w in view.withheld] == [
        ("6/5", "staff.history_locked", None)
    ]
    assert "kod" in (view.withheld[0].remedy("tr") or "")
    assert "code" in (view.withheld[0].remedy("en") or "")


def test_every_record_decision_of_a_search_is_audited(service: Mahrem) -> None:
    records.read_records(checked_in(service), "D3", "P1", purpose="treatment", at=t(DURING))
    decisions = [e for e in rows(service, "audit_log", kind="decision") if e["actor"] == "D3"]
    assert sorted((e["record"], e["outcome"], e["basis"]) for e in decisions) == [
        ("R1", "permit", "6/3-c"),
        ("R2", "permit", "6/3-c"),
    ]


def test_a_physician_without_a_window_gets_the_statutory_windows_as_remedy_m6_3(
    service: Mahrem,
) -> None:
    view = records.read_records(loaded(service), "D1", "P1", purpose="treatment", at=t(DURING))
    assert view.permitted == ()
    # (a) no care relationship: the basis and the remedy only, not how many.
    assert [(w.basis, w.count) for w in view.withheld] == [("6/3", None)]
    assert "24" in (view.withheld[0].remedy("tr") or "")


def test_a_hidden_record_is_neither_read_nor_listed_as_withheld_m6_2(service: Mahrem) -> None:
    checked_in(service)
    assert (
        event(service, "2026-03-02T09:30:00+03:00", "record_hidden", patient="P1", record="R1")[0]
        == "accepted"
    )
    view = records.read_records(service, "D3", "P1", purpose="treatment", at=t(DURING))
    assert [r.id for r in view.permitted] == ["R2"] and view.withheld == ()


def test_restricted_records_are_counted_for_a_physician_who_may_read_past_data_m6_6(
    service: Mahrem,
) -> None:
    loaded(service)
    assert event(service, CHECK_IN, "check_in", id="E1", patient="P1", facility="F1") == (
        "accepted",
        None,
    )
    view = records.read_records(service, "D1", "P1", purpose="treatment", at=t(DURING))
    assert [r.id for r in view.permitted] == ["R1"]
    assert [(w.basis, w.count) for w in view.withheld] == [
        ("6/6", 1)
    ]  # R2, psychiatry: its number only


def test_relatives_outside_their_scope_learn_nothing_of_what_is_withheld_m9_1(
    service: Mahrem,
) -> None:
    loaded(service)
    assert event(
        service,
        "2026-03-02T09:00:00+03:00",
        "relative_authorized",
        patient="P1",
        relative="K1",
        categories=["laboratory"],
    ) == ("accepted", None)
    view = records.read_records(service, "K1", "P1", at=t(DURING))
    assert [r.id for r in view.permitted] == ["R1"] and view.withheld == ()


def test_the_patient_reads_every_own_record_m5_6(service: Mahrem) -> None:
    view = records.read_records(loaded(service), "P1", "P1", at=t(DURING))
    assert [(r.id, r.decision.basis) for r in view.permitted] == [("R1", "5/6"), ("R2", "5/6")]


def test_a_concealed_patient_is_exactly_an_unknown_one_and_the_audit_keeps_12_1_m12_1(
    service: Mahrem,
) -> None:
    checked_in(service)
    assert (
        event(
            service,
            "2026-03-02T09:10:00+03:00",
            "concealment_order",
            patient="P1",
            court="Ankara 1. Asliye",
            need_to_know=["O1"],
        )[0]
        == "accepted"
    )
    with pytest.raises(NotFound) as concealed:
        records.read_records(service, "D1", "P1", purpose="treatment", at=t(DURING))
    with pytest.raises(NotFound) as unknown:
        records.read_records(service, "D1", "NOBODY", purpose="treatment", at=t(DURING))
    assert concealed.value.code == unknown.value.code == "person.unknown"
    audited = [
        e["basis"] for e in rows(service, "audit_log", kind="decision") if e["actor"] == "D1"
    ]
    assert audited and set(audited) == {"12/1"}


def test_the_care_team_reads_its_episodes_record_and_learns_only_the_rest_is_restricted_m12_m6_1(
    service: Mahrem,
) -> None:
    checked_in(service)
    assert event(
        service,
        "2026-03-02T09:05:00+03:00",
        "record_created",
        record={
            "id": "E1R",
            "patient": "P1",
            "facility": "F3",
            "author": "D3",
            "category": "laboratory",
            "resource": OBSERVATION,
        },
    ) == ("accepted", None)
    assert (
        event(
            service,
            "2026-03-02T09:10:00+03:00",
            "concealment_order",
            patient="P1",
            court="Ankara 1. Asliye",
            need_to_know=["O1"],
        )[0]
        == "accepted"
    )
    view = records.read_records(service, "D3", "P1", purpose="treatment", at=t(DURING))
    assert [(r.id, r.decision.basis) for r in view.permitted] == [("E1R", "6/1")]
    assert view.withheld == () and view.legally_restricted
    with pytest.raises(Refused) as other:
        records.read_record(service, "D3", "R1", purpose="treatment", at=t(DURING))
    assert (other.value.basis, other.value.code) == ("12/1", "concealment.legal_restriction")
    with pytest.raises(NotFound):  # the next day the episode is over: unknown again
        records.read_records(
            service, "D3", "P1", purpose="treatment", at=t("2026-03-03T09:00:00+03:00")
        )
    with pytest.raises(NotFound):
        records.read_record(
            service, "D3", "R1", purpose="treatment", at=t("2026-03-03T09:00:00+03:00")
        )


def test_a_concealed_patient_without_records_is_still_unknown_m12_1(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-03-02T09:10:00+03:00",
        "concealment_order",
        patient="M1",
        court="Ankara 1. Asliye",
        need_to_know=[],
    )
    with pytest.raises(NotFound):
        records.read_records(service, "D3", "M1", purpose="treatment", at=t(DURING))
    assert (
        records.read_records(service, "D3", "K1", purpose="treatment", at=t(DURING)).permitted == ()
    )


def test_an_unregistered_installation_is_refused_for_the_whole_patient_kts_3(
    service: Mahrem,
) -> None:
    loaded(service)
    with pytest.raises(Refused) as refused:
        records.read_records(service, "D1", "P1", via="NOPE", purpose="treatment", at=t(DURING))
    assert refused.value.basis == "KTS/3"


def test_one_record_refused_carries_its_article_and_is_audited(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(Refused) as refused:
        records.read_record(service, "D1", "R1", purpose="treatment", at=t(DURING))
    assert refused.value.basis == "6/3"
    assert [(e["record"], e["basis"]) for e in rows(service, "audit_log", kind="decision")] == [
        ("R1", "6/3")
    ]


def test_one_record_of_another_patient_is_unknown(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(NotFound):
        records.read_record(service, "P1", "R4", patient="P1", at=t(DURING))


def test_explain_replays_a_past_decision_with_the_facts_then_m6_3_c(service: Mahrem) -> None:
    checked_in(service)
    then = access.explain(service, "D3", "D3", "P1", record="R1", purpose="treatment", at=t(DURING))
    later = access.explain(
        service,
        "D3",
        "D3",
        "P1",
        record="R1",
        purpose="treatment",
        at=t("2026-03-03T09:00:00+03:00"),
    )
    assert (then.decision.effect, then.decision.basis) == ("permit", "6/3-c")
    assert (later.decision.effect, later.decision.basis) == ("deny", "6/3")
    assert then.decision.tried[:3] == ("software_gate", "concealment", "hidden_record")
    assert then.request.at == t(DURING) and then.decision.policy_version == 1


def test_explain_is_not_a_read_and_is_audited_as_a_question(service: Mahrem) -> None:
    checked_in(service)
    access.explain(service, "A1", "D3", "P1", record="R1", purpose="treatment", at=t(DURING))
    entries = rows(service, "audit_log")
    assert [(e["kind"], e["action"], e["actor"]) for e in entries if e["actor"] == "A1"] == [
        ("admin", "explain", "A1")
    ]
    assert not [e for e in entries if e["kind"] == "decision"]


def test_only_the_actor_the_patient_or_a_dpo_may_ask_for_an_explanation(service: Mahrem) -> None:
    checked_in(service)
    with pytest.raises(Forbidden):
        access.explain(service, "D1", "D3", "P1", record="R1", purpose="treatment", at=t(DURING))
    assert access.explain(
        service, "P1", "D3", "P1", record="R1", purpose="treatment", at=t(DURING)
    ).decision.permitted


def test_explain_hides_a_concealment_from_all_but_the_dpo_and_named_officers_m12_1(
    service: Mahrem,
) -> None:
    checked_in(service)
    event(
        service,
        "2026-03-02T09:10:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 1. Asliye",
        need_to_know=["O1"],
    )
    with pytest.raises(NotFound) as hidden:
        access.explain(service, "D3", "D3", "P1", record="R1", purpose="treatment", at=t(DURING))
    assert hidden.value.code == "person.unknown"
    for viewer in ("A1", "O1"):
        if viewer == "O1":
            out = access.explain(service, "O1", "O1", "P1", record="R1", at=t(DURING))
            assert (out.decision.effect, out.decision.basis) == ("permit", "12/1")
        else:
            out = access.explain(
                service, "A1", "D3", "P1", record="R1", purpose="treatment", at=t(DURING)
            )
            assert (out.decision.effect, out.decision.basis) == ("deny", "12/1")


def test_one_hidden_record_is_an_unknown_record_whatever_the_readers_capacity_m6_2(
    service: Mahrem,
) -> None:
    checked_in(service)
    assert (
        event(service, "2026-03-02T09:30:00+03:00", "record_hidden", patient="P1", record="R1")[0]
        == "accepted"
    )
    with pytest.raises(NotFound) as hidden:
        records.read_record(service, "D3", "R1", purpose="treatment", at=t(DURING))
    with pytest.raises(NotFound) as missing:
        records.read_record(service, "D3", "R9", purpose="treatment", at=t(DURING))
    assert hidden.value.code == missing.value.code == "record.unknown"
    assert [
        e["basis"] for e in rows(service, "audit_log", kind="decision") if e["record"] == "R1"
    ] == ["6/2"]


def test_a_search_reads_one_facts_snapshot_for_the_gate_and_every_record(
    service: Mahrem, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mahrem.adapters.store import SqlStore

    checked_in(service)
    snapshots = 0
    real = SqlStore._snapshot

    def counting(self: SqlStore, req: object) -> object:
        nonlocal snapshots
        snapshots += 1
        return real(self, req)  # type: ignore[arg-type]

    monkeypatch.setattr(SqlStore, "_snapshot", counting)
    view = records.read_records(service, "D3", "P1", purpose="treatment", at=t(DURING))
    assert len(view.permitted) == 2 and snapshots == 1
