"""Attacks that failed when Mahrem was tried as an attacker would (issue 14, "What held"), kept
as tests so that they keep failing. Each test is named after the attack. Some held lines are
covered where the code they test lives:

- unknown-answer timing: tests/e2e/test_records_fhir_api.py,
  test_unknown_and_concealed_answers_both_wait_out_the_same_padding_m12
- leak-proof totals and paging: tests/e2e/test_records_fhir_api.py,
  test_a_hidden_record_leaves_no_trace_in_totals_pages_or_links_m6_2,
  and tests/property/test_search_paging.py
- two concurrent writers: tests/integration/test_audit_append.py,
  test_concurrent_writers_never_fork_the_chain
- kill -9 during a lifecycle run: tests/integration/test_lifecycle_destruction.py,
  test_an_interrupted_run_is_run_again_without_loss_or_duplication_m14_1
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient

from mahrem.bootstrap import build
from mahrem.services import accounts, audit, kts
from mahrem.services.records import current_resource, patient_bundles, synthea_tckn
from tests.conftest import SHARED
from tests.e2e.auth import headers_for, session_token, software_headers
from tests.e2e.conftest import Clock, svc
from tests.e2e.outcomes import problem_of
from tests.integration.helpers import loaded, rows

READ = {"action": "read", "patient": "P1", "record": "R1", "purpose": "treatment"}


def test_a_forged_key_or_session_token_is_a_401(api: TestClient) -> None:
    for token in ("mhr_0123456789abcdef0123456789abcdef", "not-a-session-token-at-all-0123456789"):
        res = api.post(
            "/decide",
            json={"request": READ},
            headers={"Authorization": f"Bearer {token}", "X-Acting-Person": "D1"},
        )
        assert res.status_code == 401 and res.json()["code"] == "auth.invalid"


def test_a_rotated_key_no_longer_authenticates(api: TestClient) -> None:
    old = software_headers(svc(api), "S1", "D1", purpose="treatment")
    assert api.get("/me", headers=old).status_code == 200
    kts.rotate_api_key(svc(api), "S1", by="G1")
    assert api.get("/me", headers=old).status_code == 401


def test_an_expired_session_is_a_401(api: TestClient, clock: Clock) -> None:
    headers = headers_for(svc(api), "K1")
    assert api.get("/me", headers=headers).status_code == 200
    clock.now = clock.now + accounts.SESSION_LIFETIME + timedelta(seconds=1)
    assert api.get("/me", headers=headers).status_code == 401


def test_a_session_cookie_planted_before_login_is_not_adopted(api: TestClient) -> None:
    """Session fixation: the portal makes a new token at login, whatever cookie came with it."""
    password = "sınama-parolası-K1"
    accounts.set_password(svc(api), "K1", password)
    with svc(api).uow.read() as store:
        tckn = store.get("person", "K1")["tckn"]  # type: ignore[index]
    client = TestClient(api.app, base_url="https://testserver", follow_redirects=False)
    client.cookies.set("mahrem_session", "attacker-chosen-token", path="/portal")
    page = client.get("/portal/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    res = client.post("/portal/login", data={"login": tckn, "password": password, "csrf": csrf})
    assert res.status_code == 303
    issued = [c for c in res.headers.get_list("set-cookie") if c.startswith("mahrem_session=")]
    assert issued and "attacker-chosen-token" not in issued[0]
    assert accounts.session(svc(api), "attacker-chosen-token") is None


def test_a_totp_code_cannot_be_replayed(api: TestClient) -> None:
    password = "sınama-parolası-D1"
    accounts.set_password(svc(api), "D1", password)
    uri = accounts.enrol_totp(svc(api), "D1")
    code = pyotp.TOTP(uri.split("secret=")[1].split("&")[0]).at(svc(api).clock())
    first = api.post("/auth/login", json={"login": "D1", "password": password, "totp": code})
    again = api.post("/auth/login", json={"login": "D1", "password": password, "totp": code})
    assert first.status_code == 200
    assert (
        again.status_code in (401, 403)
        and again.json()["code"] == "auth.failed"
        and "token" not in again.json()
    )


def test_a_portal_form_without_its_csrf_token_is_refused(api: TestClient) -> None:
    token = session_token(svc(api), "K1")
    client = TestClient(
        api.app,
        base_url="https://testserver",
        cookies={"mahrem_session": token},
        follow_redirects=False,
    )
    res = client.post("/portal/me/privacy/lock", data={})
    assert res.status_code == 403
    assert rows(svc(api), "preference", patient="K1", kind="history_locked") == []


def test_the_session_cookie_is_http_only_strict_and_secure_over_tls(api: TestClient) -> None:
    password = "sınama-parolası-K1"
    accounts.set_password(svc(api), "K1", password)
    client = TestClient(api.app, base_url="https://testserver", follow_redirects=False)
    csrf = client.get("/portal/login").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    res = client.post("/portal/login", data={"login": "K1", "password": password, "csrf": csrf})
    cookie = next(c for c in res.headers.get_list("set-cookie") if c.startswith("mahrem_session="))
    assert (
        "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
        and "Secure" in cookie
    )


def test_another_persons_application_and_my_data_are_unknown_idor(api: TestClient) -> None:
    mine = api.post(
        "/applications",
        json={"kind": "information", "subject": "Verilerim"},
        headers=headers_for(svc(api), "P1"),
    )
    assert mine.status_code == 201, mine.text
    app_id = mine.json()["id"]
    other = headers_for(svc(api), "K1")
    for path in (
        f"/applications/{app_id}",
        f"/applications/{app_id}/my-data",
        f"/applications/{app_id}/my-data.pdf",
    ):
        res = api.get(path, headers=other)
        assert res.status_code in (403, 404) and b"P1" not in res.content, path


def test_sql_in_an_id_is_an_unknown_id(api: TestClient) -> None:
    headers = software_headers(svc(api), "S1", "D1", purpose="treatment")
    for injected in ("P1' OR '1'='1", "P1; DROP TABLE record; --"):
        res = api.get("/fhir/Record", params={"patient": injected}, headers=headers)
        assert res.status_code == 404 and problem_of(res)["code"] == "person.unknown"
    assert rows(svc(api), "record")


@pytest.mark.parametrize(
    "path",
    [
        "/open/..%2f..%2fetc%2fpasswd",
        "/open/%2e%2e/%2e%2e/etc/passwd",
        "/portal/static/..%2f..%2f..%2fpyproject.toml",
        "/portal/static/%2e%2e/app.py",
    ],
)
def test_a_path_traversal_serves_nothing(api: TestClient, path: str) -> None:
    res = api.get(path)
    assert (
        res.status_code == 404 and b"root:" not in res.content and b"[project]" not in res.content
    )


def test_deeply_nested_json_is_a_clear_400_not_a_server_error(api: TestClient) -> None:
    body = '{"request":' + '{"a":' * 5000 + "1" + "}" * 5000 + "}"
    res = api.post(
        "/decide",
        content=body,
        headers={**software_headers(svc(api), "S1", "D1"), "content-type": "application/json"},
    )
    assert res.status_code == 400 and res.json()["code"] == "request.malformed"


@pytest.mark.parametrize("tckn", ["12345678901", "1234567890", "02345678902", "1234567890a"])
def test_an_invalid_tc_kimlik_no_is_refused_naming_the_field(api: TestClient, tckn: str) -> None:
    res = api.get(
        "/fhir/Record",
        params={"patient.identifier": tckn},
        headers=software_headers(svc(api), "S1", "D1", purpose="treatment"),
    )
    assert (
        res.status_code == 404 and problem_of(res)["field"] == "patient.identifier"
    )  # nobody, as for any unknown


SYNTHEA = SHARED / "data" / "synthea-10-patients"


def test_kill_9_during_an_import_leaves_nothing_half_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/mahrem.db"
    keys = str(tmp_path / "keys")
    service = build(url, key_dir=keys)
    loaded(service)
    service.uow.engine.dispose()
    env = {**os.environ, "MAHREM_DATABASE_URL": url, "MAHREM_KEY_DIR": keys}
    command = [
        sys.executable,
        "-m",
        "mahrem.entrypoints.cli.main",
        "fhir",
        "import",
        str(SYNTHEA),
        "--installation",
        "S1",
        "--actor",
        "D1",
    ]
    proc = subprocess.Popen(
        command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # kill it in the middle, once a few patients are in
        if line.startswith("[3/"):
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    time.sleep(0.1)
    resources = [
        json.loads(line)
        for f in sorted(SYNTHEA.glob("*.ndjson"))
        for line in f.read_text().splitlines()
        if line.strip()
    ]
    sizes = {
        synthea_tckn(
            next(e["resource"] for e in b["entry"] if e["resource"]["resourceType"] == "Patient")
        ): sum(
            1
            for e in b["entry"]
            if e["resource"]["resourceType"]
            not in ("Patient", "Organization", "Location", "Practitioner", "PractitionerRole")
        )
        for _, b in patient_bundles(resources, synthea_tckn)
    }
    service = build(url, key_dir=keys)
    with service.uow.read() as store:
        people = {p["id"]: p["tckn"] for p in store.rows("person") if p["id"].startswith("p-")}
        held = {
            tckn: sum(1 for _ in store.rows("record", patient=pid)) for pid, tckn in people.items()
        }
        unreadable = [
            r["id"]
            for r in store.rows("record")
            if current_resource(store, service.keys, r["id"]) is None
        ]
    assert 3 <= len(people) < len(sizes)
    assert all(held[t] == sizes[t] for t in held)  # every patient all in, or not at all
    assert unreadable == [] and audit.verify(service).ok
    service.uow.engine.dispose()
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert json.loads(again.stdout.splitlines()[-1])["patients"] == len(sizes)
