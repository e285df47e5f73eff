"""Reading untrusted input (JSON from a scenario, the API or the CLI) into typed values.

Every failure is an InputError naming the field, so a caller sees exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any, TypeAlias

from mahrem.domain.clock import require_aware
from mahrem.domain.errors import InputError

# The method names str, bool, date and datetime would shadow the builtins in the class's own
# annotations; these names say the same types without the clash.
Text: TypeAlias = str
Flag: TypeAlias = bool
Day: TypeAlias = date
Instant: TypeAlias = datetime


class Fields:
    """Typed access to a JSON object's fields; `where` prefixes error messages."""

    def __init__(self, data: object, where: Text) -> None:
        if not isinstance(data, dict):
            raise InputError("input.not_object", f"{where}: expected a JSON object", field=where)
        self.data: dict[str, Any] = data
        self.where = where

    def _name(self, key: Text) -> Text:
        return f"{self.where}.{key}"

    def _missing(self, key: Text) -> InputError:
        return InputError("field.missing", f"{self._name(key)}: required", field=self._name(key))

    def _invalid(self, key: Text, why: Text) -> InputError:
        return InputError("field.invalid", f"{self._name(key)}: {why}", field=self._name(key))

    def has(self, key: Text) -> Flag:
        return self.data.get(key) is not None

    def str(self, key: Text, choices: Collection[Text] | None = None) -> Text:
        value = self.data.get(key)
        if value is None:
            raise self._missing(key)
        if not isinstance(value, str) or not value.strip():
            raise self._invalid(key, "expected a non-empty string")
        if choices is not None and value not in choices:
            raise self._invalid(key, f"{value!r} is not one of {sorted(choices)}")
        return value

    def opt_str(self, key: Text, choices: Collection[Text] | None = None) -> Text | None:
        return self.str(key, choices) if self.has(key) else None

    def bool(self, key: Text) -> Flag:
        value = self.data.get(key)
        if not isinstance(value, bool):
            raise (
                self._invalid(key, "expected true or false")
                if key in self.data
                else self._missing(key)
            )
        return value

    def date(self, key: Text) -> Day:
        value = self.str(key)
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise self._invalid(key, f"{value!r} is not a date (YYYY-MM-DD)") from exc

    def opt_date(self, key: Text) -> Day | None:
        return self.date(key) if self.has(key) else None

    def datetime(self, key: Text) -> Instant:
        return parse_time(self.str(key), self._name(key))

    def str_list(self, key: Text, choices: Collection[Text] | None = None) -> list[Text]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._invalid(key, "expected a list of strings")
        for v in value:
            if choices is not None and v not in choices:
                raise self._invalid(key, f"{v!r} is not one of {sorted(choices)}")
        return list(value)

    def obj(self, key: Text) -> Fields:
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
