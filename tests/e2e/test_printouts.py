"""Masked laboratory printouts over HTTP (M5/5, M4/1-p): the PDF's text holds no full
identifier, and the verification code opens the full document for its owner only."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from mahrem.domain.masking import tr_lower, tr_upper
from mahrem.entrypoints.api.app import create_app
from mahrem.services import access, demo
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for
from tests.e2e.conftest import Clock
from tests.integration.helpers import t
from tests.worlds import IDENTIFIED, identified_world, tckn

AT = "2026-03-02T14:30:00+03:00"
CODE = re.compile(r"Belge doğrulama kodu: ([A-Z0-9]{5}-[A-Z0-9]{5})")


@pytest.fixture
def api(sqlite_clocked: Mahrem, clock: Clock) -> TestClient:
    demo.load_world(sqlite_clocked, identified_world(), t("2026-01-01T00:00:00+03:00"))
    clock.set(AT)
    return TestClient(create_app(sqlite_clocked))


def as_person(api: TestClient, person: str) -> dict[str, str]:
    return headers_for(api.app.state.service, person)  # type: ignore[attr-defined]


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def print_own(api: TestClient, patient: str = "P1", **body: object) -> tuple[str, str, bytes]:
    res = api.post("/printouts", json=body, headers=as_person(api, patient))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "application/pdf"
    return res.headers["mahrem-verification-code"], pdf_text(res.content), res.content


def full_identifiers(patient: str) -> list[str]:
    name, n, born, phone = IDENTIFIED[patient]
    words = name.split()
    return [
        name,
        *words,
        *(tr_upper(w) for w in words),
        *(tr_lower(w) for w in words),
        tckn(n),
        phone,
        phone.removeprefix("+90"),
        born,
        "19.07.1984",
        "Kızılay",
        "Atatürk",
        "Çankaya",
        "06420",
    ]


def test_the_printout_holds_no_full_identifier_of_the_patient_m5_5(api: TestClient) -> None:
    _, text, content = print_own(api)
    found = [secret for secret in full_identifiers("P1") if secret in text]
    assert found == []
    reader = PdfReader(io.BytesIO(content))
    assert not any(secret in str(reader.metadata) for secret in full_identifiers("P1"))


def test_the_printout_shows_initials_with_stars_and_two_plus_two_digits_m5_5(
    api: TestClient,
) -> None:
    code, text, _ = print_own(api)
    assert "İ*** I***" in text
    assert tckn(101)[:2] + "*******" + tckn(101)[-2:] in text
    assert "Doğum yılı\n1984" in text
    assert CODE.search(text).group(1) == code  # type: ignore[union-attr]


def test_the_printout_is_a_turkish_laboratory_result_sheet(api: TestClient) -> None:
    _, text, _ = print_own(api)
    for expected in (
        "Ankara Şehir Hastanesi",
        "Laboratuvar Sonuç Raporu",
        "Tetkik Adı",
        "Referans Aralığı",
        "Glukoz (açlık)",
        "112 ↑",
        "Hemoglobin",
        "11,2 ↓",
        "12 - 15,5",
        "02.03.2026 08:40",
        "İsteyen hekim",
        "Kişi D1",
    ):
        assert expected in text, expected
    assert "TSH" not in text  # P2's result is not on P1's sheet


def test_masking_rules_are_set_per_field_m5_5(api: TestClient) -> None:
    _, text, _ = print_own(
        api,
        masking={
            "name": "hide",
            "tckn": "hide",
            "birth_date": "hide",
            "address": "province",
            "phone": "last_two",
        },
    )
    for deleted in ("Adı Soyadı", "İ***", "T.C. Kimlik No", tckn(101)[:2] + "***", "Doğum", "1984"):
        assert deleted not in text, deleted
    assert "Adres\nAnkara" in text and "Telefon\n**********67" in text


def test_masking_follows_the_policy_the_gm_set_m5_5(
    api: TestClient, sqlite_clocked: Mahrem
) -> None:
    access.change_policy(
        sqlite_clocked,
        {"printout_masking": {"name": "initials_length"}},
        by="G1",
        at=t("2026-03-01T00:00:00+03:00"),
    )
    _, text, _ = print_own(api)
    assert "İ**** I*******" in text


def test_an_unknown_masking_mode_is_a_problem_json_422(api: TestClient) -> None:
    res = api.post("/printouts", json={"masking": {"tckn": "full"}}, headers=as_person(api, "P1"))
    assert res.status_code == 422 and res.json()["code"] == "masking.unknown_mode"


def test_the_verification_code_opens_the_full_document_for_its_owner_m5_5(api: TestClient) -> None:
    code, _, _ = print_own(api)
    res = api.get(f"/printouts/{code}", headers=as_person(api, "P1"))
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    text = pdf_text(res.content)
    for full in (
        "İlkay Işıkoğlu",
        tckn(101),
        "+905321234567",
        "19.07.1984",
        "Kızılay Mah. Atatürk Blv.",
    ):
        assert full in text, full
    assert "Glukoz (açlık)" in text and code in text


def test_a_typed_code_ignores_case_spaces_and_dashes(api: TestClient) -> None:
    code, _, _ = print_own(api)
    typed = code.replace("-", " ").lower()
    assert api.get(f"/printouts/{typed}", headers=as_person(api, "P1")).status_code == 200


@pytest.mark.parametrize("someone_else", ["D1", "P2", "A1"])
def test_anyone_but_the_owner_gets_exactly_the_unknown_code_answer_m5_5(
    api: TestClient, someone_else: str
) -> None:
    code, _, _ = print_own(api)
    refused = api.get(f"/printouts/{code}", headers=as_person(api, someone_else))
    unknown = api.get("/printouts/ZZZZZ-ZZZZZ", headers=as_person(api, "P1"))
    assert refused.status_code == unknown.status_code == 404
    assert refused.content == unknown.content
    assert refused.json()["code"] == "printout.unknown"


def test_opening_a_printout_needs_a_logged_in_person(api: TestClient) -> None:
    code, _, _ = print_own(api)
    anonymous = api.get(f"/printouts/{code}")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "auth.required"


def test_every_open_and_refusal_is_audited(api: TestClient, sqlite_clocked: Mahrem) -> None:
    from tests.integration.helpers import rows

    code, _, _ = print_own(api)
    api.get(f"/printouts/{code}", headers=as_person(api, "D1"))
    api.get(f"/printouts/{code}", headers=as_person(api, "P1"))
    opened = [
        (e["actor"], e["patient"], e["outcome"])
        for e in rows(sqlite_clocked, "audit_log", action="printout_opened")
    ]
    own_reads = [e for e in rows(sqlite_clocked, "audit_log", action="read") if e["actor"] == "P1"]
    assert opened == [("D1", "P1", "rejected"), ("P1", "P1", "accepted")]
    assert {(e["outcome"], e["basis"]) for e in own_reads} == {("permit", "5/6")} and len(
        own_reads
    ) == 6


def test_the_code_is_kept_only_as_an_hmac(api: TestClient, sqlite_clocked: Mahrem) -> None:
    from tests.integration.helpers import rows

    code, _, _ = print_own(api)
    [row] = rows(sqlite_clocked, "printout")
    assert code.replace("-", "") not in str(row) and len(row["code_hmac"]) == 64


def test_the_cli_prints_and_opens_on_the_same_path(
    sqlite_clocked: Mahrem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mahrem.entrypoints.cli.main import app as cli

    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    url = str(sqlite_clocked.uow.engine.url)
    demo.load_world(sqlite_clocked, identified_world(), t("2026-01-01T00:00:00+03:00"))
    runner = CliRunner()
    made = runner.invoke(
        cli, ["printouts", "create", "P1", "--out", str(tmp_path / "m.pdf"), "--db", url]
    )
    assert made.exit_code == 0, made.output
    code = json.loads(made.stdout)["code"]
    assert "İ*** I***" in pdf_text((tmp_path / "m.pdf").read_bytes())
    refused = runner.invoke(
        cli,
        ["printouts", "open", code, "--as", "D1", "--out", str(tmp_path / "x.pdf"), "--db", url],
    )
    assert refused.exit_code == 1 and json.loads(refused.stdout)["code"] == "printout.unknown"
    assert not (tmp_path / "x.pdf").exists()
    opened = runner.invoke(
        cli,
        ["printouts", "open", code, "--as", "P1", "--out", str(tmp_path / "f.pdf"), "--db", url],
    )
    assert opened.exit_code == 0 and "İlkay Işıkoğlu" in pdf_text((tmp_path / "f.pdf").read_bytes())


def test_without_dejavu_the_sheet_falls_back_to_the_standard_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime

    from mahrem.adapters import pdf
    from mahrem.domain.masking import Identity
    from mahrem.services.printouts import LabReport

    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    renderer = pdf.PdfRenderer()
    at = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    report = LabReport(
        "Hastane", Identity("A*** Y***", "12*******34", "1980"), (), at, "ABCDE-FGHJK", True
    )
    text = pdf_text(renderer(report))
    assert renderer.font == "Helvetica" and "A*** Y***" in text and "ABCDE-FGHJK" in text
