"""What verification needs from a source of trusted keys, whatever stores them (local store, signed list).

A ``TrustedKey`` pins everything a verifier must not take from the permit itself: the Party the key signs for,
the algorithm, the window of issue dates it may sign, and the document types it may sign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from permits.codes import DocumentType
from permits.envelope.algorithms import Algorithm, PublicKey


@dataclass(frozen=True)
class TrustedKey:
    """One Management Authority key a verifier trusts."""

    party: str
    authority: str
    kid: bytes
    algorithm: Algorithm
    public_key: PublicKey
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    scope: frozenset[DocumentType] = field(default_factory=frozenset)
    """Document types the key may sign; empty means every type."""
    compromised_since: dt.date | None = None
    """Set when the key was withdrawn as compromised: everything it signed is void."""

    def allows(self, document_type: DocumentType) -> bool:
        return not self.scope or document_type in self.scope


class TrustSource(Protocol):
    """A set of trusted keys, looked up by kid (several keys may share a kid: all are returned)."""

    @property
    def description(self) -> str:
        """A short label for the human and JSON output, e.g. 'local trust store (development mode)'."""
        ...

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        """Every trusted key with this kid."""
        ...

    def problem(self, today: dt.date) -> str | None:
        """A reason no verdict can be VALID with this source (e.g. an expired list), or None."""
        ...
