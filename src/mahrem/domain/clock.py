"""Calendar arithmetic in Europe/Istanbul, where the regulation's days are counted.

SPEC.md (Interpretations): every window is half-open [start, end); a date without a time is
a whole Istanbul calendar day; ages and the 20 years after death count in Istanbul days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ISTANBUL = ZoneInfo("Europe/Istanbul")


def require_aware(at: datetime, field: str = "at") -> datetime:
    """Refuse a naive datetime: a time without an offset names no instant."""
    if at.tzinfo is None or at.utcoffset() is None:
        from mahrem.domain.errors import InputError

        raise InputError("time.naive", f"{field}: time has no UTC offset", field=field)
    return at


def local_date(at: datetime) -> date:
    """The Istanbul calendar day an instant falls on."""
    return at.astimezone(ISTANBUL).date()


def day_start(day: date) -> datetime:
    """The first instant of an Istanbul calendar day."""
    return datetime.combine(day, time.min, tzinfo=ISTANBUL)


def day_end(day: date) -> datetime:
    """The first instant after an Istanbul calendar day (exclusive end of an inclusive date)."""
    return day_start(day + timedelta(days=1))


def anniversary(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls on 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def has_reached_age(birth_date: date, years: int, at: datetime) -> bool:
    """True from the first minute (Istanbul) of the birthday on which the person turns `years`."""
    return at >= day_start(anniversary(birth_date, years))


# The start of time for facts that have always held (a policy version, a world's registry).
BEGINNING = datetime(1900, 1, 1, tzinfo=UTC)
