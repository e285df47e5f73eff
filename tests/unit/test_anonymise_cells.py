"""M17 — small cells and their complements: no published count (totals included) is from 1 to
below the threshold, and no suppressed count can be worked out from the published ones. The
check solves the linear programme of the published totals for each suppressed cell (scipy),
independently of the suppression code."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from mahrem.domain.anonymise.cells import Suppressed, suppress


def intervals(s: Suppressed) -> list[tuple[int, int, float, float]]:
    """For every suppressed cell, the least and greatest value the published table allows."""
    full, mask = s.counts, s.mask
    rows, cols = full.shape
    unknown = list(zip(*np.nonzero(mask), strict=True))
    index = {cell: k for k, cell in enumerate(unknown)}
    a_eq, b_eq = [], []
    for line in [[(r, c) for c in range(cols)] for r in range(rows)] + [
        [(r, c) for r in range(rows)] for c in range(cols)
    ]:
        coeff, rhs = np.zeros(len(unknown)), 0.0
        for k, (r, c) in enumerate(line):
            sign = -1.0 if k == len(line) - 1 else 1.0  # the total is the last of the line
            if (r, c) in index:
                coeff[index[(r, c)]] += sign
            else:
                rhs -= sign * full[r, c]
        a_eq.append(coeff)
        b_eq.append(rhs)
    out = []
    for k, (r, c) in enumerate(unknown):
        e = np.zeros(len(unknown))
        e[k] = 1
        low = linprog(e, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
        high = linprog(-e, A_eq=a_eq, b_eq=b_eq, bounds=(0, None))
        out.append((int(r), int(c), low.fun, np.inf if high.status == 3 else -high.fun))
    return out


def test_a_lone_small_cell_in_its_row_is_recoverable_unless_a_complement_is_suppressed_m17() -> (
    None
):
    table = np.array([[3, 10, 12], [8, 9, 20]])
    s = suppress(table, 5)
    assert s.primary[0, 0] and s.mask.sum() >= 4
    assert all(hi - lo > 0.5 for _, _, lo, hi in intervals(s))


@pytest.mark.parametrize("seed", range(12))
def test_no_published_cell_is_small_and_no_suppressed_cell_is_recoverable_m17(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(2, 7, size=2))
    table = rng.poisson(rng.choice([1.5, 4.0, 9.0]), size=shape)
    s = suppress(table, 5)
    published = s.counts[~s.mask]
    assert not ((published > 0) & (published < 5)).any()
    assert s.primary.sum() == ((s.counts > 0) & (s.counts < 5)).sum()
    for r, c, lo, hi in intervals(s):
        assert hi - lo > 0.5, f"cell {(r, c)} = {s.counts[r, c]} is pinned to [{lo}, {hi}]"


def test_a_table_without_small_cells_is_published_whole_m17() -> None:
    s = suppress(np.array([[10, 20], [30, 40]]), 5)
    assert not s.mask.any()
    assert s.counts[-1, -1] == 100
