"""The verification pipeline: the ordered checks, run until the first failure (a failed date does not stop
them: an expired permit is still checked for revocation, rules and use).

The order is the one docs/FORMAT.md section 7 publishes: the permit's schema is checked right after the
signature, because the key-scope check needs the document type. Later stages (revocation, CITES rules, the
usage ledger) are passed in as ``extra_checks`` and run last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from keys.trust.interface import TrustSource
from permits.envelope import PREFIX
from permits.verification import checks
from permits.verification.context import VerificationContext
from permits.verification.result import CheckResult, SignerInfo, Verdict, first_failure

DEFAULT_CLOCK_SKEW = dt.timedelta(minutes=5)

ENVELOPE_CHECKS: tuple[checks.Check, ...] = (
    checks.PrefixCheck(),
    checks.Base45Check(),
    checks.ZlibCheck(),
    checks.CoseStructureCheck(),
    checks.AlgorithmCheck(),
    checks.TrustAvailableCheck(),
    checks.KidLookupCheck(),
    checks.KeyAlgorithmCheck(),
    checks.SignatureCheck(),
)
"""Prefix to signature: everything the envelope itself proves (the conformance vectors run these)."""

PERMIT_CHECKS: tuple[checks.Check, ...] = (
    checks.ClaimsCheck(),
    checks.IssuerCheck(),
    checks.PermitSchemaCheck(),
    checks.ValidityDatesCheck(),
    checks.KeyWindowCheck(),
    checks.KeyScopeCheck(),
)
"""What the signed content must satisfy once the signature is proven."""


class Verifier:
    """Verifies QR texts against a trust source; one instance serves many permits."""

    def __init__(
        self,
        trust: TrustSource,
        *,
        extra_checks: Sequence[checks.Check] = (),
        prefix: str = PREFIX,
        clock_skew: dt.timedelta = DEFAULT_CLOCK_SKEW,
        strict_cose: bool = True,
    ) -> None:
        """``prefix`` and ``strict_cose`` describe the envelope profile: for permits ``CP1:``, tag 18 and no
        header but alg and kid; the conformance tests use the EU DCC profile (``HC1:``, untagged allowed)."""
        self.trust = trust
        self.prefix = prefix
        self.clock_skew = clock_skew
        self.strict_cose = strict_cose
        self.checks: tuple[checks.Check, ...] = (*ENVELOPE_CHECKS, *PERMIT_CHECKS, *extra_checks)

    def verify(
        self, text: str, *, now: dt.datetime | None = None, at: dt.datetime | None = None, source: str | None = None
    ) -> Verdict:
        """The verdict for one QR text. ``now`` is the clock (default: the system's), against which the trust
        list, root and revocation lists must be fresh; ``at`` (default ``now``) is the moment the permit is
        judged as of: its validity dates and the CITES listing. A past ``at`` never revives expired trust."""
        context = self._context(now)
        context.judged_at = at or context.now
        context.text = text
        return self.run(context, self.checks, source)

    def verify_envelope(self, text: str, *, now: dt.datetime | None = None) -> Verdict:
        """Only the envelope layers (prefix to signature): for conformance vectors with foreign payloads."""
        context = self._context(now)
        context.text = text
        return self.run(context, ENVELOPE_CHECKS, None)

    def verify_cose(self, cose_bytes: bytes, *, external_aad: bytes = b"", now: dt.datetime | None = None) -> Verdict:
        """The COSE layers alone (structure to signature) for raw COSE_Sign1 bytes."""
        context = self._context(now)
        context.cose_bytes = cose_bytes
        context.external_aad = external_aad
        start = ENVELOPE_CHECKS.index(next(c for c in ENVELOPE_CHECKS if c.id == "cose"))
        return self.run(context, ENVELOPE_CHECKS[start:], None)

    def _context(self, now: dt.datetime | None) -> VerificationContext:
        return VerificationContext(
            trust=self.trust,
            now=now or dt.datetime.now(dt.UTC),
            prefix=self.prefix,
            clock_skew=self.clock_skew,
            strict_cose=self.strict_cose,
        )

    @staticmethod
    def run(context: VerificationContext, pipeline: Sequence[checks.Check], source: str | None) -> Verdict:
        """Run ``pipeline`` in order, stopping at the first failed error check that ``stops``."""
        results: list[CheckResult] = []
        for check in pipeline:
            outcome = check.run(context)
            results.extend(outcome)
            if check.stops and first_failure(outcome) is not None:
                break
        key = context.key
        signer = (
            SignerInfo(key.kid.hex(), key.party, key.authority, key.algorithm.value, context.trust.description)
            if key
            else None
        )
        return Verdict(checks=results, permit=context.permit, signer=signer, source=source, extra=context.extra)
