"""M7/1: the unit head requests, a GM officer grants (at most three per unit), and revokes."""

from __future__ import annotations

from mahrem.services import access, demo
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, rows, t
from tests.worlds import person, world


def with_unit_head(service: Mahrem) -> Mahrem:
    w = world()
    w["people"] += [person("UH", 40), person("U2", 41)]
    w["officers"] += [
        {"person": "UH", "role": "unit_head", "unit": "B1"},
        {"person": "U2", "role": "ministry_user", "unit": "B1"},
    ]
    demo.load_world(service, w, t("2026-01-01T00:00:00+03:00"))
    return service


def test_only_the_units_head_requests_an_authorisation_m7_1(service: Mahrem) -> None:
    with_unit_head(service)
    at = "2026-09-01T09:00:00+03:00"
    assert event(service, at, "reidentification_requested", user="U1", unit="B1", by="G1") == (
        "rejected",
        "7/1",
    )
    assert event(service, at, "reidentification_requested", user="D1", unit="B1", by="UH") == (
        "rejected",
        "7/1",
    )
    assert event(service, at, "reidentification_requested", user="U1", unit="B1", by="UH") == (
        "accepted",
        None,
    )
    assert [(r["user"], r["granted_at"]) for r in rows(service, "reidentification_request")] == [
        ("U1", None)
    ]


def test_the_gm_grant_answers_the_pending_request_m7_1(service: Mahrem) -> None:
    with_unit_head(service)
    event(
        service,
        "2026-09-01T09:00:00+03:00",
        "reidentification_requested",
        user="U1",
        unit="B1",
        by="UH",
    )
    assert event(
        service,
        "2026-09-02T09:00:00+03:00",
        "reidentification_authorized",
        user="U1",
        unit="B1",
        by="G1",
    ) == ("accepted", None)
    assert [r["granted_at"] for r in rows(service, "reidentification_request")] == [
        t("2026-09-02T09:00:00+03:00")
    ]
    _, decision = access.decide_json(
        service,
        {
            "actor": "U1",
            "action": "reidentify",
            "patient": "P1",
            "record": "R1",
            "purpose": "planning",
        },
        t("2026-09-03T09:00:00+03:00"),
    )
    assert (decision.effect, decision.basis) == ("permit", "7/2")
    event(service, "2026-09-04T09:00:00+03:00", "reidentification_authorization_revoked", user="U1")
    _, decision = access.decide_json(
        service,
        {
            "actor": "U1",
            "action": "reidentify",
            "patient": "P1",
            "record": "R1",
            "purpose": "planning",
        },
        t("2026-09-05T09:00:00+03:00"),
    )
    assert (decision.effect, decision.basis) == ("deny", "7/1")
