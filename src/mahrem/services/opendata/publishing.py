"""Open health data (M17, M4/1-a, M4/1-b) — `mahrem opendata publish` and GET /open/.

Aggregate tables of diagnoses (ICD-10 chapter × province × month × age band × sex) written as
CSV and JSON with a DCAT-style metadata file into the open-data directory (`MAHREM_OPEN_DIR`,
default `var/open`). The table is released one of two ways:

- small-cell suppression: counts from 1 to below the policy's `open_data_min_cell` (default 5)
  are withheld, with complementary suppression so that no withheld count can be worked out
  from the published row and column totals (domain/anonymise/cells.py);
- differential privacy: every cell of a table whose keys are fixed in advance (all provinces,
  every month of the period, the age bands and sexes below) gets discrete Laplace noise from
  OpenDP at the configured ε; each person contributes at most `max_per_person` diagnoses, so
  the L1 sensitivity is that bound and the noise scale is bound / ε.

Files are written to a temporary name and renamed, so an interrupted run leaves the previous
release in place and a second run simply rewrites it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from mahrem.domain.anonymise.cells import suppress
from mahrem.domain.anonymise.hierarchy import PROVINCE_REGION, icd10_chapter
from mahrem.domain.clock import local_date
from mahrem.domain.errors import InputError
from mahrem.services.ports import KeyStore, Store
from mahrem.services.records import current_resource
from mahrem.services.research import age_on, icd10_of, sexes_of

if TYPE_CHECKING:
    from opendp.mod import Measurement


Counts = npt.NDArray[np.int64]

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-17", 0, 17),
    ("18-44", 18, 44),
    ("45-64", 45, 64),
    ("65+", 65, 200),
)
SEXES = ("female", "male", "other", "unknown")
CHAPTERS = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
    "XXI",
    "XXII",
    "?",
)
ROW_DIMENSIONS = ("province", "month", "age_band", "sex")
COLUMN_DIMENSION = "icd10_chapter"
TOTAL = "TOTAL"
LICENCE = "https://creativecommons.org/publicdomain/zero/1.0/"
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
REQUIRED = {
    "identifier",
    "title",
    "description",
    "issued",
    "temporal",
    "license",
    "method",
    "distribution",
}


def open_dir() -> Path:
    return Path(os.environ.get("MAHREM_OPEN_DIR", "var/open"))


@dataclass(frozen=True)
class Release:
    name: str
    metadata: dict[str, Any]
    cells: list[dict[str, Any]]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        fields = [COLUMN_DIMENSION, *ROW_DIMENSIONS, "count"]
        writer.writerow(fields)
        for cell in self.cells:
            writer.writerow(["" if cell[f] is None else cell[f] for f in fields])
        return out.getvalue()

    def json(self) -> str:
        return json.dumps(
            {
                "dataset": self.name,
                "dimensions": [COLUMN_DIMENSION, *ROW_DIMENSIONS],
                "total": TOTAL,
                "cells": self.cells,
            },
            ensure_ascii=False,
            indent=1,
        )


# -- the data ---------------------------------------------------------------------------------
def diagnoses(
    store: Store, keys: KeyStore, since: date, until: date, max_per_person: int | None = None
) -> list[tuple[str, str, str, str, str]]:
    """(chapter, province, month, age band, sex) of every ICD-10 Condition recorded in the
    period (Istanbul days, inclusive); at most `max_per_person` per patient, earliest first."""
    facilities = {f["id"]: f["province"] for f in store.rows("facility")}
    births = {p["id"]: p["birth_date"] for p in store.rows("person")}
    sexes = sexes_of(store, keys)
    seen: Counter[str] = Counter()
    out = []
    for r in sorted(
        store.rows("record", resource_type="Condition"), key=lambda r: (r["created_at"], r["id"])
    ):
        day = local_date(r["created_at"])
        if not since <= day <= until:
            continue
        if max_per_person is not None and seen[r["patient"]] >= max_per_person:
            continue
        resource = current_resource(store, keys, r["id"])
        if resource is None:
            continue
        seen[r["patient"]] += 1
        age = max(0, age_on(births[r["patient"]], day))
        band = next((name for name, lo, hi in AGE_BANDS if lo <= age <= hi), AGE_BANDS[-1][0])
        sex = sexes.get(r["patient"], "unknown")
        out.append(
            (
                icd10_chapter(icd10_of(resource)),
                facilities[r["facility"]],
                day.isoformat()[:7],
                band,
                sex if sex in SEXES else "unknown",
            )
        )
    return out


def _months(since: date, until: date) -> list[str]:
    months, y, m = [], since.year, since.month
    while (y, m) <= (until.year, until.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def cross_table(
    rows: list[tuple[str, str, str, str, str]],
    row_keys: list[tuple[str, ...]] | None = None,
    col_keys: list[str] | None = None,
) -> tuple[Counts, list[tuple[str, ...]], list[str]]:
    """Counts with one row per (province, month, age band, sex) and one column per chapter;
    the keys observed, or the given (public) lists."""
    counts = Counter((r[1:], r[0]) for r in rows)
    rk: list[tuple[str, ...]] = row_keys if row_keys is not None else sorted({k for k, _ in counts})
    ck = col_keys if col_keys is not None else sorted({c for _, c in counts}, key=_chapter_order)
    ri, ci = {k: i for i, k in enumerate(rk)}, {c: j for j, c in enumerate(ck)}
    table = np.zeros((len(rk), len(ck)), dtype=np.int64)
    for (k, c), n in counts.items():
        table[ri[k], ci[c]] = n
    return table, rk, ck


def _chapter_order(c: str) -> int:
    return CHAPTERS.index(c) if c in CHAPTERS else len(CHAPTERS)


# -- the two releases --------------------------------------------------------------------------
def suppressed_cells(
    table: Counts, rk: list[tuple[str, ...]], ck: list[str], threshold: int
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    s = suppress(table, threshold)
    cells = []
    for i, row in enumerate([*rk, (TOTAL,) * len(ROW_DIMENSIONS)]):
        for j, col in enumerate([*ck, TOTAL]):
            value = None if s.mask[i, j] else int(s.counts[i, j])
            cells.append(
                {
                    COLUMN_DIMENSION: col,
                    **dict(zip(ROW_DIMENSIONS, row, strict=False)),
                    "count": value,
                }
            )
    return cells, {"primary": int(s.primary.sum()), "complementary": int(s.complementary.sum())}


def dp_measurement(epsilon: float, sensitivity: int = 1) -> Measurement:
    """OpenDP's discrete Laplace mechanism over a vector of counts whose L1 distance between
    neighbouring datasets is at most `sensitivity`: scale = sensitivity / ε."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    # then_laplace has no return annotation in OpenDP (0.16), so the chain is Any to mypy.
    measurement: Measurement = space >> dp.m.then_laplace(scale=sensitivity / epsilon)
    return measurement


