"""JSON Lines output: one JSON object per permit (and per unreadable input) on standard output.

The fields are documented in README.md ("JSON output"); ``Verdict.to_json`` builds the object.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from permits.verification.result import Verdict, input_error_json


class JsonLinesFormat:
    """Writes each verdict as one line of JSON."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def _write(self, document: dict[str, Any]) -> None:
        self.stream.write(json.dumps(document, ensure_ascii=False, sort_keys=False) + "\n")
        self.stream.flush()

    def verdict(self, verdict: Verdict) -> None:
        self._write(verdict.to_json())

    def input_error(self, source: str, message: str) -> None:
        self._write(input_error_json(source, message))
