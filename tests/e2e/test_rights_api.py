"""Transfers (M15), applications and notices (KVKK 11, 13; M5/6-8) and breaches (M18/2) over
HTTP and the command line: who may do what, problem+json refusals, paginated lists."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from mahrem.entrypoints.api.app import create_app
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services.ports import Mahrem
from mahrem.services.transfers import open_package
from tests.e2e.auth import headers_for
from tests.integration.helpers import event, loaded, read, t
from tests.worlds import tckn

FILED = "2026-03-01T10:00:00+03:00"


@pytest.fixture
def api(sqlite_service: Mahrem) -> TestClient:
    loaded(sqlite_service)
    event(
        sqlite_service,
        "2026-02-01T09:00:00+03:00",
        "protocol_signed",
        id="PR1",
        institution="SGK",
        categories=["laboratory"],
    )
    return TestClient(create_app(sqlite_service))


def as_(api: TestClient, person: str, **extra: str) -> dict[str, str]:
    return headers_for(api.app.state.service, person, **extra)  # type: ignore[attr-defined]


def problem(res: Any, status: int, code: str) -> dict[str, Any]:
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = res.json()
    assert body["code"] == code
    return body


# -- transfers ----------------------------------------------------------------------------------
def test_the_dpo_transfers_over_http_and_the_recipient_decrypts_only_permitted_records_m15(
    api: TestClient,
) -> None:
    key = X25519PrivateKey.generate()
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = {
        "transfer_id": "T1",
        "patients": ["P1"],
        "at": "2026-03-10T10:00:00+03:00",
        "recipient": {
            "kind": "public",
            "name": "SGK",
            "protocol": "PR1",
            "public_key": pem.decode(),
        },
    }
    res = api.post("/transfers", json=body, headers=as_(api, "A1"))
    assert res.status_code == 200, res.text
    out = res.json()
    assert [(r["record"], r["basis"]) for r in out["refused"]] == [("R2", "15/2")]
    bundle = open_package(base64.b64decode(out["package"]), out["key_wrap"], private_key=key)
    assert [e["fullUrl"] for e in bundle["entry"]] == ["urn:mahrem:record:R1"]
    assert api.get("/transfers/T1", headers=as_(api, "A1")).json()["manifest"] == out["manifest"]
    page = api.get("/transfers?limit=1&offset=0", headers=as_(api, "A1")).json()
    assert (page["limit"], [i["id"] for i in page["items"]]) == (1, ["T1"])


def test_a_non_dpo_transfer_is_a_403_problem_m15(api: TestClient) -> None:
    body = {"patients": ["P1"], "recipient": {"kind": "foreign", "name": "X", "country": "DE"}}
    problem(api.post("/transfers", json=body, headers=as_(api, "D1")), 403, "transfer.forbidden")
    problem(api.get("/transfers", headers=as_(api, "P1")), 403, "transfer.forbidden")
    problem(
        api.post(
            "/transfers",
            json={**body, "recipient": {"kind": "foreign", "name": "X"}},
            headers=as_(api, "A1"),
        ),
        422,
        "field.missing",
    )


def test_abroad_without_consent_is_refused_record_by_record_over_http_m15_1(
    api: TestClient,
) -> None:
    foreign = {"kind": "foreign", "name": "Charité", "country": "DE"}
    body = {"patients": ["P1"], "at": "2026-03-10T10:00:00+03:00", "recipient": foreign}
    # KVKK 9: without a legal ground nothing is decided at all
    refused = api.post("/transfers", json=body, headers=as_(api, "A1"))
    assert refused.status_code == 403 and refused.json()["code"] == "transfer.no_ground"
    ground = {"kind": "incidental", "basis": "explicit_consent"}
    body["recipient"] = {**foreign, "ground": ground}
    out = api.post("/transfers", json=body, headers=as_(api, "A1")).json()
    assert {(r["record"], r["basis"]) for r in out["refused"]} == {("R1", "15/1"), ("R2", "15/1")}
    assert out["manifest"]["counts"]["transferred"] == 0
    assert out["recipient"]["ground"] == ground


# -- applications -------------------------------------------------------------------------------
def file(api: TestClient, patient: str = "P1", kind: str = "information") -> dict[str, Any]:
    res = api.post(
        "/applications",
        json={"kind": kind, "subject": "Verilerim", "at": FILED},
        headers=as_(api, patient),
    )
    assert res.status_code == 201, res.text
    body: dict[str, Any] = res.json()
    return body


def test_a_patient_files_and_follows_an_application_to_its_answer_kvkk_13(api: TestClient) -> None:
    app = file(api)
    assert (app["status"], app["due_date"], app["kind_text"]) == (
        "received",
        "2026-03-31",
        "İşlenmişse buna ilişkin bilgi talep etmek",
    )
    english = api.get(
        f"/applications/{app['id']}", headers=as_(api, "P1", **{"Accept-Language": "en"})
    ).json()
    assert english["status_text"] == "Received"
    api.post(
        f"/applications/{app['id']}/review",
        json={"at": "2026-03-02T10:00:00+03:00"},
        headers=as_(api, "A1"),
    )
    problem(
        api.post(
            f"/applications/{app['id']}/answer",
            json={"status": "rejected", "at": FILED},
            headers=as_(api, "A1"),
        ),
        422,
        "field.missing",
    )
    done = api.post(
        f"/applications/{app['id']}/answer",
        json={"status": "answered", "answer": "Ektedir.", "at": "2026-03-03T10:00:00+03:00"},
        headers=as_(api, "A1"),
    ).json()
    assert [h["status"] for h in done["history"]] == ["received", "in_review", "answered"]
    mine = api.get("/applications", headers=as_(api, "P1")).json()
    assert [a["status"] for a in mine["items"]] == ["answered"]


def test_a_patient_cannot_read_or_answer_anothers_application_kvkk_13(api: TestClient) -> None:
    app = file(api)
    problem(
        api.get(f"/applications/{app['id']}", headers=as_(api, "M1")), 404, "application.unknown"
    )
    problem(
        api.get(f"/applications/{app['id']}/my-data", headers=as_(api, "M1")),
        404,
        "application.unknown",
    )
    problem(
        api.get(f"/applications/{app['id']}/my-data.pdf", headers=as_(api, "A1")),
        404,
        "application.unknown",
    )
    problem(
        api.get("/applications?patient=P1", headers=as_(api, "M1")), 403, "application.forbidden"
    )
    problem(
        api.post(
            f"/applications/{app['id']}/answer",
            json={"status": "answered", "answer": "x"},
            headers=as_(api, "M1"),
        ),
        403,
        "application.forbidden",
    )


def test_overdue_applications_are_listed_from_the_31st_istanbul_day_kvkk_13_2(
    api: TestClient,
) -> None:
    app = file(api)
    on_30th = api.get(
        "/applications",
        params={"overdue": "true", "at": "2026-03-31T23:59:00+03:00"},
        headers=as_(api, "A1"),
    ).json()
    on_31st = api.get(
        "/applications",
        params={"overdue": "true", "at": "2026-04-01T00:00:00+03:00"},
        headers=as_(api, "A1"),
    ).json()
    assert on_30th["items"] == [] and [a["id"] for a in on_31st["items"]] == [app["id"]]
    problem(
        api.get("/applications", params={"at": "2026-04-01T00:00:00"}, headers=as_(api, "A1")),
        422,
        "time.naive",
    )


def test_my_data_comes_as_a_fhir_bundle_and_a_turkish_pdf_kvkk_11(api: TestClient) -> None:
    app = file(api)
    res = api.get(f"/applications/{app['id']}/my-data", headers=as_(api, "P1"))
    assert res.headers["content-type"] == "application/fhir+json"
    assert [e["fullUrl"] for e in res.json()["entry"]][1:] == [
        "urn:mahrem:record:R1",
        "urn:mahrem:record:R2",
    ]
    pdf = api.get(f"/applications/{app['id']}/my-data.pdf", headers=as_(api, "P1"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kişi P1" in text and tckn(1) in text and "Glucose" in text


# -- notices -----------------------------------------------------------------------------------
def test_notices_are_published_read_and_marked_seen_over_http_m5_8(api: TestClient) -> None:
    body = {
        "title_tr": "Aydınlatma Metni",
        "title_en": "Information notice",
        "body_tr": "Metin",
        "body_en": "Text",
        "at": "2026-02-01T10:00:00+03:00",
    }
    problem(api.post("/notices", json=body, headers=as_(api, "D1")), 403, "notice.forbidden")
    assert api.post("/notices", json=body, headers=as_(api, "A1")).status_code == 201
    assert api.get("/notices/current").json()["version"] == 1
    assert api.get("/notices?limit=5").json()["items"][0]["title_tr"] == "Aydınlatma Metni"
    seen = api.post(
        "/notices/1/seen", json={"at": "2026-02-02T10:00:00+03:00"}, headers=as_(api, "P1")
    ).json()
    assert seen["seen_at"].startswith("2026-02-02")
    assert [
        v["patient"]
        for v in api.get("/notices/views?version=1", headers=as_(api, "A1")).json()["items"]
    ] == ["P1"]
    problem(api.get("/notices/views?patient=P1", headers=as_(api, "M1")), 403, "notice.forbidden")
    problem(api.get("/notices/9"), 404, "notice.unknown")


# -- breaches ----------------------------------------------------------------------------------
def test_the_breach_register_over_http_m18_2(api: TestClient) -> None:
    service = api.app.state.service  # type: ignore[attr-defined]
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    assert read(service, "2026-03-02T10:00:00+03:00")[0] == "permit"
    body = {
        "detected_at": "2026-03-02T15:00:00+03:00",
        "description": "Parola ele geçirildi.",
        "categories": ["laboratory"],
        "at": "2026-03-02T15:00:00+03:00",
    }
    problem(api.post("/breaches", json=body, headers=as_(api, "P1")), 403, "breach.forbidden")
    b = api.post("/breaches", json=body, headers=as_(api, "A1")).json()
    found = api.post(
        f"/breaches/{b['id']}/affected", json={"actor": "D1"}, headers=as_(api, "A1")
    ).json()
    assert found["affected_patients"] == ["P1"]
    late = api.get(
        "/breaches",
        params={"overdue": "true", "at": "2026-03-05T15:00:00+03:00"},
        headers=as_(api, "A1"),
    )
    assert [x["id"] for x in late.json()["items"]] == [b["id"]]
    problem(
        api.post(
            f"/breaches/{b['id']}/board-notification",
            json={"at": "2026-03-05T15:00:00+03:00"},
            headers=as_(api, "A1"),
        ),
        422,
        "breach.delay_reason_missing",
    )
    draft = api.get(f"/breaches/{b['id']}/board-draft", headers=as_(api, "A1")).json()
    assert {f["field"]: f["value"] for f in draft["fields"]}["persons"] == 1
    notice = api.get(f"/breaches/{b['id']}/patient-notice/P1", headers=as_(api, "A1")).json()
    assert notice["tr"].startswith("Sayın Kişi P1") and notice["en"].startswith("Dear Kişi P1")


def test_every_route_here_has_an_operation_id_tag_and_problem_responses(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    ours = {
        p: ops
        for p, ops in spec["paths"].items()
        if p.startswith(("/transfers", "/applications", "/notices", "/breaches"))
    }
    assert len(ours) == 23
    for ops in ours.values():
        for op in ops.values():
            assert op["operationId"] and op["tags"]
            if op["operationId"] not in ("notice_list",):
                assert "422" in op["responses"]
    lists = [
        ops["get"]
        for p, ops in ours.items()
        if p in ("/transfers", "/applications", "/notices", "/notices/views", "/breaches")
    ]
    assert all({"limit", "offset"} <= {q["name"] for q in op["parameters"]} for op in lists)


# -- the command line --------------------------------------------------------------------------
@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    return f"sqlite:///{tmp_path}/cli.db"


def test_the_cli_transfers_with_progress_and_resumes_by_id_m15(url: str, tmp_path: Path) -> None:
    from mahrem.bootstrap import build

    service = build(url)
    loaded(service)
    event(
        service,
        "2026-02-01T09:00:00+03:00",
        "protocol_signed",
        id="PR1",
        institution="SGK",
        categories=["laboratory"],
    )
    args = [
        "applications",
        "transfer",
        "--by",
        "A1",
        "--patient",
        "P1",
        "--recipient-kind",
        "public",
        "--recipient-name",
        "SGK",
        "--protocol",
        "PR1",
        "--id",
        "T9",
        "--out",
        str(tmp_path / "t.json"),
        "--at",
        "2026-03-10T10:00:00+03:00",
        "--db",
        url,
    ]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "transfer T9" in first.stderr and "2/2 records decided" in first.stderr
    assert json.loads(first.stdout)["counts"] == {"selected": 2, "transferred": 1, "refused": 1}
    package = json.loads((tmp_path / "t.json").read_text())
    assert open_package(
        base64.b64decode(package["package"]), package["key_wrap"], keys=service.keys
    )["entry"]
    again = CliRunner().invoke(cli, args)
    assert json.loads(again.stdout)["counts"] == json.loads(first.stdout)["counts"]
    denied = CliRunner().invoke(cli, [*args[:3], "D1", *args[4:]])
    assert denied.exit_code == 1 and json.loads(denied.stdout)["code"] == "transfer.forbidden"
    service.uow.engine.dispose()


def test_the_cli_lists_overdue_applications_and_keeps_the_breach_register(url: str) -> None:
    from mahrem.bootstrap import build
    from mahrem.services.rights import file_application

    service = build(url)
    loaded(service)
    file_application(service, "P1", "processed", "?", at=t(FILED))
    runner = CliRunner()
    late = runner.invoke(
        cli,
        ["rights", "overdue", "--as", "A1", "--at", "2026-04-01T00:00:00+03:00", "--db", url],
    )
    assert [a["patient"] for a in json.loads(late.stdout)] == ["P1"]
    naive = runner.invoke(
        cli, ["applications", "overdue", "--as", "A1", "--at", "2026-04-01T00:00:00", "--db", url]
    )
    assert naive.exit_code == 1 and json.loads(naive.stdout)["code"] == "time.naive"
    made = runner.invoke(
        cli,
        [
            "applications",
            "breach",
            "record",
            "--by",
            "A1",
            "--detected-at",
            "2026-03-02T15:00:00+03:00",
            "--description",
            "Parola çalındı",
            "--category",
            "general",
            "--at",
            "2026-03-02T16:00:00+03:00",
            "--db",
            url,
        ],
    )
    assert made.exit_code == 0, made.output
    bid = json.loads(made.stdout)["id"]
    listed = runner.invoke(
        cli,
        [
            "applications",
            "breach",
            "list",
            "--by",
            "A1",
            "--overdue",
            "--at",
            "2026-03-05T15:00:00+03:00",
            "--db",
            url,
        ],
    )
    assert [b["id"] for b in json.loads(listed.stdout)] == [bid]
    draft = runner.invoke(cli, ["rights", "breach", "draft", str(bid), "--by", "A1", "--db", url])
    assert "İhlalin tespit tarihi: 02.03.2026 15:00" in draft.stdout
    service.uow.engine.dispose()
