"""M14 and M11/2 — retention and destruction (imha): what is due, when, and by which method.

M14/1: "Kişisel verilerin imha edilmesinde, Kanunun 7 nci maddesi ile ... Kişisel Verilerin
Silinmesi, Yok Edilmesi veya Anonim Hale Getirilmesi Hakkında Yönetmelik hükümlerine riayet
edilir." — destruction follows KVKK art. 7 and the Board's regulation on erasure, destruction
and anonymisation: periodic destruction at least every six months, records of every operation
kept at least three years, a data subject's request answered within 30 days.

M11/2: "Ölmüş bir kimsenin sağlık verileri, en az 20 yıl süre ile saklanır." — a deceased
person's data are kept at least 20 years; the engine (rule 10) refuses `destroy` before the
first minute (Istanbul) of the 20th anniversary of the death day, and `due` never proposes it.

Pure: the caller passes the records, the deaths and the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mahrem.domain.clock import anniversary, day_end, day_start, local_date
from mahrem.domain.errors import InputError
from mahrem.domain.policy import Policy

# silme (no user reaches it), yok etme (nobody, ever: crypto-shredding), anonim hale getirme
METHODS = ("delete", "destroy", "anonymise")
# What a record becomes under each method (record_disposal.method).
DISPOSED = {"delete": "deleted", "destroy": "destroyed", "anonymise": "anonymised"}
# The Board's regulation (art. 7/2): destruction records are kept at least three years.
RECORD_KEEP_YEARS = 3
# The Board's regulation (art. 11): the periodic destruction interval may not exceed 6 months.
MAX_RUN_INTERVAL_MONTHS = 6


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """How long a category is kept (years from creation) and how it is then disposed of."""

    years: int
    method: str


@dataclass(frozen=True, slots=True)
class Holding:
    """One record as retention sees it: whose, its category, when created, when the patient died."""

    record: str
    patient: str
    category: str
    created_at: datetime
    died_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """A record whose retention has ended at `at`: dispose of it by `method` (M14/1)."""

    record: str
    patient: str
    category: str
    method: str
    due_at: datetime
    reason: str  # retention.category, retention.after_death


def parse_rule(category: str, data: Mapping[str, Any]) -> RetentionRule:
    """A rule from the policy configuration; a bad period or method names the category."""
    years, method = data.get("years"), data.get("method")
    if not isinstance(years, int) or isinstance(years, bool) or years < 0:
        raise InputError(
            "retention.invalid",
            f"retention_rules.{category}.years: a whole number of years ≥ 0",
            field=f"retention_rules.{category}.years",
        )
    if method not in METHODS:
        raise InputError(
            "retention.invalid",
            f"retention_rules.{category}.method: one of {list(METHODS)}",
            field=f"retention_rules.{category}.method",
        )
    return RetentionRule(years, str(method))


def rules(policy: Policy) -> dict[str, RetentionRule]:
    """M14 — the retention rule of each category the policy names; unnamed categories are kept."""
    return {cat: parse_rule(cat, data) for cat, data in policy.retention_rules.items()}


def kept_after_death_until(died_at: datetime, policy: Policy) -> datetime:
    """M11/2 — the first instant a deceased person's data may be destroyed: the first minute
    (Istanbul) of the anniversary of the death day after `retention_after_death_years` years."""
    return day_start(anniversary(local_date(died_at), policy.retention_after_death_years))


def due_at(holding: Holding, rule: RetentionRule, policy: Policy) -> tuple[datetime, str]:
    """When the record's retention ends, and why then: the category's period from the creation
    day, but never before M11/2's bar for a deceased patient."""
    when = day_start(anniversary(local_date(holding.created_at), rule.years))
    if holding.died_at is not None:
        bar = kept_after_death_until(holding.died_at, policy)
        if bar > when:
            return bar, "retention.after_death"
    return when, "retention.category"


def due(holdings: Iterable[Holding], policy: Policy, at: datetime) -> list[Due]:
    """M14/1 — the records whose retention has ended at `at`, with the configured method,
    ordered by patient then record (a patient's records are disposed of together)."""
    by_category = rules(policy)
    out: list[Due] = []
    for h in holdings:
        rule = by_category.get(h.category)
        if rule is None or h.created_at > at:
            continue
        when, reason = due_at(h, rule, policy)
        if when <= at:
            out.append(Due(h.record, h.patient, h.category, rule.method, when, reason))
    return sorted(out, key=lambda d: (d.patient, d.record))


