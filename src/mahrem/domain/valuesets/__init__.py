"""The default category value sets (SPEC.md C3, M6/6; issue 19): versioned, reviewed lists of
SNOMED CT and LOINC codes per restricted category, each code with its display name and the
published value set (or clinical review) it comes from. ICD-10 is matched by the ranges of
`policy.ICD10_RANGES` on the WHO ICD-10 hierarchy instead.

SNOMED CT is licensed content: the files name concept ids and display names only. The files
are package data, read once at import; a GM change to the lists is a policy version (M6/4)
like any other, and replaces these defaults in `Policy.snomed_codes` / `loinc_codes`.

SKRS (the Ministry's own code system, Sağlık Kodlama Referans Sunucusu) is not available here:
a `skrs.json` of the same shape, beside these, is where its lists go (`SYSTEMS`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SYSTEMS = {"snomed": "http://snomed.info/sct", "loinc": "http://loinc.org"}


@dataclass(frozen=True, slots=True)
class Listed:
    """Why a code is in a category: its display name and the id of its source."""

    category: str
    code: str
    display: str
    source: str


@cache
def document(name: str) -> dict[str, Any]:
    """The value-set file `name` (`snomed`, `loinc`) as shipped."""
    text = resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def codes(name: str) -> dict[str, tuple[str, ...]]:
    """category → its codes, in the file's order."""
    return {
        category: tuple(str(c["code"]) for c in body["codes"])
        for category, body in document(name)["categories"].items()
    }


def listed(name: str) -> dict[str, Listed]:
    """code → the category that lists it, with its display and source."""
    return {
        str(c["code"]): Listed(category, str(c["code"]), str(c["display"]), str(c["source"]))
        for category, body in document(name)["categories"].items()
        for c in body["codes"]
    }


def version(name: str) -> str:
    """The version of the value-set file `name`."""
    return str(document(name)["version"])
