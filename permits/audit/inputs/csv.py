"""CSV files with a header row and the QR text in a named column (``--payload-column``, default ``payload``; of
several names given, the first the header has).

The separator is a comma, or a semicolon or tab when the header row names a column with that separator
(spreadsheets in many locales save "CSV" with semicolons); QR texts never hold any of the three. A header names
a column whatever its case and the spaces around it (``Payload``, `` payload ``). The file is UTF-8, or UTF-16
with a byte-order mark (a spreadsheet's "Unicode text"); other content with NUL bytes is not text.

The reference of a record is ``FILE:LINE`` with the line its record starts on (a quoted cell may span lines).
A file without any of the columns, or with two columns of one payload name (which holds the permit?), gives
one unreadable input naming its columns; a header without any record, one input without a permit (the report
shows the file was read, as for an empty JSON Lines or text file).
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from permits import limits
from permits.audit.inputs.interface import AuditInput, open_text
from permits.audit.inputs.text import SNIFFED_BYTES
from permits.fileio import bounded_lines

SEPARATORS = (",", ";", "\t")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class CsvSource:
    """Comma-, semicolon- or tab-separated records under a header row."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".csv"

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        file = str(path)
        with open(path, "rb") as raw:
            opening = raw.read(SNIFFED_BYTES)
        utf16 = opening.startswith(UTF16_BOMS)
        if not utf16 and b"\0" in opening:
            binary = f"{file}: not a text file (binary content; save the CSV as UTF-8 or UTF-16 text)"
            yield AuditInput(file, file, problem=binary, unreadable=True)
            return
        with open_text(path, "utf-16" if utf16 else "utf-8-sig") as handle:
            start = 1
            try:
                lines = _bounded(handle)
                first = next(lines, "")
                reader = csv.reader(itertools.chain([first], lines), delimiter=self._separator(first))
                header = next(reader, [])
                name, column = self._payload_column(file, header)
                if column is None:
                    yield AuditInput(file, file, problem=name, unreadable=True)
                    return
                start = reader.line_num + 1
                records = 0
                for record in reader:
                    reference = f"{file}:{start}"
                    if record:
                        records += 1
                        text = record[column].strip() if column < len(record) else ""
                        empty = None if text else f"empty '{name}' cell"
                        yield AuditInput(reference, file, start, text=text or None, problem=empty)
                    start = reader.line_num + 1
                if not records:
                    yield AuditInput(file, file, problem=f"no record under the header row of {file}")
            except csv.Error as error:
                yield AuditInput(
                    f"{file}:{start}",
                    file,
                    start,
                    problem=f"not valid CSV ({error}); the rest of the file was not read",
                    unreadable=True,
                )

    def _payload_column(self, file: str, header: list[str]) -> tuple[str, int | None]:
        """The payload name and its column in ``header``: the first name the header has; else why none (and None)."""
        for name in self.columns:
            columns = [at for at, cell in enumerate(header) if _key(cell) == _key(name)]
            if len(columns) == 1:
                return name, columns[0]
            if columns:  # which one holds the permit? A reader of either would be misled
                numbers = " and ".join(str(at + 1) for at in columns)
                return f"{file}: columns {numbers} are both named '{name}'; keep one", None
        shown, wanted = ", ".join(header) or "none", " or ".join(f"'{name}'" for name in self.columns)
        return f"{file}: no column {wanted} (columns: {shown}); name it with --payload-column", None

    def _separator(self, header_line: str) -> str:
        """The separator whose split of the header row names a payload column (a comma if none does)."""
        wanted = {_key(name) for name in self.columns}
        for separator in SEPARATORS:
            if wanted & {_key(cell) for cell in next(csv.reader([header_line], delimiter=separator), [])}:
                return separator
        return ","


def _key(name: str) -> str:
    """A column name as compared: case and surrounding spaces ignored (``Payload``, `` payload `` are ``payload``)."""
    return name.strip().casefold()


def _bounded(handle: TextIO) -> Iterator[str]:
    """The lines of ``handle``; one longer than ``limits.MAX_RECORD_CHARS`` ends the file as a CSV error."""
    for line in bounded_lines(handle, limits.MAX_RECORD_CHARS):
        if line is None:
            raise csv.Error(f"a line longer than {limits.MAX_RECORD_CHARS:,} characters")
        yield line
