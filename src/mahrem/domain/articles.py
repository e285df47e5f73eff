"""Each basis code in plain words, for the people whose data it concerns (C5: "the decision
and its article in plain Turkish, English on request")."""

from __future__ import annotations

ARTICLES: dict[str, tuple[str, str]] = {
    "5/6": (
        "Yönetmelik m.5/6: kendi sağlık verinize erişim hakkınız.",
        "Regulation art. 5/6: your right to access your own health data.",
    ),
    "6/1": (
        "Yönetmelik m.6/1: veriye yalnızca tıbbi teşhis, tedavi ve bakım için, o anki bakımı "
        "veren tesis erişebilir.",
        "Regulation art. 6/1: data are open only for diagnosis, treatment and care, to the "
        "facility giving that care.",
    ),
    "6/2": (
        "Yönetmelik m.6/2: e-Nabız tercihlerinize göre, sizi tedavi eden hekim.",
        "Regulation art. 6/2: under your e-Nabız preferences, a physician treating you.",
    ),
    "6/3": (
        "Yönetmelik m.6/3: geçmiş verinize yalnızca aile hekiminiz, randevu hekiminiz, "
        "başvurduğunuz veya yattığınız tesisin hekimleri erişebilir.",
        "Regulation art. 6/3: past data are open only to your family doctor, your appointment's "
        "physician, or physicians where you checked in or are admitted.",
    ),
    "6/3-a": ("Yönetmelik m.6/3-a: aile hekiminiz.", "Regulation art. 6/3-a: your family doctor."),
    "6/3-b": (
        "Yönetmelik m.6/3-b: randevu aldığınız hekim, randevu günü.",
        "Regulation art. 6/3-b: the physician of your appointment, on its day.",
    ),
    "6/3-c": (
        "Yönetmelik m.6/3-c: başvurduğunuz tesisin hekimi, başvurudan itibaren 24 saat.",
        "Regulation art. 6/3-c: a physician of the facility you checked in to, for 24 hours.",
    ),
    "6/3-ç": (
        "Yönetmelik m.6/3-ç: yattığınız tesisin hekimi, taburcu olana kadar.",
        "Regulation art. 6/3-ç: a physician of the facility where you are admitted, until "
        "discharge.",
    ),
    "6/5": (
        "Yönetmelik m.6/5: geçmişinizi kilitlediniz; telefonunuza gelen kod gerekir.",
        "Regulation art. 6/5: you locked your history; the code sent to your phone is needed.",
    ),
    "6/6": (
        "Yönetmelik m.6/6: mahremiyeti yüksek veri; yalnızca ilgili uzman hekim.",
        "Regulation art. 6/6: sensitive data; only a physician of the matching specialty.",
    ),
    "7/1": (
        "Yönetmelik m.7/1: yalnızca Genel Müdürlüğün yetkilendirdiği bakanlık kullanıcıları.",
        "Regulation art. 7/1: only ministry users the General Directorate authorised.",
    ),
    "7/2": (
        "Yönetmelik m.7/2: planlama, finansman, denetim ve düzenleme amaçlarıyla.",
        "Regulation art. 7/2: for planning, financing, inspection and regulation.",
    ),
    "8/1": (
        "Yönetmelik m.8/1: velisi olduğunuz çocuğun verisi.",
        "Regulation art. 8/1: data of a child in your care.",
    ),
    "8/2": (
        "Yönetmelik m.8/2: velayeti olmayan ebeveyn, sınırlı olarak.",
        "Regulation art. 8/2: a parent without custody, within limits.",
    ),
    "9/1": (
        "Yönetmelik m.9/1: yetkilendirdiğiniz yakınınız.",
        "Regulation art. 9/1: a relative you authorised.",
    ),
    "10/1": (
        "Yönetmelik m.10/1: özel vekaletnameli avukatınız.",
        "Regulation art. 10/1: your lawyer with a special power of attorney.",
    ),
    "11/1": (
        "Yönetmelik m.11/1: veraset ilamındaki mirasçılar.",
        "Regulation art. 11/1: heirs in the inheritance certificate.",
    ),
    "11/2": (
        "Yönetmelik m.11/2: ölümden sonra en az 20 yıl saklama.",
        "Regulation art. 11/2: kept at least 20 years after death.",
    ),
    "12/1": (
        "Yönetmelik m.12/1: mahkeme gizlilik kararı.",
        "Regulation art. 12/1: a court concealment order.",
    ),
    "13/1": (
        "Yönetmelik m.13/1: il sağlık müdürlüğünün ilettiği düzeltme.",
        "Regulation art. 13/1: a correction forwarded by the provincial directorate.",
    ),
    "13/3": (
        "Yönetmelik m.13/3: kaydı oluşturan tesisin düzeltmesi.",
        "Regulation art. 13/3: correction by the facility that created the record.",
    ),
    "14/1": ("Yönetmelik m.14/1: verinin imhası.", "Regulation art. 14/1: destruction of data."),
    "15/1": (
        "Yönetmelik m.15/1: açık rızanızla aktarım.",
        "Regulation art. 15/1: transfer with your explicit consent.",
    ),
    "15/2": (
        "Yönetmelik m.15/2: protokolle kamu kurumuna aktarım.",
        "Regulation art. 15/2: transfer to a public institution under a protocol.",
    ),
    "KTS/2": (
        "Bakanlık KTS yazısı m.2: veri aktaran yazılım yasak; analiz için il sağlık müdürlüğü "
        "görüşü.",
        "Ministry KTS letter point 2: no copying software; analysis needs the provincial "
        "directorate's opinion.",
    ),
    "KTS/3": (
        "Bakanlık KTS yazısı m.3: KTS'ye kayıtlı olmayan yazılım kullanılamaz.",
        "Ministry KTS letter point 3: software not registered in KTS may not be used.",
    ),
}


def article_text(basis: str | None, lang: str = "tr") -> str:
    if basis is None:
        return ""
    tr, en = ARTICLES.get(basis, (basis, basis))
    return en if lang == "en" else tr