def dp_cells(
    table: Counts, rk: list[tuple[str, ...]], ck: list[str], epsilon: float, sensitivity: int
) -> list[dict[str, Any]]:
    """Noisy cells (negative counts shown as 0, post-processing) and totals summed from them."""
    noisy = np.array(
        dp_measurement(epsilon, sensitivity)([int(x) for x in table.ravel()]), dtype=np.int64
    )
    noisy = np.maximum(noisy.reshape(table.shape), 0)
    full = np.zeros((table.shape[0] + 1, table.shape[1] + 1), dtype=np.int64)
    full[:-1, :-1] = noisy
    full[:-1, -1] = noisy.sum(axis=1)
    full[-1, :-1] = noisy.sum(axis=0)
    full[-1, -1] = noisy.sum()
    cells = []
    for i, row in enumerate([*rk, (TOTAL,) * len(ROW_DIMENSIONS)]):
        for j, col in enumerate([*ck, TOTAL]):
            cells.append(
                {
                    COLUMN_DIMENSION: col,
                    **dict(zip(ROW_DIMENSIONS, row, strict=False)),
                    "count": int(full[i, j]),
                }
            )
    return cells


def build(
    store: Store,
    keys: KeyStore,
    since: date,
    until: date,
    *,
    method: str = "suppression",
    threshold: int = 5,
    epsilon: float | None = None,
    max_per_person: int = 1,
    name: str | None = None,
    issued: datetime,
) -> Release:
    """M17 — one release of the diagnoses table, with its metadata."""
    if until < since:
        raise InputError("field.invalid", "until is before since", field="until")
    name = name or f"diagnoses-{since.isoformat()}-{until.isoformat()}"
    if not NAME.match(name):
        raise InputError("field.invalid", "name: lower-case letters, digits and '-'", field="name")
    if method == "suppression":
        rows = diagnoses(store, keys, since, until)
        table, rk, ck = cross_table(rows)
        cells, counts = suppressed_cells(table, rk, ck, threshold)
        how: dict[str, Any] = {
            "kind": "small-cell suppression",
            "threshold": threshold,
            "complementary": True,
            "suppressed": counts["primary"] + counts["complementary"],
            "note": {
                "tr": f"1 ile {threshold - 1} arasındaki sayılar ve toplamlardan bulunabilecek "
                "başka hücreler gizlenmiştir (boş).",
                "en": f"Counts from 1 to {threshold - 1}, and further cells that would let them "
                "be worked out from the totals, are withheld (empty).",
            },
        }
    elif method == "dp":
        if epsilon is None or not epsilon > 0:
            raise InputError("field.invalid", "epsilon: a positive number", field="epsilon")
        rows = diagnoses(store, keys, since, until, max_per_person=max_per_person)
        row_keys: list[tuple[str, ...]] = [
            (p, mo, band, sex)
            for p in sorted(PROVINCE_REGION)
            for mo in _months(since, until)
            for band, _, _ in AGE_BANDS
            for sex in SEXES
        ]
        table, rk, ck = cross_table(rows, row_keys, list(CHAPTERS))
        cells = dp_cells(table, rk, ck, epsilon, max_per_person)
        how = {
            "kind": "differential privacy",
            "library": "OpenDP",
            "mechanism": "discrete Laplace",
            "epsilon": epsilon,
            "sensitivity": max_per_person,
            "scale": max_per_person / epsilon,
            "max_per_person": max_per_person,
            "note": {
                "tr": "Her hücreye ε-diferansiyel gizlilik gürültüsü eklenmiştir; toplamlar "
                "gürültülü hücrelerin toplamıdır; eksi değerler 0 gösterilir.",
                "en": "Every cell carries ε-differential-privacy noise; totals add up the noisy "
                "cells; negative values are shown as 0.",
            },
        }
    else:
        raise InputError("field.invalid", "method: suppression or dp", field="method")
    metadata = {
        "identifier": name,
        "title": {
            "tr": "İl, ay, yaş grubu ve cinsiyete göre tanılar (ICD-10 bölümleri)",
            "en": "Diagnoses by ICD-10 chapter, province, month, age band and sex",
        },
        "description": {
            "tr": "Dönem içinde kaydedilen ICD-10 kodlu tanıların sayısı (M17 açık sağlık verisi).",
            "en": "Number of ICD-10 coded diagnoses recorded in the period (M17 open health data).",
        },
        "issued": issued.isoformat(),
        "temporal": {"startDate": since.isoformat(), "endDate": until.isoformat()},
        "spatial": "TR",
        "license": LICENCE,
        "accessRights": "public",
        "language": ["tr", "en"],
        "keyword": ["ICD-10", "tanı", "diagnosis", "açık veri", "open data"],
        "conformsTo": "Kişisel Sağlık Verileri Hakkında Yönetmelik m. 17, m. 4/1-a, 4/1-b",
        "dimensions": {
            COLUMN_DIMENSION: "ICD-10 chapter (WHO 2019), '?' = outside every chapter",
            "province": "province plate code",
            "month": "YYYY-MM (Europe/Istanbul)",
            "age_band": [b for b, _, _ in AGE_BANDS],
            "sex": list(SEXES),
        },
        "method": how,
        "cells": len(cells),
    }
    return Release(name, metadata, cells)
