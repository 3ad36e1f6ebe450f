"""The signed trust list: every Management Authority key verifiers accept, signed by the root's threshold.

A trust list is a signed document of type ``cites-trust-list-v1``: a rising ``version``, ``issued`` and
``expires`` dates, and one entry per key ``{party, authority, kid, alg, public_key, valid_from, valid_to, scope,
compromised_since}``. A Party may have several keys (rotation): a retired key keeps its entry with a
``valid_to``, so the permits it signed stay verifiable. A compromised key keeps its entry too, marked with
``compromised_since``, so a verifier can say why everything it signed is void.

A Management Authority hands its public key to the root holders as a *key proposal* file (``cites trust
propose-key``); the root holders draft the next list from the current one plus proposals, sign it k of n, and
publish it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from keys.keyfile import PublicKeyInfo
from keys.signed import (
    Header,
    KeyRecord,
    Reader,
    SignedDocument,
    encode_public_key,
    find_keyid,
    load_document,
    parse_json,
    pretty_json,
    read_file,
    unsigned,
)
from keys.trust.interface import TrustedKey
from permits import limits
from permits.codes import DOCUMENT_TYPE_NAMES, DocumentType
from permits.errors import InputError
from permits.fileio import write_bytes_atomic
from permits.model import is_iso_country

LIST_TYPE = "cites-trust-list-v1"
PROPOSAL_TYPE = "cites-key-proposal-v1"
ENTRY_FIELDS = (
    "party",
    "authority",
    "kid",
    "alg",
    "public_key",
    "valid_from",
    "valid_to",
    "scope",
    "compromised_since",
)
SCOPE_NAMES: dict[str, DocumentType] = {name: kind for kind, name in DOCUMENT_TYPE_NAMES.items()}
"""Scope values: ``export``, ``re-export``, ``import``, ``other``, written in this order."""


def parse_scope(names: Sequence[str], where: str) -> tuple[DocumentType, ...]:
    """Document-type names to a non-empty tuple in canonical order; unknown or repeated names are refused."""
    kinds = []
    for name in names:
        kind = SCOPE_NAMES.get(name)
        if kind is None:
            raise InputError(f"{where}: '{name}' is not a document type ({', '.join(SCOPE_NAMES)})")
        if kind in kinds:
            raise InputError(f"{where}: '{name}' is given twice")
        kinds.append(kind)
    if not kinds:
        raise InputError(f"{where}: give at least one document type ({', '.join(SCOPE_NAMES)})")
    return tuple(kind for kind in DocumentType if kind in kinds)


@dataclass(frozen=True)
class KeyEntry:
    """One Management Authority key in a trust list."""

    party: str
    authority: str
    key: KeyRecord
    valid_from: dt.date | None
    valid_to: dt.date | None
    scope: tuple[DocumentType, ...]
    compromised_since: dt.date | None = None

    @property
    def kid(self) -> bytes:
        """The COSE kid: the first 8 bytes of the key id."""
        return bytes.fromhex(self.key.keyid[:16])

    def to_json(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "authority": self.authority,
            "kid": self.kid.hex(),
            "alg": self.key.algorithm.value,
            "public_key": encode_public_key(self.key.public_key),
            "valid_from": _date_or_none(self.valid_from),
            "valid_to": _date_or_none(self.valid_to),
            "scope": [DOCUMENT_TYPE_NAMES[kind] for kind in self.scope],
            "compromised_since": _date_or_none(self.compromised_since),
        }

    @classmethod
    def from_json(cls, reader: Reader, value: object, where: str) -> KeyEntry:
        entry = reader.record(value, where, ENTRY_FIELDS)
        party = reader.text(entry, "party", where)
        if not is_iso_country(party):
            raise reader.fail(f"{where}.party", f"'{party}' is not an ISO 3166-1 alpha-2 code (upper case)")
        authority = reader.text(entry, "authority", where)
        if len(authority) > limits.MAX_TEXT_CHARS:
            raise reader.fail(f"{where}.authority", f"longer than {limits.MAX_TEXT_CHARS} characters")
        key = reader.public_key(entry, where)
        if reader.text(entry, "kid", where) != key.keyid[:16]:
            raise reader.fail(f"{where}.kid", "is not the first 8 bytes of SHA-256 of the public key")
        valid_from = reader.optional_date(entry, "valid_from", where)
        valid_to = reader.optional_date(entry, "valid_to", where)
        if valid_from and valid_to and valid_to < valid_from:
            raise reader.fail(f"{where}.valid_to", f"{valid_to} is before valid_from {valid_from}")
        names = reader.array(entry["scope"], f"{where}.scope")
        if not all(isinstance(name, str) for name in names):
            raise reader.fail(f"{where}.scope", "must be an array of document-type names")
        scope = parse_scope(names, f"{reader.source}: {where}.scope")
        compromised = reader.optional_date(entry, "compromised_since", where)
        return cls(party, authority, key, valid_from, valid_to, scope, compromised)

    def trusted_key(self) -> TrustedKey:
        return TrustedKey(
            party=self.party,
            authority=self.authority,
            kid=self.kid,
            algorithm=self.key.algorithm,
            public_key=self.key.public_key,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            scope=frozenset(self.scope),
            compromised_since=self.compromised_since,
        )

    def state(self, today: dt.date) -> str:
        """'COMPROMISED since D', 'retired after D', 'valid from D', 'current until D' or 'current'."""
        if self.compromised_since:
            return f"COMPROMISED since {self.compromised_since}"
        if self.valid_to and self.valid_to < today:
            return f"retired after {self.valid_to}"
        if self.valid_from and self.valid_from > today:
            return f"valid from {self.valid_from}"
        return f"current until {self.valid_to}" if self.valid_to else "current"


def _date_or_none(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class TrustList:
    """A parsed, well-formed trust list (signatures are checked against a root by ``Root.require_signed``)."""

    document: SignedDocument
    header: Header
    keys: tuple[KeyEntry, ...]

    @classmethod
    def from_document(cls, document: SignedDocument) -> TrustList:
        reader = Reader(document.source)
        header = document.header(reader, ("keys",))
        if header.type != LIST_TYPE:
            raise reader.fail("signed.type", f"is '{header.type}', not a trust list ('{LIST_TYPE}')")
        keys = tuple(
            KeyEntry.from_json(reader, raw, f"signed.keys[{index}]")
            for index, raw in enumerate(reader.array(document.signed["keys"], "signed.keys"))
        )
        seen: set[str] = set()
        for index, entry in enumerate(keys):
            if entry.key.keyid in seen:
                raise reader.fail(f"signed.keys[{index}]", f"key {entry.key.keyid[:16]} is listed twice")
            seen.add(entry.key.keyid)
        return cls(document, header, keys)

    def trusted_keys(self) -> tuple[TrustedKey, ...]:
        return tuple(entry.trusted_key() for entry in self.keys)

    def to_json(self, today: dt.date) -> dict[str, Any]:
        """The list as ``cites trust show --json`` reports it: version, dates, fingerprint, signing key ids and
        each key with its state on ``today``."""
        return {
            "version": self.header.version,
            "issued": self.header.issued.isoformat(),
            "expires": self.header.expires.isoformat(),
            "fingerprint": self.document.fingerprint(),
            "signatures": [signature.keyid for signature in self.document.signatures],
            "keys": [{**entry.to_json(), "state": entry.state(today)} for entry in self.keys],
        }


def load_trust_list(path: Path) -> TrustList:
    """Read a trust list (draft or signed; signatures are not checked here)."""
    return TrustList.from_document(load_document(path, {LIST_TYPE: "trust list"}))


def proposal_for(
    info: PublicKeyInfo,
    party: str,
    authority: str,
    scope: tuple[DocumentType, ...],
    valid_from: dt.date | None,
    valid_to: dt.date | None,
) -> KeyEntry:
    """The trust-list entry a Management Authority proposes for its public key."""
    if info.party is not None and info.party.upper() != party:
        raise InputError(f"--party: the certificate names Party {info.party}, not {party}")
    if valid_from and valid_to and valid_to < valid_from:
        raise InputError(f"--valid-to: {valid_to} is before --valid-from {valid_from}")
    return KeyEntry(party, authority, KeyRecord.of(info.public_key, info.algorithm), valid_from, valid_to, scope)


def write_proposal(path: Path, entry: KeyEntry) -> None:
    write_bytes_atomic(path, pretty_json({"type": PROPOSAL_TYPE, "key": entry.to_json()}))


def load_proposal(path: Path) -> KeyEntry:
    """Read a key proposal file written by ``cites trust propose-key``."""
    reader = Reader(str(path))
    document = reader.record(parse_json(read_file(path, "key proposal"), str(path)), "document", ("type", "key"))
    if document["type"] != PROPOSAL_TYPE:
        raise reader.fail("type", f"is {document['type']!r}, not a key proposal ('{PROPOSAL_TYPE}')")
    entry = KeyEntry.from_json(reader, document["key"], "key")
    if entry.compromised_since is not None:
        raise reader.fail("key.compromised_since", "a proposal cannot mark a key compromised (use draft --compromised)")
    return entry


def find_entry(entries: Sequence[KeyEntry], prefix: str, option: str) -> int:
    """The index of the one entry whose key id starts with ``prefix``."""
    keyid = find_keyid((entry.key.keyid for entry in entries), prefix, option)
    return next(index for index, entry in enumerate(entries) if entry.key.keyid == keyid)


def draft_trust_list(
    base: TrustList | None,
    proposals: Sequence[KeyEntry],
    *,
    version: int | None,
    expires: dt.date,
    retire: Mapping[str, dt.date],
    compromised: Mapping[str, dt.date],
    today: dt.date,
    source: str,
) -> SignedDocument:
    """The next unsigned list: ``base``'s keys, plus or replaced by ``proposals``, with keys retired or withdrawn.

    ``retire`` and ``compromised`` map key-id prefixes to dates: a retired key signs nothing issued after its
    date; a compromised key voids everything it signed.
    """
    entries = list(base.keys if base else ())
    for proposal in proposals:
        same = [index for index, entry in enumerate(entries) if entry.key.keyid == proposal.key.keyid]
        if same:
            entries[same[0]] = proposal
        else:
            entries.append(proposal)
    for prefix, day in retire.items():
        index = find_entry(entries, prefix, "--retire")
        valid_from = entries[index].valid_from
        if valid_from and day < valid_from:
            raise InputError(f"--retire: {day} is before the key's valid_from {valid_from}")
        entries[index] = replace(entries[index], valid_to=day)
    for prefix, day in compromised.items():
        index = find_entry(entries, prefix, "--compromised")
        entries[index] = replace(entries[index], compromised_since=day)
    base_version = base.header.version if base else 0
    number = version if version is not None else base_version + 1
    if number <= base_version:
        raise InputError(f"--version: {number} is not above the base list's version {base_version}")
    if expires < today:
        raise InputError(f"--expires: {expires} is in the past")
    entries.sort(key=lambda entry: (entry.party, entry.valid_from or dt.date.min, entry.key.keyid))
    header = Header(LIST_TYPE, number, today, expires)
    document = unsigned({**header.to_json(), "keys": [entry.to_json() for entry in entries]}, source)
    TrustList.from_document(document)
    return document
