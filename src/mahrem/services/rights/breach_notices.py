"""M18/2 — what is sent about a breach: the draft of the Board's notification form (Veri İhlali
Bildirim Formu), field by field with Turkish and English labels, and the letter to each
affected patient."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from mahrem.domain.errors import NotFound
from mahrem.services import guard
from mahrem.services.audit import guard_dpo

if TYPE_CHECKING:
    from mahrem.services.ports import Mahrem
from mahrem.services.rights.breaches import CATEGORY_TEXT, CONTROLLER, _get, _local, describe

# -- what is sent ----------------------------------------------------------------------------------
FORM = (  # (field, Turkish label, English label) of the Board's Veri İhlali Bildirim Formu
    ("notice_type", "Bildirim türü", "Type of notification"),
    ("controller", "Veri sorumlusu", "Data controller"),
    ("contact", "İrtibat kişisi", "Contact person"),
    ("breach_start", "İhlal başlangıç tarihi", "Breach started"),
    ("breach_end", "İhlal bitiş tarihi", "Breach ended"),
    ("detected_at", "İhlalin tespit tarihi", "Breach detected"),
    ("notified_at", "Bildirim tarihi", "Date of notification"),
    ("description", "İhlalin nasıl gerçekleştiği", "How the breach happened"),
    ("source", "İhlalin kaynağı", "Source of the breach"),
    ("categories", "Etkilenen veri kategorileri", "Categories of data concerned"),
    ("persons", "Etkilenen kişi sayısı", "Number of persons concerned"),
    ("records", "Etkilenen kayıt sayısı", "Number of records concerned"),
    ("groups", "Etkilenen kişi grupları", "Groups of persons concerned"),
    ("consequences", "Olası sonuçlar", "Likely consequences"),
    ("measures", "Alınan ve alınması öngörülen tedbirler", "Measures taken and planned"),
    ("subjects_informed", "İlgili kişilere bildirim", "Persons concerned informed"),
    ("delay_reason", "Gecikme nedeni", "Reason for delay"),
)


def board_draft(m: Mahrem, by: str, breach_id: int, at: datetime | None = None) -> dict[str, Any]:
    """M18/2 — a draft of the Board's breach notification form, field by field (TR, EN labels)."""
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_register_read")
    with m.uow.read() as store:
        guard.require_dpo(store, by, now, "breach")
        b = describe(store, _get(store, breach_id), now)
        dpo = store.get("person", by)
    assert dpo is not None
    values = {
        "notice_type": "İlk bildirim" if not b["board_notified_at"] else "Ek bildirim",
        "controller": CONTROLLER,
        "contact": f"{dpo['name']} (Veri koruma görevlisi) {dpo['phone'] or ''}".strip(),
        "breach_start": _local(datetime.fromisoformat(b["occurred_from"]))
        if b["occurred_from"]
        else "Belirlenemedi",
        "breach_end": _local(datetime.fromisoformat(b["occurred_until"]))
        if b["occurred_until"]
        else "Devam ediyor / belirlenemedi",
        "detected_at": _local(datetime.fromisoformat(b["detected_at"])),
        "notified_at": _local(
            datetime.fromisoformat(b["board_notified_at"]) if b["board_notified_at"] else now
        ),
        "description": b["description"],
        "source": b["source"] or "Belirlenemedi",
        "categories": ", ".join(
            ["özel nitelikli kişisel veri (sağlık)"]
            + [CATEGORY_TEXT[c][0] for c in b["categories"]]
        ),
        "persons": len(b["affected_patients"]),
        "records": b["affected_records"],
        "groups": "Hastalar",
        "consequences": (
            "Sağlık verilerinin yetkisiz kişilerce öğrenilmesi; ayrımcılık ve itibar kaybı riski."
        ),
        "measures": "; ".join(
            f"{_local(datetime.fromisoformat(x['at']))} {x['text']}" for x in b["measures"]
        )
        or "Belirlenmedi",
        "subjects_informed": (
            f"{b['patients_notified']} / {len(b['affected_patients'])} kişi bilgilendirildi"
        ),
        "delay_reason": b["delay_reason"]
        or ("—" if not b["overdue"] else "GECİKME NEDENİ YAZILMALI"),
    }
    return {
        "breach": breach_id,
        "deadline": b["board_deadline"],
        "overdue": b["overdue"],
        "fields": [
            {"field": f, "label_tr": tr, "label_en": en, "value": values[f]} for f, tr, en in FORM
        ],
    }


def patient_notice(
    m: Mahrem, by: str, breach_id: int, patient: str, at: datetime | None = None
) -> dict[str, str]:
    """KVKK 12/5 — the notice to one affected patient, in Turkish and English."""
    now = m.at(at)
    guard_dpo(m, by, now, "breach", "breach_register_read")
    with m.uow.read() as store:
        guard.require_dpo(store, by, now, "breach")
        b = describe(store, _get(store, breach_id), now)
        if patient not in b["affected_patients"]:
            raise NotFound(
                "breach.patient_unknown",
                f"{patient!r} is not among the affected patients",
                field="patient",
            )
        person = store.get("person", patient)
        records = store.rows("breach_patient", breach=breach_id, patient=patient)[0]["records"]
    assert person is not None
    detected = _local(datetime.fromisoformat(b["detected_at"]))
    cats_tr = ", ".join(CATEGORY_TEXT[c][0] for c in b["categories"])
    cats_en = ", ".join(CATEGORY_TEXT[c][1] for c in b["categories"])
    measures_tr = "; ".join(x["text"] for x in b["measures"]) or "inceleme sürüyor"
    tr = (
        f"Sayın {person['name']},\n\n{detected} tarihinde, kişisel sağlık verilerinizin yetkisiz "
        "kişilerce elde "
        f"edilmiş olabileceğini tespit ettik. Olay: {b['description']}\nEtkilenen veriler: "
        f"{cats_tr} "
        f"({len(records)} kayıt).\nAlınan tedbirler: {measures_tr}.\n\n6698 sayılı Kanunun 11 "
        "inci maddesindeki "
        f"haklarınızı kullanmak için {CONTROLLER} veri sorumlusuna başvurabilirsiniz."
    )
    en = (
        f"Dear {person['name']},\n\nOn {detected} we found that your personal health data may "
        "have been obtained "
        f"by unauthorised persons. What happened: {b['description']}\nData concerned: {cats_en} "
        f"({len(records)} records).\nMeasures taken: {measures_tr}.\n\nYou may exercise your "
        "rights under "
        f"article 11 of Law 6698 by applying to the data controller, {CONTROLLER}."
    )
    return {"patient": patient, "tr": tr, "en": en}
