"""What would open a withheld record, in words a physician can act on.

A refusal that the patient can lift (a one-time code) or that care lifts (a check-in, an
appointment) is shown with its remedy; the article stays the basis. A record the patient hid
(M6/2) and a concealed patient (M12) have no remedy and are never listed at all.
"""
from __future__ import annotations

REMEDIES: dict[str, tuple[str, str]] = {
    "staff.purpose_not_care": (
        "Tedavi, teşhis, bakım veya koruyucu sağlık amacı belirtin (M6/1).",
        "State a treatment, diagnosis, care or preventive purpose (M6/1).",
    ),
    "staff.no_care_relationship": (
        "Bir tedavi ilişkisi gerekir: hasta kabulü, randevu, yatış veya aile hekimliği kaydı (M6/2).",
        "A care relationship is needed: a check-in, an appointment, an admission or a family-doctor "
        "registration (M6/2).",
    ),
    "staff.no_statutory_window": (
        "Aile hekimi, randevu günü, kabulden sonraki 24 saat veya yatış süresince açılır (M6/3).",
        "Opens for the family doctor, on the appointment day, for 24 hours after a check-in, or "
        "during an admission (M6/3).",
    ),
    "staff.history_locked": (
        "Hasta geçmişini kilitledi: hastanın telefonuna gönderilen tek kullanımlık kodu girin (M6/5).",
        "The patient locked their history: enter the one-time code sent to the patient's phone (M6/5).",
    ),
    "staff.restricted_category": (
        "Kısıtlı kategori: ilgili uzmanlık veya hastanın tek kullanımlık kodu gerekir (M6/6).",
        "Restricted category: a matching specialty or the patient's one-time code is needed (M6/6).",
    ),
}


def remedy_for(reason_key: str) -> tuple[str, str] | None:
    """The Turkish and English remedy for a refusal, or None when nothing the actor can do opens it."""
    return REMEDIES.get(reason_key)


def is_disclosable_refusal(reason_key: str, basis: str) -> bool:
    """Whether a refused record may be listed as withheld at all: a hidden record (6/2, the
    patient's preference) and anything under a concealment order (12/1) are not."""
    return reason_key != "preferences.record_hidden" and basis != "12/1"
