"""The verdict model: what a verification found, in a form both the human view and ``--json`` render.

``Status`` values are the short codes of the ``status`` JSON field (documented in README and docs/FORMAT.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from permits.model import Permit


class Status(StrEnum):
    """Short verdict codes; every code but VALID means NOT VALID."""

    VALID = "VALID"
    NO_PERMIT_FOUND = "NO_PERMIT_FOUND"
    MALFORMED = "MALFORMED"
    UNSUPPORTED_ALGORITHM = "UNSUPPORTED_ALGORITHM"
    TRUST_UNAVAILABLE = "TRUST_UNAVAILABLE"
    UNKNOWN_KEY = "UNKNOWN_KEY"
    KEY_MISMATCH = "KEY_MISMATCH"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    ISSUER_MISMATCH = "ISSUER_MISMATCH"
    INVALID_PERMIT = "INVALID_PERMIT"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    KEY_NOT_VALID = "KEY_NOT_VALID"
    KEY_SCOPE = "KEY_SCOPE"
    REVOKED = "REVOKED"
    RULE_VIOLATION = "RULE_VIOLATION"
    ALREADY_USED = "ALREADY_USED"


class Severity(StrEnum):
    """An error makes the permit NOT VALID; a warning is shown but keeps it valid; info is context."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class CheckResult(NamedTuple):
    """The outcome of one check: ``ok`` False with severity ERROR is what makes a verdict NOT VALID.

    A named tuple (immutable, and three times cheaper to create than a frozen dataclass: a verification makes
    about seventeen, an audit millions)."""

    id: str
    ok: bool
    message: str
    severity: Severity = Severity.ERROR
    status: Status | None = None
    """The verdict status this failure gives (only for failed error checks)."""

    @property
    def fails(self) -> bool:
        """Whether this result makes the verdict NOT VALID."""
        return not self.ok and self.severity is Severity.ERROR

    def to_json(self) -> dict[str, Any]:
        # str() of a StrEnum is its value, several times cheaper than ``.value`` (an audit makes millions)
        return {"id": self.id, "ok": self.ok, "severity": str(self.severity), "message": self.message}


def first_failure(results: Iterable[CheckResult]) -> CheckResult | None:
    """The first result that makes a verdict NOT VALID, if any (a plain loop: this runs after every check)."""
    for result in results:
        if result.fails:
            return result
    return None


@dataclass(frozen=True)
class SignerInfo:
    """The trusted key that verified the signature."""

    kid: str
    party: str
    authority: str
    algorithm: str
    trust_source: str


@dataclass
class Verdict:
    """The answer for one permit: valid or not, the one reason, and every check that ran."""

    checks: list[CheckResult]
    permit: Permit | None = None
    signer: SignerInfo | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    """Data later checks attach for the JSON view (e.g. the ledger's record of a use)."""

    @classmethod
    def not_read(cls, source: str, problem: str, status: Status = Status.NO_PERMIT_FOUND) -> Verdict:
        """The verdict on a source that gave no QR text to judge: one failed ``read`` check saying why."""
        return cls(checks=[CheckResult("read", False, problem, status=status)], source=source)

    @property
    def failure(self) -> CheckResult | None:
        return first_failure(self.checks)

    @property
    def valid(self) -> bool:
        return self.failure is None and bool(self.checks)

    @property
    def status(self) -> Status:
        return self._status(self.failure)

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok and c.severity is Severity.WARNING]

    @property
    def reason(self) -> str:
        return self._reason(self.failure)

    def _status(self, failure: CheckResult | None) -> Status:
        if failure is None:
            return Status.VALID if self.checks else Status.NO_PERMIT_FOUND
        return failure.status or Status.MALFORMED

    def _reason(self, failure: CheckResult | None) -> str:
        if failure is not None:
            return failure.message
        warnings = self.warnings
        if warnings:
            return f"valid, with {len(warnings)} warning(s): {warnings[0].message}"
        return "signature, trust and every check passed"

    def to_json(self) -> dict[str, Any]:
        failure = self.failure  # found once: valid, status and reason all follow from it
        document: dict[str, Any] = {
            "source": self.source,
            "valid": failure is None and bool(self.checks),
            "status": str(self._status(failure)),
            "reason": self._reason(failure),
            "permit": self.permit.to_mapping() if self.permit else None,
            "signer": vars(self.signer) if self.signer else None,
            "checks": [check.to_json() for check in self.checks],
        }
        document.update(self.extra)
        return document


def input_error_json(source: str, reason: str) -> dict[str, Any]:
    """The JSON view of an input that could not be read (``INPUT_ERROR``): the fields of a verdict, empty."""
    return {"source": source, "valid": False, "status": "INPUT_ERROR", "reason": reason, "permit": None,
            "signer": None, "checks": []}  # fmt: skip
