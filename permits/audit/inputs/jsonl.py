"""JSON Lines files: one JSON object per line, the QR text under a key (``--payload-column``, default
``payload``; of several keys given, the first the object has). A line that is not JSON is unreadable, and so is
an object with that key twice (readers differ on which holds the permit); an object without the key holds no
permit. An earlier audit's report or findings file (left in an audited folder) is one
input without a permit, not one per row."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from permits import limits
from permits.audit.inputs.interface import AuditInput, open_text
from permits.fileio import bounded_lines

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
TOO_LONG = f"longer than {limits.MAX_RECORD_CHARS:,} characters; refused"


class JsonLinesSource:
    """One JSON object per line; the reference is ``FILE:LINE``. A file without any line is one input without a
    permit (as a text file without a QR text is: the report shows it was read)."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)

    def accepts(self, path: Path) -> bool:
        return path.suffix.lower() in JSONL_SUFFIXES

    def inputs(self, path: Path) -> Iterator[AuditInput]:
        file = str(path)
        first = True
        with open_text(path) as handle:
            for number, line in enumerate(bounded_lines(handle, limits.MAX_RECORD_CHARS), start=1):
                if line is None:
                    first = False
                    yield AuditInput(f"{file}:{number}", file, number, problem=TOO_LONG, unreadable=True)
                elif line.strip():
                    item = self._input(f"{file}:{number}", file, number, line)
                    if first and item.text is None and _written_by_an_audit(line):  # an earlier audit's output
                        yield AuditInput(file, file, problem=f"{file}: a cites audit report or findings file, not read")
                        return
                    first = False
                    yield item
        if first:
            yield AuditInput(file, file, problem=f"no JSON line in {file}")

    def _input(self, reference: str, file: str, number: int, line: str) -> AuditInput:
        try:
            document = json.loads(line, object_pairs_hook=_object)
        except ValueError as error:
            return AuditInput(reference, file, number, problem=f"not a JSON object ({error})", unreadable=True)
        except RecursionError:
            return AuditInput(reference, file, number, problem="not a JSON object (nested too deeply)", unreadable=True)
        keys = [key for key in self.columns if key in document] if isinstance(document, dict) else []
        if keys and keys[0] in getattr(document, "repeated", ()):  # which one holds the permit? Readers differ
            problem = f"the key '{keys[0]}' appears more than once in this JSON object"
            return AuditInput(reference, file, number, problem=problem, unreadable=True)
        value = document[keys[0]] if keys else None
        if not isinstance(value, str) or not value.strip():
            wanted = " or ".join(f"'{key}'" for key in self.columns)
            return AuditInput(reference, file, number, problem=f"no {wanted} text in this JSON line")
        return AuditInput(reference, file, number, text=value.strip())


class _Object(dict[str, Any]):
    """A JSON object that knows the keys it was written with more than once (``json`` keeps the last value)."""

    repeated: frozenset[str] = frozenset()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    document = _Object(pairs)
    if len(document) < len(pairs):  # counted once: a line of many keys must not cost their square
        counts = Counter(name for name, _ in pairs)
        document.repeated = frozenset(key for key, count in counts.items() if count > 1)
    return document


AUDIT_OUTPUT_KEYS = (frozenset({"input", "valid", "status", "checks"}), frozenset({"kind", "severity", "inputs"}))
"""The keys every row of an audit report, or of its findings file, has."""


def _written_by_an_audit(line: str) -> bool:
    try:
        document = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and any(keys <= document.keys() for keys in AUDIT_OUTPUT_KEYS)
