"""What the generalisation search (search.py) learns of one node of the lattice: its classes,
whether it satisfies the privacy models, what it suppresses and what it loses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArr = npt.NDArray[np.int64]
FloatArr = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Groups:
    """The fine classes of one node (quasi-identifiers at the node's levels, plus the sensitive
    attributes): a representative row of each, and its record count. Sorted by class key."""

    rep: IntArr
    count: IntArr
    cls: IntArr  # class index of each fine class
    sizes: IntArr  # records per class


@dataclass(frozen=True)
class Evaluation:
    levels: tuple[int, ...]
    anonymous: bool
    suppressed: int
    loss: float
    attribute_loss: tuple[float, ...]
    groups: Groups
    passing: npt.NDArray[np.bool_]  # per class
    relaxed: bool  # the monotone part of the models holds within the budget
    relaxed_suppressed: int  # records the monotone part of the models suppresses


@dataclass
class Stats:
    evaluated: int = 0
    rolled_up: int = 0
    lattice: int = 0
    tagged: int = 0
