"""FHIR R4 search (RESTful API, "Search"): the parameters Mahrem supports for each resource type
it stores, parsed from a query string and matched against resources, so that a search never
pretends to filter what it does not (SPEC.md C2).

Pure: no I/O; the caller gives each resource with its `meta.lastUpdated`. A parameter that is
not in the table is refused, naming it (`search.unsupported`); with `Prefer: handling=lenient`
it is ignored and reported back, as the specification says. Dates without a time zone are
Istanbul's calendar (domain/clock.py). The modifiers and prefixes supported are the ones listed
here; `ap` (approximately) has no agreed meaning and is refused rather than guessed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mahrem.domain.clock import ISTANBUL
from mahrem.domain.errors import MahremError


class UnsupportedSearch(MahremError):
    """A search parameter, modifier or prefix Mahrem does not apply (answered 400)."""


@dataclass(frozen=True, slots=True)
class Param:
    """One search parameter: its FHIR type and the elements it reads."""

    kind: str  # token, date
    elements: tuple[str, ...]


def _p(kind: str, *elements: str) -> Param:
    return Param(kind, elements)


_EFFECTIVE = ("effectiveDateTime", "effectivePeriod", "effectiveInstant")
_CLINICAL = {"code": _p("token", "code"), "category": _p("token", "category")}
# The R4 search parameters of each stored type that an HBYS needs (R4 "Search Parameters" of
# each resource's page, same names and elements). `patient` and `subject` are the record's
# patient, resolved by the door; `_id` and `_lastUpdated` are common to every type.
SEARCH_PARAMETERS: dict[str, dict[str, Param]] = {
    "Appointment": {"status": _p("token", "status"), "date": _p("date", "start")},
    "AllergyIntolerance": {
        "code": _p("token", "code"),
        "category": _p("token", "category"),
        "clinical-status": _p("token", "clinicalStatus"),
        "date": _p("date", "recordedDate"),
    },
    "CarePlan": {
        "category": _p("token", "category"),
        "status": _p("token", "status"),
        "date": _p("date", "period"),
    },
    "CareTeam": {
        "category": _p("token", "category"),
        "status": _p("token", "status"),
        "date": _p("date", "period"),
    },
    "Condition": {
        **_CLINICAL,
        "clinical-status": _p("token", "clinicalStatus"),
        "onset-date": _p("date", "onsetDateTime", "onsetPeriod"),
        "recorded-date": _p("date", "recordedDate"),
    },
    "DiagnosticReport": {
        **_CLINICAL,
        "status": _p("token", "status"),
        "date": _p("date", *_EFFECTIVE),
        "issued": _p("date", "issued"),
    },
    "DocumentReference": {
        "type": _p("token", "type"),
        "category": _p("token", "category"),
        "status": _p("token", "status"),
        "date": _p("date", "date"),
    },
    "Encounter": {
        "class": _p("token", "class"),
        "type": _p("token", "type"),
        "status": _p("token", "status"),
        "date": _p("date", "period"),
    },
    "Immunization": {
        "vaccine-code": _p("token", "vaccineCode"),
        "status": _p("token", "status"),
        "date": _p("date", "occurrenceDateTime"),
    },
    "MedicationRequest": {
        "code": _p("token", "medicationCodeableConcept"),
        "category": _p("token", "category"),
        "status": _p("token", "status"),
        "intent": _p("token", "intent"),
        "authoredon": _p("date", "authoredOn"),
    },
    "Observation": {
        **_CLINICAL,
        "status": _p("token", "status"),
        "date": _p("date", *_EFFECTIVE),
    },
    "Procedure": {
        **_CLINICAL,
        "status": _p("token", "status"),
        "date": _p("date", "performedDateTime", "performedPeriod"),
    },
    "ServiceRequest": {
        **_CLINICAL,
        "status": _p("token", "status"),
        "authored": _p("date", "authoredOn"),
    },
}
STORED_TYPES = frozenset(SEARCH_PARAMETERS)
COMMON = {
    "_id": _p("token", "id"),
    "_lastUpdated": _p("date", "meta.lastUpdated"),
    "identifier": _p("token", "identifier"),
}
PATIENT_PARAMETERS = ("patient", "subject", "patient.identifier", "subject:Patient")
RESULT_PARAMETERS = ("_count", "_offset", "_sort")
# Not a FHIR parameter: the purpose of the access (M5), when the X-Purpose header is not sent.
MAHREM_PARAMETERS = ("purpose",)
SORTS = {"date", "-date", "_lastUpdated", "-_lastUpdated"}
MAX_COUNT = 100
DEFAULT_COUNT = 20
_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_TOKEN_MODIFIERS = ("", "not")


@dataclass(frozen=True, slots=True)
class Criterion:
    """One `name=value[,value]` of the query: any of the values matches (OR); criteria AND."""

    name: str
    param: Param
    modifier: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Search:
    """A parsed search: what to match, which page, in which order, and what was ignored."""

    resource_type: str
    criteria: tuple[Criterion, ...] = ()
    count: int = DEFAULT_COUNT
    offset: int = 0
    sort: str | None = None
    ignored: tuple[str, ...] = ()
    patient: dict[str, str] = field(default_factory=dict)

    def matches(self, resource: dict[str, Any], last_updated: datetime) -> bool:
        return all(_matches(c, resource, last_updated) for c in self.criteria)


def parse(resource_type: str, items: Iterable[tuple[str, str]], *, lenient: bool = False) -> Search:
    """The search a query string asks for; refuses what Mahrem would not apply."""
    params = {**COMMON, **SEARCH_PARAMETERS.get(resource_type, {})}
    criteria: list[Criterion] = []
    ignored: list[str] = []
    patient: dict[str, str] = {}
    count, offset, sort = DEFAULT_COUNT, 0, None
    for raw_name, value in items:
        name, _, modifier = raw_name.partition(":")
        if raw_name in PATIENT_PARAMETERS or (name in ("patient", "subject") and not modifier):
            if raw_name in patient:
                raise UnsupportedSearch(
                    "search.repeated", f"{raw_name}: give the patient once", field=raw_name
                )
            patient[raw_name] = value
        elif raw_name == "_count":
            count = min(_integer(raw_name, value), MAX_COUNT)  # capped, as the spec allows
        elif raw_name == "_offset":
            offset = _integer(raw_name, value)
        elif raw_name == "_sort":
            if value not in SORTS or (value.lstrip("-") == "date" and "date" not in params):
                raise UnsupportedSearch(
                    "search.sort", f"_sort: one of {', '.join(sorted(SORTS))}", field="_sort"
                )
            sort = value
        elif raw_name in MAHREM_PARAMETERS:
            continue
        elif name in params and _modifier_ok(params[name], modifier):
            values = tuple(v for v in value.split(",") if v)
            if not values:
                raise UnsupportedSearch(
                    "search.empty", f"{raw_name}: a value is needed", field=raw_name
                )
            criterion = Criterion(name, params[name], modifier, values)
            for v in values:
                _check_value(criterion, v)
            criteria.append(criterion)
        elif lenient:
            ignored.append(raw_name)
        else:
            raise UnsupportedSearch(
                "search.unsupported",
                f"{raw_name}: not a search parameter Mahrem applies to {resource_type} "
                f"(supported: {', '.join(supported(resource_type))})",
                field=raw_name,
            )
    return Search(resource_type, tuple(criteria), count, offset, sort, tuple(ignored), patient)


def supported(resource_type: str) -> list[str]:
    """Every parameter a search of this type accepts, for errors and the CapabilityStatement."""
    return [
        *COMMON,
        *SEARCH_PARAMETERS.get(resource_type, {}),
        "patient",
        "subject",
        "patient.identifier",
        *RESULT_PARAMETERS,
    ]


def _integer(name: str, value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise UnsupportedSearch(
            "search.integer", f"{name}: a whole number from 0 is needed", field=name
        )
    return int(value)


def _modifier_ok(param: Param, modifier: str) -> bool:
    return modifier in _TOKEN_MODIFIERS if param.kind == "token" else modifier == ""


def _check_value(c: Criterion, value: str) -> None:
    if c.param.kind == "date":
        _date_range(c.name, _split_prefix(c.name, value)[1])


# -- matching --------------------------------------------------------------------------------
def _matches(c: Criterion, resource: dict[str, Any], last_updated: datetime) -> bool:
    if c.param.kind == "token":
        tokens = list(_tokens(resource, c.param.elements))
        hit = any(_token_hit(v, tokens) for v in c.values)
        return not hit if c.modifier == "not" else hit
    ranges = (
        [(last_updated, last_updated + timedelta(microseconds=1))]
        if c.param.elements == ("meta.lastUpdated",)
        else list(_ranges(resource, c.param.elements))
    )
    return any(_date_hit(c.name, v, r) for v in c.values for r in ranges)


def _tokens(resource: dict[str, Any], elements: Sequence[str]) -> Iterator[tuple[str | None, str]]:
    """(system, code) of every coding, code or identifier at these elements."""
    for element in elements:
        value = resource.get(element)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield None, item
            elif isinstance(item, dict):
                if "code" in item and isinstance(item["code"], str):
                    yield item.get("system"), item["code"]
                if isinstance(item.get("value"), str):  # an Identifier
                    yield item.get("system"), item["value"]
                for coding in item.get("coding") or []:
                    if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                        yield coding.get("system"), coding["code"]


def _token_hit(value: str, tokens: list[tuple[str | None, str]]) -> bool:
    if "|" not in value:
        return any(code == value for _, code in tokens)
    system, _, code = value.partition("|")
    return any(
        (s or "") == system and (code == "" or c == code) if system else s is None and c == code
        for s, c in tokens
    )


def _ranges(
    resource: dict[str, Any], elements: Sequence[str]
) -> Iterator[tuple[datetime, datetime]]:
    for element in elements:
        value = resource.get(element)
        if isinstance(value, str):
            covered = _stored_range(element, value)
            if covered is not None:
                yield covered
        elif isinstance(value, dict):  # a Period: from its start to the end of its end
            start = _stored_range(element, value.get("start"))
            end = _stored_range(element, value.get("end"))
            yield (_BEGINNING if start is None else start[0], _FOREVER if end is None else end[1])


_BEGINNING = datetime.min.replace(tzinfo=UTC)
_FOREVER = datetime.max.replace(tzinfo=UTC)


def _stored_range(element: str, value: object) -> tuple[datetime, datetime] | None:
    """A stored value's range; None when absent (content was validated, so never malformed)."""
    if not isinstance(value, str):
        return None
    try:
        return _date_range(element, value)
    except UnsupportedSearch:
        return None


