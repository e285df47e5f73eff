"""M16, M17 over HTTP: research exports through a registered installation (its API key) with a
written opinion, refused otherwise as problem+json with basis KTS/2; the open data pages,
public and read-only."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pycanon import anonymity

from mahrem.entrypoints.api.app import create_app
from mahrem.services.opendata import publish
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for, session_token, software_headers
from tests.e2e.conftest import Clock
from tests.integration.test_research_export import world_with_opinion

BODY = {
    "quasi_identifiers": ["age", "sex", "province"],
    "sensitive": ["icd10"],
    "models": [{"model": "k", "k": 4}],
    "suppression": 0.05,
}


@pytest.fixture
def api(clocked: Mahrem, clock: Clock) -> TestClient:
    world_with_opinion(clocked)
    clock.set("2026-03-02T10:00:00+03:00")
    return TestClient(create_app(clocked))


def svc(api: TestClient) -> Mahrem:
    service: Mahrem = api.app.state.service  # type: ignore[attr-defined]
    return service


def dpo_at_s1(api: TestClient, **extra: str) -> dict[str, str]:
    """The data protection officer's own session, opened at S1 (the installation they
    administer)."""
    headers = {"Authorization": f"Bearer {session_token(svc(api), 'A1', installation='S1')}"}
    return {**headers, **{k.replace("_", "-"): v for k, v in extra.items()}}


def test_a_dpo_cannot_export_through_a_hospitals_key_only_through_an_own_session_at_it_kts_2(
    api: TestClient,
) -> None:
    res = api.post(
        "/research/exports",
        json=BODY,
        headers=software_headers(svc(api), "S1", "A1", purpose="research"),
    )
    assert res.status_code == 401 and res.json()["code"] == "auth.invalid"


def test_an_installation_with_a_written_opinion_exports_a_k_anonymous_dataset_kts_2_m16(
    api: TestClient,
) -> None:
    res = api.post("/research/exports", json=BODY, headers=dpo_at_s1(api, X_Purpose="research"))
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["rows_total"] == body["rows_out"] == len(body["rows"]) > 0
    assert anonymity.k_anonymity(pd.DataFrame(body["rows"]), ["age", "sex", "province"]) >= 4
    assert set(body["transformation"]) == {"age", "sex", "province"}


def test_the_export_pages_its_rows_and_gives_them_all_as_csv_m16(api: TestClient) -> None:
    headers = dpo_at_s1(api, X_Purpose="research")
    page = api.post("/research/exports?limit=5&offset=5", json=BODY, headers=headers).json()
    assert len(page["rows"]) == 5
    res = api.post("/research/exports?format=csv", json=BODY, headers=headers)
    assert res.headers["content-type"].startswith("text/csv")
    df = pd.read_csv(io.StringIO(res.text), dtype=str)
    assert len(df) == page["rows_total"]
    assert anonymity.k_anonymity(df, ["age", "sex", "province"]) >= 4


def test_an_export_without_an_installation_is_a_403_with_basis_kts_2(api: TestClient) -> None:
    res = api.post("/research/exports", json=BODY, headers=headers_for(svc(api), "A1"))
    assert res.status_code == 403 and res.headers["content-type"] == "application/problem+json"
    assert res.json()["basis"] == "KTS/2"


def test_an_export_for_a_purpose_without_an_opinion_is_a_403_kts_2(api: TestClient) -> None:
    res = api.post(
        "/research/exports", json={**BODY, "purpose": "planning"}, headers=dpo_at_s1(api)
    )
    assert res.status_code == 403 and res.json()["basis"] == "KTS/2"


def test_the_open_data_page_lists_datasets_without_scripts_m17(
    api: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAHREM_OPEN_DIR", str(tmp_path / "open"))
    assert "Henüz" in api.get("/open/").text
    meta = publish(svc(api), date(2026, 1, 1), date(2026, 2, 28))
    page = api.get("/open/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text.lower() and f"/open/{meta['identifier']}.csv" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    listed = api.get("/open/datasets").json()
    assert [d["identifier"] for d in listed] == [meta["identifier"]]
    csv_file = api.get(f"/open/{meta['identifier']}.csv")
    assert csv_file.status_code == 200 and csv_file.text.startswith(
        "icd10_chapter,province,month,age_band,sex,count"
    )
    assert api.get(f"/open/{meta['identifier']}.json").json()["dataset"] == meta["identifier"]
    assert api.get(f"/open/{meta['identifier']}.meta.json").json()["license"] == meta["license"]


def test_an_unknown_or_crafted_open_file_is_a_404_problem_m17(
    api: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAHREM_OPEN_DIR", str(tmp_path / "open"))
    for name in ("nothing.csv", "..%2Fkeys.json", "x.exe", "Diagnoses.csv"):
        res = api.get(f"/open/{name}")
        assert res.status_code == 404, name
    assert api.post("/open/nothing.csv").status_code == 405
