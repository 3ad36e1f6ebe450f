"""Loading the third-party vectors in ../shared/vectors, and a fixed trust source built from them."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from keys.trust.interface import TrustedKey
from permits.envelope.algorithms import Algorithm, PublicKey
from tests.conftest import SHARED

VECTORS = SHARED / "vectors"


def vectors_dir(name: str) -> Path:
    """A vector folder, skipping the test when ../shared/vectors is not beside the repository."""
    path = VECTORS / name
    if not path.is_dir():
        pytest.skip(f"{path} is missing: the conformance vectors live in ../shared/vectors")
    return path


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def jwk_public_key(jwk: dict[str, str]) -> PublicKey | None:
    """The public key of a COSE-WG/JWK key description; None for curves this project does not support."""
    if jwk["kty"] == "EC" and jwk.get("crv") == "P-256":
        x = bytes.fromhex(jwk["x_hex"]) if "x_hex" in jwk else b64url(jwk["x"])
        y = bytes.fromhex(jwk["y_hex"]) if "y_hex" in jwk else b64url(jwk["y"])
        return ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()
    if jwk["kty"] == "OKP" and jwk.get("crv") == "Ed25519":
        x = bytes.fromhex(jwk["x_hex"]) if "x_hex" in jwk else b64url(jwk["x"])
        return ed25519.Ed25519PublicKey.from_public_bytes(x)
    return None


@dataclass
class FixedTrust:
    """A trust source holding exactly the keys a vector names."""

    keys: list[TrustedKey] = field(default_factory=list)
    description: str = "test vectors"

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        return [key for key in self.keys if key.kid == kid]

    def problem(self, today: dt.date) -> str | None:
        return None


def trusted(kid: bytes, algorithm: Algorithm, public_key: Any, party: str = "XX") -> TrustedKey:
    return TrustedKey(party=party, authority="vector signer", kid=kid, algorithm=algorithm, public_key=public_key)
