"""What an output format does: render verdicts (and input errors) to a text stream."""

from __future__ import annotations

from typing import Protocol

from permits.verification.result import Verdict


class VerdictFormat(Protocol):
    """Renders each verdict as soon as it is known (streaming: a scanner queue never waits for the batch)."""

    def verdict(self, verdict: Verdict) -> None: ...

    def input_error(self, source: str, message: str) -> None: ...
