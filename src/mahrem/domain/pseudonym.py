"""M4/1-ı and M7/1 — kimliksizleştirme (pseudonymisation) of what a provider sends to the
central health data system (merkezi sağlık veri sistemi).

"Kimliksizleştirme: Kişisel verilerin; kimliği belirli veya belirlenebilir gerçek kişiyle
ilişkilendirilememesi için teknik ve idari tedbirlerin alınması şartıyla ve farklı bir ortamda
muhafaza edilen diğer verilerle bir araya getirilmeksizin ilgili kişiyle ilişkilendirilemeyecek
şekilde işlenmesini" (M4/1-ı).

The pseudonym is a keyed hash (HMAC-SHA256) of the TC kimlik no under a secret of the receiving
system, never a plain or salted hash: the TC kimlik no space is about 10⁹ numbers with a
checksum, so an unkeyed hash is reversed by enumeration in seconds. The "other data kept in a
different environment" of M4/1-ı are the key (outside the database) and the vault.

Pure: the key store computes the HMAC (`encode_pseudonym` turns its digest into a pseudonym);
`keyed_pseudonym` does both for a caller that holds a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from stdnum.tr import tckimlik

from mahrem.domain.errors import InputError
from mahrem.domain.masking import tr_lower

KEPT_BYTES = 20  # 160 bits of the 256-bit HMAC: well above the 128 the issue requires
PREFIX = "PSN"
_PSEUDONYM = re.compile(r"^PSN([1-9][0-9]{0,5})-([A-Z2-7]{32})$")
_RECEIVER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
REDACTED = "***"


# -- the pseudonym -------------------------------------------------------------------------
def pseudonym_message(tckn: str) -> str:
    """What is hashed: the TC kimlik no, tagged so the key is never used for anything else."""
    return "tckn:" + tckn


def encode_pseudonym(version: int, digest: bytes) -> str:
    """`PSN<key version>-` and base32 of the first 20 bytes of the HMAC.

    The letters and the prefix mean a pseudonym can never be taken for an 11-digit TC kimlik
    no; the key version in the prefix tells which key made it."""
    body = base64.b32encode(digest[:KEPT_BYTES]).decode("ascii").rstrip("=")
    return f"{PREFIX}{version}-{body}"


def keyed_pseudonym(key: bytes, tckn: str, version: int) -> str:
    """M4/1-ı — the pseudonym of a TC kimlik no under one receiver's key of one version."""
    digest = hmac.new(key, pseudonym_message(tckn).encode(), hashlib.sha256).digest()
    return encode_pseudonym(version, digest)


def is_pseudonym(value: str) -> bool:
    """True for a well-formed pseudonym (never true of a TC kimlik no)."""
    return bool(_PSEUDONYM.match(value))


def pseudonym_version(value: str) -> int:
    """The key version a pseudonym was made with."""
    match = _PSEUDONYM.match(value)
    if match is None:
        raise InputError(
            "pseudonym.invalid",
            "not a pseudonym (PSN<version>-<32 base32 characters>)",
            field="pseudonym",
        )
    return int(match.group(1))


def validate_receiver(receiver: str) -> str:
    """A receiving system's name: lower-case letters, digits, '-' and '_' (it names a key)."""
    if not _RECEIVER.match(receiver):
        raise InputError(
            "receiver.invalid",
            f"receiver {receiver!r}: use a-z, 0-9, '-' and '_' (at most 32)",
            field="receiver",
        )
    return receiver


def key_name(receiver: str, version: int) -> str:
    """The name of a receiver's pseudonym key of one version in the key store."""
    return f"pseudonym-{validate_receiver(receiver)}-v{version}"


# -- quasi-identifiers ---------------------------------------------------------------------
BIRTH_DATE_MODES = ("year", "remove")
ADDRESS_MODES = ("province", "remove")


@dataclass(frozen=True, slots=True)
class Reduction:
    """How quasi-identifiers are reduced in the feed: birth date to the year, an address to
    its province (il) — or removed."""

    birth_date: str = "year"
    address: str = "province"

    def __post_init__(self) -> None:
        if self.birth_date not in BIRTH_DATE_MODES:
            raise InputError(
                "reduction.invalid",
                f"birth_date: one of {list(BIRTH_DATE_MODES)}",
                field="birth_date",
            )
        if self.address not in ADDRESS_MODES:
            raise InputError(
                "reduction.invalid", f"address: one of {list(ADDRESS_MODES)}", field="address"
            )


