"""The signature algorithms a permit may be signed with, and the only code that signs or verifies bytes.

ES256 (ECDSA P-256 with SHA-256, raw r||s signatures as COSE requires) is the default and mandatory to
implement; EdDSA (Ed25519) is optional. Each algorithm checks that the key is of the right kind *and curve*
before anything else, so a header that says ES256 can never be verified with a P-384 key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

P256_COORDINATE_BYTES = 32
ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())
"""The ES256 signature scheme (immutable; built once: making it took a microsecond of every verification)."""

UNSUPPORTED_KEY = "a key on an unsupported curve or of an unsupported kind"
"""What a key the cryptography library cannot load at all is (it raises ``UnsupportedAlgorithm``: sect163k1...)."""


class Algorithm(StrEnum):
    """A permitted signature algorithm; the value is its JOSE/COSE name."""

    ES256 = "ES256"
    EDDSA = "EdDSA"

    @property
    def cose_id(self) -> int:
        return COSE_IDS[self]

    @classmethod
    def from_cose_id(cls, value: object) -> Algorithm | None:
        """The algorithm for a COSE ``alg`` header value, or None when it is not one we allow."""
        for algorithm, cose_id in COSE_IDS.items():
            if type(value) is int and value == cose_id:
                return algorithm
        return None

    @classmethod
    def parse(cls, name: str) -> Algorithm:
        for algorithm in cls:
            if algorithm.value.lower() == name.strip().lower():
                return algorithm
        raise ValueError(f"'{name}' is not a supported algorithm (ES256, EdDSA)")


COSE_IDS: dict[Algorithm, int] = {Algorithm.ES256: -7, Algorithm.EDDSA: -8}


@dataclass(frozen=True)
class KeyMismatch:
    """Why a key cannot be used with an algorithm."""

    message: str


def key_mismatch(algorithm: Algorithm, key: PublicKey | PrivateKey) -> KeyMismatch | None:
    """None if ``key`` is the kind and curve ``algorithm`` needs, else the reason it is not."""
    if algorithm is Algorithm.ES256:
        if not isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
            return KeyMismatch(f"ES256 needs a P-256 key, got {describe_key(key)}")
        if not isinstance(key.curve, ec.SECP256R1):
            return KeyMismatch(f"ES256 needs a P-256 key, got a {key.curve.name} key")
        return None
    if not isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return KeyMismatch(f"EdDSA needs an Ed25519 key, got {describe_key(key)}")
    return None


def describe_key(key: object) -> str:
    """A short human description of a key: 'a P-256 key', 'an Ed25519 key', 'an RSA key'."""
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return {"secp256r1": "a P-256 key", "secp384r1": "a P-384 key", "secp521r1": "a P-521 key"}.get(
            key.curve.name, f"a {key.curve.name} key"
        )
    if isinstance(key, ed25519.Ed25519PublicKey | ed25519.Ed25519PrivateKey):
        return "an Ed25519 key"
    return f"an unsupported {type(key).__name__.lstrip('_')}"


def algorithm_for_key(key: PublicKey | PrivateKey) -> Algorithm:
    """The algorithm a key signs with; raises ValueError for keys we do not support."""
    for algorithm in Algorithm:
        if key_mismatch(algorithm, key) is None:
            return algorithm
    raise ValueError(f"{describe_key(key)} cannot sign permits (use P-256 for ES256 or Ed25519 for EdDSA)")


def sign(algorithm: Algorithm, private_key: PrivateKey, message: bytes) -> bytes:
    """Sign ``message``; ES256 signatures are returned as the 64-byte r||s COSE uses."""
    mismatch = key_mismatch(algorithm, private_key)
    if mismatch:
        raise ValueError(mismatch.message)
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(message)
    der = private_key.sign(message, ECDSA_SHA256)
    r, s = decode_dss_signature(der)
    return r.to_bytes(P256_COORDINATE_BYTES, "big") + s.to_bytes(P256_COORDINATE_BYTES, "big")


def verify(algorithm: Algorithm, public_key: PublicKey, message: bytes, signature: bytes) -> bool:
    """True only if ``signature`` is a valid ``algorithm`` signature of ``message`` by ``public_key``."""
    if key_mismatch(algorithm, public_key) is not None:
        return False
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, message)
            return True
        if len(signature) != 2 * P256_COORDINATE_BYTES:
            return False
        r = int.from_bytes(signature[:P256_COORDINATE_BYTES], "big")
        s = int.from_bytes(signature[P256_COORDINATE_BYTES:], "big")
        public_key.verify(encode_dss_signature(r, s), message, ECDSA_SHA256)
        return True
    except (InvalidSignature, ValueError):
        return False
