"""Real clinical data (issue 19; C1, C3, M6/6, M11): a pushed record's category sees its reasons
and its encounter, its author is the clinician it names (never the acting user by default),
codes nothing classifies are listed for the data protection officer, and a Patient's
`deceasedDateTime` records the death with both its times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from mahrem.domain.errors import Forbidden, InputError
from mahrem.services import access, events, records
from mahrem.services.ports import Mahrem
from mahrem.services.records import TCKN_SYSTEM
from tests.integration.helpers import loaded, read, rows, t
from tests.integration.test_records_ingest import bundle, condition, patient
from tests.worlds import tckn

AT = t("2026-03-02T10:00:00+03:00")
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
NPI = "http://hl7.org/fhir/sid/us-npi"


def pushed(service: Mahrem, *resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Push a transaction as S1 (F1) with D1 acting; the sender's id → its stored record row."""
    out = records.push(service, "S1", "D1", bundle(patient(), *resources), at=AT)
    events.follow_pushed(service, "S1", "D1", out.entries, None)
    links = {r["local_id"]: r["record"] for r in rows(service, "record_link")}
    return {local: rows(service, "record", id=rid)[0] for local, rid in links.items()}


def procedure(pid: str, code: str, system: str = SNOMED, **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Procedure",
        "id": pid,
        "status": "completed",
        "subject": {"reference": "Patient/hbys-42"},
        "code": {"coding": [{"system": system, "code": code}]},
        **extra,
    }


def by_tckn(n: int) -> dict[str, Any]:
    return {"reference": f"Practitioner?identifier={TCKN_SYSTEM}|{tckn(n)}"}


# -- categories ------------------------------------------------------------------------------
def test_a_procedure_for_a_psychiatric_reason_is_psychiatric_m6_6(service: Mahrem) -> None:
    loaded(service)
    stored = pushed(
        service,
        condition("dep", "F32.1"),
        procedure("p1", "225337009", reasonReference=[{"reference": "urn:uuid:dep"}]),
        procedure("p2", "225337009", reasonCode=[{"coding": [{"system": ICD10, "code": "F41"}]}]),
        procedure("p3", "225337009"),
    )
    assert {k: stored[k]["category"] for k in ("dep", "p1", "p2", "p3")} == {
        "dep": "psychiatry",
        "p1": "psychiatry",  # the reason Condition's category
        "p2": "psychiatry",  # reasonCode
        "p3": "general",
    }


def test_a_procedure_during_a_restricted_encounter_takes_its_category_m6_6(
    service: Mahrem,
) -> None:
    loaded(service)
    encounter = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": "Patient/hbys-42"},
        "reasonCode": [{"coding": [{"system": SNOMED, "code": "183996000"}]}],
    }
    stored = pushed(
        service, encounter, procedure("p1", "225337009", encounter={"reference": "urn:uuid:e1"})
    )
    assert stored["e1"]["category"] == "reproductive"  # "Sterilization requested"
    assert stored["p1"]["category"] == "reproductive"


def test_the_sample_s_known_misses_are_restricted_now_m6_6(service: Mahrem) -> None:
    loaded(service)
    stored = pushed(
        service,
        procedure("abortion", "714812005"),
        procedure("iud", "65200003"),
        condition("miscarriage", "156073000", system=SNOMED),
        condition("panic", "80583007", system=SNOMED),
        condition("alcohol", "10939881000119105", system=SNOMED),
        condition("z30", "Z30.0"),
    )
    assert {k: r["category"] for k, r in stored.items()} == {
        "abortion": "reproductive",
        "iud": "reproductive",
        "miscarriage": "reproductive",
        "panic": "psychiatry",
        "alcohol": "substance_use",
        "z30": "reproductive",
    }


def test_codes_nothing_classifies_are_listed_for_review(service: Mahrem) -> None:
    loaded(service)
    pushed(
        service,
        procedure("a", "225337009"),
        procedure("b", "225337009"),
        condition("c", "J45"),
        condition("d", "F32.1"),
    )
    listed = {(r["system"], r["code"]): r for r in rows(service, "category_review")}
    assert set(listed) == {(SNOMED, "225337009"), (ICD10, "J45")}
    assert listed[(SNOMED, "225337009")]["records"] == 2
    assert listed[(SNOMED, "225337009")]["installation"] == "S1"
    assert all(r["first_seen"] == AT for r in listed.values())
    shown = records.review_list(service, "A1")
    assert (shown["total"], shown["records"]) == (2, 3)
    first, second = shown["codes"]
    assert (first["code"], first["records"]) == ("225337009", 2)  # most frequent first
    assert (second["code"], second["display"]) == ("J45", "Asthma")  # the WHO title
    assert set(shown["value_sets"]) == {"snomed", "loinc"}
    with pytest.raises(Forbidden):
        records.review_list(service, "D1")


# -- authors ---------------------------------------------------------------------------------
def test_the_author_is_the_clinician_the_resource_names_m6_6(service: Mahrem) -> None:
    loaded(service)
    stored = pushed(
        service,
        condition("by-tckn", "F32.1", recorder=by_tckn(5)),  # D4, psychiatrist at F1
        condition("by-id", "J45", asserter={"reference": "Practitioner/D1"}),
        procedure(
            "performer", "225337009", performer=[{"actor": {"reference": "Practitioner/D4"}}]
        ),
        condition("elsewhere", "J45", recorder=by_tckn(4)),  # D3 is staff at F3, not F1
        condition("nobody", "F32.1"),
    )
    assert {k: r["author"] for k, r in stored.items()} == {
        "by-tckn": "D4",
        "by-id": "D1",
        "performer": "D4",
        "elsewhere": None,
        "nobody": None,
    }


