"""Audit inputs, streamed: folders (walked recursively, in path order), PDFs and images, text files with one QR
text per line, JSON Lines and CSV files with a payload column.

``iter_inputs`` hands each file to the first source of ``sources()`` that accepts it. In a folder, files of no
known kind (and hidden ones) are skipped. A text file, or a file of no known kind named on the command line,
is read as a document when its first bytes say so, and otherwise as text. A file that cannot be opened or read
gives one unreadable input, and so do a device or a pipe (never opened: it could block or never end) and a
file whose name is not UTF-8 (its bytes escaped in the reference): every reference is Unicode text, as the
report files, the index and ``--resume`` need.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from permits.audit.inputs.csv import CsvSource
from permits.audit.inputs.documents import DocumentSource
from permits.audit.inputs.interface import AuditInput, InputSource
from permits.audit.inputs.jsonl import JsonLinesSource
from permits.audit.inputs.text import TextSource
from permits.errors import InputError
from permits.fileio import printable_path, require_regular_file

__all__ = ["AuditInput", "InputSource", "iter_inputs"]


def iter_inputs(
    paths: Sequence[Path], payload_columns: Sequence[str] = ("payload",), exclude: Collection[Path] = ()
) -> Iterator[AuditInput]:
    """Every unit of work in ``paths``, in a stable order (the order ``--resume`` relies on); files in
    ``exclude`` (the audit's own report and findings, which may sit in an input folder) are left out."""
    documents = DocumentSource()
    text = TextSource()
    sources: tuple[InputSource, ...] = (text, JsonLinesSource(payload_columns), CsvSource(payload_columns), documents)
    excluded = {path.resolve() for path in exclude}
    for path, named in _files(paths):
        if path.resolve() in excluded:
            continue
        shown = printable_path(path)
        if shown != str(path):  # report rows, the index and --resume need references that are Unicode text
            problem = f"{shown}: the file name is not UTF-8 text; rename the file to audit it"
            yield AuditInput(shown, shown, problem=problem, unreadable=True)
            continue
        source = next((candidate for candidate in sources if candidate.accepts(path)), None)
        if source is None and not named:
            continue
        try:  # before the first byte is read: a pipe would block the audit, a device never end
            require_regular_file(path, "audit input")
        except InputError as error:
            yield AuditInput(shown, shown, problem=str(error), unreadable=True)
            continue
        if source in (text, None):  # by first bytes: a PDF saved as .txt is still a PDF
            source = documents if documents.accepts_content(path) else text
        yield from _guarded(source, path)


def _guarded(source: InputSource, path: Path) -> Iterator[AuditInput]:
    try:
        yield from source.inputs(path)
    except OSError as error:
        yield AuditInput(str(path), str(path), problem=f"cannot read {path} ({error.strerror})", unreadable=True)


def _files(paths: Sequence[Path]) -> Iterator[tuple[Path, bool]]:
    """(file, named on the command line) for every file; a path given twice, or inside a folder given
    earlier, is read once."""
    seen: list[Path] = []
    for path in paths:
        resolved = path.resolve()
        if any(resolved == earlier or earlier in resolved.parents for earlier in seen):
            continue
        seen.append(resolved)
        if path.is_dir():
            yield from ((file, False) for file in _walk(path))
        else:
            yield path, True


def _walk(folder: Path) -> Iterator[Path]:
    """The files under ``folder`` in path order (a sub-folder's files where its name sorts), hidden ones left out."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        raise InputError(f"{folder}: cannot list the folder ({error.strerror})") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)
