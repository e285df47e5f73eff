"""The central feed and re-identification (M7) over HTTP and the CLI: one service path, the
same answers, the same audit entries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mahrem.bootstrap import build
from mahrem.entrypoints.api.app import create_app
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services import central, demo
from mahrem.services.ports import Mahrem
from tests.e2e.auth import headers_for
from tests.integration.helpers import event, rows, t
from tests.worlds import identified_world, tckn

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAHREM_KEY_DIR", str(tmp_path / "keys"))
    return f"sqlite:///{tmp_path}/central.db"


@pytest.fixture
def service(url: str, tmp_path: Path) -> Iterator[Mahrem]:
    svc = build(url, key_dir=str(tmp_path / "keys"))
    demo.load_world(svc, identified_world(), t("2026-01-01T00:00:00+03:00"))
    event(
        svc,
        "2026-01-02T09:00:00+03:00",
        "reidentification_authorized",
        user="U1",
        unit="B1",
        by="G1",
    )
    yield svc
    svc.uow.dispose()


def p1_pseudonym(service: Mahrem) -> str:
    feed = central.export(service, "esaglik", at=t("2026-04-01T10:00:00+03:00"))
    return next(
        e["resource"]["id"]
        for e in feed["entry"]
        if e["resource"]["resourceType"] == "Patient" and e["resource"].get("birthDate") == "1984"
    )


def over_http(service: Mahrem, actor: str, pseudonym: str, purpose: str = "planning") -> Any:
    return TestClient(create_app(service)).post(
        "/central/reidentify",
        json={"pseudonym": pseudonym, "purpose": purpose},
        headers=headers_for(service, actor),
    )


def over_cli(url: str, actor: str, pseudonym: str, purpose: str = "planning") -> Any:
    return runner.invoke(
        cli, ["central", "reidentify", pseudonym, "--as", actor, "--purpose", purpose, "--db", url]
    )


def test_the_api_and_the_cli_reidentify_on_the_same_audited_path_m7_2(
    service: Mahrem, url: str
) -> None:
    pseudonym = p1_pseudonym(service)
    http, shell = over_http(service, "U1", pseudonym), over_cli(url, "U1", pseudonym)
    assert http.status_code == 200 and shell.exit_code == 0
    assert http.json() == json.loads(shell.stdout)
    assert (http.json()["name"], http.json()["tckn"], http.json()["basis"]) == (
        "İlkay Işıkoğlu",
        tckn(101),
        "7/2",
    )
    audited = [
        (e["kind"], e["actor"], e["patient"], e["purpose"], e["outcome"], e["basis"])
        for e in rows(service, "audit_log", action="reidentify")
    ]
    assert audited == [("decision", "U1", "P1", "planning", "permit", "7/2")] * 2


def test_a_refusal_carries_its_article_over_http_and_the_cli_m7_1(
    service: Mahrem, url: str
) -> None:
    pseudonym = p1_pseudonym(service)
    http, shell = over_http(service, "U2", pseudonym), over_cli(url, "U2", pseudonym)
    assert http.status_code == 403 and http.headers["content-type"] == "application/problem+json"
    assert (http.json()["code"], http.json()["basis"]) == ("reidentify.denied", "7/1")
    assert shell.exit_code == 1
    assert json.loads(shell.stdout) | {"message": ""} == {
        "result": "refused",
        "code": "reidentify.denied",
        "basis": "7/1",
        "message": "",
    }


def test_a_concealed_patient_answers_like_an_unknown_pseudonym_over_http_m12_1(
    service: Mahrem,
) -> None:
    pseudonym = p1_pseudonym(service)
    event(
        service,
        "2026-04-01T11:00:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 3. Aile Mahkemesi",
        need_to_know=["O1"],
    )
    concealed, unknown = (
        over_http(service, "U1", pseudonym),
        over_http(service, "U1", "PSN1-" + "Q" * 32),
    )
    assert concealed.status_code == unknown.status_code == 404
    assert concealed.content == unknown.content


def test_the_cli_writes_a_feed_without_identifiers_and_manages_key_versions(
    url: str, service: Mahrem, tmp_path: Path
) -> None:
    out = tmp_path / "feed.json"
    done = runner.invoke(
        cli,
        [
            "central",
            "export",
            "--receiver",
            "esaglik",
            "--out",
            str(out),
            "--by",
            "A1",
            "--db",
            url,
        ],
    )
    assert done.exit_code == 0, done.output
    text = out.read_text()
    assert json.loads(text)["resourceType"] == "Bundle"
    assert (
        "İlkay" not in text
        and "Işıkoğlu" not in text
        and tckn(101) not in text
        and "5321234567" not in text
    )
    assert (
        runner.invoke(
            cli, ["central", "rotate-key", "--receiver", "esaglik", "--db", url]
        ).exit_code
        == 0
    )
    listed = runner.invoke(cli, ["central", "keys", "--db", url]).stdout.splitlines()
    assert [line.split("\t")[1] for line in listed] == ["v1", "v2"] and listed[1].endswith("in use")


def test_the_cli_refuses_a_bad_receiver_name(url: str, service: Mahrem) -> None:
    done = runner.invoke(cli, ["central", "export", "--receiver", "../etc", "--db", url])
    assert done.exit_code == 1 and json.loads(done.stdout)["code"] == "receiver.invalid"
