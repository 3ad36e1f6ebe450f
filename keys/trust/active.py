"""Which trust source verification uses on this machine."""

from __future__ import annotations

from keys.trust.interface import TrustSource
from keys.trust.local import LocalTrustStore


def active_trust_source() -> TrustSource:
    """The local trust store (development mode); signed trust lists take over once installed."""
    return LocalTrustStore.load()
