"""Signed JSON documents: the one encoding shared by root metadata, trust lists and revocation lists.

A document is a JSON object ``{"signed": {...}, "signatures": [{"keyid": ..., "sig": ...}]}`` (the layout of TUF
metadata). Every signature covers the **canonical JSON** of the ``signed`` value: keys sorted, no white space,
UTF-8, integers only. Files on disk are pretty-printed for people; their white space is never signed, because
a verifier parses the file strictly and re-encodes ``signed`` canonically before checking signatures.

This module holds what every signed document needs: canonical encoding, strict parsing, the header every
document carries (``type``, ``version``, ``issued``, ``expires``), public-key records and key ids, signing,
counting valid signatures against a threshold, and the rollback and expiry rules. ``docs/FORMAT.md`` ("Trust
lists") specifies the same rules byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from keys.keyfile import SigningKey, spki_der
from permits import limits
from permits.envelope.algorithms import UNSUPPORTED_KEY, Algorithm, PublicKey, key_mismatch, sign, verify
from permits.errors import InputError, TrustStoreError
from permits.fileio import read_input_file, write_bytes_atomic

MAX_SAFE_INTEGER = 2**53 - 1
"""Integers beyond this are refused: every JSON implementation reads them exactly (RFC 8785, I-JSON)."""

KEYID_PATTERN = re.compile(r"[0-9a-f]{64}")
HEX_PATTERN = re.compile(r"(?:[0-9a-f]{2})+")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_SIGNATURE_BYTES = 128


class DocumentRejected(TrustStoreError):
    """A well-formed document that must not be trusted: bad signature, threshold not met, rollback, expired.

    Exit code 1, like a NOT VALID permit; a malformed file is an ``InputError`` (exit code 2).
    """

    exit_code = 1


def canonical_json(value: object) -> bytes:
    """The canonical JSON bytes of ``value``: sorted keys, no white space, UTF-8, no floats (RFC 8785 subset)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def pretty_json(value: object) -> bytes:
    """The file form of a JSON document: sorted keys, 2-space indent, UTF-8, final line feed."""
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n").encode()


def today_utc() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_date(text: str, where: str) -> dt.date:
    """A ``YYYY-MM-DD`` date; ``where`` names the field or option in the error."""
    try:
        if not DATE_PATTERN.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}: '{text}' is not a date YYYY-MM-DD") from None


def keyid_of(public_key: PublicKey) -> str:
    """The key id used in signatures: lowercase hex of SHA-256 over the SubjectPublicKeyInfo DER (64 digits).

    Its first 16 digits are the key's COSE ``kid``.
    """
    return hashlib.sha256(spki_der(public_key)).hexdigest()


def encode_public_key(public_key: PublicKey) -> str:
    """Standard Base64 (with padding) of the SubjectPublicKeyInfo DER."""
    return base64.b64encode(spki_der(public_key)).decode("ascii")


def find_keyid(keyids: Iterable[str], prefix: str, option: str) -> str:
    """The one key id that starts with ``prefix`` (16 or more hex digits; a kid is the first 16)."""
    wanted = prefix.strip().lower()
    matches = [keyid for keyid in keyids if keyid.startswith(wanted)]
    if len(wanted) < 16 or not matches:
        raise InputError(f"{option}: no key has a key id starting with '{prefix}' (give 16 or more hex digits)")
    if len(matches) > 1:
        raise InputError(f"{option}: '{prefix}' matches {len(matches)} keys; give more digits of the SHA-256 key id")
    return matches[0]


@dataclass(frozen=True)
class KeyRecord:
    """A public key that may sign documents, with its pinned algorithm and key id."""

    keyid: str
    algorithm: Algorithm
    public_key: PublicKey

    @classmethod
    def of(cls, public_key: PublicKey, algorithm: Algorithm) -> KeyRecord:
        return cls(keyid_of(public_key), algorithm, public_key)


