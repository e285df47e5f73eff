"""Laboratory results read out of FHIR records, one row per test, for printouts (M5/5).

An Observation is one row; a DiagnosticReport gives a row for each Observation it contains;
any other resource gives one row with its name. Numbers are written the Turkish way (decimal
comma), and a result outside its reference range is flagged Y (yüksek) or D (düşük).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mahrem.domain.printout import HIGH, LOW, ResultRow

_HIGH_CODES, _LOW_CODES = ("H", "HH", "HU", ">"), ("L", "LL", "LU", "<")


def number(value: object) -> str:
    """A number as a Turkish report writes it: 5,4 rather than 5.4."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(d.normalize(), "f") if d == d.to_integral_value() else str(d)
    return text.replace(".", ",")


def _name(concept: dict[str, Any]) -> str:
    codings = concept.get("coding") or [{}]
    return str(concept.get("text") or codings[0].get("display") or codings[0].get("code") or "—")


def _value(obs: dict[str, Any]) -> tuple[str, str, Decimal | None]:
    if isinstance(q := obs.get("valueQuantity"), dict) and "value" in q:
        return (
            q.get("comparator", "") + number(q["value"]),
            str(q.get("unit") or q.get("code") or ""),
            Decimal(str(q["value"])),
        )
    if isinstance(obs.get("valueString"), str):
        return obs["valueString"], "", None
    if isinstance(obs.get("valueCodeableConcept"), dict):
        return _name(obs["valueCodeableConcept"]), "", None
    if isinstance(obs.get("valueBoolean"), bool):
        return ("Pozitif" if obs["valueBoolean"] else "Negatif"), "", None
    return "—", "", None


def _bound(range_: dict[str, Any], key: str) -> Decimal | None:
    value = (range_.get(key) or {}).get("value")
    return Decimal(str(value)) if value is not None else None


def _reference(obs: dict[str, Any]) -> tuple[str, Decimal | None, Decimal | None]:
    ranges = obs.get("referenceRange") or []
    if not ranges:
        return "", None, None
    r = ranges[0]
    low, high = _bound(r, "low"), _bound(r, "high")
    if isinstance(r.get("text"), str):
        return r["text"], low, high
    if low is not None and high is not None:
        return f"{number(low)} - {number(high)}", low, high
    if high is not None:
        return f"< {number(high)}", low, high
    return (f"> {number(low)}" if low is not None else ""), low, high


def _flag(
    obs: dict[str, Any], value: Decimal | None, low: Decimal | None, high: Decimal | None
) -> str:
    for interp in obs.get("interpretation") or []:
        for coding in interp.get("coding") or []:
            if coding.get("code") in _HIGH_CODES:
                return HIGH
            if coding.get("code") in _LOW_CODES:
                return LOW
    if value is not None and high is not None and value > high:
        return HIGH
    if value is not None and low is not None and value < low:
        return LOW
    return ""


def _when(resource: dict[str, Any], fallback: datetime) -> datetime:
    text = resource.get("effectiveDateTime") or resource.get("issued")
    try:
        when = datetime.fromisoformat(text) if isinstance(text, str) and "T" in text else None
    except ValueError:
        when = None
    return when if when is not None and when.tzinfo is not None else fallback


def observation_row(obs: dict[str, Any], created_at: datetime) -> ResultRow:
    value, unit, amount = _value(obs)
    reference, low, high = _reference(obs)
    return ResultRow(
        test=_name(obs.get("code") or {}),
        value=value,
        unit=unit,
        reference=reference,
        taken_at=_when(obs, created_at),
        flag=_flag(obs, amount, low, high),
    )


def result_rows(resource: dict[str, Any], created_at: datetime) -> list[ResultRow]:
    """The rows a record gives on a laboratory printout."""
    kind = resource.get("resourceType")
    if kind == "Observation":
        return [observation_row(resource, created_at)]
    if kind == "DiagnosticReport":
        contained = [
            c for c in resource.get("contained") or [] if c.get("resourceType") == "Observation"
        ]
        when = _when(resource, created_at)
        return [observation_row(c, when) for c in contained]
    return [
        ResultRow(
            test=_name(resource.get("code") or resource.get("type") or {}),
            value="—",
            unit="",
            reference="",
            taken_at=created_at,
        )
    ]
