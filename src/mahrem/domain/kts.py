"""The KTS registry's lifecycle as the Ministry runs it (the KTS letter, point 3), pure.

"KTS'de kayıtlı olmayan yazılımlar tarafından sağlık verilerine erişilmesi ... hâlinde, bu
yazılımların kullanımına izin veren idareciler hakkında ... işlem tesis edilecektir." (KTS/3)

Only a `registered` installation reaches data (rule 1). The registry moves an installation:
registered → passive when a mandatory certificate expired more than N business days ago (a
warning some days before expiry); passive → deleted some months after becoming passive;
passive → registered again once every mandatory certificate is valid (re-activation).
Suspension and revocation are a General Directorate officer's acts (services/kts.py).

Business days are Monday–Friday minus Turkish official holidays (Law 2429): the fixed-date
national holidays, and the two religious feasts (Ramazan and Kurban Bayramı) from the
Presidency of Religious Affairs' (Diyanet) calendar for the years in `RELIGIOUS_HOLIDAYS`.
The feasts follow the Hijri calendar, whose Turkish dates Diyanet fixes in advance; we keep
them as a table rather than compute them, because a computed date can be a day off from the
announced one. A year outside the table counts only the fixed holidays (`holiday_table_covers`
says which years are covered). Half days (the eves, arife, and 28 October afternoon) are
working days: the morning is worked. Administrative leave (idari izin) days announced for
public servants are not official holidays and are not counted.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from stdnum.exceptions import ValidationError
from stdnum.tr import vkn

from mahrem.domain.clock import day_start, local_date
from mahrem.domain.errors import InputError
from mahrem.domain.policy import Policy

# Law 2429 art. 1-2: national holidays on fixed dates (month, day).
FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = (
    (1, 1),  # Yılbaşı
    (4, 23),  # Ulusal Egemenlik ve Çocuk Bayramı
    (5, 1),  # Emek ve Dayanışma Günü
    (5, 19),  # Atatürk'ü Anma, Gençlik ve Spor Bayramı
    (7, 15),  # Demokrasi ve Millî Birlik Günü
    (8, 30),  # Zafer Bayramı
    (10, 29),  # Cumhuriyet Bayramı
)


def _days(first: str, count: int) -> tuple[date, ...]:
    start = date.fromisoformat(first)
    return tuple(start + timedelta(days=i) for i in range(count))


# Diyanet's calendar: Ramazan Bayramı (3 days) and Kurban Bayramı (4 days), first days.
# Extend each year from Diyanet's published calendar (https://vakitler.diyanet.gov.tr).
RELIGIOUS_HOLIDAYS: dict[int, tuple[date, ...]] = {
    2024: _days("2024-04-10", 3) + _days("2024-06-16", 4),
    2025: _days("2025-03-30", 3) + _days("2025-06-06", 4),
    2026: _days("2026-03-20", 3) + _days("2026-05-27", 4),
    # 2027 is the expected Diyanet date, not yet checked against its published calendar.
    2027: _days("2027-03-09", 3) + _days("2027-05-16", 4),
}
SBYS_TYPES = ("HBYS", "AHBS", "LBYS", "PACS", "digital_archive", "RIS", "ASM", "ADSM", "other")
# Statuses an installation's registration can be in; the engine lets only `registered` through.
STATUSES = ("registered", "passive", "suspended", "revoked", "deleted", "unregistered")
# Statuses no lifecycle step and no officer leaves: a new registration is needed.
FINAL_STATUSES = ("revoked", "deleted")
# Reasons of the registry's steps and refusals, Turkish and English.
REASONS: dict[str, tuple[str, str]] = {
    "kts.certificate_expiring": (
        "Zorunlu bir sertifikanın süresi dolmak üzere.",
        "A mandatory certificate is about to expire.",
    ),
    "kts.certificate_expired": (
        "Zorunlu bir sertifikanın süresi iş günü ek süresinden fazla önce doldu; kurulum pasif.",
        "A mandatory certificate expired more than the grace period of business days ago; the "
        "installation is passive.",
    ),
    "kts.passive_too_long": (
        "Kurulum pasif kaldığı süre sonunda KTS'den silindi.",
        "The installation stayed passive too long and is deleted from KTS.",
    ),
    "kts.certificates_renewed": (
        "Zorunlu sertifikalar yenilendi; kurulum yeniden etkin.",
        "Mandatory certificates renewed; the installation is active again.",
    ),
    "kts.status_final": (
        "İptal edilmiş ya da silinmiş kayıt yeniden etkinleştirilemez; yeni kayıt gerekir.",
        "A revoked or deleted registration cannot be re-activated; a new registration is needed.",
    ),
    "kts.already_registered": ("Kurulum zaten kayıtlı.", "The installation is already registered."),
    "kts.not_active": ("Kurulum etkin değil.", "The installation is not active."),
    "kts.integration_not_in_catalogue": (
        "Genel Müdürlüğün belirlediği sistemler dışında entegrasyon istenemez.",
        "No integration may be required outside the systems the General Directorate designated.",
    ),
    "kts.forbidden": (
        "KTS kayıt işlemlerini yalnızca Genel Müdürlük görevlisi yapar.",
        "Only a General Directorate officer acts in the KTS registry.",
    ),
}


def holiday_table_covers(year: int) -> bool:
    """True when the religious holidays of `year` are in the table (else only fixed ones count)."""
    return year in RELIGIOUS_HOLIDAYS


def is_holiday(day: date) -> bool:
    """An official holiday (Law 2429) that falls on `day`, whatever the weekday."""
    return (day.month, day.day) in FIXED_HOLIDAYS or day in RELIGIOUS_HOLIDAYS.get(day.year, ())


def is_business_day(day: date) -> bool:
    """Monday to Friday and not an official holiday."""
    return day.weekday() < 5 and not is_holiday(day)


def add_business_days(day: date, n: int) -> date:
    """The n-th business day after `day` (n ≥ 0; n = 0 gives `day` itself)."""
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def business_days_between(first: date, last: date) -> int:
    """Business days d with first < d ≤ last (0 when last ≤ first)."""
    count, day = 0, first
    while day < last:
        day += timedelta(days=1)
        count += is_business_day(day)
    return count


def add_months(day: date, months: int) -> date:
    """The same day `months` later; a day the month lacks rolls to the next month's first
    (30 November + 3 months = 1 March), as SPEC.md reads 29 February anniversaries."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if day.day > monthrange(year, month)[1]:
        return date(year, month, 1) + timedelta(days=monthrange(year, month)[1])
    return date(year, month, day.day)