def _date_hit(name: str, value: str, target: tuple[datetime, datetime]) -> bool:
    prefix, text = _split_prefix(name, value)
    low, high = _date_range(name, text)
    start, end = target
    return {
        "eq": low <= start and end <= high,
        "ne": not (low <= start and end <= high),
        "gt": end > high,
        "lt": start < low,
        "ge": end > low,
        "le": start < high,
        "sa": start >= high,
        "eb": end <= low,
    }[prefix]


def _split_prefix(name: str, value: str) -> tuple[str, str]:
    if value[:2].isalpha():
        if value[:2] not in _PREFIXES:
            raise UnsupportedSearch(
                "search.prefix",
                f"{name}: prefix {value[:2]!r} not supported ({', '.join(_PREFIXES)})",
                field=name,
            )
        return value[:2], value[2:]
    return "eq", value


_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
    r"(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def _date_range(name: str, text: str) -> tuple[datetime, datetime]:
    """The instants a FHIR date, dateTime or instant covers, as [start, end) in UTC."""
    m = _DATE.match(text)
    if m is None:
        raise UnsupportedSearch(
            "search.date", f"{name}: {text!r} is not a FHIR date or dateTime", field=name
        )
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    try:
        if hour is None:
            y, mo = int(year), int(month or 1)
            start = datetime(y, mo, int(day or 1), tzinfo=ISTANBUL)
            if day is not None:
                end = start + timedelta(days=1)
            elif month is not None:
                end = start + timedelta(days=calendar.monthrange(y, mo)[1])
            else:
                end = start.replace(year=y + 1) if y < 9999 else _FOREVER
            return start.astimezone(UTC), end.astimezone(UTC)
        tz = ISTANBUL if zone is None else datetime.fromisoformat(f"2000-01-01T00:00{zone}").tzinfo
        start = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int(float(fraction or 0) * 1_000_000),
            tzinfo=tz,
        )
    except (ValueError, OverflowError) as exc:
        raise UnsupportedSearch(
            "search.date", f"{name}: {text!r} is not a valid date", field=name
        ) from exc
    step = timedelta(seconds=1) if second is not None else timedelta(minutes=1)
    if fraction:
        step = timedelta(microseconds=1)
    return start.astimezone(UTC), (start + step).astimezone(UTC)


def sort_key(search: Search, resource: dict[str, Any], last_updated: datetime) -> datetime:
    """The instant `_sort` orders by: the type's date parameter, else when it was last updated."""
    if search.sort and search.sort.lstrip("-") == "date":
        param = SEARCH_PARAMETERS.get(search.resource_type, {}).get("date")
        if param is not None:
            first = next(iter(_ranges(resource, param.elements)), None)
            if first is not None:
                return first[0]
    return last_updated
