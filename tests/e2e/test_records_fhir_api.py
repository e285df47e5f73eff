"""FHIR over HTTP (issue 3): searchset Bundles that hold only what the engine permits, with
totals and paging over the permitted records only, no side doors, and concealed patients that
look exactly like unknown ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mahrem.entrypoints.api.app import create_app
from mahrem.services import records
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for
from tests.e2e.conftest import Clock
from tests.e2e.outcomes import problem_of
from tests.integration.helpers import event, loaded
from tests.integration.test_records_ingest import bundle, condition, patient

IDS = ["c1", "c2", "c3", "c4", "c5"]


@pytest.fixture
def api(clocked: Mahrem, clock: Clock) -> TestClient:
    """P1 checked in at F1; five Conditions pushed by F1's software during the stay; P1 hid c3."""
    loaded(clocked)
    event(clocked, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    clock.set("2026-03-02T09:10:00+03:00")
    local = patient(number=None)
    local["identifier"][0]["value"] = _tckn_of(clocked, "P1")
    pushed = records.push(clocked, "S1", "D1", bundle(local, *[condition(i, "J45") for i in IDS]))
    NAMES.clear()
    NAMES.update({e.id: e.local_id for e in pushed.entries if e.resource_type == "Condition"})
    event(clocked, "2026-03-02T09:20:00+03:00", "record_hidden", patient="P1", record=rid("c3"))
    clock.set("2026-03-02T09:30:00+03:00")
    return TestClient(create_app(clocked))


# Mahrem's id of each Condition → the id F1's software gave it (c1…c5).
NAMES: dict[str, str | None] = {}


def rid(local: str) -> str:
    """Mahrem's id of the Condition F1's software sent as `local`."""
    return next(k for k, v in NAMES.items() if v == local)


def outcome(res: Any) -> dict[str, Any]:
    return problem_of(res)


def _tckn_of(service: Mahrem, person: str) -> str:

    with service.uow.read() as store:
        row = store.get("person", person)
    assert row is not None
    return str(row["tckn"])


def svc(api: TestClient) -> Mahrem:
    service: Mahrem = api.app.state.service  # type: ignore[attr-defined]
    return service


def pages(api: TestClient, person: str, count: int, **params: Any) -> list[dict[str, Any]]:
    """Every page of a search, following the `next` links."""
    out = []
    url: str | None = "/fhir/Condition"
    query: dict[str, Any] | None = {
        "patient": "P1",
        "_count": count,
        "purpose": "treatment",
        **params,
    }
    while url:
        res = api.get(url, params=query, headers=headers_for(svc(api), person))
        assert res.status_code == 200, res.text
        assert res.headers["content-type"] == "application/fhir+json"
        assert res.headers["cache-control"] == "no-store"
        out.append(res.json())
        url = next((link["url"] for link in res.json()["link"] if link["relation"] == "next"), None)
        query = None
    return out


def match_ids(page: dict[str, Any]) -> list[str]:
    """The matches of a page, by the ids F1's software gave them."""
    return [
        NAMES.get(e["resource"]["id"]) or e["resource"]["id"]
        for e in page["entry"]
        if e["search"]["mode"] == "match"
    ]


def test_the_patient_pages_through_every_own_record_m5_6(api: TestClient) -> None:
    got = pages(api, "P1", 2)
    assert [match_ids(p) for p in got] == [["c1", "c2"], ["c3", "c4"], ["c5"]]
    assert {p["total"] for p in got} == {5}


def test_a_hidden_record_leaves_no_trace_in_totals_pages_or_links_m6_2(api: TestClient) -> None:
    got = pages(api, "D1", 2)
    assert [match_ids(p) for p in got] == [["c1", "c2"], ["c4", "c5"]]
    assert {p["total"] for p in got} == {4}
    assert all(rid("c3") not in json.dumps(p) for p in got)


def test_the_pages_of_a_physician_who_may_not_read_are_empty_but_say_why_m6_3(
    api: TestClient,
) -> None:
    got = pages(api, "D3", 10)
    assert len(got) == 1 and got[0]["total"] == 0 and match_ids(got[0]) == []
    outcome = next(e["resource"] for e in got[0]["entry"] if e["search"]["mode"] == "outcome")
    # SPEC.md, "What a refusal may tell" (a): the basis and the remedy only, one issue, no ids.
    assert len(outcome["issue"]) == 1 and "expression" not in outcome["issue"][0]
    assert (
        outcome["issue"][0]["diagnostics"].startswith("[6/3]")
        and "24" in outcome["issue"][0]["diagnostics"]
    )
    assert all(rid(f"c{i}") not in json.dumps(outcome) for i in range(1, 6))


@pytest.mark.parametrize(
    "param", ["_include", "_revinclude", "_summary", "_total", "_elements", "pateint"]
)
def test_parameters_mahrem_does_not_apply_are_refused_naming_them(
    api: TestClient, param: str
) -> None:
    res = api.get(
        "/fhir/Condition",
        params={"patient": "P1", param: "count"},
        headers=headers_for(svc(api), "D1"),
    )
    assert res.status_code == 400 and res.headers["content-type"] == "application/fhir+json"
    assert outcome(res)["code"] == "search.unsupported"
    assert res.json()["issue"][0]["expression"] == [param]


def test_one_record_is_read_or_refused_with_its_article(api: TestClient) -> None:
    ok = api.get(
        f"/fhir/Condition/{rid('c1')}",
        params={"purpose": "treatment"},
        headers=headers_for(svc(api), "D1"),
    )
    assert (
        ok.status_code == 200
        and ok.json()["id"] == rid("c1")
        and ok.headers["cache-control"] == "no-store"
        and ok.headers["etag"] == 'W/"1"'
    )
    hidden = api.get(
        f"/fhir/Condition/{rid('c3')}",
        params={"purpose": "treatment"},
        headers=headers_for(svc(api), "D1"),
    )
    missing = api.get(
        "/fhir/Condition/zz", params={"purpose": "treatment"}, headers=headers_for(svc(api), "D1")
    )
    assert (
        hidden.status_code == missing.status_code == 404
    )  # a hidden record is an unknown one (M6/2)
    assert hidden.text == missing.text.replace("zz", rid("c3"))
    other = api.get(
        f"/fhir/Condition/{rid('c1')}",
        params={"purpose": "treatment"},
        headers=headers_for(svc(api), "D3"),
    )
    assert other.status_code == 403 and outcome(other)["basis"] == "6/3"


def test_a_concealed_patient_searches_and_reads_exactly_like_an_unknown_one_m12(
    api: TestClient,
) -> None:
    event(
        svc(api),
        "2026-03-02T09:25:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 5. ACM",
        need_to_know=["O1"],
    )
    headers = headers_for(svc(api), "D3")  # no care of P1 at F3 today
    concealed = api.get("/fhir/Condition", params={"patient": "P1"}, headers=headers)
    unknown = api.get("/fhir/Condition", params={"patient": "P9"}, headers=headers)
    assert concealed.status_code == unknown.status_code == 404
    assert concealed.text == unknown.text.replace("P9", "P1")
    record = api.get(f"/fhir/Condition/{rid('c1')}", headers=headers)
    missing = api.get("/fhir/Condition/zz", headers=headers)
    assert record.status_code == missing.status_code == 404
    assert record.text == missing.text.replace("zz", rid("c1"))


def test_care_team_keeps_a_concealed_patients_episode_records_and_learns_only_of_a_restriction_m12(
    api: TestClient,
) -> None:
    event(
        svc(api),
        "2026-03-02T09:25:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 5. ACM",
        need_to_know=["O1"],
    )
    headers = headers_for(svc(api), "D1")  # F1's team: P1's check-in at F1 is open
    conditions = api.get(
        "/fhir/Condition", params={"patient": "P1", "purpose": "treatment"}, headers=headers
    )
    assert conditions.status_code == 200 and match_ids(conditions.json()) == [
        "c1",
        "c2",
        "c4",
        "c5",
    ]
    everything = api.get(
        "/fhir/Record", params={"patient": "P1", "purpose": "treatment"}, headers=headers
    ).json()
    told = [e["resource"] for e in everything["entry"] if e["search"]["mode"] == "outcome"]
    assert match_ids(everything) == ["c1", "c2", "c4", "c5"] and everything["total"] == 4
    assert [i["diagnostics"] for i in told[0]["issue"]] == [
        "[12/1] Hastanın diğer kayıtları yasal bir kısıtlama nedeniyle gösterilemez."
    ]
    older = api.get("/fhir/Observation/R1", params={"purpose": "treatment"}, headers=headers)
    assert older.status_code == 403 and (outcome(older)["basis"], outcome(older)["code"]) == (
        "12/1",
        "concealment.legal_restriction",
    )
    assert "R2" not in older.text and "F3" not in older.text
    mine = api.get(
        "/decisions/explain",
        params={"actor": "D1", "patient": "P1", "record": rid("c1"), "purpose": "treatment"},
        headers=headers,
    )
    assert (mine.json()["basis"], "concealments" in mine.json()["facts"]) == ("6/1", False)
    theirs = api.get(
        "/decisions/explain",
        params={"actor": "D1", "patient": "P1", "record": "R1", "purpose": "treatment"},
        headers=headers,
    )
    assert (theirs.status_code, theirs.json()["basis"]) == (403, "12/1")


def test_a_search_by_tc_kimlik_no_finds_the_same_records(api: TestClient) -> None:
    res = api.get(
        "/fhir/Condition",
        params={"patient.identifier": _tckn_of(svc(api), "P1"), "purpose": "treatment"},
        headers=headers_for(svc(api), "D1"),
    )
    assert match_ids(res.json()) == ["c1", "c2", "c4", "c5"]


def test_explain_answers_could_dr_x_see_this_then(api: TestClient) -> None:
    params = {"actor": "D1", "patient": "P1", "record": rid("c1"), "purpose": "treatment"}
    now = api.get("/decisions/explain", params=params, headers=headers_for(svc(api), "D1"))
    assert (now.json()["decision"], now.json()["basis"]) == ("permit", "6/1")
    before = api.get(
        "/decisions/explain",
        params={**params, "at": "2026-03-01T12:00:00+03:00"},
        headers=headers_for(svc(api), "A1"),
    )
    assert (before.json()["decision"], before.json()["basis"]) == ("deny", "6/3")
    assert before.json()["tried"][:3] == ["software_gate", "concealment", "hidden_record"]
    stranger = api.get("/decisions/explain", params=params, headers=headers_for(svc(api), "D3"))
    assert stranger.status_code == 403


def test_explain_hides_a_concealment_unless_the_caller_is_entitled_m12(api: TestClient) -> None:
    event(
        svc(api),
        "2026-03-02T09:25:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 5. ACM",
        need_to_know=["O1"],
    )
    params = {"actor": "D3", "patient": "P1", "record": rid("c1"), "purpose": "treatment"}
    physician = api.get("/decisions/explain", params=params, headers=headers_for(svc(api), "D3"))
    unknown = api.get(
        "/decisions/explain",
        params={**params, "patient": "P9", "record": None},
        headers=headers_for(svc(api), "D3"),
    )
    assert physician.status_code == unknown.status_code == 404
    dpo = api.get("/decisions/explain", params=params, headers=headers_for(svc(api), "A1"))
    assert (dpo.json()["decision"], dpo.json()["basis"]) == ("deny", "12/1")


def test_every_read_of_a_search_is_in_the_patients_access_log(api: TestClient) -> None:
    pages(api, "D1", 10)
    log = api.get("/patients/P1/access-log", headers=headers_for(svc(api), "P1")).json()
    assert sorted(NAMES[e["record"]] for e in log if e["actor"] == "D1") == [
        "c1",
        "c2",
        "c3",
        "c4",
        "c5",
    ]


def test_unknown_and_concealed_answers_both_wait_out_the_same_padding_m12(api: TestClient) -> None:
    import time

    from mahrem.entrypoints.api.problems import UNKNOWN_PAD_SECONDS

    event(
        svc(api),
        "2026-03-02T09:25:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 5. ACM",
        need_to_know=[],
    )
    headers = headers_for(svc(api), "D3")
    for who in ("P1", "P9"):
        started = time.monotonic()
        res = api.get("/fhir/Condition", params={"patient": who}, headers=headers)
        assert res.status_code == 404 and time.monotonic() - started >= UNKNOWN_PAD_SECONDS