class Reader:
    """Strict field access for a parsed document; the first problem raises ``InputError`` naming file and field."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"{self.source}: {where}: {message}")

    def record(self, value: object, where: str, fields: Iterable[str]) -> dict[str, Any]:
        """``value`` must be an object with exactly ``fields``."""
        value = self.mapping(value, where)
        expected = set(fields)
        missing = sorted(expected - value.keys())
        if missing:
            raise self.fail(where, f"missing field {', '.join(missing)}")
        unknown = sorted(value.keys() - expected)
        if unknown:
            raise self.fail(where, f"unknown field {', '.join(unknown)}")
        return value

    def mapping(self, value: object, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "must be a JSON object")
        return value

    def array(self, value: object, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(where, "must be a JSON array")
        return value

    def text(self, obj: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str] | None = None) -> str:
        value = obj[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", "must be non-empty text")
        if pattern is not None and not pattern.fullmatch(value):
            raise self.fail(f"{where}.{key}", f"'{value}' does not match {pattern.pattern}")
        return value

    def integer(self, obj: Mapping[str, Any], key: str, where: str, minimum: int) -> int:
        value = obj[key]
        if type(value) is not int or value < minimum:
            raise self.fail(f"{where}.{key}", f"must be an integer >= {minimum}")
        return value

    def date(self, obj: Mapping[str, Any], key: str, where: str) -> dt.date:
        value = obj[key]
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", "must be a date YYYY-MM-DD")
        return parse_date(value, f"{self.source}: {where}.{key}")

    def optional_date(self, obj: Mapping[str, Any], key: str, where: str) -> dt.date | None:
        return None if obj[key] is None else self.date(obj, key, where)

    def public_key(self, obj: Mapping[str, Any], where: str) -> KeyRecord:
        """The ``alg`` and ``public_key`` fields of ``obj`` as a key record (the key must fit the algorithm)."""
        try:
            algorithm = Algorithm(self.text(obj, "alg", where))
        except ValueError:
            raise self.fail(f"{where}.alg", f"'{obj['alg']}' is not ES256 or EdDSA") from None
        text = self.text(obj, "public_key", where)
        try:
            der = base64.b64decode(text, validate=True)
            key = serialization.load_der_public_key(der)
        except (binascii.Error, ValueError):
            raise self.fail(f"{where}.public_key", "not Base64 of a DER SubjectPublicKeyInfo") from None
        except UnsupportedAlgorithm as error:
            raise self.fail(f"{where}.public_key", f"{UNSUPPORTED_KEY} ({error})") from None
        mismatch = key_mismatch(algorithm, key)  # type: ignore[arg-type]
        if mismatch is not None:
            raise self.fail(f"{where}.public_key", mismatch.message)
        public_key: PublicKey = key  # type: ignore[assignment]
        if encode_public_key(public_key) != text:
            raise self.fail(f"{where}.public_key", "not in canonical form (DER SubjectPublicKeyInfo, padded Base64)")
        return KeyRecord.of(public_key, algorithm)


def parse_json(data: bytes, source: str) -> Any:
    """Parse JSON strictly: UTF-8, no duplicate keys, no floats or NaN, integers within +-(2**53 - 1)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"duplicate key '{key}'")
            result[key] = value
        return result

    def integer(text: str) -> int:
        value = int(text)
        if abs(value) > MAX_SAFE_INTEGER:
            raise ValueError(f"integer {text} is out of range")
        return value

    def refuse(text: str) -> Any:
        raise ValueError(f"non-integer number {text}")

    try:
        value = json.loads(
            data.decode("utf-8"), object_pairs_hook=unique, parse_float=refuse, parse_int=integer, parse_constant=refuse
        )
        canonical_json(value)  # lone surrogates cannot be encoded: refuse them now
    except UnicodeError:
        raise InputError(f"{source}: not UTF-8 text (or holds an unpaired surrogate)") from None
    except ValueError as error:
        raise InputError(f"{source}: not valid JSON for a signed document ({error})") from None
    except RecursionError:
        raise InputError(f"{source}: not valid JSON for a signed document (nested too deeply)") from None
    return value


def read_file(path: Path, what: str) -> bytes:
    """The bytes of a signed document file (trust list, root, revocation list, export), size-limited."""
    return read_input_file(path, what, limits.MAX_SIGNED_DOCUMENT_BYTES)


@dataclass(frozen=True)
class Signature:
    """One signature: the signer's key id and the signature bytes (hex in the file)."""

    keyid: str
    sig: bytes

    def to_json(self) -> dict[str, str]:
        return {"keyid": self.keyid, "sig": self.sig.hex()}


