"""The printable permit: an A4 PDF laid out like the standard CITES form (Res. Conf. 12.3, Annex 2).

Page 1 carries boxes 1-6 beside the QR code (the whole signed permit, printed at 0.5 mm per module with its
quiet zone), then the specimen lines (boxes 7-12b) flow over as many pages as they need with the table
heading repeated, then box 13 (issued by), box 14 (export endorsement, left blank for customs) and box 15.
Every page repeats the permit number and "page N of M".
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace, TTFFont

from permits.codes import DOCUMENT_TYPE_TITLES, PURPOSE_CODES, SOURCE_CODES, UNIT_CODES
from permits.model import DocumentReference, Permit, SpecimenLine, Trader, format_quantity
from permits.qr import QUIET_ZONE_MODULES, qr_symbol

FONT_DIRECTORY = Path("/usr/share/fonts/truetype/dejavu")
UNICODE_FONT = "DejaVu"
CORE_FONT = "helvetica"
MARGIN = 10.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
MODULE_MM = 0.5
"""Size of one QR module: 5.9 printer dots at 300 dpi (the brief asks for at least 4)."""
QR_COLUMN = 66.0
LABEL_SIZE = 6.5
VALUE_SIZE = 9.0
LINE_HEIGHT = 4.2


class PermitPdf(FPDF):
    """FPDF with the form's running header and footer."""

    def __init__(self, permit: Permit) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.permit = permit
        self.font_family_name = _install_fonts(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=14)
        self.alias_nb_pages()
        self.set_creation_date(dt.datetime.combine(permit.issued, dt.time(), tzinfo=dt.UTC))
        self.set_title(f"CITES {permit.document_type.label} permit {permit.number}")
        self.set_author(permit.authority.name)
        self.set_creator("cites-permits")

    def text_(self, value: str) -> str:
        """Text the font can show: characters it lacks (e.g. CJK in DejaVu) become "?", and without a Unicode
        font the text is transliterated to Latin-1. The QR code always carries the exact text."""
        if self.font_family_name == UNICODE_FONT:
            font = self.fonts[UNICODE_FONT.lower()]
            supported = font.cmap if isinstance(font, TTFFont) else {}
            return "".join(char if ord(char) in supported or char in "\n\t" else "?" for char in value)
        decomposed = unicodedata.normalize("NFKD", value)
        return decomposed.encode("latin-1", "ignore").decode("latin-1")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(self.font_family_name, "B", 8)
        title = f"{DOCUMENT_TYPE_TITLES[self.permit.document_type]} No. {self.permit.number} (continued)"
        self.cell(0, 5, self.text_(title), new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(self.font_family_name, "", 7)
        self.cell(0, 4, self.text_(f"CITES permit {self.permit.number}"), align="L")
        self.set_x(MARGIN)
        self.cell(0, 4, f"page {self.page_no()} of {{nb}}", align="R")


def _install_fonts(pdf: FPDF) -> str:
    regular, bold = FONT_DIRECTORY / "DejaVuSans.ttf", FONT_DIRECTORY / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font(UNICODE_FONT, "", str(regular))
        pdf.add_font(UNICODE_FONT, "B", str(bold))
        return UNICODE_FONT
    return CORE_FONT


def render_permit_pdf(permit: Permit, qr_text: str, kid: str | None = None) -> bytes:
    """The permit as PDF bytes; ``qr_text`` is the signed QR text printed as the QR code."""
    pdf = PermitPdf(permit)
    pdf.add_page()
    _title(pdf, permit)
    top = pdf.get_y()
    _qr(pdf, qr_text, x=PAGE_WIDTH - MARGIN - QR_COLUMN, y=top)
    left_width = CONTENT_WIDTH - QR_COLUMN - 2
    _boxes_beside_qr(pdf, permit, top, left_width)
    pdf.set_y(max(pdf.get_y(), top + QR_COLUMN + 8) + 2)
    _specimen_table(pdf, permit)
    _closing_boxes(pdf, permit, kid)
    return bytes(pdf.output())


def _title(pdf: PermitPdf, permit: Permit) -> None:
    pdf.set_font(pdf.font_family_name, "B", 8)
    pdf.cell(0, 4, "CONVENTION ON INTERNATIONAL TRADE IN ENDANGERED SPECIES OF WILD FAUNA AND FLORA",
             align="C", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_font(pdf.font_family_name, "B", 15)
    pdf.cell(0, 8, f"CITES {DOCUMENT_TYPE_TITLES[permit.document_type]}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _box(
    pdf: PermitPdf, x: float, y: float, width: float, label: str, lines: list[str], bold_first: bool = False
) -> float:
    """A labelled box with its content; returns the y below it."""
    pdf.set_xy(x + 1, y + 0.8)
    pdf.set_font(pdf.font_family_name, "", LABEL_SIZE)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(width - 2, 3, pdf.text_(label), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    for index, text in enumerate(lines):
        pdf.set_x(x + 1)
        pdf.set_font(pdf.font_family_name, "B" if bold_first and index == 0 else "", VALUE_SIZE)
        pdf.multi_cell(width - 2, LINE_HEIGHT, pdf.text_(text), new_x="LEFT", new_y="NEXT")
    bottom = max(pdf.get_y() + 1, y + 9)
    pdf.rect(x, y, width, bottom - y)
    return bottom


def _country(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return f"{code} - {country.name}" if country else code


def _trader_lines(trader: Trader) -> list[str]:
    return [trader.name, *([trader.address] if trader.address else []), _country(trader.country)]


def _boxes_beside_qr(pdf: PermitPdf, permit: Permit, top: float, width: float) -> None:
    half = width / 2
    y = top
    bottom_left = _box(pdf, MARGIN, y, half, "1. Original No.", [permit.number], bold_first=True)
    valid = [f"{permit.valid_until.isoformat()}"]
    if permit.valid_from:
        valid.insert(0, f"from {permit.valid_from.isoformat()}")
    bottom_right = _box(pdf, MARGIN + half, y, half, "2. Valid until", valid, bold_first=True)
    y = max(bottom_left, bottom_right)
    y = _box(
        pdf,
        MARGIN,
        y,
        width,
        "3. Importer (name and address)  /  3a. Country of import",
        _trader_lines(permit.importer),
    )
    y = _box(
        pdf, MARGIN, y, width, "4. Exporter / re-exporter (name, address and country)", _trader_lines(permit.exporter)
    )
    conditions = [permit.special_conditions or "-"]
    if permit.replaces:
        conditions.append(f"Replaces {permit.replaces.number}: {permit.replaces.reason}")
    if permit.import_permit:
        conditions.append(f"Import permit: {permit.import_permit}")
    y = _box(pdf, MARGIN, y, width, "5. Special conditions", conditions)
    purpose = f"{permit.purpose} - {PURPOSE_CODES[permit.purpose]}"
    bottom_left = _box(pdf, MARGIN, y, half, "5a. Purpose of the transaction", [purpose])
    bottom_right = _box(pdf, MARGIN + half, y, half, "5b. Security stamp no.", [permit.security_stamp or "-"])
    y = max(bottom_left, bottom_right)
    _box(pdf, MARGIN, y, width, "6. Management Authority (name, address and country)", _trader_lines(permit.authority))


def _qr(pdf: PermitPdf, qr_text: str, x: float, y: float) -> None:
    symbol = qr_symbol(qr_text)
    side = (symbol.size + 2 * QUIET_ZONE_MODULES) * MODULE_MM
    origin_x = x + (QR_COLUMN - side) / 2
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(origin_x, y, side, side, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row, cells in enumerate(symbol.modules):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            run_start = column
            while column < len(cells) and cells[column]:
                column += 1
            pdf.rect(
                origin_x + (QUIET_ZONE_MODULES + run_start) * MODULE_MM,
                y + (QUIET_ZONE_MODULES + row) * MODULE_MM,
                (column - run_start) * MODULE_MM,
                MODULE_MM,
                style="F",
            )
    pdf.set_xy(x, y + side + 0.5)
    pdf.set_font(pdf.font_family_name, "", 6.5)
    pdf.multi_cell(QR_COLUMN, 3, "Signed permit data. Scan to verify: cites verify", align="C")


def _reference(label: str, reference: DocumentReference | None) -> str | None:
    if reference is None:
        return None
    return f"{label}: {reference.country} {reference.number} of {reference.date.isoformat()}"


def _line_cells(index: int, line: SpecimenLine) -> tuple[str, ...]:
    species = line.scientific_name + (f"\n{line.common_name}" if line.common_name else "")
    description = [f"{line.term}" + (f" - {line.description}" if line.description else "")]
    description.extend(f"{mark.kind} {mark.identifier}" for mark in line.marks)
    source = line.source + (f" / {line.second_source}" if line.second_source else "")
    appendix = f"{line.appendix}\n{source} ({SOURCE_CODES[line.source].split(' (')[0]})"
    if line.source_justification:
        appendix += f"\n{line.source_justification}"
    quantity = f"{format_quantity(line.quantity)} {line.unit}\n({UNIT_CODES[line.unit]})"
    quota = (
        f"{format_quantity(line.quota.exported_to_date)} / {format_quantity(line.quota.annual_quota)}"
        if line.quota
        else "-"
    )
    origin = [
        text
        for text in (
            _reference("12", line.origin),
            _reference("12a", line.last_reexport),
            f"12b: {line.acquisition}" if line.acquisition else None,
        )
        if text
    ]
    return (str(index + 1), species, "\n".join(description), appendix, quantity, quota, "\n".join(origin) or "-")


def _specimen_table(pdf: PermitPdf, permit: Permit) -> None:
    headings = ("", "7./8. Scientific and common name", "9. Description, marks, term", "10. App. / source",
                "11. Quantity", "11a. Exported / quota", "12. Origin; 12a. Last re-export; 12b")  # fmt: skip
    widths = (6, 38, 44, 24, 22, 18, 38)
    pdf.set_font(pdf.font_family_name, "", 7.5)
    heading_style = FontFace(emphasis="BOLD", size_pt=6.5, fill_color=(230, 230, 230))
    with pdf.table(
        col_widths=widths,
        width=CONTENT_WIDTH,
        text_align="LEFT",
        line_height=3.4,
        headings_style=heading_style,
        repeat_headings=1,
    ) as table:
        table.row([pdf.text_(heading) for heading in headings])
        for index, line in enumerate(permit.items):
            table.row([pdf.text_(cell) for cell in _line_cells(index, line)])
    pdf.ln(2)


def _closing_boxes(pdf: PermitPdf, permit: Permit, kid: str | None) -> None:
    endorsement_height = 30 + 5 * ((len(permit.items) + 4) // 5)
    if pdf.will_page_break(22 + endorsement_height):
        pdf.add_page()
    top = pdf.get_y()
    issued = [
        f"Place: {permit.issued_at or '-'}    Date: {permit.issued.isoformat()}",
        f"Official: {permit.issuing_officer or '-'}",
        "Digitally signed: the QR code holds the whole signed permit" + (f" (key {kid})" if kid else "") + ".",
    ]
    left_width = CONTENT_WIDTH * 0.65
    bottom_left = _box(
        pdf, MARGIN, top, left_width, "13. Issued by (place, date, official, signature and stamp)", issued
    )
    bill = [permit.bill_of_lading or "-"]
    bottom_right = _box(
        pdf, MARGIN + left_width, top, CONTENT_WIDTH - left_width, "15. Bill of lading / air waybill no.", bill
    )
    _endorsement(pdf, permit, max(bottom_left, bottom_right))


def _endorsement(pdf: PermitPdf, permit: Permit, y: float) -> None:
    """Box 14, blank: quantity actually exported per line, then port, date, officer's signature, stamp."""
    pdf.set_xy(MARGIN + 1, y + 0.8)
    pdf.set_font(pdf.font_family_name, "", LABEL_SIZE)
    pdf.set_text_color(70, 70, 70)
    pdf.cell(0, 3, "14. Export endorsement (to be completed by customs): quantity actually exported per line",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(pdf.font_family_name, "", VALUE_SIZE)
    column_width = CONTENT_WIDTH / 5
    for index in range(len(permit.items)):
        column = index % 5
        if pdf.will_page_break(6):
            pdf.add_page()
        pdf.set_xy(MARGIN + 1 + column * column_width, pdf.get_y() if column else pdf.get_y() + 0.5)
        pdf.cell(column_width - 2, 5, f"Line {index + 1}: ____________", new_x="RIGHT" if column < 4 else "LMARGIN",
                 new_y="TOP" if column < 4 else "NEXT")  # fmt: skip
    if len(permit.items) % 5:
        pdf.ln(5)
    pdf.ln(1)
    pdf.set_x(MARGIN + 1)
    pdf.cell(0, 6, "Port of export: ____________________   Date: ____________   "
             "Officer's signature: ____________________   Stamp:", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(12)
    pdf.rect(MARGIN, y, CONTENT_WIDTH, pdf.get_y() - y)
