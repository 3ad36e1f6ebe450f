"""CSV files with a header row and the QR text in a named column (``--payload-column``, default ``payload``; of
several names given, the first the header has).

The separator is a comma, or a semicolon or tab when the header row names a column with that separator
(spreadsheets in many locales save "CSV" with semicolons); QR texts never hold any of the three.

The reference of a record is ``FILE:LINE`` with the line its record starts on (a quoted cell may span lines).
A file without any of the columns gives one unreadable input naming the columns it has.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from permits import limits
from permits.audit.inputs.interface import AuditInput, open_text
from permits.fileio import bounded_lines

SEPARATORS = (",", ";", "\t")


class CsvSource:
    """Comma-, semicolon- or tab-separated records under a header row."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() == ".csv"

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        file = str(path)
        with open_text(path) as handle:
            start = 1
            try:
                lines = _bounded(handle)
                first = next(lines, "")
                reader = csv.reader(itertools.chain([first], lines), delimiter=self._separator(first))
                header = next(reader, [])
                name = next((name for name in self.columns if name in header), None)
                if name is None:
                    shown, wanted = ", ".join(header) or "none", " or ".join(f"'{name}'" for name in self.columns)
                    missing = f"{file}: no column {wanted} (columns: {shown}); name it with --payload-column"
                    yield AuditInput(file, file, problem=missing, unreadable=True)
                    return
                column = header.index(name)
                start = reader.line_num + 1
                for record in reader:
                    reference = f"{file}:{start}"
                    if record:
                        text = record[column].strip() if column < len(record) else ""
                        problem = None if text else f"empty '{name}' cell"
                        yield AuditInput(reference, file, start, text=text or None, problem=problem)
                    start = reader.line_num + 1
            except csv.Error as error:
                yield AuditInput(f"{file}:{start}", file, start, problem=f"not valid CSV ({error})", unreadable=True)

    def _separator(self, header_line: str) -> str:
        """The separator whose split of the header row names a payload column (a comma if none does)."""
        for separator in SEPARATORS:
            if set(self.columns) & set(next(csv.reader([header_line], delimiter=separator), [])):
                return separator
        return ","


def _bounded(handle: TextIO) -> Iterator[str]:
    """The lines of ``handle``; one longer than ``limits.MAX_RECORD_CHARS`` ends the file as a CSV error."""
    for line in bounded_lines(handle, limits.MAX_RECORD_CHARS):
        if line is None:
            raise csv.Error(f"a line longer than {limits.MAX_RECORD_CHARS:,} characters")
        yield line
