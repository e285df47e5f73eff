"""M16 — the lattice search finds the optimum: on small tables, the same transformation and loss
as a brute-force search over the whole lattice written independently here (plain Python
grouping, ARX's Loss formula), for every privacy model, with and without suppression."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from typing import Any

import pytest

from mahrem.domain.anonymise import (
    DistinctLDiversity,
    EntropyLDiversity,
    Hierarchy,
    KAnonymity,
    TCloseness,
    anonymise,
)
from mahrem.domain.errors import Refused

AGE = Hierarchy(
    tuple(
        (str(a), f"{a // 5 * 5}-{a // 5 * 5 + 4}", f"{a // 10 * 10}s", "*") for a in range(20, 40)
    )
)
ZIP = Hierarchy(
    tuple(
        (z, z[:3] + "*", z[:2] + "**", "*")
        for z in ("4711", "4712", "4721", "4722", "4811", "4812")
    )
)
SEX = Hierarchy((("F", "*"), ("M", "*")))
JOB = Hierarchy(
    (("a", "x", "*"), ("b", "x", "*"), ("c", "y", "*"), ("d", "y", "*"), ("e", "z", "*"))
)
HIERARCHIES = {"age": AGE, "zip": ZIP, "sex": SEX, "job": JOB}
DISEASES = ("flu", "cold", "cancer", "hiv", "asthma")


def table(seed: int, n: int) -> dict[str, list[str]]:
    rnd = random.Random(seed)
    rows = [
        (
            str(rnd.randint(20, 39)),
            rnd.choice([r[0] for r in ZIP.rows]),
            rnd.choice("FM"),
            rnd.choice("abcde"),
            rnd.choices(DISEASES, weights=(5, 4, 2, 1, 3))[0],
        )
        for _ in range(n)
    ]
    return {
        name: [r[i] for r in rows] for i, name in enumerate(("age", "zip", "sex", "job", "disease"))
    }


def brute_force(
    cols: dict[str, list[str]], qis: list[str], check: Any, limit: float
) -> tuple[float, tuple[int, ...], int]:
    """Every node of the lattice: group, suppress failing classes, price with ARX's Loss."""
    n = len(cols["disease"])
    budget = math.floor(limit * n + 1e-9)
    maps = {q: {row[0]: row for row in HIERARCHIES[q].rows} for q in qis}
    share = {}
    for q in qis:
        rows = HIERARCHIES[q].rows
        share[q] = [Counter(r[lv] for r in rows) for lv in range(len(rows[0]))]
    best: tuple[float, int, tuple[int, ...], int] | None = None
    for node in itertools.product(*[range(HIERARCHIES[q].height + 1) for q in qis]):
        keys = [
            tuple(maps[q][cols[q][i]][lv] for q, lv in zip(qis, node, strict=True))
            for i in range(n)
        ]
        classes: dict[tuple[str, ...], list[int]] = {}
        for i, key in enumerate(keys):
            classes.setdefault(key, []).append(i)
        out = [
            i
            for members in classes.values()
            if not check([cols["disease"][i] for i in members], cols)
            for i in members
        ]
        if len(out) > budget:
            continue
        gone = set(out)
        per = []
        for q, lv in zip(qis, node, strict=True):
            d = len(HIERARCHIES[q].rows)
            x = sum(
                1.0 if i in gone else share[q][lv][maps[q][cols[q][i]][lv]] / d for i in range(n)
            )
            per.append(max(0.0, (x - n / d) / (n - n / d)))
        loss = math.prod(1 + v for v in per) ** (1 / len(per)) - 1
        candidate = (round(loss, 9), sum(node), node, len(out))
        if best is None or candidate[:3] < best[:3]:
            best = candidate
    assert best is not None
    return best[0], best[2], best[3]


def k_check(k: int) -> Any:
    return lambda sa, cols: len(sa) >= k


def distinct_check(k: int, l: int) -> Any:  # noqa: E741
    return lambda sa, cols: len(sa) >= k and len(set(sa)) >= l


def entropy_check(k: int, l: float) -> Any:  # noqa: E741
    def check(sa: list[str], cols: Any) -> bool:
        c = Counter(sa)
        h = -sum(v / len(sa) * math.log(v / len(sa)) for v in c.values())
        return len(sa) >= k and h >= math.log(l) - 1e-12

    return check


def t_check(k: int, t: float) -> Any:
    def check(sa: list[str], cols: Any) -> bool:
        whole = Counter(cols["disease"])
        c = Counter(sa)
        n = len(cols["disease"])
        emd = 0.5 * sum(abs(c[v] / len(sa) - whole[v] / n) for v in whole)
        return len(sa) >= k and emd <= t + 1e-12

    return check


CASES = [
    ([KAnonymity(2)], k_check(2), 0.0),
    ([KAnonymity(3)], k_check(3), 0.1),
    ([KAnonymity(5)], k_check(5), 0.05),
    ([KAnonymity(2), DistinctLDiversity("disease", 2)], distinct_check(2, 2), 0.0),
    ([KAnonymity(2), DistinctLDiversity("disease", 3)], distinct_check(2, 3), 0.1),
    ([KAnonymity(2), EntropyLDiversity("disease", 2)], entropy_check(2, 2), 0.1),
    ([KAnonymity(2), EntropyLDiversity("disease", 2.5)], entropy_check(2, 2.5), 0.0),
    ([KAnonymity(2), TCloseness("disease", 0.3)], t_check(2, 0.3), 0.1),
    ([KAnonymity(2), TCloseness("disease", 0.35)], t_check(2, 0.35), 0.0),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("models", "check", "limit"), CASES)
def test_the_search_finds_the_brute_force_optimum_m16(
    seed: int, models: list[Any], check: Any, limit: float
) -> None:
    cols = table(seed, 60)
    qis = ["age", "zip", "sex", "job"]
    loss, node, suppressed = brute_force(cols, qis, check, limit)
    result = anonymise(cols, {q: HIERARCHIES[q] for q in qis}, models, limit, sensitive=["disease"])
    assert result.loss == pytest.approx(loss, abs=1e-9)
    assert result.levels == node
    assert result.suppressed == suppressed


def test_the_search_prunes_most_of_the_lattice_m16() -> None:
    cols = table(7, 400)
    result = anonymise(cols, HIERARCHIES, [KAnonymity(3)], 0.0)
    assert result.search["lattice"] == 4 * 4 * 2 * 3
    assert result.search["evaluated"] < result.search["lattice"] / 2


def test_no_transformation_when_even_everything_suppressed_is_not_enough_m16() -> None:
    cols = table(1, 4)
    with pytest.raises(Refused) as err:
        anonymise(cols, HIERARCHIES, [KAnonymity(5)], 0.0)
    assert err.value.code == "anonymise.impossible"
