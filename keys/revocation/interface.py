"""What verification asks about revocation, whatever stores the lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from permits.errors import InputError


class RevocationReason(StrEnum):
    """Why a permit was revoked (the ``reason`` field of a revocation entry)."""

    LOST = "lost"
    STOLEN = "stolen"
    REPLACED = "replaced"
    ERROR = "error"
    OTHER = "other"

    @classmethod
    def parse(cls, text: str, where: str) -> RevocationReason:
        """The reason named ``text``; ``where`` names the field or option in the error."""
        try:
            return cls(text)
        except ValueError:
            raise InputError(f"{where}: '{text}' is not a revocation reason ({', '.join(cls)})") from None


@dataclass(frozen=True)
class Revocation:
    """A revoked permit: since when, and why."""

    revoked: dt.date
    reason: RevocationReason


@dataclass(frozen=True)
class RevocationStatus:
    """The answer for one permit: what was consulted (in words), the revocation if any, or why there is none."""

    summary: str
    revocation: Revocation | None = None
    problem: str | None = None


class RevocationSource(Protocol):
    """Revocation lists a verifier has installed, one per issuing Party."""

    def status(self, party: str, number: str, today: dt.date) -> RevocationStatus:
        """Whether permit ``number`` of ``party`` is revoked; ``problem`` is set when the list cannot be used."""
        ...
