"""The Synthea sample as real clinical data (issue 19; C1, C3, M6/6, M11): imported with
`mahrem fhir import`, every record a published value set (or an ICD-10 range) lists is filed
under its restricted category, authors come from the Practitioner references the data carries,
the three deaths are recorded, and what nothing classifies is on the DPO's review list.

One test reports the sample's coverage: every coding it holds, the category it was given and
the value set that gave it (the classified ones printed, all of them in a file it names)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mahrem.bootstrap import build
from mahrem.domain import valuesets
from mahrem.domain.categories import codings_with_display, icd10_in_range
from mahrem.domain.policy import ICD10_RANGES, RESTRICTED_CATEGORIES
from mahrem.entrypoints.cli.main import app as cli
from mahrem.services import access, events, records
from mahrem.services.ports import Mahrem
from tests.e2e.test_records_synthea_ingest import SYNTHEA, resources
from tests.integration.helpers import loaded
from tests.worlds import tckn

NPI = "http://hl7.org/fhir/sid/us-npi"
SNOMED = valuesets.listed("snomed")
LOINC = valuesets.listed("loinc")


@dataclass
class Imported:
    service: Mahrem
    sample: list[dict[str, Any]]
    stored: dict[str, dict[str, Any]]  # Synthea id → record row
    clinician: str  # the Synthea Practitioner mapped to D4
    url: str


def _most_seen_practitioner(sample: list[dict[str, Any]]) -> tuple[str, str]:
    """(Practitioner id, NPI) of the clinician most Encounters name."""
    seen = Counter(
        p["individual"]["reference"].rpartition("|")[2]
        for r in sample
        if r["resourceType"] == "Encounter"
        for p in r.get("participant") or []
    )
    npi = seen.most_common(1)[0][0]
    [pid] = [
        r["id"]
        for r in sample
        if r["resourceType"] == "Practitioner"
        and any(i.get("value") == npi for i in r.get("identifier") or [])
    ]
    return pid, npi


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Imported]:
    folder = tmp_path_factory.mktemp("synthea-clinical")
    url, keys = f"sqlite:///{folder}/m.db", str(folder / "keys")
    loaded(build(url, key_dir=keys)).uow.dispose()
    sample = resources()
    clinician, _ = _most_seen_practitioner(sample)
    mapping = folder / "practitioners.csv"
    mapping.write_text(f"practitioner_id,tckn\n{clinician},{tckn(5)}\n")  # D4, F1 psychiatry
    args = ["fhir", "import", str(SYNTHEA), "--installation", "S1", "--actor", "D1"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MAHREM_KEY_DIR", keys)
        done = CliRunner().invoke(cli, [*args, "--practitioner-map", str(mapping), "--db", url])
    assert done.exit_code == 0, done.output
    service = build(url, key_dir=keys)
    with service.uow.read() as store:
        links = {r["record"]: r["local_id"] for r in store.rows("record_link")}
        stored = {links[r["id"]]: r for r in store.rows("record") if r["id"] in links}
    yield Imported(service, sample, stored, clinician, url)
    service.uow.dispose()


def listed_restricted(resource: dict[str, Any]) -> set[str]:
    """The restricted categories the shipped lists give the resource's own codings."""
    out = set()
    for system, code, _ in codings_with_display(resource):
        if "snomed" in system and code in SNOMED:
            out.add(SNOMED[code].category)
        elif "loinc" in system and code in LOINC:
            out.add(LOINC[code].category)
        elif "icd" in system.lower():
            out |= {
                c for c, specs in ICD10_RANGES.items() for s in specs if icd10_in_range(code, s)
            }
    return out & set(RESTRICTED_CATEGORIES)


def test_every_listed_restricted_record_of_the_sample_is_restricted_m6_6(
    imported: Imported,
) -> None:
    restricted = [r for r in imported.sample if listed_restricted(r)]
    assert len(restricted) >= 40  # terminations, contraception, miscarriages, misuse, panic…
    for r in restricted:
        assert imported.stored[r["id"]]["category"] in RESTRICTED_CATEGORIES, r["id"]
    by_code = {
        code: {
            imported.stored[r["id"]]["category"]
            for r in imported.sample
            if r["id"] in imported.stored and any(c == code for _, c, _ in codings_with_display(r))
        }
        for code in ("714812005", "156073000", "80583007", "10939881000119105", "65200003")
    }
    assert by_code == {
        "714812005": {"reproductive"},  # Induced termination of pregnancy
        "156073000": {"reproductive"},  # Complete miscarriage
        "80583007": {"psychiatry"},  # Severe anxiety (panic)
        "10939881000119105": {"substance_use"},  # Unhealthy alcohol drinking behavior
        "65200003": {"reproductive"},  # Insertion of intrauterine contraceptive device
    }


