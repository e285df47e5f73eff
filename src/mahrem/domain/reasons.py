"""Short reasons for decisions and refusals, in Turkish and English, keyed by a stable code.

The portal renders these through its Babel catalogues; the engine keeps the pair so that a
decision read from the audit log or the runner's output is understandable without the portal.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "kts.installation_unknown": (
        "Yazılım KTS'de kayıtlı değil (bilinmeyen kurulum).",
        "The software is not registered in KTS (unknown installation).",
    ),
    "kts.installation_not_registered": (
        "Yazılımın KTS kaydı geçerli değil (askıda, iptal, pasif ya da kayıtsız).",
        "The software's KTS registration is not in force (suspended, revoked, passive or "
        "unregistered).",
    ),
    "kts.export_banned": (
        "Sağlık verisini başka bir veri tabanına aktarmak yasaktır.",
        "Copying health data to another database is banned.",
    ),
    "kts.no_written_opinion": (
        "Analiz için il sağlık müdürlüğünün yürürlükte bir yazılı görüşü yok.",
        "No written opinion of the provincial health directorate is in force for this analysis.",
    ),
    "kts.analysis_with_opinion": (
        "Analiz, il sağlık müdürlüğünün yazılı görüşüne dayanıyor.",
        "The analysis rests on the provincial health directorate's written opinion.",
    ),
    "concealment.legal_restriction": (
        "Hastanın diğer kayıtları yasal bir kısıtlama nedeniyle gösterilemez.",
        "The patient's other records are withheld by a legal restriction.",
    ),
    "concealment.order_active": (
        "Hakkında mahkeme gizlilik kararı bulunan kişinin verisine erişilemez.",
        "The person is under a court concealment order.",
    ),
    "concealment.named_officer": (
        "Gizlilik kararında bilmesi gereken olarak adı geçen görevli.",
        "An officer named in the concealment order as needing to know.",
    ),
    "preferences.record_hidden": (
        "Hasta bu kaydı gizledi.",
        "The patient has hidden this record.",
    ),
    "self.own_records": (
        "Kişi kendi sağlık verisine erişiyor.",
        "The person reads their own health data.",
    ),
    "capacity.not_the_patient": (
        "Başvuran, verinin sahibi değil.",
        "The requester is not the data subject.",
    ),
    "staff.purpose_not_care": (
        "Amaç tıbbi teşhis, tedavi, bakım veya koruyucu hekimlik değil.",
        "The purpose is not diagnosis, treatment, care or preventive medicine.",
    ),
    "staff.current_care": (
        "Kayıt, hastanın bu tesisteki açık başvurusunda oluşturuldu.",
        "The record was created during the patient's open episode at this facility.",
    ),
    "staff.no_care_relationship": (
        "Hekimin hastayla tedavi ilişkisi yok ya da erişen hekim değil.",
        "No care relationship, or the requester is not a physician.",
    ),
    "staff.no_statutory_window": (
        "Geçmiş veriye erişim için aile hekimliği, randevu, başvuru veya yatış yok.",
        "No family-doctor registration, appointment, check-in or admission opens past data.",
    ),
    "staff.history_locked": (
        "Hasta geçmişini kilitledi; geçerli bir doğrulama kodu yok.",
        "The patient locked their history and no valid one-time code was entered.",
    ),
    "staff.restricted_category": (
        "Mahremiyeti yüksek kategori: hekim ne yazarı ne de ilgili uzmanlık.",
        "Restricted category: the physician is neither its author nor of a matching specialty.",
    ),
    "staff.past_data_account": (
        "e-Nabız hesabı olan hastanın geçmiş verisi, tedavi ilişkisi olan hekime açık.",
        "Past data of an account holder, open to a physician with a care relationship.",
    ),
    "staff.past_data_window": (
        "Geçmiş veri, yönetmelikte sayılan süre içinde hekime açık.",
        "Past data, open to the physician within a statutory window.",
    ),
    "correction.no_cutoff": (
        "Genel Müdürlük düzeltme tarihini belirlemedi.",
        "The General Directorate has not set the correction cut-off date.",
    ),
    "correction.not_record_facility": (
        "Düzeltmeyi yalnızca kaydı oluşturan tesis yapar.",
        "Only the facility that created the record corrects it.",
    ),
    "correction.before_cutoff": (
        "Kayıt düzeltme tarihinden önce oluşturuldu; düzeltme Genel Müdürlükçe yapılır.",
        "The record predates the cut-off date; the General Directorate corrects it.",
    ),
    "correction.facility": (
        "Kayıt, düzeltme tarihinden sonra oluşturuldu; tesis düzeltebilir.",
        "The record was created on or after the cut-off date; its facility corrects it.",
    ),
    "correction.forwarded": (
        "İl sağlık müdürlüğünün ilettiği düzeltme talebi var.",
        "A correction request was forwarded by the provincial directorate.",
    ),
    "correction.not_forwarded": (
        "Bu kayıt için il sağlık müdürlüğünce iletilmiş düzeltme talebi yok.",
        "No correction request for this record was forwarded by the provincial directorate.",
    ),
    "parent.no_link": ("Veli bağı yok.", "No parent-of link."),
    "parent.child_adult": ("Çocuk 18 yaşını doldurdu.", "The child is 18 or older."),
    "parent.child_deceased": (
        "Ölen çocuğun verisine veli olarak değil, veraset ilamıyla mirasçı olarak erişilir.",
        "A deceased child's data are read by the heirs with an inheritance certificate, not by a "
        "parent.",
    ),
    "parent.restricted_by_child": (
        "Ayırt etme gücüne sahip çocuk velinin erişimini kısıtladı.",
        "The child, at the age of discernment, restricted parental access.",
    ),
    "parent.no_custody_restricted": (
        "Velayeti olmayan ebeveyn mahremiyeti yüksek kategoriyi göremez.",
        "A parent without custody cannot see a restricted category.",
    ),
    "parent.no_custody": (
        "Velayeti olmayan ebeveyn, kısıtlı olmayan veriyi görebilir.",
        "A parent without custody may see data outside the restricted categories.",
    ),
    "parent.custody": (
        "Velayet altındaki çocuğun verisi.",
        "Data of a child in the parent's custody.",
    ),
    "relative.authorized": (
        "Hasta bu yakınına yetki verdi.",
        "The patient authorised this relative.",
    ),
    "relative.not_authorized": (
        "Hastanın bu kategori ve tarih için verdiği geçerli bir yetki yok.",
        "No authorisation from the patient in force for this category and date.",
    ),
    "lawyer.special_power": (
        "Sağlık verisi için açık rıza içeren özel vekaletname.",
        "A special power of attorney with explicit consent for health data.",
    ),
    "lawyer.no_special_power": (
        "Sağlık verisi için açık rıza içeren, geçerli özel vekaletname yok.",
        "No special power of attorney in force with explicit consent for health data.",
    ),
    "heir.certificate": (
        "Veraset ilamında adı geçen mirasçı.",
        "An heir named in the inheritance certificate.",
    ),
    "heir.not_named": (
        "Ölmüş bir kişinin veraset ilamında adı geçmiyor.",
        "Not named in a deceased person's inheritance certificate.",
    ),
    "ministry.not_authorized": (
        "Genel Müdürlüğün verdiği geçerli bir yeniden kimliklendirme yetkisi yok.",
        "No re-identification authorisation from the General Directorate in force.",
    ),
    "ministry.purpose_not_allowed": (
        "Amaç planlama, finansman, denetim veya düzenleme değil ya da birimin görevi değil.",
        "The purpose is not planning, financing, inspection or regulation within the unit's "
        "duties.",
    ),
    "ministry.reidentify": (
        "Yetkili bakanlık kullanıcısı, birimin görevi kapsamında.",
        "An authorised ministry user, within the unit's duties.",
    ),
    "destroy.retention_after_death": (
        "Ölüm tarihinden itibaren 20 yıl dolmadan veri imha edilemez.",
        "Data of a deceased person are kept 20 years from the death.",
    ),
    "destroy.allowed": ("İmha edilebilir.", "Destruction is allowed."),
    "transfer.no_recipient": ("Alıcı belirtilmedi.", "No recipient given."),
    "transfer.protocol": (
        "Kamu kurumuyla bu veriyi kapsayan protokol var.",
        "A protocol with the public institution covers this data.",
    ),
    "transfer.no_protocol": (
        "Bu veriyi kapsayan protokol yok.",
        "No protocol covers this data.",
    ),
    "transfer.consent": (
        "Hastanın bu tür alıcı için açık rızası var.",
        "The patient gave explicit consent for this kind of recipient.",
    ),
    "transfer.no_consent": (
        "Hastanın bu tür alıcı için açık rızası yok.",
        "No explicit consent of the patient for this kind of recipient.",
    ),
    "fallback.no_rule": (
        "Bu erişime izin veren bir kural yok.",
        "No rule allows this access.",
    ),
}


def reason_text(key: str) -> tuple[str, str]:
    """The Turkish and English reason for a key; the key itself if none is written."""
    return REASONS.get(key, (key, key))
