"""The printable permit: an A4 PDF laid out like the standard CITES form (Res. Conf. 12.3 (Rev. CoP19), Annex 2).

Page 1 has the Convention's title and the document type, then boxes 1-6 as a grid of labelled boxes, the first
ones beside the QR code: the whole signed permit, drawn as vector modules of 0.5 mm (5.9 printer dots at 300 dpi)
inside its 4-module white quiet zone. The specimen lines (boxes 7-12b) follow as a table, one row per line,
flowing over continuation pages that repeat the permit number and the table heading; a line with many
identifying marks, or with a source justification, gets a full-width row below it that lists them in full.
Last come box 13 (issued by), box 15 (bill of lading) and box 14 (export endorsement), which is left blank for
customs. Every page shows the permit number and "page N of M".

Text is set in DejaVu Sans when it is installed (Debian ``fonts-dejavu-core``), so names such as "Łódź" or
"Ngọc" print as written, and characters the font lacks print as "?" (Chinese, Japanese, Korean: ``cites issue``
warns, quoting each text so printed). Without it the PDF core font Helvetica
is used and text is transliterated to Latin-1 ("Łódź" prints as "Lódz"). The QR code always holds the exact
text. The PDF's creation date is the permit's issue date, so the same permit and QR text give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pycountry
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, PathPaintRule
from fpdf.fonts import TTFFont

from permits.codes import DOCUMENT_TYPE_TITLES, PURPOSE_CODES, SOURCE_CODES, TERM_CODES, UNIT_CODES, DocumentType
from permits.model import DocumentReference, Permit, SpecimenLine, Trader, format_quantity
from permits.qr import QUIET_ZONE_MODULES, QrSymbol, qr_symbol

FONT_DIRECTORY = Path("/usr/share/fonts/truetype/dejavu")
UNICODE_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
UNICODE_FONT = "dejavu"
CORE_FONT = "helvetica"

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN = 10.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_BOTTOM = PAGE_HEIGHT - 15.0
"""Content stops here; the footer is below."""

MODULE_MM = 0.5
"""Printed size of one QR module: 5.9 dots at 300 dpi (at least 4 are needed, i.e. 0.34 mm)."""
QR_FRAME_MIN_WIDTH = 52.0
QR_CAPTION = "Scan to verify: cites verify"

TITLE = "CONVENTION ON INTERNATIONAL TRADE IN ENDANGERED SPECIES OF WILD FAUNA AND FLORA"
LABEL_SIZE = 6.0
VALUE_SIZE = 9.0
TABLE_SIZE = 7.5
SMALL_SIZE = 6.0
LABEL_HEIGHT = 3.4
LABEL_GREY = 90
HEADING_FILL = 232
CELL_PADDING = 1.2
"""Space above and below the text of a box or table cell, together."""
MARKS_INLINE = 4
"""A line with more identifying marks lists them in a full-width row below it."""
ENDORSEMENT_COLUMNS = 5
ENDORSEMENT_CELL_HEIGHT = 7.0
ENDORSEMENT_SIGNING_HEIGHT = 16.0

TRANSLITERATIONS = str.maketrans(
    {
        "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "Œ": "OE", "œ": "oe", "Ŋ": "NG", "ŋ": "ng",
        "\N{LATIN SMALL LETTER DOTLESS I}": "i", "\N{EURO SIGN}": "EUR",
        "\N{LEFT SINGLE QUOTATION MARK}": "'", "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{SINGLE LOW-9 QUOTATION MARK}": "'", "\N{LEFT DOUBLE QUOTATION MARK}": '"',
        "\N{RIGHT DOUBLE QUOTATION MARK}": '"', "\N{DOUBLE LOW-9 QUOTATION MARK}": '"',
        "\N{EN DASH}": "-", "\N{EM DASH}": "-",
    }
)  # fmt: skip
"""Latin letters that Unicode does not decompose into a Latin-1 base letter, and common punctuation."""


@dataclass(frozen=True)
class Run:
    """One paragraph of a box or table cell, in one style ("" regular, "B" bold, "I" italic) and size (pt)."""

    text: str
    style: str = ""
    size: float = VALUE_SIZE


@dataclass(frozen=True)
class Box:
    """A labelled box of the form; ``share`` is its part of the row's width."""

    label: str
    runs: tuple[Run, ...]
    share: float = 1.0


