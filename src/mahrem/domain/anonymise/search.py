"""The optimal full-domain generalisation search (M16): the transformation of least loss
among those that satisfy the privacy models with at most the allowed suppressed records.

In the spirit of ARX's Flash: binary searches along upward paths of the lattice of level
vectors, with predictive tagging (a node that satisfies the monotone part of the models passes
it on to its generalisations; a node that fails passes failure down to its specialisations),
and pruning by a lower bound of the loss — the loss with nothing suppressed, which is monotone
and needs no grouping, raised by what the suppressed records a generalisation already showed
must cost at least. The search stops when every node is judged, tagged as failing, or bounded
above the best loss found: nothing that could beat the optimum is skipped, so the answer is the
one an exhaustive search gives (tests/unit/test_anonymise_search.py checks that). Equivalence
classes are counted with numpy over integer codes, rolled up from the smallest already-grouped
specialisation."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from mahrem.domain.anonymise.evaluation import Evaluation, FloatArr, Groups, IntArr, Stats
from mahrem.domain.anonymise.models import PrivacyModel, TCloseness, monotone
from mahrem.domain.anonymise.table import Table
from mahrem.domain.errors import InputError

_MAX_KEY = 1 << 62
_CACHE = 64
_EPS = 1e-9
_TABLE_FACTOR = 8  # count into a table when there are at most this many possible keys per class


@dataclass
class Search:
    """One search over one encoded table."""

    table: Table
    models: tuple[PrivacyModel, ...]
    suppression: float = 0.0
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self) -> None:
        if not 0.0 <= self.suppression < 1.0:
            raise InputError(
                "anonymise.suppression",
                "the suppression limit is a fraction in [0, 1)",
                field="suppression",
            )
        if not self.models:
            raise InputError(
                "anonymise.model", "at least one privacy model is needed", field="models"
            )
        t = self.table
        self.budget = int(np.floor(self.suppression * t.n + 1e-9))
        self.models = tuple(self._prepare(m) for m in self.models)
        self.sa_names = tuple(
            dict.fromkeys(m.attribute for m in self.models if m.attribute is not None)
        )
        self.sa_index = {name: i for i, name in enumerate(self.sa_names)}
        if self.sa_names:
            comb = np.zeros(t.n, dtype=np.int64)
            for name in self.sa_names:
                s = t.sensitive_named(name)
                comb = comb * len(s.labels) + s.codes
            _, self.sa_comb = np.unique(comb, return_inverse=True)
            self.sa_size = int(self.sa_comb.max()) + 1 if t.n else 1
        else:
            self.sa_comb = np.zeros(t.n, dtype=np.int64)
            self.sa_size = 1
        self.heights = np.array([d.height for d in t.dims], dtype=np.int64)
        self.nodes = (
            np.indices(tuple(self.heights + 1)).reshape(len(self.heights), -1).T.astype(np.int64)
        )
        self.strides = np.array(
            [int(np.prod(self.heights[i + 1 :] + 1)) for i in range(len(self.heights))],
            dtype=np.int64,
        )
        self.stats.lattice = len(self.nodes)
        # Normalised per-attribute loss, nothing suppressed, per level (ARX normalizeGeneralized).
        self.bound_table = [
            np.array([self._normalise(d.share_sum[lv], j) for lv in range(d.height + 1)])
            for j, d in enumerate(t.dims)
        ]
        per = np.stack([self.bound_table[j][self.nodes[:, j]] for j in range(len(t.dims))], axis=1)
        self.bounds = aggregate(per)
        self._per = per
        # Each suppressed record adds at least (1 − the largest share at its level) to an
        # attribute's loss: with a lower bound on the suppressed count, a tighter bound.
        gap = []
        for d in t.dims:
            lo = t.n / d.domain
            scale = t.n - lo if t.n - lo > 0 else np.inf
            gap.append(
                np.array(
                    [
                        (
                            1.0
                            - d.share[lv][
                                np.bincount(d.codes[lv], minlength=len(d.share[lv])) > 0
                            ].max(initial=0.0)
                        )
                        / scale
                        for lv in range(d.height + 1)
                    ]
                )
            )
        self._gap = np.stack([gap[j][self.nodes[:, j]] for j in range(len(t.dims))], axis=1)
        self.cache: OrderedDict[int, Groups] = OrderedDict()
        self._ge = [
            [self.nodes[:, j] >= lv for lv in range(h + 1)] for j, h in enumerate(self.heights)
        ]
        self._le = [
            [self.nodes[:, j] <= lv for lv in range(h + 1)] for j, h in enumerate(self.heights)
        ]
        self.relaxed = tuple(m for m in self.models if monotone((m,), self.budget))
        self.exact = monotone(self.models, self.budget)

    def _prepare(self, m: PrivacyModel) -> PrivacyModel:
        if isinstance(m, TCloseness):
            s = self.table.sensitive_named(m.attribute)
            counts = np.bincount(s.codes, minlength=len(s.labels))
            return replace(m, overall=tuple((counts / max(self.table.n, 1)).tolist()))
        if m.attribute is not None:
            self.table.sensitive_named(m.attribute)
        return m

    def _normalise(self, x: float, j: int) -> float:
        n, dom = float(self.table.n), float(self.table.dims[j].domain)
        lo = n / dom
        if n - lo <= 0:
            return 0.0
        return max(0.0, (x - lo) / (n - lo))

    # -- grouping ----------------------------------------------------------------------------
    def index(self, levels: tuple[int, ...] | IntArr) -> int:
        return int(np.dot(np.asarray(levels, dtype=np.int64), self.strides))

    def groups(self, levels: tuple[int, ...]) -> Groups:
        """The fine classes of a node, rolled up from the smallest cached specialisation."""
        idx = self.index(levels)
        if idx in self.cache:
            self.cache.move_to_end(idx)
            return self.cache[idx]
        source: Groups | None = None
        if self.cache:
            keys = np.fromiter(self.cache.keys(), dtype=np.int64, count=len(self.cache))
            below = (self.nodes[keys] <= np.asarray(levels, dtype=np.int64)).all(axis=1)
            if below.any():
                sizes = np.fromiter(
                    (len(g.rep) for g in self.cache.values()), dtype=np.int64, count=len(keys)
                )
                source = self.cache[int(keys[below][np.argmin(sizes[below])])]
        if source is None:
            rep, weight = np.arange(self.table.n, dtype=np.int64), None
        else:
            rep, weight = source.rep, source.count
            self.stats.rolled_up += 1
        key = np.zeros(len(rep), dtype=np.int64)
        span = 1
        for d, lv in zip(self.table.dims, levels, strict=False):
            size = len(d.labels[lv])
            if span * size >= _MAX_KEY:
                key = np.unique(key, return_inverse=True)[1].astype(np.int64)
                span = int(key.max()) + 1 if len(key) else 1
            key *= size
            key += d.codes[lv][rep]
            span *= size
        if self.sa_size > 1:
            if span * self.sa_size >= _MAX_KEY:
                key = np.unique(key, return_inverse=True)[1].astype(np.int64)
                span = int(key.max()) + 1 if len(key) else 1
            key = key * self.sa_size + self.sa_comb[rep]
            span *= self.sa_size
        if span <= _TABLE_FACTOR * len(key) + (1 << 16):
            # Few possible keys: count into a table instead of sorting.
            table = np.bincount(key, weights=weight, minlength=span)
            uniq = np.flatnonzero(table)
            count = table[uniq].astype(np.int64)
            holder = np.empty(span, dtype=np.int64)
            holder[key] = rep
            new_rep = holder[uniq]
        else:
            order = np.argsort(key)
            sk = key[order]
            new_fine = np.empty(len(sk), dtype=bool)
            new_fine[:1] = True
            np.not_equal(sk[1:], sk[:-1], out=new_fine[1:])
            starts = np.flatnonzero(new_fine)
            new_rep = rep[order[starts]]
            if weight is None:
                count = np.diff(np.r_[starts, len(sk)]).astype(np.int64)
            else:
                count = np.add.reduceat(weight[order], starts) if len(starts) else weight[:0]
            uniq = sk[starts]
        if self.sa_size > 1:
            qkey = uniq // self.sa_size
            new_cls = np.empty(len(qkey), dtype=bool)
            new_cls[:1] = True
            np.not_equal(qkey[1:], qkey[:-1], out=new_cls[1:])
            cstarts = np.flatnonzero(new_cls)
            cls = np.cumsum(new_cls) - 1
            sizes = np.add.reduceat(count, cstarts) if len(cstarts) else count
        else:
            cls = np.arange(len(uniq), dtype=np.int64)
            sizes = count
        g = Groups(new_rep, count, cls, sizes)
        self.cache[idx] = g
        if len(self.cache) > _CACHE:
            self.cache.popitem(last=False)
        return g

    def histogram(self, g: Groups, attribute: str) -> IntArr:
        s = self.table.sensitive_named(attribute)
        m = len(s.labels)
        flat = np.bincount(g.cls * m + s.codes[g.rep], weights=g.count, minlength=len(g.sizes) * m)
        return flat.astype(np.int64).reshape(len(g.sizes), m)

    def passing(self, g: Groups, models: tuple[PrivacyModel, ...]) -> npt.NDArray[np.bool_]:
        ok = np.ones(len(g.sizes), dtype=bool)
        hists: dict[str, IntArr] = {}
        for m in models:
            hist = None
            if m.attribute is not None:
                hist = hists.get(m.attribute)
                if hist is None:
                    hist = hists[m.attribute] = self.histogram(g, m.attribute)
            ok &= m.passes(g.sizes, hist)
        return ok

    def evaluate(self, levels: tuple[int, ...]) -> Evaluation:
        """Group the node, judge its classes, suppress the failing ones, and price the result."""
        self.stats.evaluated += 1
        g = self.groups(levels)
        ok = self.passing(g, self.models)
        suppressed = int(g.sizes[~ok].sum())
        relaxed_suppressed = (
            suppressed if self.exact else int(g.sizes[~self.passing(g, self.relaxed)].sum())
        )
        relaxed = relaxed_suppressed <= self.budget
        anonymous = suppressed <= self.budget
        if not anonymous:
            return Evaluation(
                tuple(levels), False, suppressed, np.inf, (), g, ok, relaxed, relaxed_suppressed
            )
        fine_out = ~ok[g.cls]
        per = []
        for j, (d, lv) in enumerate(zip(self.table.dims, levels, strict=False)):
            extra = float(
                (g.count[fine_out] * (1.0 - d.share[lv][d.codes[lv][g.rep[fine_out]]])).sum()
            )
            per.append(self._normalise(d.share_sum[lv] + extra, j))
        loss = float(aggregate(np.array([per]))[0])
        return Evaluation(
            tuple(levels), True, suppressed, loss, tuple(per), g, ok, relaxed, relaxed_suppressed
        )

    # -- the lattice -------------------------------------------------------------------------
    def _tag(self, status: npt.NDArray[np.int8], idx: int, anonymous: bool) -> None:
        mask = self._cone(self._ge if anonymous else self._le, idx)
        status[mask & (status == 0)] = 1 if anonymous else -1
        self.stats.tagged += int(mask.sum())

    def _cone(self, table: list[list[npt.NDArray[np.bool_]]], idx: int) -> npt.NDArray[np.bool_]:
        node = self.nodes[idx]
        mask: npt.NDArray[np.bool_] = table[0][node[0]].copy()
        for j in range(1, len(node)):
            mask &= table[j][node[j]]
        return mask

    def _path(self, cand: npt.NDArray[np.bool_], start: int) -> list[int]:
        path, cur = [start], self.nodes[start].copy()
        while True:
            best = -1
            for j in range(len(cur)):
                if cur[j] < self.heights[j]:
                    cur[j] += 1
                    i = self.index(cur)
                    cur[j] -= 1
                    if cand[i] and (best < 0 or self.bounds[i] < self.bounds[best]):
                        best = i
            if best < 0:
                return path
            path.append(best)
            cur = self.nodes[best].copy()

    def _forget_best(self) -> None:
        """No node priced yet. A method of its own: mypy keeps an attribute narrowed across
        method calls, so set to None in run it would stay None there although _offer sets it."""
        self._best: tuple[float, int] | None = None
        self._best_eval: Evaluation | None = None

    def run(self) -> Evaluation | None:
        """The optimum: the least loss among the nodes that satisfy every model within the
        budget; ties go to the lower node (height, then levels). None if no node does.

        Candidates are the nodes not yet priced, not known to fail, whose bound does not exceed
        the best loss found. From the lowest candidate a path goes up through nodes not yet
        judged, and a binary search along it finds where the (monotone part of the) models
        start to hold; each node judged is tagged with its generalisations or
        specialisations. Without a suppression budget a passing node costs exactly its bound,
        so tagged nodes are priced without grouping. A passing node's suppressed count is a
        lower bound for its specialisations' (suppression only shrinks upwards), which raises
        their bounds."""
        status = np.zeros(len(self.nodes), dtype=np.int8)
        done = np.zeros(len(self.nodes), dtype=bool)
        heights = self.nodes.sum(axis=1)
        rank = np.empty(len(self.nodes), dtype=np.int64)
        rank[np.lexsort((*self.nodes.T[::-1], heights, np.round(self.bounds, 9)))] = np.arange(
            len(self.nodes)
        )
        self._forget_best()
        free = self.exact and self.budget == 0
        floor = np.zeros(len(self.nodes), dtype=np.int64)  # suppressed records, at least
        bounds = self.bounds
        starts = np.lexsort((self.bounds, heights))
        while True:
            limit = np.inf if self._best is None else self._best[0] + _EPS
            cand = ~done & (status != -1) & (bounds <= limit)
            if free:
                priced = cand & (status == 1)
                if priced.any():
                    i = int(np.flatnonzero(priced)[np.argmin(rank[priced])])
                    self._offer(float(self.bounds[i]), i, None)
                    done[priced] = True
                    continue
            if not cand.any():
                break
            start = int(starts[np.argmax(cand[starts])])
            path = self._path(~done & (status == 0), start)
            lo, hi = 0, len(path) - 1
            while lo <= hi:
                mid = (lo + hi) // 2
                i = path[mid]
                limit = np.inf if self._best is None else self._best[0] + _EPS
                if bounds[i] > limit and status[i] != 0:
                    hi = mid - 1
                    continue
                if status[i] == -1:
                    lo = mid + 1
                    continue
                if not done[i] and not (free and status[i] == 1):
                    ev = self.evaluate(tuple(int(x) for x in self.nodes[i]))
                    done[i] = True
                    self._tag(status, i, ev.relaxed)
                    if ev.relaxed and ev.relaxed_suppressed > 0:
                        below = self._cone(self._le, i) & (floor < ev.relaxed_suppressed)
                        if below.any():
                            floor[below] = ev.relaxed_suppressed
                            if bounds is self.bounds:
                                bounds = self.bounds.copy()
                            bounds[below] = aggregate(
                                self._per[below] + floor[below, None] * self._gap[below]
                            )
                    if ev.anonymous:
                        self._offer(ev.loss, i, ev)
                if status[i] == 1:
                    hi = mid - 1
                else:
                    lo = mid + 1
        if self._best is None:
            return None
        if self._best_eval is None:
            self._best_eval = self.evaluate(tuple(int(x) for x in self.nodes[self._best[1]]))
        return self._best_eval

    def _offer(self, loss: float, i: int, ev: Evaluation | None) -> None:
        """Keep the better of the best so far and node i: less loss, then the lower node
        (height, then levels), so that ties resolve the same way whatever the visiting order."""
        best = self._best
        if (
            best is None
            or loss < best[0] - _EPS
            or (abs(loss - best[0]) <= _EPS and self._tie(i) < self._tie(best[1]))
        ):
            self._best, self._best_eval = (loss, i), ev

    def _tie(self, i: int) -> tuple[int, tuple[int, ...]]:
        return int(self.nodes[i].sum()), tuple(int(x) for x in self.nodes[i])


def aggregate(per: FloatArr) -> FloatArr:
    """ARX's default aggregate of per-attribute losses: the geometric mean of (1 + loss), less 1."""
    m = per.shape[1]
    mean_log: FloatArr = np.log1p(per).sum(axis=1) / m
    return np.exp(mean_log) - 1.0
