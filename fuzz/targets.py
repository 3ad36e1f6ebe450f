"""What the fuzz targets share: a fixed trusted key (so fuzzing reaches past the signature) and its seeds.

The key is derived from a constant: it signs nothing but fuzz seeds and must never be trusted anywhere else.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from keys.keyfile import kid_of
from keys.trust.interface import TrustedKey
from permits.envelope.algorithms import Algorithm

CORPUS = Path(__file__).resolve().parent / "corpus"
FUZZ_KEY = ec.derive_private_key(0xC17E5F022, ec.SECP256R1())


class FuzzSigner:
    algorithm = Algorithm.ES256
    kid = kid_of(FUZZ_KEY.public_key())
    private_key = FUZZ_KEY


class FuzzTrust:
    """Trusts only the fuzz key, for every Party a seed uses."""

    description = "fuzz key"

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        if kid != FuzzSigner.kid:
            return []
        return [TrustedKey(party, "fuzz", kid, Algorithm.ES256, FUZZ_KEY.public_key()) for party in ("KE", "CM", "IT")]

    def problem(self, today: dt.date) -> str | None:
        return None
