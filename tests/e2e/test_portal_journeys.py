"""Each role's main journeys through the portal, in Chromium: what the patient sets is what the
physician then sees; the patient sees every one of those reads with its article."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import Browser, Page, expect
from stdnum.tr import tckimlik

from mahrem.domain.clock import ISTANBUL
from tests.e2e.portal_harness import Portal, browser_fixture, portal_fixture, seeded_fixture  # noqa: F401

GLUCOSE = "Glukoz"
NOBODY = "100000001" + tckimlik.calc_check_digits("100000001")  # a valid TC kimlik no of no one


def _search(page: Page, portal: Portal, patient: str) -> None:
    page.goto(portal.url + "/portal/clinic")
    page.get_by_label("Hastanın TC kimlik no").fill(portal.tckn(patient))
    page.get_by_role("button", name="Ara").click()


def _records_open(page: Page) -> list[str]:
    return page.locator("article.record h3").all_inner_texts()


def test_a_hidden_record_disappears_from_the_physicians_view_m6_2(
    portal: Portal, browser: Browser
) -> None:
    doctor = portal.login(browser, "D1", installation="S1")
    _search(doctor, portal, "P1")
    assert GLUCOSE in _records_open(doctor)  # checked in at F1 half an hour ago: M6/2 care

    patient = portal.login(browser, "P1")
    patient.get_by_role("link", name="Kayıtlarım").first.click()
    portal.shot(patient, "patient-records")
    patient.get_by_role("button", name=f"{GLUCOSE} kaydını gizle").click()
    expect(patient.get_by_role("status")).to_contain_text("sizden başka herkesten gizli")
    expect(patient.locator("tr.is-hidden")).to_contain_text(GLUCOSE)

    _search(doctor, portal, "P1")
    assert GLUCOSE not in _records_open(doctor)
    # a hidden record is not even listed as withheld (it has no remedy): nothing about it shows
    expect(doctor.locator("table.withheld")).not_to_contain_text("6/2")
    portal.shot(doctor, "physician-after-hide")

    patient.goto(portal.url + "/portal/me/access")
    rows = patient.locator("table.access tbody tr")
    doctor_rows = rows.filter(has_text="Dr. Mehmet Demir").filter(has_text="R1 numaralı kayıt")
    expect(doctor_rows.filter(has_text="İzin verildi").first).to_contain_text(
        "6/2"
    )  # read before hiding
    expect(doctor_rows.filter(has_text="Reddedildi").first).to_contain_text(
        "Hasta bu kaydı gizledi"
    )


def test_a_locked_history_opens_with_the_code_the_patient_reads_from_the_outbox_m6_5(
    portal: Portal, browser: Browser
) -> None:
    patient = portal.login(browser, "P1")
    patient.get_by_role("link", name="Gizlilik").first.click()
    patient.get_by_role("button", name="Geçmişimi kilitle").click()
    expect(patient.get_by_role("status")).to_contain_text("Geçmişiniz kilitli")
    portal.shot(patient, "patient-privacy")

    doctor = portal.login(browser, "D1", installation="S1")
    _search(doctor, portal, "P1")
    assert _records_open(doctor) == []
    withheld = doctor.locator("table.withheld")
    expect(withheld).to_contain_text("6/5")
    expect(withheld).to_contain_text("tek kullanımlık kodu girin")
    doctor.get_by_role("button", name="Hastaya kod gönder").click()
    expect(doctor.get_by_role("status").first).to_contain_text(
        "Hastanın telefonuna bir kod gönderildi"
    )
    portal.shot(doctor, "physician-withheld")

    patient.get_by_role("link", name="Kodlarım").first.click()
    sms = patient.locator(".sms").first.inner_text()
    code = re.search(r"\b(\d{4,8})\b", sms)
    assert code is not None, sms
    portal.shot(patient, "patient-codes")

    doctor.get_by_label("Hastadan alınan kod").fill(code.group(1))
    doctor.get_by_role("button", name="Kodu gir").click()
    expect(doctor.get_by_role("status").first).to_contain_text("Kod kabul edildi")
    opened = _records_open(doctor)
    assert GLUCOSE in opened and "Orta depresif epizod" in opened  # the code opens M6/6 too
    portal.shot(doctor, "physician-after-code")

    patient.goto(portal.url + "/portal/me/access")
    table = patient.locator("table.access")
    expect(table).to_contain_text("6/5")
    expect(table).to_contain_text("geçmişinizi kilitlediniz")
    expect(
        table.locator("tr", has_text="İzin verildi").filter(has_text="Dr. Mehmet Demir").first
    ).to_contain_text("6/2")
    expect(patient.locator("svg.timeline rect.bar-permit").first).to_be_visible()
    portal.shot(patient, "patient-access-history")
    patient.get_by_label("Karar").select_option("deny")
    patient.get_by_role("button", name="Süz").click()
    decisions = patient.locator("table.access tbody tr td:nth-child(5)").all_inner_texts()
    assert decisions and set(decisions) == {"Reddedildi"}


def test_a_teenager_makes_a_parent_ask_permission_m8_1(portal: Portal, browser: Browser) -> None:
    parent = portal.login(browser, "P1")
    parent.get_by_role("link", name="Çocuklarım").first.click()
    card = parent.locator("section.card", has_text="Deniz Yılmaz")
    expect(card).to_contain_text(GLUCOSE)

    teen = portal.login(browser, "C1")
    teen.get_by_role("link", name="Gizlilik").first.click()
    teen.get_by_role("button", name="Ebeveynlerim iznimi istesin").click()
    expect(teen.get_by_role("status")).to_contain_text("izninizi istemeli")
    portal.shot(teen, "teen-privacy")

    parent.reload()
    card = parent.locator("section.card", has_text="Deniz Yılmaz")
    expect(card).not_to_contain_text(GLUCOSE)
    expect(card).to_contain_text("ebeveynlerin izin istemesini şart koştu")
    portal.shot(parent, "parent-children")

    teen.goto(portal.url + "/portal/me/access")
    refused = (
        teen.locator("table.access tr", has_text="Ayşe Yılmaz").filter(has_text="Reddedildi").first
    )
    expect(refused).to_contain_text("8/1")


def test_a_concealment_order_removes_the_patient_from_the_physicians_search_m12_1(
    portal: Portal, browser: Browser
) -> None:
    # C1 is no patient of F1's today: D1 sees the name and what is withheld, until the order.
    doctor = portal.login(browser, "D1", installation="S1")
    _search(doctor, portal, "C1")
    expect(doctor.locator("#patient-title")).to_have_text("Deniz Yılmaz")

    officer = portal.login(browser, "O1")
    officer.get_by_role("link", name="Gizlilik kararları").first.click()
    officer.get_by_label("Kişinin TC kimlik no").fill(portal.tckn("C1"))
    officer.get_by_label("Mahkeme ve karar").fill("Ankara 3. Aile Mahkemesi, 2026/145")
    officer.get_by_role("button", name="Kararı yürürlüğe koy").click()
    expect(officer.get_by_role("status")).to_contain_text("Gizlilik kararı yürürlükte")
    expect(officer.locator("table")).to_contain_text("Deniz Yılmaz")
    portal.shot(officer, "officer-concealment")

    _search(doctor, portal, "C1")
    expect(doctor.locator("#patient-title")).to_have_count(0)
    concealed = doctor.locator("main").inner_text()
    doctor.get_by_label("Hastanın TC kimlik no").fill(NOBODY)
    doctor.get_by_role("button", name="Ara").click()
    assert doctor.locator("main").inner_text() == concealed

    patient = portal.login(browser, "C1")
    patient.goto(portal.url + "/portal/me/access")
    expect(patient.locator("table.access tr", has_text="12/1").first).to_contain_text("Reddedildi")

    officer.get_by_role(
        "button", name="Kararı kaldır"
    ).click()  # a confirm() dialog: accepted below
    _search(doctor, portal, "C1")
    expect(doctor.locator("#patient-title")).to_have_count(
        0
    )  # dismissed by default: still in force


def test_a_concealed_patients_open_check_in_tells_its_team_only_of_a_legal_restriction_m12_m6_1(
    portal: Portal, browser: Browser
) -> None:
    # P2 checked in at F1 an hour ago (the demo world): F1's team keeps the episode (rule 2).
    officer = portal.login(browser, "O1")
    officer.goto(portal.url + "/portal/officer/concealment")
    officer.get_by_label("Kişinin TC kimlik no").fill(portal.tckn("P2"))
    officer.get_by_label("Mahkeme ve karar").fill("Ankara 3. Aile Mahkemesi, 2026/146")
    officer.get_by_role("button", name="Kararı yürürlüğe koy").click()
    expect(officer.get_by_role("status")).to_contain_text("Gizlilik kararı yürürlükte")

    doctor = portal.login(browser, "D1", installation="S1")
    _search(doctor, portal, "P2")
    expect(doctor.locator("#patient-title")).to_have_text("Mehmet Kara")
    expect(doctor.locator(".legal-restriction")).to_contain_text("yasal bir kısıtlama")
    expect(doctor.locator("table.withheld")).to_have_count(0)  # past data: not even a count
    expect(doctor.locator("main")).not_to_contain_text("6/3-c")
    portal.shot(doctor, "clinic-care-path-under-concealment")


def test_an_officer_lifts_the_order_after_confirming_m12_1(
    portal: Portal, browser: Browser
) -> None:
    officer = portal.login(browser, "O1")
    officer.goto(portal.url + "/portal/officer/concealment")
    officer.get_by_label("Kişinin TC kimlik no").fill(portal.tckn("P2"))
    officer.get_by_label("Mahkeme ve karar").fill("İzmir 1. Asliye Hukuk Mahkemesi, 2026/9")
    officer.get_by_role("button", name="Kararı yürürlüğe koy").click()
    officer.on("dialog", lambda dialog: dialog.accept())
    officer.get_by_role("button", name="Kararı kaldır").click()
    expect(officer.get_by_role("status")).to_contain_text("Gizlilik kararı kaldırıldı")
    doctor = portal.login(browser, "D1", installation="S1")
    _search(doctor, portal, "P2")
    expect(doctor.locator("#patient-title")).to_have_text("Mehmet Kara")


def test_a_gm_officer_drafts_and_activates_a_policy_change_within_the_law_m6_4(
    portal: Portal, browser: Browser
) -> None:
    gm = portal.login(browser, "G1")
    gm.goto(portal.url + "/portal/officer/gm")
    next_week = (datetime.now(ISTANBUL) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    texts = {
        "Aydınlatma metni başlığı (Türkçe)": "Aydınlatma metni: yeniden kimliklendirme",
        "Aydınlatma metni (Türkçe)": "Birim başına yetkili sayısı değişti.",
        "Aydınlatma metni başlığı (İngilizce)": "Information notice: re-identification",
        "Aydınlatma metni (İngilizce)": "The number of re-identifiers per unit changed.",
    }
    gm.get_by_label("Parametre").fill("max_reidentifiers_per_unit")
    gm.get_by_label("Yeni değer").fill("5")
    gm.get_by_label("Yürürlük zamanı (İstanbul saati)").fill(next_week)
    gm.get_by_label("Gerekçe", exact=True).fill("Birimlerin talebi")
    for label, text in texts.items():
        gm.get_by_label(label, exact=True).fill(text)
    gm.get_by_role("button", name="Taslağı kaydet").click()
    # M7/1 fixes at most three: refused with its article, and nothing typed is lost
    expect(gm.get_by_role("alert")).to_contain_text("7/1")
    expect(gm.get_by_label("Gerekçe", exact=True)).to_have_value("Birimlerin talebi")
    portal.shot(gm, "gm-policy-refused")
    gm.get_by_label("Yeni değer").fill("2")
    gm.get_by_role("button", name="Taslağı kaydet").click()
    expect(gm.get_by_role("status")).to_contain_text("Politika taslağı kaydedildi")
    row = gm.locator("#drafts-title ~ table tbody tr").first
    expect(row).to_contain_text("max_reidentifiers_per_unit")
    row.get_by_role("button", name="Etkinleştir").click()
    expect(gm.get_by_role("status")).to_contain_text("Aydınlatma metni yayımlandı")
    expect(gm.locator("#drafts-title ~ table tbody tr").first).to_contain_text("Etkinleştirildi")
    portal.shot(gm, "gm-policy-activated")
    notice = gm.request.get(portal.url + "/notices/current").json()
    assert notice["title_tr"] == texts["Aydınlatma metni başlığı (Türkçe)"]


def test_a_patient_gives_and_withdraws_consent_to_transfers_abroad_m15_1(
    portal: Portal, browser: Browser
) -> None:
    page = portal.login(browser, "P1")
    page.goto(portal.url + "/portal/me/privacy")
    row = page.locator("tr", has_text="Yurt dışındaki alıcılar")
    expect(row).to_contain_text("Rıza yok")
    row.get_by_role("button", name="Rıza ver").click()
    expect(page.get_by_role("status")).to_contain_text("Rızanız kaydedildi")
    expect(page.locator("tr", has_text="Yurt dışındaki alıcılar")).to_contain_text("Rıza verildi")
    expect(page.locator("tr", has_text="Türkiye'deki özel kuruluşlar")).to_contain_text("Rıza yok")
    portal.shot(page, "patient-transfer-consent")
    with portal.m.uow.read() as store:
        person = next(r["id"] for r in store.rows("person", tckn=portal.tckn("P1")))
        [consent] = store.rows("preference", patient=person, kind="transfer_consent", valid_to=None)
    assert consent["detail"] == "foreign"
    page.locator("tr", has_text="Yurt dışındaki alıcılar").get_by_role(
        "button", name="Rızayı geri al"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Rızanızı geri aldınız")
    expect(page.locator("tr", has_text="Yurt dışındaki alıcılar")).to_contain_text("Rıza yok")
    with portal.m.uow.read() as store:
        assert not store.rows("preference", patient=person, kind="transfer_consent", valid_to=None)
