"""One anonymisation from start to finish (M16): encode, search the optimum, suppress,
generalise, and report what was done, what it cost (utility) and what risk remains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mahrem.domain.anonymise.evaluation import Evaluation
from mahrem.domain.anonymise.hierarchy import Hierarchy
from mahrem.domain.anonymise.models import PrivacyModel
from mahrem.domain.anonymise.search import Search
from mahrem.domain.anonymise.table import Table, encode
from mahrem.domain.errors import Refused


@dataclass(frozen=True)
class Anonymised:
    """The released table and its account. `loss` is ARX's Loss metric (the optimisation
    objective: geometric mean over attributes, generalisation and suppression weighted
    equally); `utility["granularity"]` is what ARX reports as its quality (1 = the input)."""

    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    models: tuple[dict[str, object], ...]
    suppression_limit: float
    levels: tuple[int, ...]
    rows_in: int
    suppressed: int
    loss: float
    attribute_loss: dict[str, float]
    utility: dict[str, float]
    risk: dict[str, float]
    columns: dict[str, list[str]] = field(repr=False)
    search: dict[str, int] = field(default_factory=dict)

    @property
    def transformation(self) -> dict[str, int]:
        return dict(zip(self.quasi_identifiers, self.levels, strict=False))

    @property
    def rows_out(self) -> int:
        return self.rows_in - self.suppressed

    def records(self) -> list[dict[str, str]]:
        names = list(self.columns)
        return [
            dict(zip(names, values, strict=False))
            for values in zip(*self.columns.values(), strict=False)
        ]

    def summary(self) -> dict[str, Any]:
        """Everything but the rows, JSON-able (the audit entry's detail)."""
        return {
            "quasi_identifiers": list(self.quasi_identifiers),
            "sensitive": list(self.sensitive),
            "models": list(self.models),
            "suppression_limit": self.suppression_limit,
            "transformation": self.transformation,
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "suppressed": self.suppressed,
            "loss": round(self.loss, 6),
            "attribute_loss": {k: round(v, 6) for k, v in self.attribute_loss.items()},
            "utility": {k: round(v, 6) for k, v in self.utility.items()},
            "risk": {k: round(v, 6) for k, v in self.risk.items()},
            "search": dict(self.search),
        }


def anonymise(
    columns: Mapping[str, Sequence[str]],
    hierarchies: Mapping[str, Hierarchy],
    models: Sequence[PrivacyModel],
    suppression: float = 0.0,
    sensitive: Sequence[str] = (),
    orders: Mapping[str, Sequence[str]] | None = None,
) -> Anonymised:
    """M16 — the optimal full-domain generalisation of `columns` under `models`, suppressing at
    most `suppression` (a fraction) of the records. Refused (`anonymise.impossible`) when even
    the most general transformation does not satisfy the models."""
    sens = tuple(
        dict.fromkeys([*sensitive, *(m.attribute for m in models if m.attribute is not None)])
    )
    table = encode(columns, hierarchies, sens, orders)
    search = Search(table, tuple(models), suppression)
    best = search.run()
    if best is None:
        raise Refused(
            "anonymise.impossible",
            "no transformation satisfies the privacy models within the suppression limit",
            basis="16/1",
        )
    return _release(table, search, best)


def _release(table: Table, search: Search, best: Evaluation) -> Anonymised:
    g, ok = best.groups, best.passing
    keep_row = np.ones(table.n, dtype=bool)
    if best.suppressed:
        # Rows belong to the fine class whose representative shares their codes at these levels.
        row_class = _row_classes(table, best)
        keep_row = ok[row_class]
    out: dict[str, list[str]] = {}
    for d, lv in zip(table.dims, best.levels, strict=False):
        out[d.name] = np.asarray(d.labels[lv], dtype=object)[d.codes[lv][keep_row]].tolist()
    for s in table.sensitive:
        out[s.name] = np.asarray(s.labels, dtype=object)[s.codes[keep_row]].tolist()
    names = tuple(d.name for d in table.dims)
    return Anonymised(
        quasi_identifiers=names,
        sensitive=tuple(s.name for s in table.sensitive),
        models=tuple(m.describe() for m in search.models),
        suppression_limit=search.suppression,
        levels=best.levels,
        rows_in=table.n,
        suppressed=best.suppressed,
        loss=best.loss,
        attribute_loss=dict(zip(names, best.attribute_loss, strict=False)),
        utility=utility(table, search, best),
        risk=risk(g.sizes[ok]),
        columns=out,
        search={
            "lattice": search.stats.lattice,
            "evaluated": search.stats.evaluated,
            "rolled_up": search.stats.rolled_up,
        },
    )


def _row_classes(table: Table, best: Evaluation) -> npt.NDArray[np.int64]:
    """The class index of every row at the chosen node."""
    key = np.zeros(table.n, dtype=np.int64)
    for d, lv in zip(table.dims, best.levels, strict=False):
        size = len(d.labels[lv])
        if int(key.max(initial=0)) + 1 > (1 << 62) // max(size, 1):
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key = key * size + d.codes[lv]
    rep_key = key[best.groups.rep]
    order = np.argsort(rep_key, kind="stable")
    classes: npt.NDArray[np.int64] = best.groups.cls[order[np.searchsorted(rep_key[order], key)]]
    return classes


def utility(table: Table, search: Search, best: Evaluation) -> dict[str, float]:
    """ARX's quality models for the result (1 = as good as the input) and the raw measures:
    granularity (Iyengar's loss, arithmetic mean over attributes as ARX reports it), precision
    (Sweeney: level / height, a suppressed record counts 1), discernibility (Σ|E|² + |S|·n)
    and the average equivalence class size (the suppressed records form one class)."""
    n = float(table.n)
    g, ok = best.groups, best.passing
    out_fine = ~ok[g.cls]
    raw, mins, precision = [], [], []
    for d, lv in zip(table.dims, best.levels, strict=False):
        extra = float((g.count[out_fine] * (1.0 - d.share[lv][d.codes[lv][g.rep[out_fine]]])).sum())
        raw.append((d.share_sum[lv] + extra) / n)
        mins.append(1.0 / d.domain)
        level_share = lv / d.height if d.height else 0.0
        precision.append((level_share * (n - best.suppressed) + best.suppressed) / n)
    mean_min = float(np.mean(mins))
    granularity = 1.0 - (float(np.mean(raw)) - mean_min) / (1.0 - mean_min) if mean_min < 1 else 1.0
    sizes = g.sizes[ok]
    dm = float((sizes.astype(np.float64) ** 2).sum() + best.suppressed * n)
    classes = len(sizes) + (1 if best.suppressed else 0)
    aecs = n / classes if classes else 0.0
    base = search.groups(tuple(0 for _ in table.dims)).sizes if table.n else np.zeros(0, np.int64)
    dm_in = float((base.astype(np.float64) ** 2).sum())
    aecs_in = n / len(base) if len(base) else 0.0
    return {
        "granularity": _clip(granularity),
        "precision_loss": float(np.mean(precision)),
        "precision": _clip(1.0 - float(np.mean(precision))),
        "discernibility": dm,
        "discernibility_quality": _clip(1.0 - (dm - dm_in) / (n * n - dm_in))
        if n * n > dm_in
        else 1.0,
        "average_class_size": aecs,
        "average_class_size_quality": _clip(1.0 - (aecs - aecs_in) / (n - aecs_in))
        if n > aecs_in
        else 1.0,
    }


def risk(sizes: npt.NDArray[np.int64]) -> dict[str, float]:
    """Prosecutor re-identification risk of the released records (suppressed ones are not
    released): a record's risk is one over its class size; the highest, and the average over
    records (= classes / records)."""
    if not len(sizes):
        return {
            "prosecutor_highest": 0.0,
            "prosecutor_average": 0.0,
            "records_at_highest_risk": 0.0,
        }
    smallest = int(sizes.min())
    return {
        "prosecutor_highest": 1.0 / smallest,
        "prosecutor_average": len(sizes) / float(sizes.sum()),
        "records_at_highest_risk": float(sizes[sizes == smallest].sum()),
    }


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))
