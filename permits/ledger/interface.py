"""What a usage ledger records and answers, whatever database holds it.

A **use** is the Box 14 endorsement of one permit at a border post: per line, the quantity actually shipped,
with port, time and officer. One permit covers one consignment, so a permit has at most one use; the
database enforces it (a unique key on Party + permit number), never a check in Python. The **register**
holds every permit an authority issued (unique number and security stamp per Party). The **event log**
is hash-chained: each entry holds the hash of the one before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from permits.errors import CitesError


class LedgerError(CitesError):
    """The ledger cannot be used (bad URL, unreachable server, corrupt file): exit code 2."""


class EndorsementRefused(CitesError):
    """The ledger refused an endorsement or a registration (already used, over quantity, duplicate number)."""

    exit_code = 1

    def __init__(self, message: str, earlier: Use | None = None) -> None:
        self.earlier = earlier
        super().__init__(message)


class RegistrationRefused(CitesError):
    """``cites issue`` refused: the Party already issued this number, or used this security stamp (exit 2)."""


@dataclass(frozen=True)
class Use:
    """One endorsement: where, when and by whom a permit was used, and the quantity shipped per line (1-based)."""

    party: str
    number: str
    port: str
    officer: str
    endorsed_at: dt.datetime
    post: str
    quantities: dict[int, Decimal] = field(default_factory=dict)

    def describe(self) -> str:
        return f"at {self.port} on {self.endorsed_at:%Y-%m-%d %H:%M} UTC (officer {self.officer}, post {self.post})"

    def same_as(self, other: Use) -> bool:
        """The same endorsement seen twice (an idempotent re-import), not a second use."""
        return (self.post, self.port, self.endorsed_at, self.quantities) == (
            other.post, other.port, other.endorsed_at, other.quantities,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "number": self.number,
            "port": self.port,
            "officer": self.officer,
            "endorsed_at": self.endorsed_at.isoformat(timespec="seconds"),
            "post": self.post,
            "quantities": {str(line): format(quantity, "f") for line, quantity in sorted(self.quantities.items())},
        }


@dataclass(frozen=True)
class Issued:
    """A register entry: a permit an authority issued."""

    party: str
    number: str
    security_stamp: str | None
    issued_on: dt.date
    kid: str
    payload_hash: str


@dataclass(frozen=True)
class Alert:
    """Two different uses of one permit reported by two posts (found at import)."""

    party: str
    number: str
    first: Use
    second: Use

    def describe(self) -> str:
        return f"DOUBLE USE of {self.party} {self.number}: {self.first.describe()} and {self.second.describe()}"


@dataclass(frozen=True)
class ChainReport:
    """The result of recomputing the event log's hash chain."""

    entries: int
    head: str
    broken_at: int | None = None
    problem: str | None = None
