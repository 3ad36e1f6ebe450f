"""Review of the printed permit ``cites issue`` writes: legal values at their limits stay readable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import yaml

from permits.document import render_permit_pdf
from permits.document.pdf import MARGIN, PAGE_WIDTH
from permits.envelope import seal
from tests.conftest import CliResult, MakeAuthority, example_mapping, example_permit
from tests.document.test_pdf import UNICODE_FONT_INSTALLED, EphemeralSigner

POINTS_PER_MM = 72 / 25.4
WIDEST_NUMBER = "KE/" + "W" * 61
"""A legal permit number (64 characters) of the widest letter."""


def _text_boxes(page: pdfium.PdfPage) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(character, (left, bottom, right, top) in mm from the bottom left) for every printed character."""
    text = page.get_textpage()
    boxes = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if char.strip():
            box = text.get_charbox(index)
            boxes.append((char, tuple(value / POINTS_PER_MM for value in box)))
    return boxes


def test_a_64_character_number_stays_inside_the_header_and_beside_the_page_number() -> None:
    mapping = example_mapping("timber-export-app2.yaml")
    line = mapping["items"][2]  # type: ignore[index]
    permit = example_permit("timber-export-app2.yaml", number=WIDEST_NUMBER, items=[line] * 30)
    data = render_permit_pdf(permit, seal(permit, EphemeralSigner()))
    document = pdfium.PdfDocument(data)
    assert len(document) >= 2
    for index in range(len(document)):
        boxes = _text_boxes(document[index])
        assert max(box[2] for _, box in boxes) <= PAGE_WIDTH - MARGIN + 0.5
        footer = [(char, box) for char, box in boxes if box[3] < 12]  # the footer line is 12 mm from the bottom
        text = "".join(char for char, _ in footer)
        assert "page" in text
        page_left = min(box[0] for char, box in footer if char == "p" and box[0] > PAGE_WIDTH / 2)
        number_right = max(box[2] for char, box in footer if char == "W")
        assert number_right < page_left, f"footer of page {index + 1} overlaps its page number"


def test_issue_warns_when_the_form_cannot_print_a_text(cli: Callable[..., CliResult], make_authority: MakeAuthority,
                                                        tmp_path: Path) -> None:  # fmt: skip
    authority = make_authority()
    mapping = example_mapping("zoo-transfer-app1.yaml")
    mapping["importer"] = {"name": "北京动物园 (Beijing Zoo)", "address": "Xicheng, Beijing", "country": "CN"}
    mapping["special_conditions"] = "Доставка: Zürich, Łódź"
    description = tmp_path / "permit.yaml"
    description.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    result = cli("issue", str(description), "--key", str(authority.files.private), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert "warning: the PDF form prints '北京动物园 (Beijing Zoo)' as '????? (Beijing Zoo)'" in result.stderr
    if UNICODE_FONT_INSTALLED:  # Cyrillic and accents print as written: no warning for them
        assert result.stderr.count("warning: the PDF form prints") == 1
