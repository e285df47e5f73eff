"""M4/1-p and M5/5 — maskeleme of identifiers on printed results.

"Maskeleme: Kişisel verilerin belirli alanlarının, kimliği belirli veya belirlenebilir bir
gerçek kişiyle ilişkilendirilemeyecek şekilde silinmesi, üstlerinin çizilmesi, boyanması ve
yıldızlanması gibi işlemleri" (M4/1-p). "Sağlık hizmeti sunucuları, tahlil ve tetkik sonuçları
gibi hastaya ait kişisel sağlık verilerini içeren basılı materyal üzerinde gerekli kısmî
kimliksizleştirme veya maskeleme tedbirlerini uygular" (M5/5).

Each identifying field has its own rule (`MaskingConfig`). Every mode either deletes the field
("hide") or stars most of it: no mode prints a full name, TC kimlik no, phone or address, so a
configuration cannot undo M5/5. Only the birth date may be printed whole ("full"): laboratory
reference ranges depend on age, and the date alone identifies no one.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from mahrem.domain.errors import InputError

STAR = "*"
NAME_STARS = 3  # a fixed count, so the printout does not leak the length of a name

# Python's str.upper() maps "i" to "I"; Turkish writes "İ" (and "ı" is the dotless "I").
_TR_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_TR_LOWER = str.maketrans({"İ": "i", "I": "ı"})


def tr_upper(text: str) -> str:
    """Upper case by Turkish rules: 'i' → 'İ', 'ı' → 'I' (NFC in, NFC out)."""
    return unicodedata.normalize(
        "NFC", unicodedata.normalize("NFC", text).translate(_TR_UPPER).upper()
    )


def tr_lower(text: str) -> str:
    """Lower case by Turkish rules: 'İ' → 'i', 'I' → 'ı' (NFC in, NFC out)."""
    return unicodedata.normalize(
        "NFC", unicodedata.normalize("NFC", text).translate(_TR_LOWER).lower()
    )


def _starred_word(word: str, keep_length: bool) -> str:
    first = word[0]
    stars = STAR * (len(word) - 1 if keep_length else NAME_STARS)
    return tr_upper(first) + stars


def mask_name(name: str, mode: str) -> str | None:
    """M5/5 — the initial of every word of a name, followed by stars ("Ayşe Yılmaz" →
    "A*** Y***"); `initials_length` keeps one star per letter; `hide` deletes the name."""
    if mode == "hide":
        return None
    words = unicodedata.normalize("NFC", name).split()
    return " ".join(_starred_word(w, mode == "initials_length") for w in words if w)


def mask_tckn(tckn: str, mode: str) -> str | None:
    """M5/5 — the TC kimlik no with only its first two and last two digits shown
    ("12*******46"), or deleted (`hide`)."""
    if mode == "hide":
        return None
    return tckn[:2] + STAR * (len(tckn) - 4) + tckn[-2:]


def mask_phone(phone: str | None, mode: str) -> str | None:
    """M5/5 — no phone on a printout by default (`hide`); `last_two` stars all but the last
    two digits."""
    if mode == "hide" or not phone:
        return None
    digits = [c for c in phone if c.isdigit()]
    return STAR * max(len(digits) - 2, 0) + "".join(digits[-2:])


def mask_address(province: str | None, mode: str) -> str | None:
    """M5/5 — no address by default (`hide`); `province` prints the province alone."""
    if mode == "hide":
        return None
    return province


def mask_birth_date(born: date, mode: str) -> str | None:
    """The birth year (`year`, the default), the whole date (`full`), or nothing (`hide`)."""
    if mode == "hide":
        return None
    if mode == "year":
        return f"{born.year}"
    return born.strftime("%d.%m.%Y")


MODES: dict[str, tuple[str, ...]] = {
    "name": ("initials", "initials_length", "hide"),
    "tckn": ("edges", "hide"),
    "phone": ("hide", "last_two"),
    "address": ("hide", "province"),
    "birth_date": ("year", "full", "hide"),
}


@dataclass(frozen=True, slots=True)
class MaskingConfig:
    """The masking rule of each identifying field of a printout (M5/5), with the defaults the
    issue asks for: initials and stars, two plus two digits, no phone, no address."""

    name: str = "initials"
    tckn: str = "edges"
    phone: str = "hide"
    address: str = "hide"
    birth_date: str = "year"

    @classmethod
    def from_mapping(cls, *layers: Mapping[str, str] | None) -> MaskingConfig:
        """The defaults overridden by each layer in turn (policy, then a caller's parameter);
        an unknown field or mode is refused."""
        values: dict[str, str] = {}
        for layer in layers:
            for field_name, mode in (layer or {}).items():
                if field_name not in MODES:
                    raise InputError(
                        "masking.unknown_field",
                        f"masking: unknown field {field_name!r}",
                        field=f"masking.{field_name}",
                    )
                if mode not in MODES[field_name]:
                    raise InputError(
                        "masking.unknown_mode",
                        f"masking.{field_name}: {mode!r} is not one of {list(MODES[field_name])}",
                        field=f"masking.{field_name}",
                    )
                values[field_name] = mode
        return cls(**values)

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Identity:
    """The identifying fields of a patient as a printout shows them (None = not printed)."""

    name: str | None
    tckn: str | None
    birth_date: str | None
    phone: str | None = None
    address: str | None = None


def masked_identity(
    name: str, tckn: str, born: date, phone: str | None, province: str | None, config: MaskingConfig
) -> Identity:
    """M5/5 — every identifying field under its own rule."""
    return Identity(
        name=mask_name(name, config.name),
        tckn=mask_tckn(tckn, config.tckn),
        birth_date=mask_birth_date(born, config.birth_date),
        phone=mask_phone(phone, config.phone),
        address=mask_address(province, config.address),
    )


def full_identity(
    name: str, tckn: str, born: date, phone: str | None, address: str | None
) -> Identity:
    """The unmasked identity, for the document its owner opens with the verification code."""
    return Identity(
        name=name, tckn=tckn, birth_date=born.strftime("%d.%m.%Y"), phone=phone, address=address
    )
