"""Assembling the verifier this machine uses: its trust source and the stages after the signature checks.

The one place that decides which trust source, revocation lists, CITES rules and usage ledger a verification
consults, so ``cites verify``, ``cites endorse``, ``cites scan`` and ``cites audit`` all judge alike.
"""

from __future__ import annotations

from permits.verification.verifier import Verifier


def build_verifier() -> Verifier:
    """The verifier for this machine's ``CITES_HOME``."""
    from keys.revocation.installed import InstalledRevocations
    from keys.trust.active import active_trust_source
    from permits.registry.default import load_registry
    from permits.verification.checks import RevocationCheck, RulesCheck

    trust = active_trust_source()
    revocation = RevocationCheck(InstalledRevocations(trust))
    rules = RulesCheck(load_registry())
    return Verifier(trust, extra_checks=(revocation, rules))
