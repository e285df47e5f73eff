"""Whatever the patient hides and however a search is paged, the pages together hold exactly
the records the engine permits, each once, and the total counts only those (issue 3)."""

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.services import records
from tests.e2e.auth import headers_for
from tests.e2e.conftest import Clock
from tests.integration.helpers import event, loaded
from tests.integration.test_records_ingest import bundle, condition, patient

IDS = [f"c{i}" for i in range(1, 8)]


def _world() -> tuple[TestClient, Clock]:
    root = tempfile.mkdtemp(prefix="mahrem-paging-")
    clock = Clock("2026-03-02T09:10:00+03:00")
    service = loaded(build(f"sqlite:///{root}/p.db", key_dir=f"{root}/keys", clock=clock))
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    local = patient()

    with service.uow.read() as store:
        local["identifier"][0]["value"] = store.get("person", "P1")["tckn"]  # type: ignore[index]
    pushed = records.push(service, "S1", "D1", bundle(local, *[condition(i, "J45") for i in IDS]))
    MAHREM_ID.update({e.local_id: e.id for e in pushed.entries if e.resource_type == "Condition"})
    return TestClient(create_app(service)), clock


# The id F1's software gave each Condition → the id Mahrem stores it under.
MAHREM_ID: dict[str | None, str] = {}


API, CLOCK = _world()
SERVICE = API.app.state.service  # type: ignore[attr-defined]
HIDDEN: set[str] = set()


def _hide_exactly(hidden: set[str]) -> None:
    for rid in IDS:
        if (rid in hidden) != (rid in HIDDEN):
            CLOCK.now += timedelta(seconds=1)
            event(
                SERVICE,
                CLOCK.now.isoformat(),
                "record_hidden" if rid in hidden else "record_unhidden",
                patient="P1",
                record=MAHREM_ID[rid],
            )
    HIDDEN.clear()
    HIDDEN.update(hidden)


def _all_pages(count: int) -> list[dict[str, Any]]:
    pages = []
    url: str | None = "/fhir/Condition"
    params: dict[str, Any] | None = {"patient": "P1", "_count": count, "purpose": "treatment"}
    while url:
        res = API.get(url, params=params, headers=headers_for(SERVICE, "D1"))
        assert res.status_code == 200
        pages.append(res.json())
        url = next((link["url"] for link in res.json()["link"] if link["relation"] == "next"), None)
        params = None
    return pages


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden=st.sets(st.sampled_from(IDS)), count=st.integers(min_value=1, max_value=8))
def test_pages_hold_exactly_the_permitted_records_and_nothing_of_the_hidden_ones(
    hidden: set[str], count: int
) -> None:
    _hide_exactly(hidden)
    pages = _all_pages(count)
    seen = [
        e["resource"]["id"] for p in pages for e in p["entry"] if e["search"]["mode"] == "match"
    ]
    visible = [MAHREM_ID[i] for i in IDS if i not in hidden]
    assert seen == visible
    assert {p["total"] for p in pages} == {len(visible)}
    text = json.dumps(pages)
    assert not any(MAHREM_ID[h] in text for h in hidden)
