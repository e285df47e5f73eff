"""What an event's handling comes to: accepted, or rejected with the article that refuses it."""

from __future__ import annotations

from dataclasses import dataclass

from mahrem.domain.reasons import REASONS, reason_text

EVENT_REASONS: dict[str, tuple[str, str]] = {
    "code.locked_out": (
        "Çok sayıda hatalı giriş: bu hekim ve hasta için kod girişi bir saat kilitli.",
        "Too many wrong entries: code entry is locked for this physician and patient for an hour.",
    ),
    "code.no_phone": ("Hastanın beyan ettiği telefon yok.", "The patient declared no phone."),
    "code.none_requested": (
        "Bu hekim için istenmiş bir kod yok.",
        "No code was requested for this physician.",
    ),
    "code.wrong": ("Kod hatalı.", "Wrong code."),
    "code.wrong_locked_out": (
        "Kod hatalı; beşinci hatalı giriş, bir saatlik kilit başladı.",
        "Wrong code; the fifth wrong entry starts a one-hour lock-out.",
    ),
    "code.used": ("Kod daha önce kullanıldı.", "The code was already used."),
    "code.expired": ("Kodun süresi doldu.", "The code has expired."),
    "code.not_physician": (
        "Kodu yalnızca hekim isteyebilir.",
        "Only a physician may request a code.",
    ),
    "event.not_province_officer": (
        "Bu işlemi yalnızca ilgili ilin sağlık müdürlüğü görevlisi yapabilir.",
        "Only an officer of the relevant provincial health directorate may do this.",
    ),
    "event.not_gm_officer": (
        "Bu işlemi yalnızca Genel Müdürlük görevlisi yapabilir.",
        "Only a General Directorate officer may do this.",
    ),
    "event.unit_not_users": (
        "Kullanıcı bu birimin bakanlık kullanıcısı değil.",
        "The user is not a ministry user of this unit.",
    ),
    "event.not_unit_head": (
        "Yetki talebini yalnızca birimin amiri yapabilir.",
        "Only the unit's head may request an authorisation.",
    ),
    "event.unit_full": (
        "Birimin zaten azami sayıda yetkili kullanıcısı var.",
        "The unit already has the maximum number of authorised users.",
    ),
    "event.other_province": (
        "Gizlilik kararını yalnızca onu uygulayan il müdürlüğü kaldırabilir.",
        "Only the provincial directorate that executed the order may lift it.",
    ),
    "event.not_deceased": ("Kişi ölmüş görünmüyor.", "The person is not recorded as deceased."),
    "event.child_under_discernment": (
        "Çocuk ayırt etme yaşına (15) ulaşmadı.",
        "The child has not reached the age of discernment (15).",
    ),
    "event.patient_under_discernment": (
        "Ayırt etme yaşına (15) ulaşmamış çocuk yakın yetkilendiremez; verisine velisi erişir.",
        "A child under the age of discernment (15) cannot authorise a relative; "
        "its parents have access.",
    ),
    "event.client_minor": (
        "18 yaşını doldurmamış kişi vekaletname veremez (yasal temsilcinin rızası gerekir).",
        "A person under 18 cannot give a power of attorney "
        "(the legal representative's consent is needed).",
    ),
    "event.not_registry_officer": (
        "Personel görevlerini yalnızca tesisin ilindeki il sağlık müdürlüğü veya "
        "Genel Müdürlük görevlisi kaydeder.",
        "Only an officer of the facility's province or of the General Directorate "
        "records staff posts.",
    ),
    "event.not_parent": (
        "Kişi bu çocuğun velisi değil.",
        "The person is not a parent of this child.",
    ),
}


def event_reason(key: str) -> tuple[str, str]:
    return EVENT_REASONS.get(key) or (REASONS.get(key) or reason_text(key))


@dataclass(frozen=True, slots=True)
class EventOutcome:
    result: str  # accepted, rejected
    basis: str | None = None
    reason_key: str | None = None

    @property
    def reason_tr(self) -> str | None:
        return event_reason(self.reason_key)[0] if self.reason_key else None

    @property
    def reason_en(self) -> str | None:
        return event_reason(self.reason_key)[1] if self.reason_key else None


ACCEPTED = EventOutcome("accepted")


def rejected(basis: str, reason_key: str) -> EventOutcome:
    return EventOutcome("rejected", basis, reason_key)
