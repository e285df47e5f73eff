"""Reading untrusted input (JSON from a scenario, the API or the CLI) into typed values.

Every failure is an InputError naming the field, so a caller sees exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from mahrem.domain.clock import require_aware
from mahrem.domain.errors import InputError


class Fields:
    """Typed access to a JSON object's fields; `where` prefixes error messages."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise InputError("input.not_object", f"{where}: expected a JSON object", field=where)
        self.data: dict[str, Any] = data
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}"

    def _missing(self, key: str) -> InputError:
        return InputError("field.missing", f"{self._name(key)}: required", field=self._name(key))

    def _invalid(self, key: str, why: str) -> InputError:
        return InputError("field.invalid", f"{self._name(key)}: {why}", field=self._name(key))

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def str(self, key: str, choices: Collection[str] | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            raise self._missing(key)
        if not isinstance(value, str) or not value.strip():
            raise self._invalid(key, "expected a non-empty string")
        if choices is not None and value not in choices:
            raise self._invalid(key, f"{value!r} is not one of {sorted(choices)}")
        return value

    def opt_str(self, key: str, choices: Collection[str] | None = None) -> str | None:
        return self.str(key, choices) if self.has(key) else None

    def bool(self, key: str) -> bool:
        value = self.data.get(key)
        if not isinstance(value, bool):
            raise (
                self._invalid(key, "expected true or false")
                if key in self.data
                else self._missing(key)
            )
        return value

    def date(self, key: str) -> date:
        value = self.str(key)
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise self._invalid(key, f"{value!r} is not a date (YYYY-MM-DD)") from exc

    def opt_date(self, key: str) -> date | None:
        return self.date(key) if self.has(key) else None

    def datetime(self, key: str) -> datetime:
        return parse_time(self.str(key), self._name(key))

    def str_list(self, key: str, choices: Collection[str] | None = None) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._invalid(key, "expected a list of strings")
        for v in value:
            if choices is not None and v not in choices:
                raise self._invalid(key, f"{v!r} is not one of {sorted(choices)}")
        return list(value)

    def obj(self, key: str) -> Fields:
        if key not in self.data:
            raise self._missing(key)
        return Fields(self.data[key], self._name(key))


def parse_time(value: str, field: str = "at") -> datetime:
    """An ISO 8601 time that must carry its UTC offset."""
    try:
        at = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise InputError(
            "time.invalid", f"{field}: {value!r} is not an ISO 8601 time", field=field
        ) from exc
    return require_aware(at, field)
