"""The access history's timeline, drawn on the server as SVG geometry (no script, no library):
one column per Istanbul day, permitted reads stacked under refused ones."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from mahrem.domain.clock import ISTANBUL

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 180, 36, 28, 12


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    y_permit: float
    h_permit: float
    y_deny: float
    h_deny: float
    day: date
    permits: int
    denies: int


def day_of(at: str | datetime) -> date:
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return when.astimezone(ISTANBUL).date()


def timeline(entries: list[dict[str, Any]], first: date, last: date) -> dict[str, Any]:
    """Bars per day from `first` to `last` (at most 92 days), a y-axis scale and x labels."""
    last = max(last, first)
    first = max(first, last - timedelta(days=91))
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    permits = Counter(day_of(e["at"]) for e in entries if e["decision"] == "permit")
    denies = Counter(day_of(e["at"]) for e in entries if e["decision"] != "permit")
    top = max([permits[d] + denies[d] for d in days] + [1])
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    step = plot_w / len(days)
    bars = []
    for i, d in enumerate(days):
        hp, hd = plot_h * permits[d] / top, plot_h * denies[d] / top
        base = TOP + plot_h
        bars.append(
            Bar(
                LEFT + i * step + step * 0.15,
                max(step * 0.7, 1),
                base - hp,
                hp,
                base - hp - hd,
                hd,
                d,
                permits[d],
                denies[d],
            )
        )
    every = max(1, len(days) // 6)
    labels = [
        (LEFT + i * step + step / 2, d.strftime("%d.%m"))
        for i, d in enumerate(days)
        if i % every == 0
    ]
    ticks = sorted({0, top // 2, top})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "top": TOP,
        "base": TOP + plot_h,
        "bars": bars,
        "labels": labels,
        "ticks": [(TOP + plot_h - plot_h * t / top, t) for t in ticks],
        "right": WIDTH - 8,
        "total_permit": sum(permits[d] for d in days),
        "total_deny": sum(denies[d] for d in days),
    }