def test_a_record_names_its_clinician_the_installation_s_way(service: Mahrem) -> None:
    """A Practitioner pushed with its TC kimlik no teaches Mahrem the installation's names for
    it; an Encounter's participant authors the records made during it."""
    loaded(service)
    practitioner = {
        "resourceType": "Practitioner",
        "id": "dr-7",
        "identifier": [{"system": NPI, "value": "9999"}, {"system": TCKN_SYSTEM, "value": tckn(5)}],
    }
    encounter = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": "Patient/hbys-42"},
        "participant": [{"individual": {"reference": f"Practitioner?identifier={NPI}|9999"}}],
    }
    stored = pushed(
        service,
        practitioner,
        encounter,
        condition("c1", "J45", encounter={"reference": "urn:uuid:e1"}),
        condition("c2", "J45", recorder={"reference": "Practitioner/dr-7"}),
    )
    assert (stored["e1"]["author"], stored["c1"]["author"], stored["c2"]["author"]) == (
        "D4",
        "D4",
        "D4",
    )


def test_the_acting_user_gets_no_author_exemption_for_what_the_software_pushed(
    service: Mahrem,
) -> None:
    """D1 (internal medicine) acts for the push of a psychiatric Condition naming no clinician:
    not its author, D1 is refused it (6/6); D4, the psychiatrist it names, reads it."""
    loaded(service)
    stored = pushed(
        service, condition("mine", "F32.1"), condition("d4s", "F32.1", recorder=by_tckn(5))
    )
    events.apply_event(
        service,
        {"type": "check_in", "id": "v1", "patient": stored["mine"]["patient"], "facility": "F1"},
        t("2026-03-03T09:00:00+03:00"),
    )
    patient_id = stored["mine"]["patient"]
    later = "2026-03-03T10:00:00+03:00"
    assert read(service, later, "D1", stored["mine"]["id"], patient_id)[1] == "6/6"
    assert read(service, later, "D4", stored["d4s"]["id"], patient_id)[0] == "permit"


# -- deaths ----------------------------------------------------------------------------------
def test_a_patient_s_death_in_the_data_is_recorded_with_both_its_times_m11(
    service: Mahrem,
) -> None:
    loaded(service)
    stored = pushed(
        service,
        patient(deceasedDateTime="1971-10-01T13:44:40-04:00"),
        condition("c1", "J45"),
    )
    person = stored["c1"]["patient"]
    [death] = rows(service, "death", patient=person)
    assert death["died_at"] == t("1971-10-01T13:44:40-04:00")
    assert death["recorded_at"] <= t("2026-12-31T00:00:00+03:00")
    again = records.push(service, "S1", "D1", bundle(patient(deceasedBoolean=True)), at=AT)
    assert events.follow_pushed(service, "S1", "D1", again.entries, None) == []


def test_a_death_learnt_late_does_not_change_a_replayed_decision_m11(service: Mahrem) -> None:
    """The DPO's destruction decision made before Mahrem learnt of the death is replayed as it
    was made (14/1); after, the 20 years after death bar it (11/2)."""
    loaded(service)
    before = "2026-01-10T10:00:00+03:00"
    destroy = {"action": "destroy", "purpose": "regulation"}
    assert read(service, before, "A1", "R1", "P1", **destroy) == ("permit", "14/1")
    events.apply_event(
        service,
        {"type": "death", "patient": "P1", "died_at": "2025-12-01T08:00:00+03:00"},
        t("2026-02-01T09:00:00+03:00"),
    )
    assert read(service, before, "A1", "R1", "P1", **destroy) == ("permit", "14/1")
    assert read(service, "2026-02-02T10:00:00+03:00", "A1", "R1", "P1", **destroy) == (
        "deny",
        "11/2",
    )


def test_a_death_in_the_future_is_refused_m11(service: Mahrem) -> None:
    loaded(service)
    with pytest.raises(InputError) as refused:
        events.apply_event(
            service,
            {"type": "death", "patient": "P1", "died_at": "2026-03-01T08:00:00+03:00"},
            t("2026-02-01T09:00:00+03:00"),
        )
    assert refused.value.field == "event.died_at"
    assert not rows(service, "death")


def test_a_replay_before_the_death_was_learnt_says_what_is_known_now_m11(
    service: Mahrem,
) -> None:
    loaded(service)
    events.apply_event(
        service,
        {"type": "death", "patient": "P1", "died_at": "2025-12-01T08:00:00+03:00"},
        t("2026-02-01T09:00:00+03:00"),
    )
    args = {"record": "R1", "action": "destroy", "purpose": "regulation"}
    then = access.explain(service, "A1", "A1", "P1", **args, at=t("2026-01-10T10:00:00+03:00"))
    assert (then.decision.effect, then.decision.basis) == ("permit", "14/1")
    known = {k: datetime.fromisoformat(v) for k, v in then.facts["known_now"].items()}
    assert known == {
        "died_at": t("2025-12-01T08:00:00+03:00"),
        "recorded_at": t("2026-02-01T09:00:00+03:00"),
    }
    later = access.explain(service, "A1", "A1", "P1", **args, at=t("2026-02-02T10:00:00+03:00"))
    assert later.decision.basis == "11/2" and "known_now" not in later.facts
