"""M16, KTS/2 — research exports: an analysis the engine decides (a registered installation with
the provincial directorate's written opinion, a data protection officer or staff of the
installation's facility), anonymised optimally, verified with pycanon (never with the
exporter's own code), and audited."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from pycanon import anonymity

from mahrem.domain.errors import InputError, Refused
from mahrem.services import demo
from mahrem.services.ports import Mahrem
from mahrem.services.research import run_export
from tests.integration.helpers import event, rows, t
from tests.worlds import person

ICD = ["E11.9", "I10", "J45.9", "K21.0", "M54.5", "F32.1", "E78.5", "N39.0"]
GENDERS = ["female", "male"]


def research_world() -> dict[str, Any]:
    """The base world plus 40 patients with one or two ICD-10 Conditions each at F1 (Ankara) or
    F3 (İzmir), and a Patient resource giving their gender."""
    people, records = [], []
    for n in range(40):
        pid = f"Q{n}"
        people.append(
            person(pid, 200 + n, birth_date=f"{1950 + n % 40}-{1 + n % 12:02d}-{1 + n % 27:02d}")
        )
        facility = "F1" if n % 3 else "F3"
        records.append(
            {
                "id": f"PR{n}",
                "patient": pid,
                "facility": facility,
                "created_at": "2026-01-05T10:00:00+03:00",
                "resource": {"resourceType": "Patient", "gender": GENDERS[n % 2]},
            }
        )
        for j in range(1 + n % 2):
            code = ICD[(n * 3 + j) % len(ICD)]
            records.append(
                {
                    "id": f"CO{n}_{j}",
                    "patient": pid,
                    "facility": facility,
                    "author": "D1" if facility == "F1" else "D3",
                    "created_at": f"2026-0{1 + j}-1{n % 9}T10:00:00+03:00",
                    "resource": {
                        "resourceType": "Condition",
                        "subject": {"reference": f"Patient/{pid}"},
                        "code": {
                            "coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": code}]
                        },
                    },
                }
            )
    return {"people": people, "records": records}


def world_with_opinion(service: Mahrem, opinion: bool = True) -> Mahrem:
    extra = research_world()
    from tests.worlds import world

    w = world()
    w["people"] += extra["people"]
    w["records"] += extra["records"]
    demo.load_world(service, w, t("2026-01-01T00:00:00+03:00"))
    if opinion:
        assert (
            event(
                service,
                "2026-03-01T09:00:00+03:00",
                "written_opinion_issued",
                id="WO1",
                software="S1",
                facility="F1",
                purpose="research",
                by="O1",
                valid_until="2026-12-31",
            )[0]
            == "accepted"
        )
    return service


SPEC: dict[str, Any] = {
    "via": "S1",
    "purpose": "research",
    "quasi_identifiers": ["age", "sex", "province"],
    "sensitive": ["icd10"],
    "models": [{"model": "k", "k": 3}, {"model": "distinct-l", "attribute": "icd10", "l": 2}],
    "suppression": 0.1,
}
AT = t("2026-03-02T10:00:00+03:00")


def frame(result: Any) -> pd.DataFrame:
    return pd.DataFrame(result.result.columns)


def test_a_dpo_with_a_written_opinion_gets_a_k_anonymous_l_diverse_export_kts_2_m16(
    service: Mahrem,
) -> None:
    out = run_export(world_with_opinion(service), "A1", SPEC, AT)
    df = frame(out)
    qi = ["age", "sex", "province"]
    assert len(df) == out.result.rows_out > 0
    assert anonymity.k_anonymity(df, qi) >= 3
    assert anonymity.l_diversity(df, qi, ["icd10"]) >= 2
    assert out.result.suppressed <= int(0.1 * out.result.rows_in)
    assert out.patients == 40


def test_a_research_export_is_audited_with_its_model_and_transformation_m16(
    service: Mahrem,
) -> None:
    out = run_export(world_with_opinion(service), "A1", SPEC, AT)
    entries = [e for e in rows(service, "audit_log") if e["action"] == "research_export"]
    assert len(entries) == 1 and entries[0]["outcome"] == "accepted"
    detail = entries[0]["detail"]
    assert detail["transformation"] == out.result.transformation
    assert (
        detail["suppressed"] == out.result.suppressed and detail["rows_out"] == out.result.rows_out
    )
    assert detail["models"][0] == {"model": "k-anonymity", "k": 3}
    decisions = [e for e in rows(service, "audit_log") if e["action"] == "analyze"]
    assert len(decisions) == 40 and all(
        e["outcome"] == "permit" and e["basis"] == "KTS/2" for e in decisions
    )


def test_an_export_without_a_written_opinion_is_refused_and_the_refusal_audited_kts_2(
    service: Mahrem,
) -> None:
    world_with_opinion(service, opinion=False)
    with pytest.raises(Refused) as err:
        run_export(service, "A1", SPEC, AT)
    assert err.value.basis == "KTS/2"
    entries = [
        e for e in rows(service, "audit_log") if e["action"] in ("research_export", "analyze")
    ]
    assert [(e["action"], e["outcome"], e["basis"]) for e in entries] == [
        ("analyze", "deny", "KTS/2"),
        ("research_export", "rejected", "KTS/2"),
    ]


def test_an_export_without_an_installation_is_refused_kts_2(service: Mahrem) -> None:
    with pytest.raises(Refused) as err:
        run_export(world_with_opinion(service), "A1", {**SPEC, "via": None}, AT)
    assert err.value.basis == "KTS/2"


def test_an_opinion_for_another_purpose_does_not_open_an_export_kts_2(service: Mahrem) -> None:
    with pytest.raises(Refused) as err:
        run_export(world_with_opinion(service), "A1", {**SPEC, "purpose": "planning"}, AT)
    assert err.value.basis == "KTS/2"


def test_a_gm_officer_does_not_analyse_even_with_an_opinion_spec_rule_10(service: Mahrem) -> None:
    with pytest.raises(Refused) as err:
        run_export(world_with_opinion(service), "G1", SPEC, AT)
    assert err.value.basis == "6/1"


def test_staff_of_the_installations_facility_may_export_kts_2_rule_4b(service: Mahrem) -> None:
    out = run_export(world_with_opinion(service), "D1", SPEC, AT)
    assert anonymity.k_anonymity(frame(out), ["age", "sex", "province"]) >= 3


def test_a_concealed_patient_is_left_out_of_the_export_m12(service: Mahrem) -> None:
    world_with_opinion(service)
    assert (
        event(
            service,
            "2026-03-01T10:00:00+03:00",
            "concealment_order",
            patient="Q1",
            court="Ankara 1. Asliye",
            need_to_know=["A1"],
        )[0]
        == "accepted"
    )
    out = run_export(service, "A1", SPEC, AT)
    assert out.patients == 39
    assert out.result.rows_in == sum(1 + n % 2 for n in range(40) if n != 1)


def test_entropy_l_and_t_closeness_exports_hold_as_pycanon_measures_them_m16(
    service: Mahrem,
) -> None:
    world_with_opinion(service)
    qi = ["age", "sex", "province"]
    spec = {
        **SPEC,
        "quasi_identifiers": qi,
        "suppression": 0.0,
        "models": [
            {"model": "k", "k": 2},
            {"model": "entropy-l", "attribute": "icd10", "l": 3},
            {"model": "t", "attribute": "icd10", "t": 0.4},
        ],
    }
    out = run_export(service, "A1", spec, AT)
    df = frame(out)
    assert anonymity.k_anonymity(df, qi) >= 2
    assert anonymity.entropy_l_diversity(df, qi, ["icd10"]) >= 3  # pycanon: ⌊min e^entropy⌋
    assert anonymity.t_closeness(df, qi, ["icd10"]) <= 0.4 + 1e-9


def test_an_unknown_attribute_is_an_input_error(service: Mahrem) -> None:
    with pytest.raises(InputError):
        run_export(
            world_with_opinion(service), "A1", {**SPEC, "quasi_identifiers": ["shoe_size"]}, AT
        )
