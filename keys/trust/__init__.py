"""Trust: which Management Authority keys a verifier accepts. ``interface`` defines what verification asks of
any trust source; ``root`` (root metadata, k of n root keys) and ``signed_list`` (the trust list they sign) are
the signed documents; ``installed`` pins a root and installs lists on a verifier; ``local`` is the
development-mode store a single machine edits with ``cites trust add``; ``active`` picks which one verification
uses."""
