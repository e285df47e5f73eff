"""The events round 2 refuses or adds (SPEC.md, "Events the law refuses"): a child under the
discernment age names no relative (M9 with TMK 16/2), a client under 18 gives no power of
attorney (M10 with TMK 16/1), explicit consent to a transfer is withdrawn for the future (KVKK
3/1-a), and a court lifts only its own concealment order (M12). A refused change is not
written; the attempt is audited."""

from __future__ import annotations

import pytest

from mahrem.domain.errors import InputError
from mahrem.services import access, events
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, read, rows, t
from tests.worlds import BASE_WORLD

# C1 is born on 2011-06-15 (tests/worlds.py): 15 on 2026-06-15, 18 on 2029-06-15.
EVE_OF_15 = "2026-06-14T23:59:00+03:00"
DAY_OF_15 = "2026-06-15T00:00:00+03:00"


def _audited(service: Mahrem, action: str) -> list[tuple[str, str | None]]:
    return [(e["outcome"], e["basis"]) for e in rows(service, "audit_log") if e["action"] == action]


def test_a_child_under_the_discernment_age_cannot_authorise_a_relative_m9_tmk_16_2(
    service: Mahrem,
) -> None:
    loaded(service)
    assert event(service, EVE_OF_15, "relative_authorized", patient="C1", relative="K1") == (
        "rejected",
        "9/1",
    )
    assert rows(service, "relative_authorization", patient="C1") == []
    assert ("rejected", "9/1") in _audited(service, "relative_authorized")


def test_from_the_15th_birthday_in_istanbul_a_child_authorises_a_relative_alone_m9_tmk_16_2(
    service: Mahrem,
) -> None:
    loaded(service)
    assert event(service, DAY_OF_15, "relative_authorized", patient="C1", relative="K1") == (
        "accepted",
        None,
    )
    assert read(service, "2026-06-15T10:00:00+03:00", actor="K1", record="R4", patient="C1") == (
        "permit",
        "9/1",
    )


def test_a_client_under_18_cannot_give_a_power_of_attorney_m10_tmk_16_1(service: Mahrem) -> None:
    loaded(service)
    poa = {
        "lawyer": "L1",
        "client": "C1",
        "kind": "special",
        "health_data_consent": True,
        "valid_until": "2030-01-01",
    }
    assert event(service, "2029-06-14T23:59:00+03:00", "power_of_attorney", id="POA1", **poa) == (
        "rejected",
        "10/1",
    )
    assert rows(service, "power_of_attorney") == []
    assert event(service, "2029-06-15T00:00:00+03:00", "power_of_attorney", id="POA1", **poa) == (
        "accepted",
        None,
    )
    assert read(service, "2029-06-15T10:00:00+03:00", actor="L1", record="R4", patient="C1") == (
        "permit",
        "10/1",
    )


def test_withdrawn_consent_refuses_a_transfer_from_then_on_kvkk_3_1_a(service: Mahrem) -> None:
    loaded(service)
    transfer = {
        "actor": "A1",
        "action": "transfer",
        "patient": "P1",
        "record": "R1",
        "recipient": {"kind": "foreign"},
    }
    assert (
        event(
            service,
            "2026-02-01T09:00:00+03:00",
            "transfer_consent_given",
            patient="P1",
            recipient_kind="foreign",
        )[0]
        == "accepted"
    )
    assert event(
        service,
        "2026-02-02T09:00:00+03:00",
        "transfer_consent_withdrawn",
        patient="P1",
        recipient_kind="foreign",
    ) == ("accepted", None)
    assert _decide(service, transfer, "2026-02-01T12:00:00+03:00") == ("permit", "15/1")
    assert _decide(service, transfer, "2026-02-02T09:00:00+03:00") == ("deny", "15/1")


def test_withdrawing_a_consent_never_given_changes_nothing_kvkk_3_1_a(service: Mahrem) -> None:
    loaded(service)
    assert (
        event(
            service,
            "2026-02-01T09:00:00+03:00",
            "transfer_consent_given",
            patient="P1",
            recipient_kind="private",
        )[0]
        == "accepted"
    )
    before = rows(service, "preference", patient="P1")
    assert event(
        service,
        "2026-02-02T09:00:00+03:00",
        "transfer_consent_withdrawn",
        patient="P1",
        recipient_kind="foreign",
    ) == ("accepted", None)
    assert rows(service, "preference", patient="P1") == before
    private = {
        "actor": "A1",
        "action": "transfer",
        "patient": "P1",
        "record": "R1",
        "recipient": {"kind": "private"},
    }
    assert _decide(service, private, "2026-02-03T09:00:00+03:00") == ("permit", "15/1")


