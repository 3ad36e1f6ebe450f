"""COSE_Sign1 (RFC 9052) on cbor2: build the signed structure, parse it strictly, compute what is signed.

The wire form is ``18([protected: bstr, unprotected: map, payload: bstr, signature: bstr])``, optionally
inside the CWT tag 61. Issuers put ``alg`` (1) and ``kid`` (4) in the protected header. Verifiers read each
from the protected header, and from the unprotected one only when the protected header lacks it (the EU DCC
rule); this is safe because the verifier pins every key to one algorithm and never trusts ``alg`` alone.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from permits import limits
from permits.envelope.algorithms import Algorithm, PrivateKey, sign

COSE_SIGN1_TAG = 18
CWT_TAG = 61
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
SIGNATURE1_CONTEXT = "Signature1"


class CoseError(ValueError):
    """The bytes are not a well-formed COSE_Sign1 message; the message says which part is wrong."""


@dataclass(frozen=True)
class Sign1Message:
    """A parsed COSE_Sign1 message. ``protected_bytes`` are kept exactly as received: they are signed."""

    protected_bytes: bytes
    protected: Mapping[Any, Any]
    unprotected: Mapping[Any, Any]
    payload: bytes
    signature: bytes

    def header(self, label: int) -> object:
        """A header value: the protected one, else the unprotected one, else None."""
        if label in self.protected:
            return self.protected[label]
        return self.unprotected.get(label)

    @property
    def alg(self) -> object:
        return self.header(HEADER_ALG)

    @property
    def kid(self) -> bytes | None:
        kid = self.header(HEADER_KID)
        return kid if isinstance(kid, bytes) else None

    def to_be_signed(self, external_aad: bytes = b"") -> bytes:
        """The Sig_structure ``["Signature1", protected, external_aad, payload]`` the signature covers."""
        return cbor2.dumps([SIGNATURE1_CONTEXT, self.protected_bytes, external_aad, self.payload])


def encode_sign1(payload: bytes, algorithm: Algorithm, kid: bytes, private_key: PrivateKey) -> bytes:
    """Sign ``payload`` and return the tagged COSE_Sign1 bytes with ``alg`` and ``kid`` protected."""
    protected_bytes = cbor2.dumps({HEADER_ALG: algorithm.cose_id, HEADER_KID: kid}, canonical=True)
    unsigned = Sign1Message(protected_bytes, {}, {}, payload, b"")
    signature = sign(algorithm, private_key, unsigned.to_be_signed())
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, {}, payload, signature]))


def decode_cbor(data: bytes, what: str) -> Any:
    """Decode exactly one CBOR item with the project's limits: depth, no duplicate keys, no indefinite
    lengths, and no trailing bytes (``cbor2.loads`` alone would ignore them)."""
    stream = io.BytesIO(data)
    # cbor2 counts depth from 0, so max_depth N admits N + 1 levels of nesting.
    decoder = cbor2.CBORDecoder(
        stream, max_depth=limits.MAX_CBOR_DEPTH - 1, allow_duplicate_keys=False, allow_indefinite=False
    )
    try:
        item = decoder.decode()
    except Exception as error:  # cbor2 raises several types (CBORDecodeError, ValueError, ...)
        detail = str(error).split("\n")[0] or type(error).__name__
        raise CoseError(f"{what} is not valid CBOR ({detail})") from None
    if stream.tell() != len(data):
        raise CoseError(f"{what} has {len(data) - stream.tell()} bytes after its CBOR item")
    return item


def decode_sign1(data: bytes, strict: bool = True) -> Sign1Message:
    """Parse COSE_Sign1 bytes (tag 18, possibly inside the CWT tag 61) and check every field's type.

    ``strict`` is the permit profile (docs/FORMAT.md 4.2): the tag is required (RFC 9052 allows untagged
    messages where the context says what they are; the EU DCC profile, ``strict`` off, allows them too) and
    the headers hold no label but ``alg`` and ``kid``: one signed permit has one encoding, so a copy cannot be
    made to look different while its signature still holds. In both profiles a ``crit`` header is refused,
    as RFC 9052 requires of a recipient that understands no extension labels.
    """
    item = decode_cbor(data, "the COSE message")
    if isinstance(item, cbor2.CBORTag) and item.tag == CWT_TAG:
        item = item.value
    if isinstance(item, cbor2.CBORTag):
        if item.tag != COSE_SIGN1_TAG:
            raise CoseError(f"CBOR tag {item.tag} is not COSE_Sign1 (tag 18)")
        item = item.value
    elif strict:
        raise CoseError("the message must carry the COSE_Sign1 tag 18 (untagged messages are refused)")
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise CoseError("COSE_Sign1 must be an array of 4 items [protected, unprotected, payload, signature]")
    protected_bytes, unprotected, payload, signature = item
    if not isinstance(protected_bytes, bytes):
        raise CoseError("the protected header must be a byte string")
    if not isinstance(unprotected, Mapping):
        raise CoseError("the unprotected header must be a map")
    if not isinstance(payload, bytes):
        raise CoseError("the payload must be a byte string (detached payloads are not allowed)")
    if not isinstance(signature, bytes):
        raise CoseError("the signature must be a byte string")
    protected: Mapping[Any, Any] = {}
    if protected_bytes:
        protected = decode_cbor(protected_bytes, "the protected header")
        if not isinstance(protected, Mapping):
            raise CoseError("the protected header must encode a map")
    if HEADER_CRIT in protected or HEADER_CRIT in unprotected:
        raise CoseError("the message has critical header labels (crit), which this verifier does not understand")
    if strict:
        extra = (set(protected) | set(unprotected)) - {HEADER_ALG, HEADER_KID}
        if extra:
            raise CoseError(f"header labels {sorted(map(str, extra))} are not allowed (only alg 1 and kid 4)")
    overlap = set(protected) & set(unprotected)
    if overlap - {HEADER_KID}:
        raise CoseError(f"header labels {sorted(map(str, overlap))} appear in both protected and unprotected headers")
    return Sign1Message(protected_bytes, protected, unprotected, payload, signature)
