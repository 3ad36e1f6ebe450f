"""An independent verifier written only from docs/FORMAT.md accepts the tool's permits.

Nothing here imports the project's envelope, payload or verification code: Base45, zlib, COSE_Sign1, the
kid, the claims and the permit map are decoded from the specification alone, with cbor2 and cryptography.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from typing import Any

import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from permits.envelope import seal
from permits.envelope.algorithms import Algorithm
from tests.conftest import EXAMPLE_PERMITS, MakeAuthority, example_permit

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def spec_base45_decode(text: str) -> bytes:
    """FORMAT.md 3.1/3.2."""
    values = [ALPHABET.index(char) for char in text]
    if len(values) % 3 == 1:
        raise ValueError("dangling character")
    out = bytearray()
    for start in range(0, len(values), 3):
        group = values[start : start + 3]
        number = sum(value * 45**power for power, value in enumerate(group))
        if len(group) == 3:
            if number > 0xFFFF:
                raise ValueError("overflow")
            out += bytes([number // 256, number % 256])
        else:
            if number > 0xFF:
                raise ValueError("overflow")
            out.append(number)
    return bytes(out)


def spec_base45_encode(data: bytes) -> str:
    """FORMAT.md 3.1."""
    out: list[str] = []
    for start in range(0, len(data), 2):
        chunk = data[start : start + 2]
        number = int.from_bytes(chunk, "big")
        digits = 3 if len(chunk) == 2 else 2
        out.extend(ALPHABET[number // 45**power % 45] for power in range(digits))
    return "".join(out)


def spec_verify(text: str, public_key_spki_der: bytes, party: str, now: dt.datetime) -> dict[str, Any]:
    """FORMAT.md sections 2-7, returning the permit map when every check passes."""
    assert text.startswith("CP1:")
    cose_bytes = zlib.decompress(spec_base45_decode(text[4:]))
    message = cbor2.loads(cose_bytes)
    assert isinstance(message, cbor2.CBORTag) and message.tag == 18
    protected_bytes, unprotected, payload, signature = message.value
    protected = cbor2.loads(protected_bytes)
    assert unprotected == {}
    assert protected[4] == hashlib.sha256(public_key_spki_der).digest()[:8]
    to_be_signed = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    public_key = serialization.load_der_public_key(public_key_spki_der)
    if protected[1] == -7:
        assert isinstance(public_key, ec.EllipticCurvePublicKey) and len(signature) == 64
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        public_key.verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))
    else:
        assert protected[1] == -8 and isinstance(public_key, ed25519.Ed25519PublicKey)
        public_key.verify(signature, to_be_signed)
    claims = cbor2.loads(payload)
    assert claims[1] == party
    assert claims[6] <= now.timestamp() < claims[4]
    permit = claims[-65537]
    assert permit["v"] == 1 and permit["ma"]["c"] == party
    valid_until = dt.date.fromisoformat(permit["vu"])
    assert claims[4] == dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp()
    assert cbor2.dumps(claims, canonical=True) == payload, "claims must use the deterministic encoding"
    return dict(permit)


@pytest.mark.parametrize("algorithm", list(Algorithm))
@pytest.mark.parametrize("example", EXAMPLE_PERMITS)
def test_independent_verifier_accepts_issued_permits(
    make_authority: MakeAuthority, algorithm: Algorithm, example: str
) -> None:
    permit = example_permit(example)
    authority = make_authority(party=permit.issuing_party, algorithm=algorithm)
    text = seal(permit, authority.key)
    spki = authority.key.private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    decoded = spec_verify(text, spki, permit.issuing_party, dt.datetime.now(dt.UTC))
    assert decoded["n"] == permit.number
    assert decoded["it"][0]["sn"] == permit.items[0].scientific_name
    assert decoded["t"] == permit.document_type.value


def test_independent_verifier_rejects_a_changed_permit(make_authority: MakeAuthority) -> None:
    authority = make_authority()
    text = seal(example_permit(), authority.key)
    cose = cbor2.loads(zlib.decompress(spec_base45_decode(text[4:])))
    claims = cbor2.loads(cose.value[2])
    claims[-65537]["it"][0]["q"] = "20"
    protected, unprotected, _payload, signature = cose.value
    cose = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims, canonical=True), signature])
    spki = authority.key.private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = "CP1:" + spec_base45_encode(zlib.compress(cbor2.dumps(cose)))
    with pytest.raises(InvalidSignature):
        spec_verify(forged, spki, "KE", dt.datetime.now(dt.UTC))