def next_run_due(last_run_at: datetime) -> datetime:
    """The Board's regulation art. 11 — the next periodic destruction is due within six months
    of the last one: the first instant of the same Istanbul day six months later."""
    day = local_date(last_run_at)
    month = day.month - 1 + MAX_RUN_INTERVAL_MONTHS
    year, month = day.year + month // 12, month % 12 + 1
    try:
        return day_start(day.replace(year=year, month=month))
    except ValueError:  # 31 August → 1 March: the month is shorter (never December)
        return day_start(day.replace(year=year, month=month + 1, day=1))


def keep_until(done_at: datetime) -> datetime:
    """The Board's regulation art. 7/2 — a destruction record is kept at least three years."""
    return day_end(anniversary(local_date(done_at), RECORD_KEEP_YEARS))


def request_answer_due(requested_at: datetime, policy: Policy) -> datetime:
    """KVKK 13/2 and the Board's regulation art. 12 — a data subject's destruction request is
    answered within `destruction_request_days` days: the end of that Istanbul day."""
    return day_end(local_date(requested_at) + timedelta(days=policy.destruction_request_days))


# -- anonymisation (anonim hale getirme) ---------------------------------------------------
# Fields that name or point at a person, a place, an encounter or a document, or hold free
# text; they are removed whole. What remains is coded content (systems and codes), values and
# units, status and category, with dates cut to the year.
_DROP = frozenset(
    {
        "id",
        "meta",
        "implicitRules",
        "language",
        "text",
        "contained",
        "extension",
        "modifierExtension",
        "identifier",
        "subject",
        "patient",
        "performer",
        "encounter",
        "author",
        "recorder",
        "asserter",
        "requester",
        "basedOn",
        "partOf",
        "specimen",
        "device",
        "hasMember",
        "derivedFrom",
        "focus",
        "location",
        "reasonReference",
        "supportingInfo",
        "context",
        "custodian",
        "authenticator",
        "relatesTo",
        "note",
        "comment",
        "description",
        "display",
        "title",
        "name",
        "telecom",
        "address",
        "contact",
        "photo",
        "link",
        "attachment",
        "content",
        "presentedForm",
        "valueString",
        "valueAttachment",
        "url",
        "reference",
        "source",
        "actor",
        "participant",
        "insurance",
        "dispenseRequest",
        "substitution",
        "lotNumber",
        "manufacturer",
        "site",
        "series",
    }
)
_DATE_SUFFIXES = (
    "DateTime",
    "Date",
    "Instant",
    "Period",
    "date",
    "issued",
    "recorded",
    "authoredOn",
    "occurrenceString",
    "start",
    "end",
)


def anonymise(resource: Mapping[str, Any]) -> dict[str, Any]:
    """An anonymised copy of a FHIR resource (M14, the Board's anonymisation): identifiers,
    references, narrative and free text removed, codes and values kept, dates cut to the year.
    It is linked to no patient or record by the caller; on its own it is no longer personal
    data — though rare codes in small groups still need k-anonymity before any publication."""
    out = _clean(dict(resource))
    assert isinstance(out, dict)
    out["resourceType"] = resource.get("resourceType")
    return out


def _clean(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        cleaned = {k: _clean(v, k) for k, v in value.items() if k not in _DROP}
        if set(cleaned) <= {"text"}:  # a CodeableConcept with only free text left
            cleaned.pop("text", None)
        return {k: v for k, v in cleaned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        items = [_clean(v, key) for v in value]
        return [v for v in items if v not in (None, {}, [])]
    if isinstance(value, str) and key.endswith(_DATE_SUFFIXES):
        return value[:4] if value[:4].isdigit() else None
    if isinstance(value, str) and key == "text":
        return None
    return value


def year_of(holding_created_at: datetime) -> int:
    """The year an anonymised record keeps of its creation time (Istanbul)."""
    return local_date(holding_created_at).year