@dataclass(frozen=True)
class Header:
    """The fields every signed document starts with."""

    type: str
    version: int
    issued: dt.date
    expires: dt.date

    def expired(self, today: dt.date) -> bool:
        """Whether the document's ``expires`` day is over on ``today`` (it is valid through that day, UTC)."""
        return today > self.expires

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "version": self.version,
            "issued": self.issued.isoformat(),
            "expires": self.expires.isoformat(),
        }


HEADER_FIELDS = ("type", "version", "issued", "expires")


@dataclass(frozen=True)
class SignedDocument:
    """A ``signed`` object with the signatures collected so far; ``source`` names it in messages."""

    signed: dict[str, Any]
    signatures: tuple[Signature, ...]
    source: str

    @property
    def type(self) -> str:
        return str(self.signed["type"])

    def signing_input(self) -> bytes:
        """What every signature signs: the canonical JSON of ``signed``."""
        return canonical_json(self.signed)

    def fingerprint(self) -> str:
        """SHA-256 of the signing input, hex: what people compare out of band (e.g. a root before pinning it)."""
        return hashlib.sha256(self.signing_input()).hexdigest()

    def header(self, reader: Reader, fields: Iterable[str]) -> Header:
        """Check ``signed`` has the header plus exactly ``fields``, and return the header."""
        signed = reader.record(self.signed, "signed", (*HEADER_FIELDS, *fields))
        header = Header(
            type=reader.text(signed, "type", "signed"),
            version=reader.integer(signed, "version", "signed", 1),
            issued=reader.date(signed, "issued", "signed"),
            expires=reader.date(signed, "expires", "signed"),
        )
        if header.expires < header.issued:
            raise reader.fail("signed.expires", f"{header.expires} is before the issue date {header.issued}")
        return header

    def to_bytes(self) -> bytes:
        """The file form: pretty-printed JSON with sorted keys (only ``signed``'s canonical form is signed)."""
        return pretty_json(
            {"signed": self.signed, "signatures": [signature.to_json() for signature in self.signatures]}
        )

    def write(self, path: Path) -> None:
        """Write the file form; refused when it is larger than any reader accepts (it could never be read back)."""
        data = self.to_bytes()
        limits.enforce(len(data), limits.MAX_SIGNED_DOCUMENT_BYTES, "bytes", f"{path} (as written)")
        write_bytes_atomic(path, data)

    def add_signature(self, key: SigningKey) -> SignedDocument:
        """Append ``key``'s signature; a key signs a document once."""
        keyid = keyid_of(key.private_key.public_key())
        if any(signature.keyid == keyid for signature in self.signatures):
            raise TrustStoreError(f"{self.source}: already signed by key {keyid[:16]}")
        signature = Signature(keyid, sign(key.algorithm, key.private_key, self.signing_input()))
        return SignedDocument(self.signed, (*self.signatures, signature), self.source)

    def keep_signatures(self, keyids: Iterable[str]) -> SignedDocument:
        """Only the signatures of ``keyids``, sorted by key id (what ``publish`` writes)."""
        wanted = set(keyids)
        kept = sorted((s for s in self.signatures if s.keyid in wanted), key=lambda s: s.keyid)
        return SignedDocument(self.signed, tuple(kept), self.source)


def unsigned(signed: dict[str, Any], source: str) -> SignedDocument:
    return SignedDocument(signed, (), source)


def load_document(path: Path, types: Mapping[str, str]) -> SignedDocument:
    """Read a signed document whose ``signed.type`` is one of ``types`` (type -> what to call it)."""
    return parse_document(read_file(path, " or ".join(types.values())), str(path), types)


