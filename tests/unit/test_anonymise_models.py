"""M16 — privacy models read from JSON: the known ones, and bad parameters refused as input
errors (never a crash)."""

from __future__ import annotations

import pytest

from mahrem.domain.anonymise import (
    DistinctLDiversity,
    EntropyLDiversity,
    KAnonymity,
    TCloseness,
    parse,
)
from mahrem.domain.errors import InputError


def test_the_four_models_read_from_json() -> None:
    assert parse({"model": "k", "k": 5}) == KAnonymity(5)
    assert parse({"model": "distinct-l", "attribute": "icd10", "l": 3}) == DistinctLDiversity(
        "icd10", 3
    )
    assert parse({"model": "entropy-l", "attribute": "icd10", "l": 2.5}) == EntropyLDiversity(
        "icd10", 2.5
    )
    assert parse({"model": "t", "attribute": "age", "t": 0.2, "distance": "ordered"}) == TCloseness(
        "age", 0.2, "ordered"
    )


@pytest.mark.parametrize(
    "spec",
    [
        {"model": "k", "k": "five"},
        {"model": "k", "k": 0},
        {"model": "k", "k": True},
        {"model": "k"},
        {"model": "distinct-l", "attribute": "icd10", "l": 2.5},
        {"model": "entropy-l", "attribute": "x", "l": 0.5},
        {"model": "entropy-l", "attribute": "x", "l": float("nan")},
        {"model": "t", "attribute": "x", "t": -1},
        {"model": "t", "attribute": "x", "t": 0.2, "distance": "hierarchical"},
        {"model": "t", "attribute": 3, "t": 0.2},
        {"model": "delta-presence"},
        {},
    ],
)
def test_a_bad_model_is_an_input_error(spec: dict[str, object]) -> None:
    with pytest.raises(InputError):
        parse(spec)
