"""Audit report writers: row files (``jsonl``, ``csv``) for the per-input report and the findings, and the
one-page summary (``html``). ``row_format`` picks the row format from a file's suffix.

Report rows: ``input`` (the stable reference: ``FILE`` or ``FILE:LINE``), ``file``, ``line``, ``page`` (for a
PDF page or image frame), ``payload_sha256`` (of the QR text), then the fields of ``cites verify --json``.
Finding rows: ``kind``, ``severity``, ``message``, ``inputs`` (report references), ``details``.
"""

from __future__ import annotations

from pathlib import Path

from permits.audit.reports.csv import CsvRows
from permits.audit.reports.interface import PageFormat, Record, Row, RowFormat
from permits.audit.reports.jsonl import JsonLinesRows
from permits.errors import InputError

__all__ = ["PageFormat", "Record", "Row", "RowFormat", "finding_format", "report_format"]

REPORT_COLUMNS = (
    "input", "file", "line", "page", "payload_sha256", "source", "valid", "status", "reason", "permit", "signer",
    "checks", "extra",
)  # fmt: skip
"""CSV columns of the report; ``extra`` holds the verdict's optional fields (``revocation``, ``use``) as JSON."""
REPORT_TEXT_COLUMNS = frozenset({"input", "file", "payload_sha256", "source", "status", "reason"})
FINDING_COLUMNS = ("kind", "severity", "message", "inputs", "details")
FINDING_TEXT_COLUMNS = frozenset({"kind", "severity", "message"})
ROW_SUFFIXES = (".jsonl", ".csv")


def report_format(path: Path) -> RowFormat:
    """The report format for ``path`` (``.jsonl`` or ``.csv``)."""
    return _format(path, CsvRows(REPORT_COLUMNS, REPORT_TEXT_COLUMNS, overflow="extra"))


def finding_format(path: Path) -> RowFormat:
    """The findings file format for ``path`` (``.jsonl`` or ``.csv``)."""
    return _format(path, CsvRows(FINDING_COLUMNS, FINDING_TEXT_COLUMNS))


def _format(path: Path, csv_rows: CsvRows) -> RowFormat:
    suffix = path.suffix.lower()
    if suffix not in ROW_SUFFIXES:
        raise InputError(f"{path}: use a .jsonl or .csv file name (the suffix picks the format)")
    return csv_rows if suffix == ".csv" else JsonLinesRows()
