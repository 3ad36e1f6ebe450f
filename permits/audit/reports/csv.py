"""CSV rows for spreadsheets: a header row, then one record per row. Text columns hold their text; the other
columns (numbers, booleans, nested objects such as ``permit`` and ``checks``) hold JSON text; an empty cell is
null. A text cell that would begin like a spreadsheet formula (``FORMULA_STARTS``) is written with one leading
quote. Keys a row has beyond the columns go, as one JSON object, into the ``overflow`` column."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from permits.audit.reports.interface import Record, Row
from permits.errors import InputError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
"""How a text cell a spreadsheet would run as a formula begins (a seized file named "=HYPERLINK(...).txt"), and
the quote that marks such a cell: it gets one leading quote, which reading drops."""


def _text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


class CsvRows:
    """Rows as CSV with the given columns."""

    def __init__(self, columns: Sequence[str], text_columns: frozenset[str], overflow: str | None = None) -> None:
        self.columns = tuple(columns)
        self.text_columns = text_columns
        self.overflow = overflow

    def header(self) -> bytes:
        return self._line(self.columns)

    def encode(self, row: Row) -> bytes:
        cells = dict(row)
        if self.overflow is not None:
            extra = {key: value for key, value in row.items() if key not in self.columns}
            cells = {key: row.get(key) for key in self.columns} | {self.overflow: extra or None}
        return self._line(self._cell(column, cells.get(column)) for column in self.columns)

    def records(self, handle: BinaryIO) -> Iterator[Record]:
        lines = _TrackedLines(handle)
        reader = csv.reader(lines)
        header = next(reader, None)
        if header is not None and tuple(header) != self.columns:
            raise InputError(f"the CSV header is not that of this report kind ({', '.join(self.columns[:4])}, ...)")
        while True:
            start = lines.offset
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield Record(None, start, lines.offset)
                return
            if cells:
                yield Record(self._decode(cells) if lines.complete else None, start, lines.offset)

    def _decode(self, cells: list[str]) -> Row | None:
        if len(cells) != len(self.columns):
            return None
        row: Row = {}
        try:
            for column, cell in zip(self.columns, cells, strict=True):
                row[column] = None if not cell else _text(cell) if column in self.text_columns else json.loads(cell)
        except ValueError:
            return None
        if self.overflow is not None:
            row.update(row.pop(self.overflow) or {})
        return row

    def _cell(self, column: str, value: Any) -> str:
        if value is None:
            return ""
        if column in self.text_columns:
            text = str(value)
            return f"'{text}" if text.startswith(FORMULA_STARTS) else text
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def _line(cells: Iterator[str] | Sequence[str]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        return buffer.getvalue().encode("utf-8")


class _TrackedLines:
    """The file's lines as text for the CSV reader, with the byte offset reached and whether the last line read
    was complete (a record torn by a kill has no final line feed)."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.offset = 0
        self.complete = True

    def __iter__(self) -> _TrackedLines:
        return self

    def __next__(self) -> str:
        raw = next(self.handle)
        self.offset += len(raw)
        self.complete = raw.endswith(b"\n")
        return raw.decode("utf-8", errors="replace")
