"""The "give me my data" summary as a PDF (reportlab), in Turkish (KVKK 11/1-a, b, ç).

Fonts as in adapters/pdf.py: DejaVu Sans embedded when installed (Debian fonts-dejavu-core), so
ç, ğ, ı, İ, ö, ş and ü print and extract as themselves.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mahrem.adapters.pdf import NAVY, PALE, RULE, _esc, _fonts
from mahrem.domain.clock import ISTANBUL
from mahrem.services.rights import DataSummary

TITLE = "Kişisel Sağlık Verilerim — Özet"
CATEGORY_TR = {
    "psychiatry": "Ruh sağlığı",
    "sexual_health": "Cinsel sağlık",
    "hiv": "HIV",
    "genetics": "Genetik",
    "substance_use": "Madde kullanımı",
    "reproductive": "Üreme sağlığı",
    "laboratory": "Laboratuvar",
    "imaging": "Görüntüleme",
    "prescription": "Reçete",
    "vaccination": "Aşı",
    "general": "Genel",
}
CHUNK = 40
KIND_TR = {"public_institution": "Kamu kurumu", "private": "Özel", "foreign": "Yurt dışı"}


def _local(at: datetime, with_time: bool = True) -> str:
    return at.astimezone(ISTANBUL).strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def render_summary(summary: DataSummary) -> bytes:
    """An A4 summary: who, which application, every record, and the recipients of transfers."""
    font, bold = _fonts()

    def style(
        size: float = 9, strong: bool = False, color: colors.Color = colors.black
    ) -> ParagraphStyle:
        return ParagraphStyle(
            "s",
            fontName=bold if strong else font,
            fontSize=size,
            leading=size * 1.3,
            textColor=color,
        )

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=TITLE,
        author="T.C. Sağlık Bakanlığı",
        subject="KVKK md. 11 başvurusu",
        creator="Mahrem",
    )
    story: list[object] = [
        Paragraph("T.C. SAĞLIK BAKANLIĞI", style(8, color=NAVY)),
        Paragraph(TITLE, style(16, True, NAVY)),
        Spacer(1, 4 * mm),
        _table(
            [
                ["Adı Soyadı", summary.patient_name],
                ["T.C. Kimlik No", summary.tckn],
                ["Doğum tarihi", summary.birth_date.strftime("%d.%m.%Y")],
                ["Başvuru", f"No {summary.application}: {summary.kind_text}"],
                ["Düzenlenme", _local(summary.issued_at)],
            ],
            style,
            [40 * mm, 134 * mm],
            header=False,
        ),
        Spacer(1, 5 * mm),
        Paragraph(f"Kayıtlarınız ({len(summary.records)})", style(11, True, NAVY)),
        Spacer(1, 2 * mm),
    ]
    rows = [
        [
            _local(r.created_at, False),
            r.facility,
            CATEGORY_TR.get(r.category, r.category),
            f"{r.title} ({r.resource_type})",
            r.record,
        ]
        for r in summary.records
    ]
    # One table per CHUNK rows: reportlab splits a long table page by page, re-measuring what is
    # left each time, which grows with the square of its length.
    story += [
        _table(
            [["Tarih", "Kurum", "Kategori", "İçerik", "Kayıt"], *rows[i : i + CHUNK]],
            style,
            [22 * mm, 48 * mm, 26 * mm, 60 * mm, 18 * mm],
            wrap=frozenset({1, 3}),
        )
        for i in range(0, len(rows), CHUNK)
    ] or [Paragraph("Kayıtlı sağlık veriniz bulunmamaktadır.", style())]
    story += [
        Spacer(1, 5 * mm),
        Paragraph("Verilerinizin aktarıldığı alıcılar (KVKK 11/1-ç)", style(11, True, NAVY)),
        Spacer(1, 2 * mm),
    ]
    recipients = [
        [
            _local(r["at"]),
            r["name"],
            KIND_TR.get(r["kind"], r["kind"]),
            r["country"] or "TR",
            str(r["records"]),
            ", ".join(r["bases"]),
        ]
        for r in summary.recipients
    ]
    story.append(
        _table(
            [["Tarih", "Alıcı", "Tür", "Ülke", "Kayıt", "Dayanak"], *recipients],
            style,
            [28 * mm, 58 * mm, 26 * mm, 14 * mm, 16 * mm, 32 * mm],
            wrap=frozenset({1, 5}),
        )
        if recipients
        else Paragraph("Verileriniz üçüncü kişilere aktarılmamıştır.", style())
    )
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            "Bu özet, 6698 sayılı Kanunun 11 inci maddesi ve Kişisel Sağlık Verileri Hakkında "
            "Yönetmeliğin 5 inci "
            "maddesinin altıncı fıkrası uyarınca yaptığınız başvuru üzerine hazırlanmıştır. "
            "Kayıtların tamamı ekteki "
            "FHIR paketindedir.",
            style(7.5, color=colors.HexColor("#555555")),
        ),
    ]
    doc.build(story)
    return out.getvalue()


Style = Callable[[float, bool, colors.Color], ParagraphStyle]


def _table(
    data: list[list[str]],
    style: Style,
    widths: list[float],
    header: bool = True,
    wrap: frozenset[int] | None = None,
) -> Table:
    """A ruled table. Only the columns in `wrap` (all when None) are Paragraphs, which wrap long
    text; the others are plain strings, several times cheaper when a patient has thousands of
    records."""
    head, body = style(8.5, True, colors.white), style(8.5, False, colors.black)
    cells: list[list[object]] = [
        [
            Paragraph(_esc(str(v)), head if header and i == 0 else body)
            if (header and i == 0) or wrap is None or j in wrap
            else str(v)
            for j, v in enumerate(row)
        ]
        for i, row in enumerate(data)
    ]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    rules = [
        ("BOX", (0, 0), (-1, -1), 0.6, NAVY),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONT", (0, 0), (-1, -1), body.fontName, 8.5),
    ]
    rules += (
        [("BACKGROUND", (0, 0), (-1, 0), NAVY)]
        if header
        else [("BACKGROUND", (0, 0), (0, -1), PALE)]
    )
    table.setStyle(TableStyle(rules))
    return table
