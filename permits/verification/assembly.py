"""Assembling the verifier this machine uses: its trust source and the stages after the signature checks.

The one place that decides which trust source, revocation lists, CITES rules and usage ledger a verification
consults, so ``cites verify``, ``cites endorse``, ``cites scan`` and ``cites audit`` all judge alike.
"""

from __future__ import annotations

from permits.verification.verifier import Verifier


def build_verifier(ledger_url: str | None = None) -> Verifier:
    """The verifier for this machine's ``CITES_HOME``; the usage ledger is consulted when one is configured
    (``--db``/``CITES_DB_URL``) or this post already has one, and is never created just by verifying: a
    configured SQLite ledger that is not there is a ``LedgerError`` (an empty one would find no use at all)."""
    from keys.revocation.installed import InstalledRevocations
    from keys.trust.active import active_trust_source
    from permits.ledger import ledger_exists, open_ledger
    from permits.registry.default import load_registry
    from permits.verification.checks import LedgerCheck, RevocationCheck, RulesCheck

    trust = active_trust_source()
    revocation = RevocationCheck(InstalledRevocations(trust))
    registry = load_registry()
    rules = RulesCheck(registry, registry.info().as_of)
    ledger = (LedgerCheck(open_ledger(ledger_url, existing=True)),) if ledger_exists(ledger_url) else ()
    return Verifier(trust, extra_checks=(revocation, rules, *ledger))
