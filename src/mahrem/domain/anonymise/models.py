"""Privacy models (M4/1-c "even by matching with other data"): what each equivalence class of
the released table must satisfy. Each model judges classes given their sizes and, for the
l- and t- models, the histogram of one sensitive attribute per class."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from mahrem.domain.errors import InputError

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class KAnonymity:
    """Every class has at least k records."""

    k: int
    kind: Literal["k"] = "k"

    def __post_init__(self) -> None:
        if self.k < 1:
            raise InputError("anonymise.k", "k must be at least 1", field="k")

    @property
    def attribute(self) -> None:
        return None

    def passes(self, sizes: Ints, hist: Ints | None) -> Bools:
        return sizes >= self.k

    def describe(self) -> dict[str, object]:
        return {"model": "k-anonymity", "k": self.k}


@dataclass(frozen=True, slots=True)
class DistinctLDiversity:
    """Every class holds at least l distinct values of the sensitive attribute."""

    attribute: str
    l: int  # noqa: E741 — the model's name
    kind: Literal["distinct-l"] = "distinct-l"

    def passes(self, sizes: Ints, hist: Ints | None) -> Bools:
        assert hist is not None
        distinct: Ints = (hist > 0).sum(axis=1)
        return distinct >= self.l

    def describe(self) -> dict[str, object]:
        return {"model": "distinct-l-diversity", "attribute": self.attribute, "l": self.l}


@dataclass(frozen=True, slots=True)
class EntropyLDiversity:
    """The entropy of the sensitive attribute in every class is at least log(l)."""

    attribute: str
    l: float  # noqa: E741
    kind: Literal["entropy-l"] = "entropy-l"

    def passes(self, sizes: Ints, hist: Ints | None) -> Bools:
        assert hist is not None
        p = hist / np.maximum(sizes, 1)[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            h: Floats = -np.where(p > 0, p * np.log(p), 0.0).sum(axis=1)
        floor: float = np.log(self.l) - 1e-12
        return h >= floor

    def describe(self) -> dict[str, object]:
        return {"model": "entropy-l-diversity", "attribute": self.attribute, "l": self.l}


@dataclass(frozen=True, slots=True)
class TCloseness:
    """The earth mover's distance between the sensitive attribute's distribution in every class
    and in the whole table is at most t: equal distance (half the L1 distance) for nominal
    values, ordered distance (normalised L1 distance of the cumulative distributions) for
    ordered ones, as ARX's EqualDistanceTCloseness and OrderedDistanceTCloseness."""

    attribute: str
    t: float
    distance: Literal["equal", "ordered"] = "equal"
    kind: Literal["t"] = "t"
    # Set by the engine: the overall distribution, in the attribute's code order.
    overall: tuple[float, ...] = ()

    def emd(self, sizes: Ints, hist: Ints) -> Floats:
        q = np.asarray(self.overall)
        p = hist / np.maximum(sizes, 1)[:, None]
        if self.distance == "equal":
            half_l1: Floats = 0.5 * np.abs(p - q).sum(axis=1)
            return half_l1
        m = max(len(q) - 1, 1)
        cumulative_l1: Floats = np.abs(np.cumsum(p - q, axis=1)).sum(axis=1)
        return cumulative_l1 / m

    def passes(self, sizes: Ints, hist: Ints | None) -> Bools:
        assert hist is not None
        return self.emd(sizes, hist) <= self.t + 1e-12

    def describe(self) -> dict[str, object]:
        return {
            "model": "t-closeness",
            "attribute": self.attribute,
            "t": self.t,
            "distance": self.distance,
        }


PrivacyModel = KAnonymity | DistinctLDiversity | EntropyLDiversity | TCloseness


def monotone(models: tuple[PrivacyModel, ...], budget: int) -> bool:
    """Whether "the node satisfies the models" is monotone over the lattice, so that tagging
    (a passing node's generalisations pass, a failing node's specialisations fail) is sound.
    k-anonymity and distinct-l-diversity are, with or without suppression: a class merged from
    a passing class passes. Entropy-l and t-closeness are without suppression (entropy is
    concave, the EMD convex: a merge of passing classes passes), but with a suppression
    budget a passing class merged with a failing one may fail, and the suppressed count grow."""
    return budget == 0 or all(isinstance(m, (KAnonymity, DistinctLDiversity)) for m in models)


def parse(spec: dict[str, object]) -> PrivacyModel:
    """A model from its JSON form: {"model": "k", "k": 5}, {"model": "distinct-l", "attribute": …,
    "l": 3}, {"model": "entropy-l", …}, {"model": "t", "attribute": …, "t": 0.2, "distance": …}."""
    kind = str(spec.get("model", ""))
    try:
        if kind in ("k", "k-anonymity"):
            return KAnonymity(_int(spec["k"], "k", 1))
        if kind in ("distinct-l", "distinct-l-diversity", "l"):
            return DistinctLDiversity(_attribute(spec), _int(spec["l"], "l", 1))
        if kind in ("entropy-l", "entropy-l-diversity"):
            return EntropyLDiversity(_attribute(spec), _number(spec["l"], "l", 1.0))
        if kind in ("t", "t-closeness"):
            distance = spec.get("distance", "equal")
            if distance not in ("equal", "ordered"):
                raise InputError("anonymise.model", "distance: equal or ordered", field="distance")
            return TCloseness(_attribute(spec), _number(spec["t"], "t", 0.0), distance)
    except KeyError as e:
        raise InputError(
            "anonymise.model", f"model {kind!r} needs {e.args[0]!r}", field=str(e.args[0])
        ) from e
    raise InputError("anonymise.model", f"unknown privacy model {kind!r}", field="model")


def _attribute(spec: dict[str, object]) -> str:
    value = spec["attribute"]
    if not isinstance(value, str) or not value:
        raise InputError(
            "anonymise.model", "attribute: the name of a sensitive attribute", field="attribute"
        )
    return value


def _number(value: object, name: str, least: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < least
    ):
        raise InputError("anonymise.model", f"{name}: a number of at least {least}", field=name)
    return float(value)


def _int(value: object, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InputError("anonymise.model", f"{name}: an integer of at least {least}", field=name)
    return value
