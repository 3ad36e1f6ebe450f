"""Which trust source verification uses on this machine."""

from __future__ import annotations

from keys.trust.interface import TrustSource
from keys.trust.local import LocalTrustStore


def active_trust_source() -> TrustSource:
    """The signed trust list once a root is pinned (``cites trust init-root``), else the local trust store.

    The local store is development mode and says so in its ``description``. Once a root is pinned the local
    store is never consulted: a missing, expired or unverifiable signed list makes every verdict NOT VALID.
    """
    from keys.trust.installed import SignedTrustSource

    signed = SignedTrustSource.load()
    return signed if signed is not None else LocalTrustStore.load()
