"""M16 — generalisation hierarchies: ARX's CSV format, the built-in ones (age bands, birth dates,
province → region, ICD-10 → block → chapter, facility → province), and what the result reports
on ARX's own Adult slice, checked with pycanon."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from pycanon import anonymity

from mahrem.domain.anonymise import DistinctLDiversity, KAnonymity, anonymise, from_csv
from mahrem.domain.anonymise import hierarchy as h
from mahrem.domain.errors import InputError

ADULT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "adult"


def test_an_arx_hierarchy_file_loads_with_its_levels() -> None:
    occupation = from_csv((ADULT / "adult_hierarchy_occupation.csv").read_text())
    assert occupation.height == 2
    assert occupation.generalise("Tech-support", 1) == "Technical"
    assert occupation.generalise("Tech-support", 2) == "*"


def test_a_ragged_hierarchy_is_refused() -> None:
    with pytest.raises(InputError):
        from_csv("a;x;*\nb;*\n")


def test_ages_fall_in_bands_of_five_ten_and_twenty_years() -> None:
    ages = h.age_bands([37, 42])
    assert [ages.generalise("37", lv) for lv in range(5)] == ["37", "35-39", "30-39", "20-39", "*"]


def test_birth_dates_generalise_to_month_year_and_decade() -> None:
    dates = h.birth_dates([date(1984, 7, 19)])
    assert dates.rows[0] == ("1984-07-19", "1984-07", "1984", "1980-1989", "*")


def test_provinces_generalise_to_the_seven_geographic_regions() -> None:
    assert len(h.PROVINCE_REGION) == 81
    regions = h.provinces()
    assert regions.generalise("06", 1) == "İç Anadolu" and regions.generalise("35", 1) == "Ege"
    assert (
        regions.generalise("34", 1) == "Marmara"
        and regions.generalise("21", 1) == "Güneydoğu Anadolu"
    )


def test_icd10_codes_generalise_to_category_block_and_chapter() -> None:
    codes = h.icd10(["E11.9", "F32.1", "D50.0"])
    assert [codes.generalise("E11.9", lv) for lv in range(5)] == [
        "E11.9",
        "E11",
        "IV:E10-E19",
        "IV",
        "*",
    ]
    assert codes.generalise("F32.1", 3) == "V"
    assert codes.generalise("D50.0", 3) == "III"


def test_facilities_generalise_to_their_province_and_region() -> None:
    facilities = h.facilities({"F1": "06", "F3": "35"})
    assert facilities.generalise("F3", 1) == "35" and facilities.generalise("F3", 2) == "Ege"


def adult(rows: int) -> dict[str, list[str]]:
    with (ADULT / "adult.csv").open() as f:
        data = list(csv.reader(f, delimiter=";"))
    head, body = data[0], data[1 : rows + 1]
    return {name: [r[i] for r in body] for i, name in enumerate(head)}


QIS = ["sex", "age", "race", "marital-status", "education"]


@pytest.mark.parametrize(("k", "limit"), [(5, 0.0), (5, 0.05), (10, 0.02)])
def test_an_adult_slice_is_k_anonymous_as_pycanon_measures_it_m16(k: int, limit: float) -> None:
    cols = adult(3000)
    hierarchies = {q: from_csv((ADULT / f"adult_hierarchy_{q}.csv").read_text()) for q in QIS}
    result = anonymise(cols, hierarchies, [KAnonymity(k)], limit)
    df = pd.DataFrame(result.columns)
    assert anonymity.k_anonymity(df, QIS) >= k
    assert result.suppressed <= int(limit * 3000)
    assert len(df) == 3000 - result.suppressed
    assert 0 < result.utility["granularity"] <= 1
    assert result.risk["prosecutor_highest"] <= 1 / k


def test_an_adult_slice_is_distinct_l_diverse_as_pycanon_measures_it_m16() -> None:
    cols = adult(3000)
    hierarchies = {q: from_csv((ADULT / f"adult_hierarchy_{q}.csv").read_text()) for q in QIS}
    result = anonymise(
        cols, hierarchies, [KAnonymity(3), DistinctLDiversity("occupation", 3)], 0.05
    )
    df = pd.DataFrame(result.columns)
    assert anonymity.k_anonymity(df, QIS) >= 3
    assert anonymity.l_diversity(df, QIS, ["occupation"]) >= 3


def test_a_value_missing_from_its_hierarchy_is_an_input_error() -> None:
    with pytest.raises(InputError) as err:
        anonymise(
            {"sex": ["Male", "Other"]}, {"sex": from_csv("Male;*\nFemale;*\n")}, [KAnonymity(1)]
        )
    assert err.value.code == "hierarchy.unknown_value"
