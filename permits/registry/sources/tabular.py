"""Reading the CSV exports tolerantly, shared by every CSV importer.

Files may be gzip-compressed (detected by content, not name), start with a UTF-8 byte-order mark, or be
Latin-1 instead of UTF-8. Columns are found by name (with aliases, case-insensitive) so optional columns may be
missing and their order does not matter. A row that cannot be used becomes a warning with the line number it
starts on, never an error; an unreadable file or a header without the required columns raises ``InputError``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from permits.errors import InputError
from permits.registry.model import clean_text
from permits.registry.sources.interface import ImportWarning, RegistrySource

GZIP_MAGIC = b"\x1f\x8b"
FIELD_SIZE_LIMIT = 1 << 27
_BOM_AS_LATIN1 = "\u00ef\u00bb\u00bf"


@contextmanager
def open_binary(path: Path) -> Iterator[BinaryIO]:
    """Open ``path`` for reading bytes, decompressing it on the fly when it is gzip data."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror or error})") from None
    with handle:
        if handle.read(2) == GZIP_MAGIC:
            handle.seek(0)
            with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                yield cast(BinaryIO, unzipped)
        else:
            handle.seek(0)
            yield handle


def read_prefix(path: Path, size: int = 65536) -> str:
    """The first ``size`` bytes of the (decompressed) file as text, for format detection."""
    try:
        with open_binary(path) as handle:
            data = handle.read(size)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{path}: cannot read the file ({error})") from None
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def read_bytes(path: Path) -> bytes:
    """The whole (decompressed) content of ``path``."""
    try:
        with open_binary(path) as handle:
            return handle.read()
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{path}: cannot read the file ({error})") from None


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: the line it starts on and its cells, looked up by canonical column name."""

    line: int
    cells: tuple[str, ...]
    index: Mapping[str, int]

    def __getitem__(self, column: str) -> str:
        """The cell of ``column`` with whitespace cleaned; "" when the column is absent or the cell empty."""
        position = self.index.get(column)
        if position is None or position >= len(self.cells):
            return ""
        return clean_text(self.cells[position]) or ""

    def raw(self, column: str) -> str:
        """The cell of ``column`` exactly as in the file (for multi-line annotation text)."""
        position = self.index.get(column)
        return self.cells[position] if position is not None and position < len(self.cells) else ""


def _header_key(cell: str) -> str:
    """A header cell compared without byte-order mark (also one misread as Latin-1), spaces and case."""
    return cell.replace(_BOM_AS_LATIN1, "").strip().lstrip("\ufeff").casefold()


def header_index(header: Sequence[str], columns: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Map canonical column names to positions in ``header``; ``columns`` gives each name's aliases."""
    positions = {_header_key(cell): i for i, cell in enumerate(header)}
    index: dict[str, int] = {}
    for name, aliases in columns.items():
        for alias in (name, *aliases):
            if alias.casefold() in positions:
                index[name] = positions[alias.casefold()]
                break
    return index


def read_rows(
    source: RegistrySource,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    expected: Sequence[str] = (),
) -> list[Row]:
    """All usable rows of the CSV file of ``source``; skipped rows become warnings on ``source``.

    The header must have the ``required`` and ``expected`` columns; rows with an empty ``required`` cell are
    skipped. Tries UTF-8 (with or without BOM) first and falls back to Latin-1 with a warning.
    """
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    needed = (tuple(required), tuple(expected))
    try:
        rows, warnings = _read_rows(source.path, columns, needed, "utf-8-sig")
    except UnicodeDecodeError:
        rows, warnings = _read_rows(source.path, columns, needed, "latin-1")
        warnings.insert(0, ImportWarning(str(source.path), None, "not valid UTF-8; read as Latin-1"))
    source.warnings += warnings
    return rows


def _read_rows(
    path: Path,
    columns: Mapping[str, Sequence[str]],
    needed: tuple[tuple[str, ...], tuple[str, ...]],
    encoding: str,
) -> tuple[list[Row], list[ImportWarning]]:
    required, expected = needed
    warnings: list[ImportWarning] = []
    rows: list[Row] = []
    try:
        with open_binary(path) as binary:
            reader = csv.reader(io.TextIOWrapper(binary, encoding=encoding, newline=""))
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: the file is empty")
            index = header_index(header, columns)
            missing = [name for name in (*required, *expected) if name not in index]
            if missing:
                raise InputError(f"{path}: not a recognised export: missing column(s) {', '.join(missing)}")
            width = len(header)
            positions = list(index.values())
            compact = {name: number for number, name in enumerate(index)}
            line = reader.line_num
            while True:
                start = line + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:
                    line = reader.line_num
                    warnings.append(ImportWarning(str(path), start, f"unreadable row skipped ({error})"))
                    continue
                line = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > width:
                    message = f"row has {len(cells)} fields but the header has {width}; skipped"
                    warnings.append(ImportWarning(str(path), start, message))
                    continue
                row = Row(start, tuple(cells[i] if i < len(cells) else "" for i in positions), compact)
                empty = [name for name in required if not row[name]]
                if empty:
                    warnings.append(ImportWarning(str(path), start, f"empty {', '.join(empty)}; row skipped"))
                    continue
                rows.append(row)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{path}: cannot read the file ({error})") from None
    return rows, warnings


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%b-%y", "%d-%b-%Y")


def parse_date(value: str) -> dt.date:
    """A date written DD/MM/YYYY (the Checklist's format), YYYY-MM-DD (ISO, also with a time) or DD-Mon-YY."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ].*", text):
        text = text[:10]
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (expected DD/MM/YYYY or YYYY-MM-DD)")


def split_list(value: str) -> list[str]:
    """A ", "-separated cell as a list of non-empty, trimmed items."""
    return [item for item in (part.strip() for part in value.split(",")) if item]