@dataclass(frozen=True)
class Column:
    """A column of the specimen table."""

    heading: str
    width: float


COLUMNS = (
    Column("Line", 8.0),
    Column("7. Scientific name\n8. Common name", 33.0),
    Column("9. Description of specimens, incl. identifying marks (sex/age if live); trade term", 43.0),
    Column("10. Appendix No. and source", 24.0),
    Column("11. Quantity (incl. unit)", 20.0),
    Column("11a. Total exported / annual quota", 21.0),
    Column("12. Origin and 12a. last re-export: country, document No., date; 12b. operation No. or date of "
           "acquisition", 41.0),
)  # fmt: skip


class PermitPdf(FPDF):
    """FPDF with the form's fonts, its running header and footer, and text measuring helpers."""

    def __init__(self, permit: Permit) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.permit = permit
        self.typeface = _install_fonts(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=False)
        self.set_line_width(0.2)
        self.alias_nb_pages()
        self.set_creation_date(dt.datetime.combine(permit.issued, dt.time(), tzinfo=dt.UTC))
        self.set_lang("en")
        self.set_title(f"CITES {permit.document_type.in_words} {permit.number}")
        self.set_author(permit.authority.name)
        self.set_creator("cites-permits")
        self.unprintable: dict[str, str] = {}
        """Each text that prints with "?" for characters the font lacks, and how it prints."""

    @property
    def document_name(self) -> str:
        return f"{DOCUMENT_TYPE_TITLES[self.permit.document_type]} No. {self.permit.number}"

    def use_font(self, style: str = "", size: float = VALUE_SIZE) -> None:
        self.set_font(self.typeface, style, size)

    def printable(self, text: str) -> str:
        """``text`` as the current font can print it: characters it lacks become "?" (Unicode font) or are
        transliterated to Latin-1 (core font)."""
        text = unicodedata.normalize("NFC", text).replace("\t", " ")
        font = self.current_font
        if isinstance(font, TTFFont):
            printed = "".join(char if char == "\n" or ord(char) in font.cmap else "?" for char in text)
        else:
            printed = _to_latin_1(text)
        if printed.count("?") > text.count("?"):
            self.unprintable.setdefault(text, printed)
        return printed

    def paragraph_height(self, run: Run, width: float) -> float:
        self.use_font(run.style, run.size)
        height = self.multi_cell(
            width, _line_height(run.size), self.printable(run.text), dry_run=True, output=MethodReturnValue.HEIGHT
        )
        return cast(float, height)

    def paragraphs_height(self, runs: Sequence[Run], width: float) -> float:
        return sum(self.paragraph_height(run, width) for run in runs)

    def write_paragraphs(self, x: float, y: float, width: float, runs: Sequence[Run]) -> float:
        """Write ``runs`` one below the other from (x, y); returns the y below them."""
        for run in runs:
            self.use_font(run.style, run.size)
            self.set_xy(x, y)
            self.multi_cell(width, _line_height(run.size), self.printable(run.text), align="L")
            y = self.get_y()
        return y

    def use_font_to_fit(self, text: str, style: str, size: float, width: float) -> str:
        """Select the font at ``size``, or smaller if ``text`` would be wider than ``width`` (a permit number of
        64 wide characters); returns ``text`` as the font prints it."""
        self.use_font(style, size)
        printable = self.printable(text)
        wide = self.get_string_width(printable)
        if wide > width:
            self.use_font(style, math.floor(size * width / wide * 10) / 10)
        return printable

    def header(self) -> None:
        if self.page_no() == 1:
            return
        heading = self.use_font_to_fit(f"{self.document_name} (continued)", "B", 9, CONTENT_WIDTH)
        self.set_xy(MARGIN, MARGIN)
        self.cell(CONTENT_WIDTH, 5, heading)
        self.line(MARGIN, MARGIN + 6, PAGE_WIDTH - MARGIN, MARGIN + 6)
        self.set_y(MARGIN + 8)

    def footer(self) -> None:
        y = PAGE_HEIGHT - 12
        self.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)
        self.use_font("", 7)
        room = CONTENT_WIDTH - self.get_string_width("page 000 of 000") - 2  # the total is known only at the end
        self.set_xy(MARGIN, y + 1)
        self.cell(CONTENT_WIDTH, 4, f"page {self.page_no()} of {{nb}}", align="R")
        issued = f"issued {self.permit.issued.isoformat()} by {_country(self.permit.issuing_party)}"
        line = self.use_font_to_fit(f"CITES {self.document_name}, {issued}", "", 7, room)
        self.set_xy(MARGIN, y + 1)
        self.cell(room, 4, line)


