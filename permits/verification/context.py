"""The state a verification accumulates as each check undoes one layer; checks read and fill it in order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from keys.trust.interface import TrustedKey, TrustSource
from permits.envelope.algorithms import Algorithm
from permits.envelope.cose import Sign1Message
from permits.model import Permit


@dataclass
class VerificationContext:
    """Inputs (text, trust, clock) and what the checks decoded so far."""

    trust: TrustSource
    now: dt.datetime
    """The clock: trust and revocation lists must be fresh now."""
    prefix: str
    clock_skew: dt.timedelta
    strict_cose: bool = True
    text: str | None = None
    external_aad: bytes = b""
    body: str | None = None
    compressed: bytes | None = None
    cose_bytes: bytes | None = None
    message: Sign1Message | None = None
    algorithm: Algorithm | None = None
    candidates: list[TrustedKey] = field(default_factory=list)
    key: TrustedKey | None = None
    claims: dict[Any, Any] | None = None
    permit: Permit | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    judged_at: dt.datetime | None = None
    """The moment the permit is judged as of (``cites verify --at``): its dates and the CITES listing."""

    @property
    def today(self) -> dt.date:
        """The clock's date (freshness of trust and revocation lists)."""
        return self.now.date()

    @property
    def moment(self) -> dt.datetime:
        """When the permit is judged as of: ``judged_at``, else now."""
        return self.judged_at or self.now
