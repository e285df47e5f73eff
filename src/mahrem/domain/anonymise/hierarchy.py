"""Generalisation hierarchies (M4/1-c, M16): each original value and what it becomes at every
level, the last level being "*". The same shape as ARX's hierarchy CSV files: one row per
value, one column per level, `;`-separated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from mahrem.domain.errors import InputError

STAR = "*"


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """`rows[i]` = (value, level-1 value, …, top value). Every row has the same length."""

    rows: tuple[tuple[str, ...], ...]

    def __post_init__(self) -> None:
        if not self.rows:
            raise InputError("hierarchy.empty", "a hierarchy needs at least one row")
        width = len(self.rows[0])
        if any(len(r) != width for r in self.rows):
            raise InputError(
                "hierarchy.ragged", "every row of a hierarchy must have the same number of levels"
            )
        if len({r[0] for r in self.rows}) != len(self.rows):
            raise InputError(
                "hierarchy.duplicate", "a value appears twice in the hierarchy's first column"
            )

    @property
    def height(self) -> int:
        """The highest level (0 = the original value)."""
        return len(self.rows[0]) - 1

    def generalise(self, value: str, level: int) -> str:
        """The value at `level`."""
        for row in self.rows:
            if row[0] == value:
                return row[level]
        raise InputError("hierarchy.unknown_value", f"{value!r} is not in the hierarchy")

    def to_csv(self) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\n").writerows(self.rows)
        return out.getvalue()


def from_csv(text: str, delimiter: str = ";") -> Hierarchy:
    """A hierarchy in ARX's CSV format (the caller reads the file)."""
    rows = [
        tuple(c.strip() for c in r) for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r
    ]
    return Hierarchy(tuple(rows))


def from_mapping(values: Iterable[str], *levels: dict[str, str] | None) -> Hierarchy:
    """Build rows by chaining level maps (value → level 1 → level 2 …); "*" on top."""
    rows = []
    for value in sorted(set(values)):
        row = [value]
        for m in levels:
            row.append(m.get(row[-1], STAR) if m is not None else STAR)
        if row[-1] != STAR:
            row.append(STAR)
        rows.append(tuple(row))
    width = max(len(r) for r in rows)
    return Hierarchy(tuple(r + (STAR,) * (width - len(r)) for r in rows))


# -- built-in hierarchies ------------------------------------------------------------------------
def age_bands(values: Iterable[int | str], widths: Sequence[int] = (5, 10, 20)) -> Hierarchy:
    """Ages → bands of 5, 10, 20 years → "*" (ARX's age hierarchy has the same shape)."""
    rows = []
    for v in sorted({int(x) for x in values}):
        row = [str(v)]
        for w in widths:
            lo = (v // w) * w
            row.append(f"{lo}-{lo + w - 1}")
        rows.append((*row, STAR))
    return Hierarchy(tuple(rows))


def birth_dates(values: Iterable[date | str]) -> Hierarchy:
    """Birth dates → month (YYYY-MM) → year → decade → "*"."""
    rows = []
    for v in sorted({d if isinstance(d, str) else d.isoformat() for d in values}):
        y = int(v[:4])
        rows.append((v, v[:7], v[:4], f"{y // 10 * 10}-{y // 10 * 10 + 9}", STAR))
    return Hierarchy(tuple(rows))


# Turkey's 7 geographic regions, by plate code (the NUTS-1 split is finer; the regions are what
# the Ministry's statistics yearbook uses).
REGIONS: dict[str, tuple[str, ...]] = {
    "Marmara": ("10", "11", "16", "17", "22", "34", "39", "41", "54", "59", "77"),
    "Ege": ("03", "09", "20", "35", "43", "45", "48", "64"),
    "Akdeniz": ("01", "07", "15", "31", "32", "33", "46", "80"),
    "İç Anadolu": ("06", "18", "26", "38", "40", "42", "50", "51", "58", "66", "68", "70", "71"),
    "Karadeniz": (
        "05",
        "08",
        "14",
        "19",
        "28",
        "29",
        "37",
        "52",
        "53",
        "55",
        "57",
        "60",
        "61",
        "67",
        "69",
        "74",
        "78",
        "81",
    ),
    "Doğu Anadolu": (
        "04",
        "12",
        "13",
        "23",
        "24",
        "25",
        "30",
        "36",
        "44",
        "49",
        "62",
        "65",
        "75",
        "76",
    ),
    "Güneydoğu Anadolu": ("02", "21", "27", "47", "56", "63", "72", "73", "79"),
}
PROVINCE_REGION: dict[str, str] = {p: r for r, ps in REGIONS.items() for p in ps}


def provinces(values: Iterable[str] | None = None) -> Hierarchy:
    """Province plate codes → geographic region → "*" (all 81 provinces unless values are given)."""
    keys = sorted(PROVINCE_REGION) if values is None else sorted(set(values))
    return Hierarchy(tuple((p, PROVINCE_REGION.get(p, "?"), STAR) for p in keys))


# ICD-10 chapters by the first three characters of the code (WHO ICD-10 2019).
ICD10_CHAPTERS: tuple[tuple[str, str, str], ...] = (
    ("I", "A00", "B99"),
    ("II", "C00", "D48"),
    ("III", "D50", "D89"),
    ("IV", "E00", "E90"),
    ("V", "F00", "F99"),
    ("VI", "G00", "G99"),
    ("VII", "H00", "H59"),
    ("VIII", "H60", "H95"),
    ("IX", "I00", "I99"),
    ("X", "J00", "J99"),
    ("XI", "K00", "K93"),
    ("XII", "L00", "L99"),
    ("XIII", "M00", "M99"),
    ("XIV", "N00", "N99"),
    ("XV", "O00", "O99"),
    ("XVI", "P00", "P96"),
    ("XVII", "Q00", "Q99"),
    ("XVIII", "R00", "R99"),
    ("XIX", "S00", "T98"),
    ("XX", "V01", "Y98"),
    ("XXI", "Z00", "Z99"),
    ("XXII", "U00", "U99"),
)


def icd10_chapter(code: str) -> str:
    """The ICD-10 chapter (Roman numeral) of a code, "?" when outside every chapter."""
    head = code.strip().upper()[:3]
    for chapter, lo, hi in ICD10_CHAPTERS:
        if lo <= head <= hi:
            return chapter
    return "?"


def icd10_block(code: str) -> str:
    """A block of ten categories inside the chapter (e.g. E10 → "E10-E19"): the WHO blocks
    are irregular; a fixed width keeps the hierarchy a strict tree inside each chapter."""
    head = code.strip().upper()[:3]
    if len(head) < 3 or not head[1:3].isdigit():
        return "?"
    lo = int(head[1:3]) // 10 * 10
    return f"{head[0]}{lo:02d}-{head[0]}{lo + 9:02d}"


def icd10(values: Iterable[str]) -> Hierarchy:
    """ICD-10 codes → category (3 characters) → block → chapter → "*"."""
    rows = []
    for v in sorted(set(values)):
        head = v.strip().upper()[:3]
        rows.append((v, head, f"{icd10_chapter(v)}:{icd10_block(v)}", icd10_chapter(v), STAR))
    return Hierarchy(tuple(rows))


def facilities(facility_province: dict[str, str]) -> Hierarchy:
    """Facility → its province → region → "*"."""
    return Hierarchy(
        tuple(
            (f, p, PROVINCE_REGION.get(p, "?"), STAR) for f, p in sorted(facility_province.items())
        )
    )


def sexes(values: Iterable[str]) -> Hierarchy:
    return Hierarchy(tuple((v, STAR) for v in sorted(set(values))))
