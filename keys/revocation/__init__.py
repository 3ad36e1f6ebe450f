"""Revoked-permit lists: each Management Authority signs a versioned list of the permits it revoked.

``interface`` is what verification asks (``RevocationSource``); ``lists`` the signed list format and the permit
hash; ``register`` the issuing authority's own register (``cites revoke``, ``cites revocations publish``);
``installed`` a verifier's installed lists (``cites revocations update``) as a ``RevocationSource``.
"""
