"""The laboratory result sheet as a PDF (reportlab), in Turkish (M5/5).

Fonts: DejaVu Sans from Debian's `fonts-dejavu-core` is embedded (subset), so ç, ğ, ı, İ, ö,
ş and ü print and extract as themselves. Without it the standard Helvetica is used, whose
WinAnsi encoding has no ğ, ı, İ or ş: those letters then print wrongly. That is a documented
limitation of a machine without the package, not a supported set-up (.ci/run installs it).

The QR code (reportlab's own `barcode.qr`) and the printed line carry the portal address with
the verification code and nothing else: no identifier of the patient is in them, nor in the
document's metadata.
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mahrem.domain.clock import ISTANBUL
from mahrem.services.printouts import HIGH, LOW, LabReport, ResultRow, normalise_code

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
DEFAULT_PORTAL = "https://mahrem.saglik.gov.tr"
NAVY = colors.HexColor("#1f3b5c")
PALE = colors.HexColor("#eef2f6")
RULE = colors.HexColor("#9aa9b8")
TITLE = "Laboratuvar Sonuç Raporu"


def _fonts() -> tuple[str, str]:
    """(regular, bold): DejaVu Sans when installed, else Helvetica (see the module docstring)."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _local(at: datetime) -> str:
    return at.astimezone(ISTANBUL).strftime("%d.%m.%Y %H:%M")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class PdfRenderer:
    """Renders a `LabReport` as an A4 result sheet; the QR and the footer point at the portal."""

    def __init__(self, portal_url: str | None = None) -> None:
        self.portal_url = (
            portal_url or os.environ.get("MAHREM_PORTAL_URL", DEFAULT_PORTAL)
        ).rstrip("/")
        self.font, self.bold = _fonts()

    def verification_url(self, code: str) -> str:
        return f"{self.portal_url}/printouts/{normalise_code(code)}"

    def __call__(self, report: LabReport) -> bytes:
        out = io.BytesIO()
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=18 * mm,
            bottomMargin=48 * mm,
            title=TITLE,
            author=report.facility,
            subject="Kişisel Sağlık Verileri Yönetmeliği md. 5/5",
            creator="Mahrem",
        )
        story = [
            *self._header(report),
            Spacer(1, 5 * mm),
            self._patient(report),
            Spacer(1, 2 * mm),
            self._request(report),
            Spacer(1, 5 * mm),
            self._results(report.rows),
            Spacer(1, 3 * mm),
            *self._notes(report),
        ]

        def first(canvas: Canvas, _doc: object) -> None:
            self._footer(canvas, report)

        def later(canvas: Canvas, _doc: object) -> None:
            self._running_header(canvas, report)
            self._footer(canvas, report)

        doc.build(story, onFirstPage=first, onLaterPages=later, canvasmaker=_numbered(self.font))
        return out.getvalue()

    # -- parts of the page --------------------------------------------------------------------
    def _style(
        self,
        size: float = 9,
        bold: bool = False,
        color: colors.Color = colors.black,
        align: int = 0,
        leading: float | None = None,
    ) -> ParagraphStyle:
        return ParagraphStyle(
            "s",
            fontName=self.bold if bold else self.font,
            fontSize=size,
            leading=leading or size * 1.3,
            textColor=color,
            alignment=align,
        )

    def _header(self, report: LabReport) -> list[object]:
        left = [
            Paragraph("T.C. SAĞLIK BAKANLIĞI", self._style(8, color=NAVY)),
            Paragraph(_esc(report.facility), self._style(14, bold=True, color=NAVY, leading=18)),
            Paragraph(
                "Tıbbi Biyokimya Laboratuvarı", self._style(9, color=colors.HexColor("#444444"))
            ),
        ]
        right = [
            Paragraph(
                f"Rapor tarihi: {_local(report.issued_at)}", self._style(8.5, align=TA_RIGHT)
            ),
            Paragraph(f"Doğrulama kodu: <b>{report.code}</b>", self._style(8.5, align=TA_RIGHT)),
        ]
        head = Table([[left, right]], colWidths=[112 * mm, 62 * mm])
        head.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                    ("LINEBELOW", (0, 0), (-1, 0), 1.2, NAVY),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                    ("LEFTPADDING", (0, 0), (0, 0), 0),
                    ("RIGHTPADDING", (-1, 0), (-1, 0), 0),
                ]
            )
        )
        title = Paragraph(TITLE, self._style(16, bold=True, align=TA_CENTER, leading=22))
        banner = (
            "Kişisel veriler, Kişisel Sağlık Verileri Hakkında Yönetmelik md. 5/5 uyarınca "
            "maskelenmiştir."
            if report.masked
            else "Maskesiz asıl belge: yalnızca hastanın kendisine gösterilir."
        )
        return [
            head,
            Spacer(1, 5 * mm),
            title,
            Paragraph(banner, self._style(8, color=colors.HexColor("#555555"), align=TA_CENTER)),
        ]

    def _patient(self, report: LabReport) -> Table:
        p = report.patient
        born_label = "Doğum yılı" if p.birth_date and len(p.birth_date) == 4 else "Doğum tarihi"
        fields = [
            ("Adı Soyadı", p.name),
            ("T.C. Kimlik No", p.tckn),
            (born_label, p.birth_date),
            ("Telefon", p.phone),
            ("Adres", p.address),
        ]
        shown = [(label, value) for label, value in fields if value]
        label, value = self._style(8.5, bold=True, color=NAVY), self._style(9.5)
        cells = [[Paragraph(lbl, label), Paragraph(_esc(val), value)] for lbl, val in shown]
        rows = [
            cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""])
            for i in range(0, len(cells), 2)
        ]
        heading = [
            [
                Paragraph("HASTA BİLGİLERİ", self._style(8, bold=True, color=colors.white)),
                "",
                "",
                "",
            ]
        ]
        table = Table(heading + rows, colWidths=[30 * mm, 57 * mm, 30 * mm, 57 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("SPAN", (0, 0), (-1, 0)),
                    ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                    ("BACKGROUND", (0, 1), (-1, -1), PALE),
                    ("BOX", (0, 0), (-1, -1), 0.6, NAVY),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 1), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 1), (-1, -1), 4),
                ]
            )
        )
        return table

    def _request(self, report: LabReport) -> Table:
        items = [
            ("İsteyen hekim", report.physician),
            ("Numune alma", _local(report.sampled_at) if report.sampled_at else None),
            ("Onay", _local(report.approved_at) if report.approved_at else None),
        ]
        label, value = self._style(7.5, bold=True, color=NAVY), self._style(8.5)
        cells = [[Paragraph(lbl, label), Paragraph(_esc(val), value)] for lbl, val in items if val]
        table = Table(
            [cells] if cells else [[""]], colWidths=[58 * mm] * len(cells) if cells else None
        )
        table.setStyle(
            TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1)])
        )
        return table

    def _results(self, rows: tuple[ResultRow, ...]) -> Table:
        head = self._style(8.5, bold=True, color=colors.white)
        body, strong = self._style(9), self._style(9, bold=True)
        data: list[list[object]] = [
            [
                Paragraph(h, head)
                for h in ("Tetkik Adı", "Sonuç", "Birim", "Referans Aralığı", "Numune Tarihi")
            ]
        ]
        for r in rows:
            arrow = {HIGH: " ↑", LOW: " ↓"}.get(r.flag, "")
            data.append(
                [
                    Paragraph(_esc(r.test), body),
                    Paragraph(_esc(r.value) + arrow, strong if arrow else body),
                    Paragraph(_esc(r.unit), body),
                    Paragraph(_esc(r.reference), body),
                    Paragraph(_local(r.taken_at) if r.taken_at else "", body),
                ]
            )
        table = Table(data, colWidths=[60 * mm, 24 * mm, 22 * mm, 33 * mm, 35 * mm], repeatRows=1)
        style = [
            ("BACKGROUND", (0, 0), (-1, 0), NAVY),
            ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
            ("BOX", (0, 0), (-1, -1), 0.6, NAVY),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ]
        style += [("BACKGROUND", (0, i), (-1, i), PALE) for i in range(2, len(data), 2)]
        table.setStyle(TableStyle(style))
        return table

    def _notes(self, report: LabReport) -> list[object]:
        small = self._style(7.5, color=colors.HexColor("#555555"))
        notes = [
            "↑ referans aralığının üstünde, ↓ referans aralığının altında.",
            "Sonuçlar, hekiminiz tarafından klinik bulgularla birlikte değerlendirilmelidir.",
            "Bu belge elektronik ortamda oluşturulmuştur.",
        ]
        return [Paragraph(n, small) for n in notes]

    def _footer(self, canvas: Canvas, report: LabReport) -> None:
        url = self.verification_url(report.code)
        width, _ = A4
        left, bottom, size = 18 * mm, 14 * mm, 28 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(left, bottom + size + 5 * mm, width - left, bottom + size + 5 * mm)
        self._qr(canvas, url, left, bottom, size)
        x = left + size + 6 * mm
        canvas.setFillColor(NAVY)
        canvas.setFont(self.bold, 10)
        canvas.drawString(x, bottom + size - 4 * mm, f"Belge doğrulama kodu: {report.code}")
        canvas.setFillColor(colors.black)
        canvas.setFont(self.font, 7.8)
        lines = [
            "Bu belgenin maskesiz aslını yalnızca hastanın kendisi görüntüleyebilir: portala T.C. "
            "kimlik",
            "numaranızla giriş yapın, “Belge Doğrula” bölümüne yukarıdaki kodu girin ya da QR "
            "kodu okutun.",
            url,
        ]
        for i, line in enumerate(lines):
            canvas.drawString(x, bottom + size - (10 + 4.2 * i) * mm, line)
        canvas.restoreState()

    def _running_header(self, canvas: Canvas, report: LabReport) -> None:
        """Pages after the first say whose sheet they belong to — as masked as page one."""
        p = report.patient
        who = " · ".join(v for v in (p.name, p.tckn) if v)
        width, height = A4
        canvas.saveState()
        canvas.setFont(self.font, 7.5)
        canvas.setFillColor(NAVY)
        canvas.drawString(18 * mm, height - 11 * mm, f"{report.facility} · {TITLE}")
        canvas.drawRightString(width - 18 * mm, height - 11 * mm, who)
        canvas.restoreState()

    @staticmethod
    def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
        widget = QrCodeWidget(url, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, canvas, x, y)


def _numbered(font: str) -> type[Canvas]:
    """A canvas that writes "Sayfa n / N" once it knows N (reportlab's two-pass recipe)."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, object]] = []

        def showPage(self) -> None:  # noqa: N802  (reportlab calls this name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(font, 7.5)
                self.drawRightString(
                    A4[0] - 18 * mm, 10 * mm, f"Sayfa {self._pageNumber} / {len(self._pages)}"
                )
                super().showPage()
            super().save()

    return NumberedCanvas
