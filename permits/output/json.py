"""JSON Lines output: one JSON object per permit (and per unreadable input) on standard output.

The fields are documented in README.md ("JSON output"); ``Verdict.to_json`` builds the object.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from permits.verification.result import Verdict, input_error_json


def utf8_json(document: dict[str, Any]) -> str:
    """``document`` as compact-enough JSON text that encodes to valid UTF-8: non-ASCII as it is, except when a
    text holds an unpaired surrogate (how Python keeps a file name that is not UTF-8): then everything
    non-ASCII is escaped (``\\udce9``), which a JSON reader turns back into the same text."""
    text = json.dumps(document, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document)
    return text


class JsonLinesFormat:
    """Writes each verdict as one line of JSON."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def _write(self, document: dict[str, Any]) -> None:
        self.stream.write(utf8_json(document) + "\n")
        self.stream.flush()

    def verdict(self, verdict: Verdict) -> None:
        self._write(verdict.to_json())

    def input_error(self, source: str, message: str) -> None:
        self._write(input_error_json(source, message))
