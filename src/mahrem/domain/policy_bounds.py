"""What the law fixes is not policy (SPEC.md, the policy paragraph; issue 21). M6/4 lets the
General Directorate re-evaluate the access rules, but a change may move a limit the law sets
only in the direction the law allows; outside it the change is refused with the article that
fixes it. Pure: a proposed Policy in, the first bound it breaks out.

The bounds, with their sources (the Regulation quoted from the Official Gazette text in
`../shared/seeds/`; the Law, TMK and the Board's decision paraphrased, their text not being
at hand here):
- re-identifiers per unit at most three — M7/1: "Her birimin amiri, kendi biriminden en fazla
  üç kişinin yetkilendirilmesini talep edebilir.";
- retention after death at least 20 years — M11/2: "Ölmüş bir kimsenin sağlık verileri, en az
  20 yıl süre ile saklanır.";
- applications (and deletion requests, also applications under KVKK 11) answered within 30
  days — KVKK 13/2 (paraphrase: as soon as possible and within thirty days at the latest);
- the Board told of a breach within 72 hours — Board decision 2019/10 under KVKK 12/5
  (paraphrase);
- staff reads only for the care purposes — M6/1 with KVKK 6/3: the purposes of staff reads are
  a subset of treatment, diagnosis, care and preventive medicine (paraphrase);
- majority exactly 18 — TMK 11 (paraphrase: majority begins at the completion of eighteen);
- the discernment age below majority — otherwise M8/1's second sentence (the child of
  discernment restricts its parents) would be void.
A change also takes effect strictly after it is recorded (M6/4: the notice comes first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mahrem.domain.policy import CARE_PURPOSES, Policy


@dataclass(frozen=True, slots=True)
class Bound:
    """A limit the law fixes: the parameter, whether a value keeps to it, its article, and
    what the law allows, in words (English, Turkish)."""

    parameter: str
    holds: Callable[[object], bool]
    basis: str
    allowed: str
    allowed_tr: str


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _at_most(limit: int) -> Callable[[object], bool]:
    return lambda v: (n := _int(v)) is not None and 0 < n <= limit


def _at_least(limit: int) -> Callable[[object], bool]:
    return lambda v: (n := _int(v)) is not None and n >= limit


STATUTORY_BOUNDS: tuple[Bound, ...] = (
    Bound(
        "max_reidentifiers_per_unit",
        _at_most(3),
        "7/1",
        "at most 3 (M7/1)",
        "en fazla 3 (Yönetmelik m.7/1)",
    ),
    Bound(
        "retention_after_death_years",
        _at_least(20),
        "11/2",
        "at least 20 years (M11/2)",
        "en az 20 yıl (Yönetmelik m.11/2)",
    ),
    Bound(
        "application_answer_days",
        _at_most(30),
        "KVKK/13-2",
        "at most 30 days (KVKK 13/2)",
        "en fazla 30 gün (KVKK m.13/2)",
    ),
    Bound(
        "destruction_request_days",
        _at_most(30),
        "KVKK/13-2",
        "at most 30 days (KVKK 13/2)",
        "en fazla 30 gün (KVKK m.13/2)",
    ),
    Bound(
        "breach_notification_hours",
        _at_most(72),
        "KVKK/12-5",
        "at most 72 hours (Board decision 2019/10)",
        "en fazla 72 saat (Kurul kararı 2019/10)",
    ),
    Bound(
        "care_purposes",
        lambda v: isinstance(v, tuple) and bool(v) and set(v) <= set(CARE_PURPOSES),
        "6/1",
        f"a subset of {', '.join(CARE_PURPOSES)} (M6/1, KVKK 6/3)",
        f"{', '.join(CARE_PURPOSES)} amaçlarının bir alt kümesi (Yönetmelik m.6/1, KVKK m.6/3)",
    ),
    Bound(
        "majority_age",
        lambda v: _int(v) == 18,
        "TMK/11",
        "exactly 18 (TMK 11)",
        "tam 18 (TMK m.11)",
    ),
    Bound(
        "discernment_age",
        lambda v: (n := _int(v)) is not None and 0 < n < 18,
        "8/1",
        "below 18, the age of majority (M8/1)",
        "ergin olma yaşı olan 18'in altında (Yönetmelik m.8/1)",
    ),
)


def broken_bound(proposed: Policy) -> Bound | None:
    """The first statutory bound the proposed policy breaks, or None."""
    return next((b for b in STATUTORY_BOUNDS if not b.holds(getattr(proposed, b.parameter))), None)


def fixed_by_law(parameter: str) -> bool:
    """Whether the law bounds `parameter` (GM moves it only within the bound)."""
    return any(b.parameter == parameter for b in STATUTORY_BOUNDS)