def reduce_date(value: str, mode: str) -> str | None:
    """A FHIR date or dateTime cut to its year (FHIR allows "YYYY"), or removed."""
    return value[:4] if mode == "year" and len(value) >= 4 else None


def address_province(address: dict[str, Any]) -> str | None:
    """The province (il) of a FHIR Address: `state` where the sender used it, else `city`
    (TR convention: city = il, district = ilçe)."""
    value = address.get("state") or address.get("city")
    return value if isinstance(value, str) and value.strip() else None


def address_text(address: dict[str, Any]) -> str:
    """A FHIR Address as one line."""
    if isinstance(address.get("text"), str):
        return str(address["text"])
    parts = [
        *address.get("line", []),
        address.get("district"),
        address.get("city"),
        address.get("postalCode"),
        address.get("country"),
    ]
    return ", ".join(p for p in parts if isinstance(p, str) and p)


def reduce_address(address: object, mode: str) -> dict[str, Any] | None:
    """M4/1-ı — an address reduced to its province and country, or removed."""
    if mode != "province" or not isinstance(address, dict):
        return None
    province = address_province(address)
    kept = {"city": province, "country": address.get("country")}
    return {k: v for k, v in kept.items() if isinstance(v, str)} or None


# -- free text -----------------------------------------------------------------------------
_TCKN_LIKE = re.compile(r"(?<!\d)[1-9]\d{10}(?!\d)")
_PHONE_LIKE = re.compile(
    r"(?<![\d+])(?:\+?90[\s.-]?|0[\s.-]?)?\(?[2-5]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}(?!\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _tr_insensitive(word: str) -> str:
    """A regex (for re.IGNORECASE) of a word in any case, Turkish i's included: 'İ', 'i', 'I'
    and 'ı' all match each other, since a name may be typed with or without its dots."""
    return "".join("[iİıI]" if ch in "iı" else re.escape(ch) for ch in tr_lower(word))


def _digits_loose(number: str) -> str:
    """A regex for the digits of a number with any spaces, dots, dashes or brackets between."""
    return r"[\s.()-]{0,2}".join(re.escape(d) for d in number if d.isdigit())


def _phone_forms(phone: str) -> list[str]:
    digits = "".join(d for d in phone if d.isdigit())
    national = digits[2:] if digits.startswith("90") and len(digits) == 12 else digits.lstrip("0")
    return [national] if len(national) >= 7 else []


@dataclass(frozen=True, slots=True)
class Subject:
    """The patient whose record is pseudonymised: who the subject references name, and which
    identifiers to look for in free text."""

    patient_id: str
    pseudonym: str
    name: str
    tckn: str
    phone: str | None = None

    def pattern(self) -> re.Pattern[str]:
        words = [w.strip(".,;:()") for w in self.name.split()]
        alternatives = [_tr_insensitive(w) for w in words if len(w) >= 2]
        alternatives += [_digits_loose(self.tckn)] + [
            _digits_loose(p) for p in _phone_forms(self.phone or "")
        ]
        alternatives.sort(key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def scrub_text(text: str, known: re.Pattern[str]) -> str:
    """Free-text identifiers starred: e-mail addresses, the subject's names, TC kimlik no and
    phone, then any valid TC kimlik no or phone number of anyone."""
    text = _EMAIL.sub(REDACTED, text)  # first: a name inside an address would break its pattern
    text = known.sub(REDACTED, text)
    text = _TCKN_LIKE.sub(lambda m: REDACTED if tckimlik.is_valid(m.group()) else m.group(), text)
    return _PHONE_LIKE.sub(REDACTED, text)


# -- a FHIR resource without its direct identifiers ----------------------------------------
# Removed wherever they occur: identifiers (TC kimlik no, protocol and file numbers), contact
# points, photos, contacts and links to other people, and identifiers given as extension values.
_DROPPED = frozenset(
    {
        "identifier",
        "telecom",
        "photo",
        "contact",
        "link",
        "valueHumanName",
        "valueContactPoint",
        "valueIdentifier",
    }
)
_SUBJECT_KEYS = frozenset({"subject", "patient", "beneficiary"})
_VERBATIM = frozenset({"resourceType", "system", "url", "contentType", "status", "language"})
_PEOPLE = ("Patient/", "RelatedPerson/", "Person/")
# Extensions that name another person (US Core and Synthea use these).
_IDENTIFYING_EXTENSIONS = ("mothersMaidenName", "patient-birthPlace", "patient-citizenship")


class _Cleaner:
    def __init__(self, subject: Subject, reduction: Reduction) -> None:
        self.subject = subject
        self.known = subject.pattern()
        self.reduction = reduction

    def value(self, key: str, value: Any) -> Any:
        if key in _DROPPED or (key == "name" and isinstance(value, (list, dict))):
            return None
        if key == "text" and isinstance(value, dict):  # Narrative: free XHTML
            return None
        if key in ("birthDate", "deceasedDateTime") and isinstance(value, str):
            return reduce_date(value, self.reduction.birth_date)
        if key in ("address", "valueAddress"):
            return self._each(value, lambda a: reduce_address(a, self.reduction.address))
        if key in ("extension", "modifierExtension") and isinstance(value, list):
            value = [e for e in value if not _identifying_extension(e)]
        if key in _SUBJECT_KEYS and isinstance(value, dict) and _points_at_a_patient(value):
            return {"reference": f"Patient/{self.subject.pseudonym}"}
        if isinstance(value, dict):
            return self._object(value)
        if isinstance(value, list):
            return self._each(value, lambda item: self.value("", item))
        if isinstance(value, str):
            return self._string(key, value)
        return value

    def _each(self, value: Any, clean: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        kept = [c for c in (clean(i) for i in items) if c not in (None, {}, [])]
        if not kept:
            return None
        return kept if isinstance(value, list) else kept[0]

    def _object(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        if _is_reference(obj):
            obj = {k: v for k, v in obj.items() if k != "display"}
            ref = obj.get("reference")
            if isinstance(ref, str) and ref.startswith(_PEOPLE):
                if ref != f"Patient/{self.subject.patient_id}":
                    return None
                obj["reference"] = f"Patient/{self.subject.pseudonym}"
        if isinstance(obj.get("data"), str) and "contentType" in obj:
            obj = self._attachment(obj)
        out = {k: c for k, v in obj.items() if (c := self.value(k, v)) not in (None, {}, [])}
        return out or None

    def _attachment(self, att: dict[str, Any]) -> dict[str, Any]:
        # Text can be searched and starred; a binary document (PDF, image) cannot, so it goes.
        data = att["data"]
        att = {k: v for k, v in att.items() if k not in ("data", "hash", "size")}
        if str(att.get("contentType", "")).startswith("text/"):
            try:
                text = base64.b64decode(data, validate=True).decode("utf-8")
            except ValueError:
                return att
            att["data"] = base64.b64encode(scrub_text(text, self.known).encode()).decode()
        return att

    def _string(self, key: str, value: str) -> str | None:
        if key in _VERBATIM or key == "reference":
            return value
        cleaned = scrub_text(value, self.known)
        if key == "id":  # an id that carries an identifier is dropped, not starred
            return value if cleaned == value else None
        return cleaned


def _is_reference(obj: dict[str, Any]) -> bool:
    # A Reference has `reference` (or only a display or identifier); a Coding has a code.
    if isinstance(obj.get("reference"), str):
        return True
    return "display" in obj and not ({"code", "system"} & obj.keys())


def _points_at_a_patient(ref: dict[str, Any]) -> bool:
    target = ref.get("reference")
    return not isinstance(target, str) or target.startswith("Patient/")


def _identifying_extension(ext: object) -> bool:
    url = ext.get("url") if isinstance(ext, dict) else None
    return isinstance(url, str) and url.endswith(_IDENTIFYING_EXTENSIONS)


def pseudonymise(
    resource: dict[str, Any], subject: Subject, reduction: Reduction
) -> dict[str, Any]:
    """M7/1 — a FHIR resource as the central system receives it: names, identifiers (TC kimlik
    no), contact points and narrative removed wherever they occur; references to the patient
    replaced by the pseudonym, references to other people removed; addresses and dates of
    birth reduced; free text starred where it carries a name, number, phone or e-mail."""
    cleaned = _Cleaner(subject, reduction).value("", resource)
    return {"resourceType": resource["resourceType"], **(cleaned or {})}