def test_the_sample_s_coverage_is_reported_code_by_code(
    imported: Imported, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every coding the sample holds is either classified by a list (named) or on the review
    list (or on a record a rule classified: a type's default, a reason or an encounter)."""
    review = records.review_list(imported.service, "A1", limit=10_000)
    reviewed = {(c["system"], c["code"]) for c in review["codes"]}
    carriers: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in imported.sample:
        if r["id"] in imported.stored:
            for system, code, display in codings_with_display(r):
                carriers[(system, code, display)].append(imported.stored[r["id"]]["category"])
    lines = []
    for (system, code, display), categories in sorted(carriers.items()):
        source = (
            SNOMED.get(code)
            if "snomed" in system
            else LOINC.get(code)
            if "loinc" in system
            else None
        )
        if source is not None:
            origin = f"{source.category} ({source.source})"
        elif (system, code) in reviewed:
            origin = "general (on the review list)"
        else:
            assert set(categories) != {"general"}, (system, code, display)
            origin = f"{'/'.join(sorted(set(categories)))} (rule)"
        lines.append(f"{system}|{code}\t{display}\t{len(categories)}\t{origin}")
    report = tmp_path / "synthea-coverage.tsv"
    report.write_text("coding\tdisplay\trecords\tcategory (source)\n" + "\n".join(lines) + "\n")
    listed = [line for line in lines if not line.endswith("(on the review list)")]
    with capsys.disabled():
        print(
            f"\nSynthea coverage: {len(lines)} codings, {len(listed)} classified by a list or a"
            f" rule, {len(lines) - len(listed)} on the review list (value sets"
            f" {review['value_sets']}); all of them in {report}"
        )
        print("\n".join(listed))
    assert review["total"] > 0 and review["records"] > 0
    assert all(c["installation"] == "S1" for c in review["codes"])


def test_authors_are_the_clinicians_the_data_names_not_the_importer(imported: Imported) -> None:
    authors = Counter(r["author"] for r in imported.stored.values())
    assert "D1" not in authors  # D1 only ran the import
    assert set(authors) == {"D4", None}
    _, npi = _most_seen_practitioner(imported.sample)
    by_d4 = {
        r["id"]
        for r in imported.sample
        if r["resourceType"] == "Encounter"
        and any(npi in p["individual"]["reference"] for p in r.get("participant") or [])
    }
    assert by_d4 and all(imported.stored[e]["author"] == "D4" for e in by_d4)


def test_the_three_deaths_of_the_sample_are_recorded_m11(imported: Imported) -> None:
    died = {
        r["id"]: datetime.fromisoformat(r["deceasedDateTime"])
        for r in imported.sample
        if r["resourceType"] == "Patient" and r.get("deceasedDateTime")
    }
    with imported.service.uow.read() as store:
        deaths = store.rows("death")
    assert len(died) == 3
    assert sorted(d["died_at"] for d in deaths) == sorted(died.values())
    assert all(d["recorded_at"] > d["died_at"] for d in deaths)


def _decide(m: Mahrem, actor: str, row: dict[str, Any], at: datetime) -> tuple[str, str]:
    request = {
        "actor": actor,
        "action": "read",
        "patient": row["patient"],
        "record": row["id"],
        "purpose": "treatment",
    }
    _, decision = access.decide_json(m, request, at)
    return decision.effect, decision.basis


def test_a_family_physician_reads_the_sample_but_its_restricted_records_m6_6(
    imported: Imported,
) -> None:
    m = imported.service
    living = [r for r in imported.stored.values() if r["patient"] not in _dead(m)]
    patient = Counter(r["patient"] for r in living if r["category"] in RESTRICTED_CATEGORIES)
    pid = patient.most_common(1)[0][0]
    now = datetime.now(UTC)
    events.apply_event(
        m, {"type": "family_doctor_registered", "patient": pid, "physician": "D2"}, now
    )
    rows = [r for r in living if r["patient"] == pid]
    answers = {r["id"]: _decide(m, "D2", r, now + timedelta(minutes=1)) for r in rows}
    for r in rows:
        expected = "deny" if r["category"] in RESTRICTED_CATEGORIES else "permit"
        assert answers[r["id"]][0] == expected, (r["category"], answers[r["id"]])
    assert {answers[r["id"]][1] for r in rows if r["category"] in RESTRICTED_CATEGORIES} == {"6/6"}


def test_the_importer_gets_no_author_exemption_m6_6(imported: Imported) -> None:
    m = imported.service
    row = next(
        r
        for r in imported.stored.values()
        if r["category"] in RESTRICTED_CATEGORIES
        and r["author"] is None
        and r["patient"] not in _dead(m)
    )
    now = datetime.now(UTC)
    events.apply_event(
        m,
        {"type": "check_in", "id": "synthea-visit", "patient": row["patient"], "facility": "F1"},
        now,
    )
    assert _decide(m, "D1", row, now + timedelta(minutes=1)) == ("deny", "6/6")


def test_the_review_list_is_for_the_dpo_and_the_cli_prints_it(imported: Imported) -> None:
    from mahrem.domain.errors import Forbidden

    with pytest.raises(Forbidden):
        records.review_list(imported.service, "D1")
    top = records.review_list(imported.service, "A1", limit=1)["codes"][0]
    printed = CliRunner().invoke(
        cli, ["fhir", "review", "--by", "A1", "--limit", "3", "--db", imported.url]
    )
    assert printed.exit_code == 0, printed.output
    lines = printed.stdout.strip().splitlines()
    assert len(lines) == 4 and "codes on" in lines[0]
    assert lines[1].startswith(f"{top['records']}\tS1\t{top['resource_type']}\t")
    refused = CliRunner().invoke(cli, ["fhir", "review", "--by", "D1", "--db", imported.url])
    assert refused.exit_code == 1 and "category_review.forbidden" in refused.stdout


def _dead(m: Mahrem) -> set[str]:
    with m.uow.read() as store:
        return {str(d["patient"]) for d in store.rows("death")}