def parse_document(data: bytes, source: str, types: Mapping[str, str]) -> SignedDocument:
    reader = Reader(source)
    document = reader.record(parse_json(data, source), "document", ("signed", "signatures"))
    signed = reader.mapping(document["signed"], "signed")
    kind = signed.get("type")
    if not isinstance(kind, str) or kind not in types:
        wanted = ", ".join(f"'{name}' ({what})" for name, what in types.items())
        raise reader.fail("signed.type", f"is {kind!r}; expected {wanted}")
    signatures = []
    keyids: set[str] = set()
    for index, raw in enumerate(reader.array(document["signatures"], "signatures")):
        where = f"signatures[{index}]"
        entry = reader.record(raw, where, ("keyid", "sig"))
        keyid = reader.text(entry, "keyid", where, KEYID_PATTERN)
        if keyid in keyids:  # as in TUF: else 80,000 bad signatures by one root key cost seconds at every load
            raise reader.fail(f"{where}.keyid", f"key {keyid[:16]} signed twice; a key signs a document once")
        keyids.add(keyid)
        sig = bytes.fromhex(reader.text(entry, "sig", where, HEX_PATTERN))
        if len(sig) > MAX_SIGNATURE_BYTES:
            raise reader.fail(f"{where}.sig", f"longer than {MAX_SIGNATURE_BYTES} bytes")
        signatures.append(Signature(keyid, sig))
    return SignedDocument(signed, tuple(signatures), source)


@dataclass(frozen=True)
class SignatureTally:
    """How a document's signatures fared against a set of keys."""

    valid: frozenset[str]
    """Key ids with a verifying signature (each key counts once; ``parse_document`` refuses a repeated key id)."""
    bad: int
    """Signatures by one of the keys that do not verify."""
    foreign: int
    """Signatures by keys outside the set."""

    def explain(self, threshold: int, signers: str) -> str:
        """E.g. '1 valid signature by root v1 keys, 2 required (1 does not verify: ...)'."""
        plural = "" if len(self.valid) == 1 else "s"
        details = []
        if self.bad:
            verb = "does" if self.bad == 1 else "do"
            details.append(f"{self.bad} {verb} not verify: the content changed after signing, or a forgery")
        if self.foreign:
            details.append(f"{self.foreign} by a key that is not one of them")
        extra = f" ({'; '.join(details)})" if details else ""
        return f"{len(self.valid)} valid signature{plural} by {signers}, {threshold} required{extra}"


def tally(document: SignedDocument, keys: Mapping[str, KeyRecord]) -> SignatureTally:
    """Verify every signature of ``document`` against ``keys`` (key id -> key record)."""
    message = document.signing_input()
    valid: set[str] = set()
    bad = foreign = 0
    for signature in document.signatures:
        key = keys.get(signature.keyid)
        if key is None:
            foreign += 1
        elif verify(key.algorithm, key.public_key, message, signature.sig):
            valid.add(key.keyid)
        else:
            bad += 1
    return SignatureTally(frozenset(valid), bad, foreign)


def require_threshold(document: SignedDocument, keys: Mapping[str, KeyRecord], threshold: int, signers: str) -> None:
    """Refuse ``document`` unless at least ``threshold`` distinct ``keys`` signed it."""
    result = tally(document, keys)
    if len(result.valid) < threshold:
        raise DocumentRejected(f"{document.source}: not signed by the threshold: {result.explain(threshold, signers)}")


def require_not_expired(source: str, what: str, header: Header, today: dt.date) -> None:
    """Refuse a document whose ``expires`` day is over (it is valid through that day, UTC)."""
    if header.expired(today):
        raise DocumentRejected(f"{source}: {what} v{header.version} expired on {header.expires}")


def require_not_older(source: str, what: str, header: Header, installed: Header) -> None:
    """Refuse a document issued before the installed one: a higher version does not make an older document
    newer (a replayed stale list re-numbered by a rogue signer)."""
    if header.issued < installed.issued:
        raise DocumentRejected(
            f"{source}: the {what} is issued {header.issued}, before the installed one ({installed.issued}): a "
            "newer list cannot be older"
        )


def require_newer(source: str, what: str, header: Header, installed: Header | None) -> None:
    """Refuse a version that is not strictly above the installed one (rollback or replay)."""
    if installed is None or header.version > installed.version:
        return
    if header.version == installed.version:
        raise DocumentRejected(
            f"{source}: {what} v{header.version} is already installed; a new one needs a higher version"
        )
    raise DocumentRejected(
        f"{source}: rollback refused: {what} v{header.version} is older than the installed v{installed.version}"
    )
