"""Trust: which Management Authority keys a verifier accepts. ``interface`` defines what verification asks of
any trust source; ``local`` is the development-mode store a single machine edits with ``cites trust add``."""
