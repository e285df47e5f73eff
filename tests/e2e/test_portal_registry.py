"""The officers' registers over HTTP (no browser): the General Directorate's KTS registry, the
provincial directorate's correction requests and written opinions, and the data protection
officer's breach register. Each page renders for its role and is refused to others; each form
works, and a refused form shows its error next to the field and keeps what was typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import httpx2 as httpx
import pyotp

from mahrem.domain.clock import ISTANBUL
from mahrem.services import corrections, demo, kts
from mahrem.services import corrections as officer_lists
from mahrem.services import rights as breaches
from tests.e2e.portal_harness import Portal, portal_fixture, seeded_fixture  # noqa: F401

TR_DATE_ERROR = "Tarihi YYYY-AA-GG biçiminde girin."
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def _login(portal: Portal, person: str) -> Iterator[httpx.Client]:
    """A client logged in as `person`, through the login form, with its cookies."""
    account = portal.people[person]
    with httpx.Client(base_url=portal.url, follow_redirects=False, timeout=30) as client:
        found = CSRF.search(client.get("/portal/login").text)
        assert found is not None
        form = {
            "csrf": found.group(1),
            "login": account["login"],
            "password": account["password"],
            "next": "/portal/",
        }
        if account["totp_secret"]:
            form["totp"] = pyotp.TOTP(account["totp_secret"]).now()
        response = client.post("/portal/login", data=form)
        assert response.status_code == 303, response.text
        yield client


def _csrf(client: httpx.Client, path: str) -> str:
    found = CSRF.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def _field_error(html: str, name: str) -> str:
    """The error shown next to a field (the macro's `e-<name>` paragraph)."""
    found = re.search(rf'<p class="error" id="e-{re.escape(name)}">(.*?)</p>', html, re.S)
    assert found is not None, f"no error next to {name}"
    return re.sub(r'<span class="visually-hidden">.*?</span>', "", found.group(1)).strip()


PAGES = {
    "G1": ["/portal/officer/kts"],
    "O1": ["/portal/officer/corrections", "/portal/officer/opinions"],
    "A1": ["/portal/officer/breaches"],
}


def test_each_register_renders_for_its_role_and_is_refused_to_others_kts_3_m13_1_m18_2(
    portal: Portal,
) -> None:
    for person, paths in PAGES.items():  # one login each: a TOTP code is accepted once
        with _login(portal, person) as client:
            for path in paths:
                page = client.get(path)
                assert page.status_code == 200, path
                assert page.headers["Cache-Control"] == "no-store"
                assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
                assert "<script>" not in page.text and "style=" not in page.text
                assert f'href="{path}"' in page.text  # the main menu links to it
            for other in [p for who, paths in PAGES.items() if who != person for p in paths]:
                assert client.get(other).status_code == 403, (person, other)
    with _login(portal, "P1") as patient:
        for path in [p for paths in PAGES.values() for p in paths]:
            assert patient.get(path).status_code == 403


def test_the_kts_registry_warns_of_expiring_certificates_and_suspends_an_installation_kts_3(
    portal: Portal,
) -> None:
    demo.load_demo_registry(portal.m)
    firm = kts.listing(portal.m, "kts_firm")[0]["id"]
    today = datetime.now(ISTANBUL).date()
    kts.add_certificate(
        portal.m,
        "CERT-SOON",
        firm,
        "ISO/IEC 27001",
        "TSE",
        today + timedelta(days=3),
        "G1",
        mandatory=False,
    )
    with _login(portal, "G1") as client:
        page = client.get("/portal/officer/kts")
        row = re.search(r"<tr>\s*<td>CERT-SOON.*?</tr>", page.text, re.S)
        assert row is not None and "7 gün içinde sona eriyor" in row.group(0)
        assert re.search(r"<td>S1</td>.*?<td>F1</td>", page.text, re.S) is not None
        token = _csrf(client, "/portal/officer/kts")
        refused = client.post(
            "/portal/officer/kts/status",
            data={"csrf": token, "installation": "S1", "reason": "", "act": "suspend"},
        )
        assert refused.status_code == 422
        assert _field_error(refused.text, "reason") == "Değişikliğin gerekçesini yazın."
        assert 'name="installation" type="text" value="S1"' in refused.text
        done = client.post(
            "/portal/officer/kts/status",
            data={
                "csrf": token,
                "installation": "S1",
                "reason": "güvenlik açığı",
                "act": "suspend",
            },
        )
        assert done.status_code == 303
        assert kts.get_installation(portal.m, "S1")["status"] == "suspended"
        assert "Kurulum askıya alındı." in client.get(done.headers["Location"]).text
        again = client.post(
            "/portal/officer/kts/status",
            data={
                "csrf": token,
                "installation": "S1",
                "reason": "açık kapatıldı",
                "act": "reactivate",
            },
        )
        assert again.status_code == 303
        assert kts.get_installation(portal.m, "S1")["status"] == "registered"


def test_the_province_investigates_rejects_and_forwards_correction_requests_m13_1(
    portal: Portal,
) -> None:
    first = corrections.file_request(portal.m, "P2", "R3", "Glukoz değeri yanlış girilmiş")["id"]
    second = corrections.file_request(portal.m, "P2", "R3", "Tanı başka hastaya ait")["id"]
    with _login(portal, "O1") as client:
        page = client.get("/portal/officer/corrections")
        assert first in page.text and second in page.text
        token = _csrf(client, "/portal/officer/corrections")
        assert (
            client.post(
                "/portal/officer/corrections/investigate", data={"csrf": token, "request": first}
            ).status_code
            == 303
        )
        assert corrections.correction_status(portal.m, "O1", first)["status"] == "investigating"
        assert (
            client.post(
                "/portal/officer/corrections/forward", data={"csrf": token, "request": first}
            ).status_code
            == 303
        )
        assert corrections.correction_status(portal.m, "O1", first)["status"] == "forwarded"
        refused = client.post(
            "/portal/officer/corrections/reject",
            data={"csrf": token, "request": second, "reason": "  "},
        )
        assert refused.status_code == 422
        assert _field_error(refused.text, "reason") == "Reddin gerekçesini yazın."
        assert f'name="request" type="text" value="{second}"' in refused.text
        assert (
            client.post(
                "/portal/officer/corrections/reject",
                data={"csrf": token, "request": second, "reason": "Kayıt doğru"},
            ).status_code
            == 303
        )
        assert corrections.correction_status(portal.m, "O1", second)["status"] == "rejected"
    assert [r["id"] for r in officer_lists.province_corrections(portal.m, "A1")] == []


def test_the_province_issues_and_revokes_a_written_opinion_kts_2(portal: Portal) -> None:
    until = (date.today() + timedelta(days=90)).isoformat()
    with _login(portal, "O1") as client:
        token = _csrf(client, "/portal/officer/opinions")
        refused = client.post(
            "/portal/officer/opinions",
            data={
                "csrf": token,
                "software": "S1",
                "facility": "F1",
                "purpose": "kalite analizi",
                "valid_until": "31.12",
            },
        )
        assert refused.status_code == 422
        assert _field_error(refused.text, "valid_until") == TR_DATE_ERROR
        assert 'value="kalite analizi"' in refused.text
        done = client.post(
            "/portal/officer/opinions",
            data={
                "csrf": token,
                "software": "S1",
                "facility": "F1",
                "purpose": "kalite analizi",
                "valid_until": until,
            },
        )
        assert done.status_code == 303
        [opinion] = officer_lists.written_opinions(portal.m, "O1")
        assert opinion["in_force"] and opinion["purpose"] == "kalite analizi"
        assert (
            client.post(
                f"/portal/officer/opinions/{opinion['id']}/revoke", data={"csrf": token}
            ).status_code
            == 303
        )
        [revoked] = officer_lists.written_opinions(portal.m, "O1")
        assert revoked["revoked_at"] is not None and not revoked["in_force"]


def test_the_dpo_records_a_breach_and_notifies_the_board_m18_2(portal: Portal) -> None:
    detected = (datetime.now(ISTANBUL) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    with _login(portal, "A1") as client:
        token = _csrf(client, "/portal/officer/breaches")
        refused = client.post(
            "/portal/officer/breaches",
            data={
                "csrf": token,
                "detected_at": detected,
                "description": "",
                "source": "USB bellek",
                "categories[]": ["laboratory"],
            },
        )
        assert refused.status_code == 422
        assert _field_error(refused.text, "description") == "Ne olduğunu yazın."
        assert 'value="USB bellek"' in refused.text and 'value="laboratory" checked' in refused.text
        done = client.post(
            "/portal/officer/breaches",
            data={
                "csrf": token,
                "detected_at": detected,
                "description": "Kayıp dizüstü bilgisayar",
                "source": "USB bellek",
                "categories[]": ["laboratory", "identity"],
            },
        )
        assert done.status_code == 303
        [breach] = breaches.list_breaches(portal.m, "A1")
        assert breach["categories"] == ["identity", "laboratory"] and not breach["overdue"]
        page = client.get(done.headers["Location"]).text
        assert "Veri ihlali kaydedildi." in page and "saat kaldı" in page
        assert client.get(f"/portal/officer/breaches/{breach['id']}").status_code == 200
        assert (
            client.post(
                f"/portal/officer/breaches/{breach['id']}/notify", data={"csrf": token}
            ).status_code
            == 303
        )
        assert breaches.get_breach(portal.m, "A1", breach["id"])["board_notified_at"] is not None


def test_a_late_notification_without_a_reason_is_refused_next_to_the_field_m18_2(
    portal: Portal,
) -> None:
    late = breaches.record_breach(
        portal.m,
        "A1",
        detected_at=datetime.now(ISTANBUL) - timedelta(hours=80),
        description="Yetkisiz sorgu",
        categories=["general"],
    )
    with _login(portal, "A1") as client:
        client.cookies.set("mahrem_lang", "en")
        page = client.get("/portal/officer/breaches").text
        assert "Overdue" in page
        token = _csrf(client, "/portal/officer/breaches")
        refused = client.post(f"/portal/officer/breaches/{late['id']}/notify", data={"csrf": token})
        assert refused.status_code == 422
        assert (
            _field_error(refused.text, f"delay-{late['id']}")
            == "A notification after 72 hours must say why it is late."
        )
        assert (
            client.post(
                f"/portal/officer/breaches/{late['id']}/notify",
                data={"csrf": token, "delay_reason": "Hafta sonu tespit edildi"},
            ).status_code
            == 303
        )
        assert breaches.get_breach(portal.m, "A1", late["id"])["late"] is True
