"""A table encoded for the search: every quasi-identifier as one integer array per
generalisation level, every sensitive attribute as one integer array, and the domain shares
ARX's Loss measure needs (the share of the hierarchy's leaves a generalised value covers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mahrem.domain.anonymise.hierarchy import Hierarchy
from mahrem.domain.errors import InputError

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Dimension:
    """One quasi-identifier: codes[level][row], labels[level][code], share[level][code]."""

    name: str
    hierarchy: Hierarchy
    codes: tuple[IntArr, ...]
    labels: tuple[tuple[str, ...], ...]
    share: tuple[FloatArr, ...]
    share_sum: tuple[float, ...]  # Σ over rows of the share at each level

    @property
    def height(self) -> int:
        return self.hierarchy.height

    @property
    def domain(self) -> int:
        return len(self.hierarchy.rows)


@dataclass(frozen=True)
class Sensitive:
    name: str
    codes: IntArr
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    n: int
    dims: tuple[Dimension, ...]
    sensitive: tuple[Sensitive, ...]
    columns: Mapping[str, Sequence[str]]

    def sensitive_named(self, name: str) -> Sensitive:
        for s in self.sensitive:
            if s.name == name:
                return s
        raise InputError(
            "anonymise.attribute", f"{name!r} is not a sensitive attribute", field="attribute"
        )


def _dimension(name: str, values: Sequence[str], hierarchy: Hierarchy) -> Dimension:
    position = {row[0]: i for i, row in enumerate(hierarchy.rows)}
    try:
        row_of = np.fromiter(map(position.__getitem__, values), dtype=np.int64, count=len(values))
    except KeyError:
        try:
            row_of = np.fromiter(
                (position[str(v)] for v in values), dtype=np.int64, count=len(values)
            )
        except KeyError as e:
            raise InputError(
                "hierarchy.unknown_value",
                f"{name}: value {e.args[0]!r} is not in its hierarchy",
                field=name,
            ) from e
    codes, labels, shares, sums = [], [], [], []
    total = float(len(hierarchy.rows))
    for level in range(hierarchy.height + 1):
        level_values = [row[level] for row in hierarchy.rows]
        names = tuple(sorted(set(level_values)))
        index = {v: i for i, v in enumerate(names)}
        row_code = np.array([index[v] for v in level_values], dtype=np.int64)
        share = np.bincount(row_code, minlength=len(names)) / total
        code = row_code[row_of]
        codes.append(code)
        labels.append(names)
        shares.append(share)
        sums.append(float(share[code].sum()))
    return Dimension(name, hierarchy, tuple(codes), tuple(labels), tuple(shares), tuple(sums))


def _sensitive(name: str, values: Sequence[str], order: Sequence[str] | None) -> Sensitive:
    names = tuple(order) if order is not None else tuple(sorted(set(values), key=_natural))
    index = {v: i for i, v in enumerate(names)}
    try:
        codes = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    except KeyError as e:
        raise InputError(
            "anonymise.attribute", f"{name}: value {e.args[0]!r} not in the given order", field=name
        ) from e
    return Sensitive(name, codes, names)


def _natural(value: str) -> tuple[int, float | str]:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def encode(
    columns: Mapping[str, Sequence[str]],
    hierarchies: Mapping[str, Hierarchy],
    sensitive: Sequence[str] = (),
    orders: Mapping[str, Sequence[str]] | None = None,
) -> Table:
    """Encode `columns` (name → values, all the same length): the quasi-identifiers are the
    keys of `hierarchies` (in that order), `sensitive` the attributes the l- and t- models
    protect (`orders` gives an ordered attribute's values in order, for ordered t-closeness)."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise InputError("anonymise.columns", "columns of different lengths")
    n = lengths.pop() if lengths else 0
    missing = [c for c in [*hierarchies, *sensitive] if c not in columns]
    if missing:
        raise InputError("anonymise.attribute", f"no column {missing[0]!r}", field=missing[0])
    if not hierarchies:
        raise InputError("anonymise.attribute", "at least one quasi-identifier is needed")
    dims = tuple(_dimension(name, columns[name], h) for name, h in hierarchies.items())
    sens = tuple(
        _sensitive(s, [str(v) for v in columns[s]], (orders or {}).get(s)) for s in sensitive
    )
    return Table(n, dims, sens, columns)
