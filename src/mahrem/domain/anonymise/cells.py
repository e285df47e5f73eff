"""Small-cell suppression for open health data (M17, M4/1-b "anonim hâle getirilmiş"): a count
table is published with its row and column totals; counts from 1 to below the threshold are
suppressed (primary), and further cells are suppressed (complementary) until no suppressed
value can be worked out from the published totals.

The table with its margins is one (R+1)×(C+1) table whose every row and column adds up to a
known amount (a margin counts with a minus sign). The suppressed cells are the edges of a
bipartite graph between rows and columns; the published totals pin a suppressed cell's value
exactly when, and only when, its edge lies on no cycle (a bridge): along a cycle the values
can move by +δ/−δ alternately without changing any total. So: every row and column holding a
suppressed cell gets a second one, then every remaining bridge is closed by one more cell
that reconnects its two sides, the smallest count first (least information lost)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Counts = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Suppressed:
    """`counts` and `mask` are (R+1)×(C+1): the last row holds the column totals, the last
    column the row totals, the corner the grand total; `mask` is True where suppressed."""

    counts: Counts
    mask: Mask
    primary: Mask

    @property
    def complementary(self) -> Mask:
        return self.mask & ~self.primary


def with_margins(table: Counts) -> Counts:
    """The table with a row of column totals and a column of row totals (and the grand total)."""
    t = np.asarray(table, dtype=np.int64)
    out = np.zeros((t.shape[0] + 1, t.shape[1] + 1), dtype=np.int64)
    out[:-1, :-1] = t
    out[:-1, -1] = t.sum(axis=1)
    out[-1, :-1] = t.sum(axis=0)
    out[-1, -1] = t.sum()
    return out


def suppress(table: Counts, threshold: int) -> Suppressed:
    """M17 — primary suppression of the counts 1 … threshold−1 (totals included), then
    complementary suppression until no suppressed cell is determined by the published ones."""
    full = with_margins(table)
    primary = (full > 0) & (full < threshold)
    mask = primary.copy()
    while True:
        changed = _second_in_every_line(full, mask)
        changed |= _close_bridges(full, mask)
        if not changed:
            return Suppressed(full, mask, primary)


def _cost(full: Counts, mask: Mask) -> npt.NDArray[np.float64]:
    """The price of suppressing each cell: its count, zeros last (a suppressed zero can only
    move up), cells already suppressed free of charge."""
    cost = full.astype(np.float64)
    cost[full == 0] = 1e15
    cost[mask] = np.inf
    return cost


def _second_in_every_line(full: Counts, mask: Mask) -> bool:
    """A row or column with exactly one suppressed cell gives it away: add its cheapest cell."""
    changed = False
    while True:
        lonely_rows = np.flatnonzero(mask.sum(axis=1) == 1)
        lonely_cols = np.flatnonzero(mask.sum(axis=0) == 1)
        if len(lonely_rows):
            r = int(lonely_rows[0])
            mask[r, int(np.argmin(_cost(full, mask)[r, :]))] = True
        elif len(lonely_cols):
            c = int(lonely_cols[0])
            mask[int(np.argmin(_cost(full, mask)[:, c])), c] = True
        else:
            return changed
        changed = True


def _close_bridges(full: Counts, mask: Mask) -> bool:
    """Close one bridge (if any): suppress the cheapest cell joining its two sides."""
    rows = mask.shape[0]
    for i, j in bridges(mask):
        side_i = _component_without(mask, i, j, i)
        side_j = _component_without(mask, i, j, rows + j)
        # A cell (a row on j's side, a column on i's side) closes a cycle through (i, j).
        cost = _cost(full, mask)
        cost[~side_j[:rows], :] = np.inf
        cost[:, ~side_i[rows:]] = np.inf
        flat = int(np.argmin(cost))
        if not np.isfinite(cost.flat[flat]):
            continue
        mask[np.unravel_index(flat, mask.shape)] = True
        return True
    return False


def _component_without(mask: Mask, i: int, j: int, start: int) -> Mask:
    """The nodes (rows, then columns) reachable from `start` without using the edge (i, j)."""
    rows, cols = mask.shape
    seen = np.zeros(rows + cols, dtype=bool)
    seen[start] = True
    stack = [start]
    while stack:
        node = stack.pop()
        if node < rows:
            nbrs = [rows + c for c in np.flatnonzero(mask[node]) if not (node == i and c == j)]
        else:
            c = node - rows
            nbrs = [r for r in np.flatnonzero(mask[:, c]) if not (r == i and c == j)]
        for nb in nbrs:
            if not seen[nb]:
                seen[nb] = True
                stack.append(int(nb))
    return seen


def bridges(mask: Mask) -> list[tuple[int, int]]:
    """The suppressed cells (row, column) that lie on no cycle of the row–column graph, i.e.
    the ones the totals determine (Tarjan's bridge-finding, iterative)."""
    rows, cols = mask.shape
    adj: list[list[tuple[int, int]]] = [[] for _ in range(rows + cols)]
    edges = [(int(r), int(c)) for r, c in zip(*np.nonzero(mask), strict=False)]
    for e, (r, c) in enumerate(edges):
        adj[r].append((rows + c, e))
        adj[rows + c].append((r, e))
    order = [-1] * (rows + cols)
    low = [0] * (rows + cols)
    found: list[tuple[int, int]] = []
    counter = 0
    for root in range(rows + cols):
        if order[root] != -1 or not adj[root]:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack: list[tuple[int, int, int]] = [(root, -1, 0)]
        while stack:
            node, via, k = stack[-1]
            if k < len(adj[node]):
                stack[-1] = (node, via, k + 1)
                nb, e = adj[node][k]
                if e == via:
                    continue
                if order[nb] == -1:
                    order[nb] = low[nb] = counter
                    counter += 1
                    stack.append((nb, e, 0))
                else:
                    low[node] = min(low[node], order[nb])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(edges[via])
    return found
