"""What would open a withheld record, in words a physician can act on.

A refusal that the patient can lift (a one-time code) or that care lifts (a check-in, an
appointment) is shown with its remedy; the article stays the basis. A record the patient hid
(M6/2) and a concealed patient (M12) have no remedy and are never listed at all.
"""

from __future__ import annotations

from dataclasses import dataclass

REMEDIES: dict[str, tuple[str, str]] = {
    "staff.purpose_not_care": (
        "Tedavi, teşhis, bakım veya koruyucu sağlık amacı belirtin (M6/1).",
        "State a treatment, diagnosis, care or preventive purpose (M6/1).",
    ),
    "staff.no_care_relationship": (
        "Bir tedavi ilişkisi gerekir: hasta kabulü, randevu, yatış veya aile hekimliği kaydı "
        "(M6/2).",
        "A care relationship is needed: a check-in, an appointment, an admission or a "
        "family-doctor "
        "registration (M6/2).",
    ),
    "staff.no_statutory_window": (
        "Aile hekimi, randevu günü, kabulden sonraki 24 saat veya yatış süresince açılır (M6/3).",
        "Opens for the family doctor, on the appointment day, for 24 hours after a check-in, or "
        "during an admission (M6/3).",
    ),
    "staff.history_locked": (
        "Hasta geçmişini kilitledi: hastanın telefonuna gönderilen tek kullanımlık kodu girin "
        "(M6/5).",
        "The patient locked their history: enter the one-time code sent to the patient's phone "
        "(M6/5).",
    ),
    "staff.restricted_category": (
        "Kısıtlı kategori: ilgili uzmanlık veya hastanın tek kullanımlık kodu gerekir (M6/6).",
        "Restricted category: a matching specialty or the patient's one-time code is needed "
        "(M6/6).",
    ),
}


def remedy_for(reason_key: str) -> tuple[str, str] | None:
    """The Turkish and English remedy for a refusal; None when nothing the actor can do opens it."""
    return REMEDIES.get(reason_key)


def is_disclosable_refusal(reason_key: str, basis: str) -> bool:
    """Whether a refusal may be told at all (SPEC.md, "What a refusal may tell"): only the staff
    refusals that care, the patient's code or a specialty can lift. A hidden record (6/2, the
    patient's preference), a concealed patient (12/1) and relatives, lawyers and parents outside
    their scope (8/x, 9/1, 10/1, 11/1) are answered as if the record did not exist."""
    return reason_key in NOTICE_KINDS


# reason → what the notice may tell: "basis" (the basis and the remedy alone), "locked" (the
# history is locked; a code opens it) or "count" (how many restricted records, and the remedy).
NOTICE_KINDS: dict[str, str] = {
    "staff.purpose_not_care": "basis",
    "staff.no_care_relationship": "basis",
    "staff.no_statutory_window": "basis",
    "staff.history_locked": "locked",
    "staff.restricted_category": "count",
}


@dataclass(frozen=True, slots=True)
class Notice:
    """One thing a withheld answer tells (M4/1-j: what one learns of a record is health data
    too): the basis, the reason and the remedy, and a count only for restricted categories
    (M6/6) shown to a physician who may otherwise read past data. Never a record id, a date,
    a type, a facility or a category."""

    basis: str
    reason_key: str
    count: int | None = None

    def remedy(self, lang: str = "tr") -> str | None:
        texts = remedy_for(self.reason_key)
        return None if texts is None else texts[1 if lang == "en" else 0]


def notices(refusals: list[tuple[str, str]]) -> tuple[Notice, ...]:
    """What a set of refused records (basis, reason) may tell, in the order first refused."""
    counts: dict[tuple[str, str], int] = {}
    for basis, reason in refusals:
        if is_disclosable_refusal(reason, basis):
            counts[(basis, reason)] = counts.get((basis, reason), 0) + 1
    return tuple(
        Notice(basis, reason, n if NOTICE_KINDS[reason] == "count" else None)
        for (basis, reason), n in counts.items()
    )