def test_a_court_lifts_only_its_own_concealment_order_m12(service: Mahrem) -> None:
    loaded(service)
    for court in ("Ankara 1. Asliye", "Ankara 3. Aile"):
        assert (
            event(
                service,
                "2026-02-01T09:00:00+03:00",
                "concealment_order",
                patient="P1",
                court=court,
                need_to_know=[],
            )[0]
            == "accepted"
        )
    assert event(
        service,
        "2026-02-02T09:00:00+03:00",
        "concealment_lifted",
        patient="P1",
        court="Ankara 1. Asliye",
    ) == ("accepted", None)
    assert read(service, "2026-02-02T10:00:00+03:00", actor="P1") == ("permit", "5/6")
    assert read(service, "2026-02-02T10:00:00+03:00", actor="D3")[1] == "12/1"
    assert event(service, "2026-02-03T09:00:00+03:00", "concealment_lifted", patient="P1") == (
        "accepted",
        None,
    )
    assert read(service, "2026-02-03T10:00:00+03:00", actor="D3")[1] != "12/1"


def _decide(service: Mahrem, request: dict[str, object], at: str) -> tuple[str, str]:
    _, decision = access.decide_json(service, request, t(at))
    return decision.effect, decision.basis


def test_only_the_province_that_executed_an_order_lifts_it_m12(service: Mahrem) -> None:
    """O1 (Ankara) executes the order; H1, an İzmir officer, cannot lift it (12/1), O1 can."""
    officers = [
        *BASE_WORLD["officers"],
        {"person": "H1", "role": "province_officer", "province": "35"},
    ]
    loaded(service, officers=officers)
    order = {"patient": "P1", "court": "Ankara 1. Asliye, 2026/4", "need_to_know": [], "by": "O1"}
    assert event(service, "2026-02-01T09:00:00+03:00", "concealment_order", **order)[0] == (
        "accepted"
    )
    lift = {"patient": "P1", "court": "Ankara 1. Asliye, 2026/4"}
    refused = event(service, "2026-02-02T09:00:00+03:00", "concealment_lifted", **lift, by="H1")
    assert refused == ("rejected", "12/1")
    assert read(service, "2026-02-02T10:00:00+03:00", actor="D3")[1] == "12/1"  # still in force
    [row] = rows(service, "concealment_order")
    assert (row["ordered_by"], row["valid_to"], row["lifted_by"]) == ("O1", None, None)
    assert event(service, "2026-02-03T09:00:00+03:00", "concealment_lifted", **lift, by="O1") == (
        "accepted",
        None,
    )
    [row] = rows(service, "concealment_order")
    assert row["lifted_by"] == "O1"
    assert read(service, "2026-02-03T10:00:00+03:00", actor="D3")[1] != "12/1"


def test_a_grant_without_the_unit_head_s_request_needs_a_recorded_reason_m7_1(
    service: Mahrem,
) -> None:
    """At the officer door only: the engine accepts a grant without a request (the scenario
    vocabulary has none), the door asks the GM officer why and the audit entry keeps it."""
    officers = [*BASE_WORLD["officers"], {"person": "H1", "role": "unit_head", "unit": "B1"}]
    loaded(service, officers=officers)
    grant = {"type": "reidentification_authorized", "user": "U1", "unit": "B1"}
    at = t("2026-02-01T09:00:00+03:00")
    with pytest.raises(InputError) as refused:
        events.report_event(service, "officer", "G1", grant, at=at)
    assert refused.value.code == "reidentification.no_request"
    assert not rows(service, "reidentification_authorization")
    done = events.report_event(service, "officer", "G1", {**grant, "reason": "Denetim"}, at=at)
    assert done.result == "accepted"
    [entry] = rows(service, "audit_log", action="reidentification_authorized")
    assert entry["detail"] == {"reason": "Denetim"} and entry["actor"] == "G1"
    # on the unit head's request no reason is asked
    events.report_event(
        service, "officer", "G1", {**grant, "type": "reidentification_authorization_revoked"}, at=at
    )
    request = {"type": "reidentification_requested", "user": "U1", "unit": "B1"}
    assert events.report_event(service, "officer", "H1", request, at=at).result == "accepted"
    assert events.report_event(service, "officer", "G1", grant, at=at).result == "accepted"
