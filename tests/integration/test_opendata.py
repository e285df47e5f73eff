"""M17 — open health data: aggregate diagnoses with small cells and their complements withheld,
or counts with OpenDP noise at a stated ε; CSV, JSON and DCAT-style metadata in the open
directory; audited."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linprog

from mahrem.services import demo
from mahrem.services.opendata import ROW_DIMENSIONS, TOTAL, dp_measurement, publish
from mahrem.services.ports import Mahrem
from tests.integration.helpers import rows, t
from tests.integration.test_research_export import research_world
from tests.worlds import world

AT = t("2026-03-05T10:00:00+03:00")
SINCE, UNTIL = date(2026, 1, 1), date(2026, 2, 28)


def loaded(service: Mahrem) -> Mahrem:
    w = world()
    extra = research_world()
    w["people"] += extra["people"]
    w["records"] += extra["records"]
    demo.load_world(service, w, t("2026-01-01T00:00:00+03:00"))
    return service


def table_of(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The published CSV back as a (rows+1)×(columns+1) table of counts (NaN = withheld)."""
    cells = list(csv.DictReader(io.StringIO(path.read_text())))
    row_keys = sorted(
        {tuple(c[d] for d in ROW_DIMENSIONS) for c in cells}, key=lambda k: k[0] == TOTAL
    )
    col_keys = sorted({c["icd10_chapter"] for c in cells}, key=lambda k: k == TOTAL)
    ri, ci = {k: i for i, k in enumerate(row_keys)}, {k: j for j, k in enumerate(col_keys)}
    out = np.full((len(row_keys), len(col_keys)), np.nan)
    for c in cells:
        out[ri[tuple(c[d] for d in ROW_DIMENSIONS)], ci[c["icd10_chapter"]]] = (
            float(c["count"]) if c["count"] else np.nan
        )
    return out, np.isnan(out)


def test_small_cells_are_withheld_with_their_complements_m17(
    service: Mahrem, tmp_path: Path
) -> None:
    meta = publish(loaded(service), SINCE, UNTIL, by="G1", directory=tmp_path, at=AT)
    table, hidden = table_of(tmp_path / f"{meta['identifier']}.csv")
    published = table[~hidden]
    assert hidden.any()
    assert not ((published > 0) & (published < 5)).any()
    # Every withheld cell can take more than one value given everything published (an LP per
    # cell).
    unknown = list(zip(*np.nonzero(hidden), strict=True))
    index = {cell: k for k, cell in enumerate(unknown)}
    a_eq, b_eq = [], []
    nr, nc = table.shape
    for line in [[(r, c) for c in range(nc)] for r in range(nr)] + [
        [(r, c) for r in range(nr)] for c in range(nc)
    ]:
        coeff, rhs = np.zeros(len(unknown)), 0.0
        for k, cell in enumerate(line):
            sign = -1.0 if k == len(line) - 1 else 1.0
            if cell in index:
                coeff[index[cell]] += sign
            else:
                rhs -= sign * table[cell]
        a_eq.append(coeff)
        b_eq.append(rhs)
    for k in range(len(unknown)):
        e = np.zeros(len(unknown))
        e[k] = 1
        low = linprog(e, A_eq=a_eq, b_eq=b_eq, bounds=(0, None)).fun
        high = linprog(-e, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
        assert (math.inf if high.status == 3 else -high.fun) - low > 0.5


def test_the_release_has_csv_json_and_dcat_metadata_m17(service: Mahrem, tmp_path: Path) -> None:
    meta = publish(loaded(service), SINCE, UNTIL, by="G1", directory=tmp_path, at=AT)
    stored = json.loads((tmp_path / f"{meta['identifier']}.meta.json").read_text())
    assert stored["temporal"] == {"startDate": "2026-01-01", "endDate": "2026-02-28"}
    assert stored["license"].startswith("https://creativecommons.org/publicdomain/zero/")
    assert {"title", "description", "issued", "method", "distribution"} <= set(stored)
    assert {d["format"] for d in stored["distribution"]} == {"csv", "json"}
    body = json.loads((tmp_path / f"{meta['identifier']}.json").read_text())
    assert len(body["cells"]) == stored["cells"]
    grand = [c for c in body["cells"] if c["icd10_chapter"] == TOTAL and c["province"] == TOTAL]
    assert grand == [{"icd10_chapter": TOTAL, **{d: TOTAL for d in ROW_DIMENSIONS}, "count": 60}]
    entries = [e for e in rows(service, "audit_log") if e["action"] == "opendata_published"]
    assert len(entries) == 1 and entries[0]["detail"]["dataset"] == meta["identifier"]


def test_publishing_again_rewrites_the_same_files_m17(service: Mahrem, tmp_path: Path) -> None:
    loaded(service)
    out = tmp_path / "open"
    first = publish(service, SINCE, UNTIL, directory=out, at=AT)
    second = publish(service, SINCE, UNTIL, directory=out, at=AT)
    assert first["distribution"] == second["distribution"]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{first['identifier']}.{x}" for x in ("csv", "json", "meta.json")
    )


def test_a_dp_release_states_its_epsilon_and_covers_every_fixed_cell_m17(
    service: Mahrem, tmp_path: Path
) -> None:
    meta = publish(
        loaded(service),
        SINCE,
        UNTIL,
        method="dp",
        epsilon=0.5,
        max_per_person=2,
        directory=tmp_path,
        at=AT,
        name="diagnoses-dp",
    )
    assert meta["method"]["epsilon"] == 0.5 and meta["method"]["scale"] == pytest.approx(4.0)
    body = json.loads((tmp_path / "diagnoses-dp.json").read_text())
    provinces = {c["province"] for c in body["cells"]} - {TOTAL}
    assert len(provinces) == 81  # keys fixed in advance, not taken from the data
    assert all(c["count"] >= 0 for c in body["cells"])


@pytest.mark.parametrize(("epsilon", "sensitivity"), [(0.5, 1), (1.0, 1), (2.0, 3)])
def test_the_dp_noise_matches_its_stated_epsilon_m17(epsilon: float, sensitivity: int) -> None:
    m = dp_measurement(epsilon, sensitivity)
    assert m.map(d_in=sensitivity) == pytest.approx(epsilon)
    # Discrete Laplace of scale s: P(k) ∝ exp(−|k|/s), variance 2e^(−1/s) / (1 − e^(−1/s))².
    s = sensitivity / epsilon
    noise = np.array(m([1000] * 20000)) - 1000
    q = math.exp(-1 / s)
    assert noise.var() == pytest.approx(2 * q / (1 - q) ** 2, rel=0.08)
    assert abs(noise.mean()) < 0.1 * s + 0.05
