"""TC kimlik numarası validation (python-stdnum's `stdnum.tr.tckimlik`, never by hand)."""

from __future__ import annotations

from stdnum.exceptions import ValidationError
from stdnum.tr import tckimlik

from mahrem.domain.errors import InputError


def validate_tckn(value: object, field: str = "tckn") -> str:
    """Return the compact, valid TC kimlik no, or raise an InputError naming the field."""
    if not isinstance(value, str):
        raise InputError("tckn.invalid", f"{field}: TC kimlik no must be a string", field=field)
    try:
        return str(tckimlik.validate(value))
    except ValidationError as exc:
        raise InputError(
            "tckn.invalid", f"{field}: invalid TC kimlik no {value!r} ({exc})", field=field
        ) from exc