@dataclass(frozen=True)
class RenderedPermit:
    """The PDF, and each text of it that prints "?" for characters the font lacks (a Chinese address without a
    CJK font): the issuing officer must be told, since the form then does not show what the QR code holds."""

    data: bytes
    unprintable: dict[str, str]

    def warnings(self) -> list[str]:
        return [
            f"the PDF form prints {text!r} as {printed!r} (its font lacks those characters); "
            "the QR code holds the exact text"
            for text, printed in self.unprintable.items()
        ]


def render_permit_pdf(permit: Permit, qr_text: str, kid: str | None = None) -> bytes:
    """The permit as PDF bytes in the standard CITES form, with ``qr_text`` (the signed permit) as its QR code.

    ``kid`` (the signing key's id, in hex) is printed in box 13. Raises ``InputError`` when the QR text does
    not fit in the largest QR version the project prints (see ``permits.qr.qr_symbol``).
    """
    return render_permit(permit, qr_text, kid).data


def render_permit(permit: Permit, qr_text: str, kid: str | None = None) -> RenderedPermit:
    """What ``render_permit_pdf`` renders, with the texts the font could not print in full (what ``cites issue``
    warns of)."""
    symbol = qr_symbol(qr_text)
    pdf = PermitPdf(permit)
    pdf.add_page()
    y = _title(pdf, permit.document_type)
    y = _boxes_1_to_6(pdf, permit, symbol, y)
    y = _specimen_table(pdf, permit, y + 2)
    _closing_boxes(pdf, permit, kid, y + 2)
    return RenderedPermit(bytes(pdf.output()), pdf.unprintable)


# -- page 1: title, boxes 1-6 and the QR code ---------------------------------------------------------------------


def _title(pdf: PermitPdf, document_type: DocumentType) -> float:
    pdf.use_font("B", 8.5)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.cell(CONTENT_WIDTH, 4.5, TITLE, align="C")
    pdf.use_font("B", 17)
    pdf.set_xy(MARGIN, MARGIN + 5)
    pdf.cell(CONTENT_WIDTH, 8, DOCUMENT_TYPE_TITLES[document_type], align="C")
    pdf.use_font("", 7.5)
    choices = [(member.label.upper(), member is document_type) for member in DocumentType]
    gap, square = 7.0, 2.8
    widths = [square + 1.2 + pdf.get_string_width(label) for label, _ in choices]
    x = MARGIN + (CONTENT_WIDTH - sum(widths) - gap * (len(choices) - 1)) / 2
    y = MARGIN + 14.5
    for (label, checked), width in zip(choices, widths, strict=True):
        pdf.rect(x, y + 0.35, square, square)
        if checked:
            pdf.line(x + 0.5, y + 0.85, x + square - 0.5, y + square - 0.15)
            pdf.line(x + 0.5, y + square - 0.15, x + square - 0.5, y + 0.85)
        pdf.set_xy(x + square + 0.2, y)
        pdf.use_font("B" if checked else "", 7.5)
        pdf.cell(width - square, 3.5, label)
        x += width + gap
    return y + 6


