"""Parents, relatives, lawyers and heirs (M8–M11) read through the API what the law allows,
after the facts that entitle them arrive through their doors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.auth import headers_for
from tests.e2e.conftest import Clock, svc


def officer(api: TestClient, event: dict[str, object]) -> None:
    res = api.post("/officer/events", json={"event": event}, headers=headers_for(svc(api), "G1"))
    assert res.json()["result"] == "accepted", res.text


def mine(api: TestClient, person: str, event: dict[str, object]) -> dict[str, object]:
    res = api.post("/me/events", json={"event": event}, headers=headers_for(svc(api), person))
    assert res.status_code == 200, res.text
    return dict(res.json())


def readable(api: TestClient, person: str, patient: str) -> list[str]:
    res = api.get(
        "/fhir/Record", params={"patient": patient}, headers=headers_for(svc(api), person)
    )
    assert res.status_code == 200, res.text
    return [e["resource"]["id"] for e in res.json()["entry"] if e["search"]["mode"] == "match"]


def test_a_parent_reads_a_childs_records_until_the_child_restricts_them_m8_1(
    api: TestClient, clock: Clock
) -> None:
    assert readable(api, "M1", "C1") == []
    officer(api, {"type": "parent_of", "parent": "M1", "child": "C1"})
    assert readable(api, "M1", "C1") == ["R4"]
    clock.set("2026-07-01T09:00:00+03:00")  # C1 (born 2011-06-15) is 15: the discernment age
    assert mine(api, "C1", {"type": "parental_access_restricted"})["result"] == "accepted"
    assert readable(api, "M1", "C1") == []


def test_a_child_under_the_discernment_age_cannot_restrict_a_parent_m8_1(api: TestClient) -> None:
    officer(api, {"type": "parent_of", "parent": "M1", "child": "C1"})
    refused = mine(api, "C1", {"type": "parental_access_restricted"})
    assert (refused["result"], refused["basis"]) == ("rejected", "8/1")


def test_a_relative_reads_only_the_categories_authorised_m9_1(api: TestClient) -> None:
    assert (
        mine(
            api,
            "P1",
            {"type": "relative_authorized", "relative": "K1", "categories": ["laboratory"]},
        )["result"]
        == "accepted"
    )
    assert readable(api, "K1", "P1") == ["R1"]
    mine(api, "P1", {"type": "relative_authorization_revoked", "relative": "K1"})
    assert readable(api, "K1", "P1") == []


def test_a_lawyer_needs_a_special_power_with_the_health_data_clause_m10_1(api: TestClient) -> None:
    officer(
        api,
        {
            "type": "power_of_attorney",
            "id": "V1",
            "lawyer": "L1",
            "client": "P1",
            "kind": "general",
            "health_data_consent": True,
        },
    )
    assert readable(api, "L1", "P1") == []
    officer(
        api,
        {
            "type": "power_of_attorney",
            "id": "V2",
            "lawyer": "L1",
            "client": "P1",
            "kind": "special",
            "health_data_consent": True,
        },
    )
    assert readable(api, "L1", "P1") == ["R1", "R2"]


def test_an_heir_reads_after_death_with_an_inheritance_certificate_m11_1(
    api: TestClient, clock: Clock
) -> None:
    assert readable(api, "H1", "P1") == []
    officer(api, {"type": "death", "patient": "P1"})
    clock.set("2026-03-05T09:00:00+03:00")
    officer(api, {"type": "inheritance_certificate", "deceased": "P1", "heirs": ["H1"]})
    assert readable(api, "H1", "P1") == ["R1", "R2"]