def validate_vkn(value: object, field: str = "tax_number") -> str:
    """A valid Turkish tax number (vergi kimlik numarası, 10 digits), via python-stdnum."""
    if not isinstance(value, str):
        raise InputError("vkn.invalid", f"{field}: tax number must be a string", field=field)
    try:
        return str(vkn.validate(value))
    except ValidationError as exc:
        raise InputError(
            "vkn.invalid", f"{field}: invalid tax number {value!r} ({exc})", field=field
        ) from exc


# -- facts and what is due --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate the registry holds for a firm or product (e.g. ISO/IEC 27001)."""

    id: str
    type: str
    valid_until: date  # an Istanbul calendar day, valid through its end
    mandatory: bool = True


@dataclass(frozen=True, slots=True)
class RegistryState:
    """What the registry knows of one installation at the time of a sweep."""

    installation: str
    status: str
    since: datetime  # when the current status began
    certificates: tuple[Certificate, ...] = ()
    warned: frozenset[str] = frozenset()  # certificates already warned about


@dataclass(frozen=True, slots=True)
class Transition:
    """A status change that is due, with the article and the reason code."""

    installation: str
    from_status: str
    to_status: str
    due: datetime
    basis: str
    reason: str
    certificate: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateWarning:
    """A mandatory certificate about to expire: the firm and the administrator are told."""

    installation: str
    certificate: str
    valid_until: date
    due: datetime
    basis: str = "KTS/3"
    reason: str = "kts.certificate_expiring"


