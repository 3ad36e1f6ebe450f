"""The signed envelope: permit -> CWT claims -> COSE_Sign1 -> zlib -> Base45 -> prefixed QR text, and back.

``seal`` builds the QR text. The layer functions (``strip_prefix``, ``decode_base45``, ``inflate``) undo one
layer each and raise ``EnvelopeError`` naming the layer, so verification can fail closed with one reason per
layer. ``docs/FORMAT.md`` is the public specification of every byte produced here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from typing import Protocol

from permits import limits
from permits.envelope import base45
from permits.envelope.algorithms import Algorithm, PrivateKey
from permits.envelope.cose import encode_sign1
from permits.model import Permit
from permits.payload import claims_for, encode_claims

PREFIX = "CP1:"
"""Context identifier of version 1 of the permit envelope."""

KID_BYTES = 8


class EnvelopeError(ValueError):
    """One layer of the envelope could not be undone; ``layer`` is the verification check id."""

    def __init__(self, layer: str, message: str) -> None:
        self.layer = layer
        super().__init__(message)


class Signer(Protocol):
    """What sealing needs from a signing key."""

    @property
    def algorithm(self) -> Algorithm: ...
    @property
    def kid(self) -> bytes: ...
    @property
    def private_key(self) -> PrivateKey: ...


def key_id(spki_der: bytes) -> bytes:
    """The COSE ``kid``: the first 8 bytes of SHA-256 over the key's SubjectPublicKeyInfo DER."""
    return hashlib.sha256(spki_der).digest()[:KID_BYTES]


def seal(permit: Permit, signer: Signer, now: dt.datetime | None = None) -> str:
    """Sign ``permit`` and return its QR text (prefix + Base45 of the zlib-compressed COSE_Sign1)."""
    claims = claims_for(permit, now or dt.datetime.now(dt.UTC))
    message = encode_sign1(encode_claims(claims), signer.algorithm, signer.kid, signer.private_key)
    return PREFIX + base45.encode(zlib.compress(message, 9))


def strip_prefix(text: str, prefix: str = PREFIX) -> str:
    """The Base45 body after the context prefix; surrounding whitespace (scanner line ends) is ignored."""
    body = text.strip()
    if len(body) > limits.MAX_QR_TEXT_CHARS:
        raise EnvelopeError("prefix", f"QR text is {len(body)} characters; the limit is {limits.MAX_QR_TEXT_CHARS}")
    if not body.startswith(prefix):
        shown = body[: len(prefix)] or "(empty)"
        raise EnvelopeError("prefix", f"QR text starts with {shown!r}, not the permit prefix {prefix!r}")
    return body[len(prefix) :]


def decode_base45(body: str) -> bytes:
    """Base45-decode the body (RFC 9285, strict)."""
    try:
        data = base45.decode(body)
    except base45.Base45Error as error:
        raise EnvelopeError("base45", f"not valid Base45: {error}") from None
    return data


def inflate(data: bytes) -> bytes:
    """zlib-decompress with a hard cap on the output size (no zip bombs, no trailing garbage)."""
    decompressor = zlib.decompressobj()
    try:
        output = decompressor.decompress(data, limits.MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as error:
        raise EnvelopeError("zlib", f"not valid zlib data ({error})") from None
    if len(output) > limits.MAX_DECOMPRESSED_BYTES or decompressor.unconsumed_tail:
        raise EnvelopeError("zlib", f"decompresses to more than the limit of {limits.MAX_DECOMPRESSED_BYTES} bytes")
    if not decompressor.eof:
        raise EnvelopeError("zlib", "the zlib stream is truncated")
    if decompressor.unused_data:
        raise EnvelopeError("zlib", f"{len(decompressor.unused_data)} bytes of trailing data after the zlib stream")
    return output
