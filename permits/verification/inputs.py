"""What ``cites verify`` judges: the QR texts of its ``--payload`` options, of text files and standard input (one
per line, the way a handheld scanner types them), and of PDFs and images; for a source that gives none, why.
A text file is known by its suffix unless its first bytes are a PDF's or an image's. ``cites endorse`` reads its
one permit from a file the same way (``the_permit_text``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True)
class Scanned:
    """One thing to judge: a QR text, or why a source gave none (``unreadable`` marks an input error)."""

    source: str
    text: str | None = None
    problem: str | None = None
    unreadable: bool = False


def verification_inputs(files: Sequence[str], payloads: Sequence[str], stdin: TextIO) -> Iterator[Scanned]:
    """What ``cites verify`` judges, in order: each ``--payload``, then each FILE (``-``: ``stdin``)."""
    for index, text in enumerate(payloads):
        yield Scanned(f"--payload #{index + 1}", text)
    for name in files:
        if name == "-":
            yield from _scan_lines(stdin, "stdin")
        else:
            yield from _scan_file(Path(name))


def the_permit_text(path: Path) -> str:
    """The one QR text a file holds, read as ``cites verify`` reads it (``cites endorse``): an ``InputError`` for an
    unreadable file, or one holding no QR text or several."""
    from permits.errors import InputError

    texts = []
    for item in _scan_file(path):
        if item.unreadable:
            raise InputError(item.problem or f"{path}: unreadable")
        if item.text is not None:
            texts.append(item.text)
    if len(texts) != 1:
        what = "QR text lines" if _is_text_file(path) else "permit QR codes"
        raise InputError(f"{path}: holds {len(texts)} {what}; endorse exactly one (use --payload)")
    return texts[0]


def _scan_lines(stream: TextIO, where: str) -> Iterator[Scanned]:
    """One QR text per line (blank lines skipped), the way a handheld scanner types them; none is a verdict. A
    line over ``limits.MAX_INPUT_LINE_CHARS`` is an input error, never read whole."""
    from permits import limits
    from permits.fileio import bounded_lines

    found = False
    for number, line in enumerate(bounded_lines(stream), start=1):
        source = f"{where} line {number}"
        if line is None:  # an input error of its own, not also "no QR text" (as `cites audit` reads a line)
            found = True
            problem = f"{source}: {limits.LINE_TOO_LONG}"
            yield Scanned(source, problem=problem, unreadable=True)
        elif line.strip():
            found = True
            yield Scanned(source, line)
    if not found:
        yield Scanned(where, problem=f"no QR text in {where}")


def _scan_file(path: Path) -> Iterator[Scanned]:
    from permits.audit.inputs.text import binary_problem
    from permits.errors import CitesError
    from permits.fileio import require_regular_file
    from permits.reading import read_payloads

    try:  # before the first bytes are read: a pipe would block, a device never end
        require_regular_file(path, "PDF, image or QR text")
    except CitesError as error:
        yield Scanned(str(path), problem=str(error), unreadable=True)
        return
    if _is_text_file(path):
        try:  # the .txt file `cites issue` writes, or a scanner's log
            problem = binary_problem(path)
            if problem is not None:
                yield Scanned(str(path), problem=problem, unreadable=True)
                return
            with open(path, encoding="utf-8-sig", errors="replace") as handle:
                yield from _scan_lines(handle, str(path))
        except OSError as error:
            yield Scanned(str(path), problem=f"{path}: cannot read ({error.strerror or error})", unreadable=True)
        return
    try:
        found = read_payloads(path)
    except CitesError as error:
        yield Scanned(str(path), problem=str(error), unreadable=True)
        return
    if not found:
        yield Scanned(str(path), problem=f"no permit QR code found in {path}")
    for item in found:
        yield Scanned(item.source, item.text)


def _is_text_file(path: Path) -> bool:
    """Whether a regular file holds QR texts, one per line: a text suffix, unless its first bytes are a PDF's or
    an image's (the printed PDF saved under a text file's name is read as a PDF)."""
    from permits.audit.inputs.documents import DocumentSource
    from permits.audit.inputs.text import TEXT_SUFFIXES

    return path.suffix.lower() in TEXT_SUFFIXES and not DocumentSource().accepts_content(path)
