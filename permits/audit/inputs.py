"""Audit inputs, streamed: each item is a QR text (or why a source gave none) with a stable reference.

References (``file``, ``file line N``, ``file page N``) identify inputs across runs, so ``--resume`` can skip
what the report already holds. Memory stays flat: files are read one line or one page at a time.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = (".txt", ".log", ".qr")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
DOCUMENT_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".heic", ".heif")


@dataclass(frozen=True)
class AuditInput:
    """One thing to judge; ``text`` is None when the source held no permit (``problem`` says why)."""

    reference: str
    text: str | None = None
    problem: str | None = None


def files_of(paths: list[Path]) -> Iterator[Path]:
    """The files named, with directories walked recursively in sorted order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(child for child in path.rglob("*") if child.is_file() and not child.name.startswith("."))
        else:
            yield path


def stream(paths: list[Path], payload_column: str = "payload") -> Iterator[tuple[str, Path, str | None]]:
    """(reference, file, QR text or None for a document file to read) for every input, in order."""
    for path in files_of(paths):
        suffix = path.suffix.lower()
        if suffix in DOCUMENT_SUFFIXES:
            yield str(path), path, None
        elif suffix in JSONL_SUFFIXES:
            with open(path, encoding="utf-8-sig", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield f"{path} line {number}", path, _json_payload(line, payload_column)
        elif suffix in CSV_SUFFIXES:
            with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
                for number, row in enumerate(csv.DictReader(handle), start=2):
                    yield f"{path} line {number}", path, (row.get(payload_column) or "")
        else:
            with open(path, encoding="utf-8-sig", errors="replace") as handle:
                for number, line in enumerate(handle, start=1):
                    if line.strip():
                        yield f"{path} line {number}", path, line.strip()


def _json_payload(line: str, column: str) -> str:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return ""
    return str(value.get(column, "")) if isinstance(value, dict) else ""