def _boxes_1_to_6(pdf: PermitPdf, permit: Permit, symbol: QrSymbol, top: float) -> float:
    """Boxes 1-6: rows beside the QR frame while they start above its bottom, the rest full width."""
    quiet_side = (symbol.size + 2 * QUIET_ZONE_MODULES) * MODULE_MM
    frame_width = max(quiet_side + 4, QR_FRAME_MIN_WIDTH)
    frame_height = LABEL_HEIGHT + quiet_side + 5
    left_width = CONTENT_WIDTH - frame_width
    rows = _rows_1_to_6(permit)
    beside: list[tuple[list[Box], float]] = []
    y = top
    while rows and y < top + frame_height:
        row = rows.pop(0)
        height = _row_height(pdf, row, left_width)
        beside.append((row, height))
        y += height
    if y < top + frame_height:
        last_row, last_height = beside[-1]
        beside[-1] = (last_row, last_height + top + frame_height - y)
        y = top + frame_height
    _qr_frame(pdf, symbol, MARGIN + left_width, top, frame_width, y - top, quiet_side)
    row_top = top
    for row, height in beside:
        _draw_row(pdf, row, MARGIN, row_top, left_width, height)
        row_top += height
    for row in rows:
        height = _row_height(pdf, row, CONTENT_WIDTH)
        if y + height > BODY_BOTTOM:
            y = _new_page(pdf)
        _draw_row(pdf, row, MARGIN, y, CONTENT_WIDTH, height)
        y += height
    return y


def _rows_1_to_6(permit: Permit) -> list[list[Box]]:
    valid = [Run(permit.valid_until.isoformat(), "B", 11)]
    if permit.valid_from:
        valid.append(Run(f"valid from {permit.valid_from.isoformat()}", size=7.5))
    conditions = [Run(permit.special_conditions or "-")]
    if permit.replaces:
        conditions.append(Run(f"Replaces document No. {permit.replaces.number}: {permit.replaces.reason}"))
    if permit.import_permit:
        conditions.append(Run(f"Import permit No. {permit.import_permit}"))
    importer = permit.importer
    return [
        [Box("1. Original No.", (Run(permit.number, "B", 11),), 0.6), Box("2. Valid until", tuple(valid), 0.4)],
        [Box("3. Importer (name and address)", _trader_runs(importer, with_country=False))],
        [Box("3a. Country of import", (Run(_country(importer.country)),))],
        [Box("4. Exporter / re-exporter (name, address and country)", _trader_runs(permit.exporter))],
        [Box("5. Special conditions", tuple(conditions))],
        [
            Box("5a. Purpose of the transaction", (Run(f"{permit.purpose} - {PURPOSE_CODES[permit.purpose]}"),), 0.6),
            Box("5b. Security stamp No.", (Run(permit.security_stamp or "-", "B"),), 0.4),
        ],
        [Box("6. Management Authority (name, address and country)", _trader_runs(permit.authority))],
    ]


def _trader_runs(trader: Trader, with_country: bool = True) -> tuple[Run, ...]:
    runs = [Run(trader.name, "B")]
    if trader.address:
        runs.append(Run(trader.address))
    if with_country:
        runs.append(Run(_country(trader.country)))
    return tuple(runs)


def _country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code with the country's English short name: "KE - Kenya"."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name: str = getattr(country, "common_name", None) or country.name
    return f"{code} - {name}"


def _qr_frame(pdf: PermitPdf, symbol: QrSymbol, x: float, y: float, width: float, height: float, side: float) -> None:
    pdf.rect(x, y, width, height)
    _label(pdf, x, y, width, "Signed permit data (QR code)")
    quiet_x = x + (width - side) / 2
    quiet_y = y + LABEL_HEIGHT + 0.3
    _draw_modules(pdf, symbol, quiet_x + QUIET_ZONE_MODULES * MODULE_MM, quiet_y + QUIET_ZONE_MODULES * MODULE_MM)
    pdf.use_font("", 7)
    pdf.set_xy(x, quiet_y + side + 0.3)
    pdf.cell(width, 3.5, QR_CAPTION, align="C")


def _draw_modules(pdf: PermitPdf, symbol: QrSymbol, x: float, y: float) -> None:
    """The dark modules as one filled vector path (no seams between modules), one rectangle per run in a row."""
    with pdf.new_path(paint_rule=PathPaintRule.FILL_NONZERO) as path:
        path.style.fill_color = "#000000"
        for row_index, row in enumerate(symbol.modules):
            for start, length in _dark_runs(row):
                path.rectangle(x + start * MODULE_MM, y + row_index * MODULE_MM, length * MODULE_MM, MODULE_MM)