Due = Transition | CertificateWarning


def effective_expiries(
    certificates: tuple[Certificate, ...],
) -> dict[str, tuple[Certificate, date]]:
    """Per mandatory certificate type, the certificate valid longest: a renewal supersedes."""
    best: dict[str, tuple[Certificate, date]] = {}
    for c in certificates:
        if c.mandatory and (c.type not in best or c.valid_until > best[c.type][1]):
            best[c.type] = (c, c.valid_until)
    return best


def passive_from(valid_until: date, policy: Policy) -> datetime:
    """KTS/3 — the first instant the installation is passive for a certificate valid until
    `valid_until`: once it has been expired for more than N business days.

    The certificate expires at the end of `valid_until`; the N business days after that day
    are the grace period; the installation is passive from the start of the next day."""
    last_grace_day = add_business_days(valid_until, policy.passive_after_business_days)
    return day_start(last_grace_day + timedelta(days=1))


def warning_from(valid_until: date, policy: Policy) -> datetime:
    """The warning is due `certificate_warning_days` × 24 h before expiry (the end of
    `valid_until`), counted in Istanbul calendar days."""
    return day_start(valid_until + timedelta(days=1 - policy.certificate_warning_days))


def deleted_from(passive_since: datetime, policy: Policy) -> datetime:
    """KTS/3 — a passive installation is deleted `deleted_after_months` calendar months after
    the day it became passive (from the first minute of that day, Istanbul)."""
    return day_start(add_months(local_date(passive_since), policy.deleted_after_months))


def due(state: RegistryState, at: datetime, policy: Policy) -> list[Due]:
    """Everything the registry must do for one installation at `at`: warnings first, then at
    most one status change. Applying the result and asking again gives nothing new."""
    expiries = effective_expiries(state.certificates)
    out: list[Due] = [w for w in _warnings(state, expiries, at, policy)]
    change = _transition(state, expiries, at, policy)
    if change is not None:
        out.append(change)
    return out


def _warnings(
    state: RegistryState,
    expiries: dict[str, tuple[Certificate, date]],
    at: datetime,
    policy: Policy,
) -> list[CertificateWarning]:
    if state.status not in ("registered", "suspended"):
        return []
    return [
        CertificateWarning(state.installation, cert.id, until, warning_from(until, policy))
        for cert, until in sorted(expiries.values(), key=lambda e: (e[1], e[0].id))
        if cert.id not in state.warned and warning_from(until, policy) <= at
    ]


def _transition(
    state: RegistryState,
    expiries: dict[str, tuple[Certificate, date]],
    at: datetime,
    policy: Policy,
) -> Transition | None:
    lapsed = sorted(
        (passive_from(until, policy), cert.id)
        for cert, until in expiries.values()
        if passive_from(until, policy) <= at
    )
    if state.status == "registered" and lapsed:
        when, cert = lapsed[0]
        return Transition(
            state.installation,
            "registered",
            "passive",
            when,
            "KTS/3",
            "kts.certificate_expired",
            cert,
        )
    if state.status == "passive":
        gone = deleted_from(state.since, policy)
        if gone <= at:
            return Transition(
                state.installation, "passive", "deleted", gone, "KTS/3", "kts.passive_too_long"
            )
        if expiries and not lapsed:
            return Transition(
                state.installation, "passive", "registered", at, "KTS/3", "kts.certificates_renewed"
            )
    return None


def reactivation_blocker(state: RegistryState, at: datetime, policy: Policy) -> str | None:
    """Why a GM officer may not re-activate the installation now, or None when they may."""
    if state.status in FINAL_STATUSES:
        return "kts.status_final"
    if state.status == "registered":
        return "kts.already_registered"
    if any(
        passive_from(until, policy) <= at
        for _, until in effective_expiries(state.certificates).values()
    ):
        return "kts.certificate_expired"
    return None
