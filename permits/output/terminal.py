"""Text for a terminal: text from outside (file names, messages quoting them) made safe to show, and rows of
plain text aligned in columns.

A file name may hold control characters (an escape sequence could repaint the officer's screen green) or bytes
that are not UTF-8; both are shown as escapes (``\\x1b``, ``\\xe9``) instead of being sent to the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters (C0 except tab and line feed, DEL, C1) and unpaired surrogates."""


def terminal_safe(text: str) -> str:
    """``text`` with every unsafe character written as a backslash escape (``text`` itself when it has none)."""
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(lambda match: _escape(match.group()), text)


def one_line_safe(text: str) -> str:
    """``terminal_safe``, and line breaks, tabs and bidirectional marks escaped too: for a line that must stay
    one line as the reader sees it (a forged second line, or text reordered on screen, could pass for a verdict
    or a ledger entry)."""
    from permits.model import NOT_ON_ONE_LINE

    return NOT_ON_ONE_LINE.sub(lambda found: _escape(found.group()), terminal_safe(text))


def _escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as Python's file system decoding keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def aligned_rows(rows: Sequence[Sequence[str]], indent: str = "  ", gap: str = "  ") -> list[str]:
    """``rows`` as lines of plain text, each column as wide as its widest cell (in terminal cells: a wide
    character counts twice), so no cell however long pushes the columns after it out of line; the last column
    is not padded."""
    from rich.cells import cell_len

    widths = [max((cell_len(row[column]) for row in rows if column < len(row)), default=0) for column in
              range(max((len(row) for row in rows), default=0))]  # fmt: skip
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[column] - cell_len(cell)) for column, cell in enumerate(row[:-1])]
        lines.append(indent + gap.join([*cells, *row[-1:]]))
    return lines