def _dark_runs(row: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(first column, length) of each run of dark modules in a row."""
    column = 0
    for dark, group in itertools.groupby(row):
        length = sum(1 for _ in group)
        if dark:
            yield column, length
        column += length


# -- boxes and rows -----------------------------------------------------------------------------------------------


def _label(pdf: PermitPdf, x: float, y: float, width: float, text: str) -> None:
    pdf.use_font("", LABEL_SIZE)
    pdf.set_text_color(LABEL_GREY)
    pdf.set_xy(x, y + 0.4)
    pdf.cell(width, LABEL_HEIGHT - 0.4, pdf.printable(text))
    pdf.set_text_color(0)


def _box_height(pdf: PermitPdf, box: Box, width: float) -> float:
    return LABEL_HEIGHT + pdf.paragraphs_height(box.runs, width) + CELL_PADDING


def _row_height(pdf: PermitPdf, row: Sequence[Box], width: float) -> float:
    return max(_box_height(pdf, box, width * box.share) for box in row)


def _draw_row(pdf: PermitPdf, row: Sequence[Box], x: float, y: float, width: float, height: float) -> None:
    for box in row:
        box_width = width * box.share
        pdf.rect(x, y, box_width, height)
        _label(pdf, x, y, box_width, box.label)
        pdf.write_paragraphs(x, y + LABEL_HEIGHT, box_width, box.runs)
        x += box_width


def _new_page(pdf: PermitPdf) -> float:
    pdf.add_page()
    return pdf.get_y()


# -- boxes 7-12b: the specimen table ------------------------------------------------------------------------------


def _specimen_table(pdf: PermitPdf, permit: Permit, y: float) -> float:
    table = SpecimenTable(pdf, y)
    for number, line in enumerate(permit.items, start=1):
        table.add_line(number, line)
    return table.y


class SpecimenTable:
    """Boxes 7-12b: one row per specimen line; every page the table reaches starts with its heading."""

    def __init__(self, pdf: PermitPdf, y: float) -> None:
        self.pdf = pdf
        self.y = y
        self.heading = [(Run(column.heading, "B", SMALL_SIZE),) for column in COLUMNS]
        self.heading_height = _cells_height(pdf, self.heading)
        self.heading_page = 0

    def add_line(self, number: int, line: SpecimenLine) -> None:
        cells = _line_cells(number, line)
        height = _cells_height(self.pdf, cells)
        self._make_room(height)
        self.y = _draw_cells(self.pdf, cells, self.y, height)
        for text in _details(number, line):
            self._add_details(text)

    def _add_details(self, text: str) -> None:
        """A full-width row under a specimen line, split over pages if it is long."""
        line_height = _line_height(TABLE_SIZE)
        self.pdf.use_font("", TABLE_SIZE)
        printable = self.pdf.printable(text)
        lines = cast(
            list[str],
            self.pdf.multi_cell(CONTENT_WIDTH, line_height, printable, dry_run=True, output=MethodReturnValue.LINES),
        )
        while lines:
            self._make_room(line_height + CELL_PADDING)
            fitting = int((BODY_BOTTOM - self.y - CELL_PADDING) // line_height)
            chunk, lines = lines[:fitting], lines[fitting:]
            height = len(chunk) * line_height + CELL_PADDING
            self.pdf.rect(MARGIN, self.y, CONTENT_WIDTH, height)
            self.pdf.write_paragraphs(
                MARGIN, self.y + CELL_PADDING / 2, CONTENT_WIDTH, [Run("\n".join(chunk), "", TABLE_SIZE)]
            )
            self.y += height

    def _make_room(self, height: float) -> None:
        """Go to a new page unless ``height`` fits on this one (below the heading, drawn if not there yet)."""
        heading_height = 0.0 if self.pdf.page == self.heading_page else self.heading_height
        if self.y + heading_height + height > BODY_BOTTOM:
            self.y = _new_page(self.pdf)
        if self.pdf.page != self.heading_page:
            self.y = _draw_cells(self.pdf, self.heading, self.y, self.heading_height, fill=True)
            self.heading_page = self.pdf.page


def _cells_height(pdf: PermitPdf, cells: Sequence[Sequence[Run]]) -> float:
    heights = (pdf.paragraphs_height(runs, column.width) for runs, column in zip(cells, COLUMNS, strict=True))
    return max(heights) + CELL_PADDING


def _draw_cells(
    pdf: PermitPdf, cells: Sequence[Sequence[Run]], y: float, height: float, fill: bool = False
) -> float:  # fmt: skip
    x = MARGIN
    pdf.set_fill_color(HEADING_FILL)
    for runs, column in zip(cells, COLUMNS, strict=True):
        pdf.rect(x, y, column.width, height, style="DF" if fill else "D")
        pdf.write_paragraphs(x, y + CELL_PADDING / 2, column.width, runs)
        x += column.width
    return y + height


def _line_cells(number: int, line: SpecimenLine) -> list[tuple[Run, ...]]:
    size = TABLE_SIZE
    species = [Run(line.scientific_name, "I", size)]
    if line.common_name:
        species.append(Run(line.common_name, "", size))
    description = [Run(f"{line.term} ({TERM_CODES[line.term]})", "B", size)]
    if line.description:
        description.append(Run(line.description, "", size))
    if len(line.marks) > MARKS_INLINE:
        description.append(Run(f"{len(line.marks)} identifying marks, listed below", "", size))
    else:
        description.extend(Run(f"{mark.kind} {mark.identifier}", "", size) for mark in line.marks)
    appendix = [Run(f"App. {line.appendix}", "B", size), *_source_runs("Source", line.source)]
    if line.second_source:
        appendix.extend(_source_runs("2nd source", line.second_source))
    if line.source_justification:
        appendix.append(Run("justification below", "", SMALL_SIZE))
    quantity = (
        Run(f"{format_quantity(line.quantity)} {line.unit}", "B", size),
        Run(UNIT_CODES[line.unit], "", SMALL_SIZE),
    )
    quota = (
        Run(f"{format_quantity(line.quota.exported_to_date)} / {format_quantity(line.quota.annual_quota)}", "", size)
        if line.quota
        else Run("-", "", size)
    )
    origin = [*_reference_runs("12.", line.origin), *_reference_runs("12a.", line.last_reexport)]
    if line.acquisition:
        origin.append(Run(f"12b. {line.acquisition}", "", size))
    return [
        (Run(str(number), "B", size),),
        tuple(species),
        tuple(description),
        tuple(appendix),
        quantity,
        (quota,),
        tuple(origin) or (Run("-", "", size),),
    ]


def _source_runs(label: str, code: str) -> tuple[Run, ...]:
    return Run(f"{label} {code}", "", TABLE_SIZE), Run(SOURCE_CODES[code].split(" (")[0], "", SMALL_SIZE)


def _reference_runs(label: str, reference: DocumentReference | None) -> tuple[Run, ...]:
    if reference is None:
        return ()
    return (
        Run(f"{label} {_country(reference.country)}", "B", TABLE_SIZE),
        Run(f"No. {reference.number}", "", TABLE_SIZE),
        Run(f"Date {reference.date.isoformat()}", "", TABLE_SIZE),
    )


def _details(number: int, line: SpecimenLine) -> list[str]:
    """Full-width texts under a line: its identifying marks when there are many, and the source justification."""
    details = []
    if len(line.marks) > MARKS_INLINE:
        kinds = dict.fromkeys(mark.kind for mark in line.marks)
        listed = "; ".join(
            f"{kind}: " + ", ".join(mark.identifier for mark in line.marks if mark.kind == kind) for kind in kinds
        )
        details.append(f"Line {number}, box 9, identifying marks ({len(line.marks)}): {listed}")
    if line.source_justification:
        details.append(f"Line {number}, box 10, justification of the source: {line.source_justification}")
    return details


# -- boxes 13, 15 and 14 ------------------------------------------------------------------------------------------


def _closing_boxes(pdf: PermitPdf, permit: Permit, kid: str | None, y: float) -> None:
    signed = "Digitally signed by the Management Authority" + (f" with key {kid}" if kid else "")
    issued = Box(
        "13. This permit/certificate is issued by (place, date, official; signature and official seal)",
        (
            Run(f"Place: {permit.issued_at or '-'}    Date: {permit.issued.isoformat()}"),
            Run(f"Official: {permit.issuing_officer or '-'}"),
            Run(f"{signed}: the QR code holds the whole signed permit.", size=7),
        ),
        0.64,
    )
    bill = Box("15. Bill of lading / air waybill No.", (Run(permit.bill_of_lading or "-", "B"),), 0.36)
    row = [issued, bill]
    row_height = _row_height(pdf, row, CONTENT_WIDTH)
    if y + row_height + _endorsement_height(len(permit.items)) > BODY_BOTTOM:
        y = _new_page(pdf)
    _draw_row(pdf, row, MARGIN, y, CONTENT_WIDTH, row_height)
    _endorsement(pdf, permit, y + row_height)


def _endorsement_height(lines: int) -> float:
    return LABEL_HEIGHT + 1 + _endorsement_rows(lines) * ENDORSEMENT_CELL_HEIGHT + 1.5 + ENDORSEMENT_SIGNING_HEIGHT + 1


def _endorsement_rows(lines: int) -> int:
    return math.ceil(lines / ENDORSEMENT_COLUMNS)


def _endorsement(pdf: PermitPdf, permit: Permit, y: float) -> None:
    """Box 14, blank for customs: the quantity actually exported per line, port, date, signature and stamp."""
    height = _endorsement_height(len(permit.items))
    pdf.rect(MARGIN, y, CONTENT_WIDTH, height)
    _label(pdf, MARGIN, y, CONTENT_WIDTH, "14. Export endorsement (to be completed by customs at export): "
           "quantity actually exported per line, in the unit of box 11")  # fmt: skip
    inner_x, inner_width = MARGIN + 1, CONTENT_WIDTH - 2
    cell_width = inner_width / ENDORSEMENT_COLUMNS
    top = y + LABEL_HEIGHT + 1
    for index, line in enumerate(permit.items):
        row, column = divmod(index, ENDORSEMENT_COLUMNS)
        x, cell_y = inner_x + column * cell_width, top + row * ENDORSEMENT_CELL_HEIGHT
        pdf.rect(x, cell_y, cell_width, ENDORSEMENT_CELL_HEIGHT)
        _label(pdf, x, cell_y, cell_width, f"Line {index + 1} ({line.unit})")
    signing_y = top + _endorsement_rows(len(permit.items)) * ENDORSEMENT_CELL_HEIGHT + 1.5
    fields = [
        ("Port of export", 0.25),
        ("Date", 0.15),
        ("Signature of the officer", 0.3),
        ("Official stamp and title", 0.3),
    ]
    x = inner_x
    for label, share in fields:
        pdf.rect(x, signing_y, inner_width * share, ENDORSEMENT_SIGNING_HEIGHT)
        _label(pdf, x, signing_y, inner_width * share, label)
        x += inner_width * share


# -- text ---------------------------------------------------------------------------------------------------------


def _line_height(size: float) -> float:
    """Line spacing in mm for a font size in points (1.2 x the size)."""
    return size * 0.4233


def _install_fonts(pdf: FPDF) -> str:
    """Add DejaVu Sans (regular, bold, oblique) when installed and return the family to use."""
    paths = {style: FONT_DIRECTORY / name for style, name in UNICODE_FONT_FILES.items()}
    if not all(path.is_file() for path in paths.values()):
        return CORE_FONT
    for style, path in paths.items():
        pdf.add_font(UNICODE_FONT, style, str(path))
    return UNICODE_FONT


def _to_latin_1(text: str) -> str:
    """Transliterate to Latin-1 for the core fonts: "Łódź" -> "Lódz", "Ngọc" -> "Ngoc"; other scripts -> "?"."""
    result = []
    for char in unicodedata.normalize("NFKC", text).translate(TRANSLITERATIONS):
        if ord(char) < 256:
            result.append(char)
            continue
        base = "".join(part for part in unicodedata.normalize("NFKD", char) if ord(part) < 256)
        result.append(base or "?")
    return "".join(result)
