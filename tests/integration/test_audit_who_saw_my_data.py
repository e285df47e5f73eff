"""Who saw my data (C5): the patient's view, a parent's view under M8, concealment (M12)."""

from __future__ import annotations

import pytest

from mahrem.domain.errors import Forbidden, NotFound
from mahrem.services import audit
from mahrem.services.ports import Mahrem
from tests.integration.helpers import event, loaded, read, t

NOW = t("2026-05-01T12:00:00+03:00")


def view(
    service: Mahrem, viewer: str, patient: str = "P1", lang: str = "tr"
) -> list[dict[str, object]]:
    return audit.access_log(service, viewer, patient, lang=lang, at=NOW)


def test_the_patient_sees_staff_reads_with_facility_software_and_article(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-03-02T09:00:00+03:00", "check_in", id="E1", patient="P1", facility="F1")
    read(service, "2026-03-02T09:05:00+03:00", via="S1")
    read(service, "2026-03-02T09:06:00+03:00", actor="N1", via="S1")
    read(service, "2026-03-02T09:07:00+03:00", actor="P1")  # own reads are not listed
    log = view(service, "P1")
    assert [(e["actor"], e["role"], e["facility"], e["decision"], e["basis"]) for e in log] == [
        ("D1", "physician", "F1", "permit", "6/3-c"),
        ("N1", "nurse", "F1", "deny", "6/3"),
    ]
    first = log[0]
    assert (
        first["facility_name"] == "Ankara Şehir Hastanesi" and first["software"] == "Örnek HBYS 1"
    )
    assert first["article"].startswith("Yönetmelik m.6/3-c") and first["actor_name"] == "Kişi D1"
    assert view(service, "P1", lang="en")[0]["article"].startswith("Regulation art. 6/3-c")


def test_relatives_lawyers_heirs_and_officers_appear_in_the_patients_view(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-03-01T09:00:00+03:00", "relative_authorized", patient="P1", relative="K1")
    read(service, "2026-03-01T10:00:00+03:00", actor="K1")
    read(service, "2026-03-01T10:01:00+03:00", actor="L1", purpose="legal")
    read(service, "2026-03-01T10:02:00+03:00", actor="O1", purpose="inspection")
    log = view(service, "P1")
    assert [(e["actor"], e["capacity"], e["basis"]) for e in log] == [
        ("K1", "relative", "9/1"),
        ("L1", None, "6/1"),
        ("O1", "officer", "6/1"),
    ]


def test_named_officers_entries_wait_until_the_order_is_lifted_m12(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-03-01T09:00:00+03:00",
        "concealment_order",
        patient="P1",
        court="Ankara 5. ACM",
        need_to_know=["O1"],
    )
    read(service, "2026-03-01T10:00:00+03:00", actor="O1", purpose="inspection")
    read(service, "2026-03-01T10:01:00+03:00", actor="D1")
    assert [(e["actor"], e["basis"]) for e in view(service, "P1")] == [("D1", "12/1")]
    event(service, "2026-04-01T09:00:00+03:00", "concealment_lifted", patient="P1")
    assert [(e["actor"], e["basis"]) for e in view(service, "P1")] == [
        ("O1", "12/1"),
        ("D1", "12/1"),
    ]


def test_a_parent_sees_the_childs_log_while_m8_allows(service: Mahrem) -> None:
    loaded(service)  # C1 born 2011-06-15
    event(service, "2026-03-01T09:00:00+03:00", "parent_of", parent="M1", child="C1")
    read(service, "2026-03-01T10:00:00+03:00", actor="D3", patient="C1", record="R4")
    assert [e["actor"] for e in view(service, "M1", "C1")] == ["D3"]
    with pytest.raises(NotFound):
        audit.access_log(service, "M1", "C1", at=t("2029-06-15T00:00:00+03:00"))  # the child is 18


def test_a_parent_never_sees_the_log_of_a_concealed_child_m12(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-03-01T09:00:00+03:00", "parent_of", parent="M1", child="C1")
    event(
        service,
        "2026-03-02T09:00:00+03:00",
        "concealment_order",
        patient="C1",
        court="Mahkeme",
        need_to_know=[],
    )
    with pytest.raises(NotFound) as concealed:
        view(service, "M1", "C1")
    with pytest.raises(NotFound) as unknown:
        view(service, "M1", "NOBODY")
    assert (concealed.value.code, type(concealed.value)) == (
        unknown.value.code,
        type(unknown.value),
    )


def test_a_child_who_restricted_parents_hides_the_log_from_them_m8_1(service: Mahrem) -> None:
    loaded(service)
    event(service, "2026-03-01T09:00:00+03:00", "parent_of", parent="M1", child="C1")
    event(service, "2026-06-15T09:00:00+03:00", "parental_access_restricted", child="C1")
    with pytest.raises(NotFound):
        audit.access_log(service, "M1", "C1", at=t("2026-06-16T09:00:00+03:00"))


def test_nobody_else_sees_a_patients_log(service: Mahrem) -> None:
    loaded(service)
    for viewer in ("D1", "A1", "K1"):
        with pytest.raises(NotFound):
            view(service, viewer)


def test_only_the_data_protection_officer_searches_and_exports(service: Mahrem) -> None:
    loaded(service)
    read(service, "2026-03-02T09:05:00+03:00", via="S1")
    read(service, "2026-03-02T09:06:00+03:00", actor="D2")
    found = audit.search_log(service, "A1", {"facility": "F1"}, at=NOW)
    assert [(e["actor"], e["via"]) for e in found] == [("D1", "S1")]
    assert [
        e["actor"]
        for e in audit.search_log(
            service, "A1", {"basis": "6/3", "since": t("2026-03-02T09:06:00+03:00")}, at=NOW
        )
    ] == ["D2"]
    csv_text = audit.export_log(service, "A1", {"patient": "P1"}, "csv", at=NOW)
    assert isinstance(csv_text, str) and csv_text.splitlines()[0].startswith("seq,at,kind,actor")
    assert len(csv_text.splitlines()) == 3
    bundle = audit.export_log(service, "A1", {"patient": "P1"}, "fhir", at=NOW)
    assert isinstance(bundle, dict)
    events = [e["resource"] for e in bundle["entry"]]
    assert [(e["resourceType"], e["action"], e["outcome"]) for e in events] == [
        ("AuditEvent", "R", "4")
    ] * 2
    assert events[0]["agent"][0]["who"]["identifier"]["value"] == "10001583884"  # D1's TC kimlik no
    with pytest.raises(Forbidden):
        audit.search_log(service, "D1", {}, at=NOW)


def test_a_lawyer_and_an_heir_appear_with_their_articles_m10_m11(service: Mahrem) -> None:
    loaded(service)
    event(
        service,
        "2026-03-01T09:00:00+03:00",
        "power_of_attorney",
        id="POA1",
        lawyer="L1",
        client="P1",
        kind="special",
        health_data_consent=True,
        valid_until="2027-01-01",
    )
    read(service, "2026-03-01T10:00:00+03:00", actor="L1", purpose="legal")
    event(service, "2026-03-05T09:00:00+03:00", "death", patient="P1")
    event(
        service, "2026-03-06T09:00:00+03:00", "inheritance_certificate", deceased="P1", heirs=["H1"]
    )
    read(service, "2026-03-06T10:00:00+03:00", actor="H1")
    read(service, "2026-03-06T10:01:00+03:00", actor="L1", purpose="legal")  # the client died: 10/1
    log = view(service, "P1")
    assert [(e["actor"], e["capacity"], e["decision"], e["basis"]) for e in log] == [
        ("L1", "lawyer", "permit", "10/1"),
        ("H1", "heir", "permit", "11/1"),
        ("L1", "lawyer", "deny", "10/1"),
    ]
    assert log[1]["article"] == "Yönetmelik m.11/1: veraset ilamındaki mirasçılar."
