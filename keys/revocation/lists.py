"""The signed revoked-permit list of one Party (``cites-revocation-list-v1``) and the permit hash it lists.

Entries do not disclose permit numbers: each is ``hash = hex(SHA-256(UTF-8(iss + "|" + number))[:16])`` (the EU
DCC "COUNTRYCODEUCI" idea), with the date the permit was revoked and the reason. The list is signed by one
current key of its Party from the verifier's trust source and follows the rollback and expiry rules of every
signed document (``keys.signed``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from keys.revocation.interface import Revocation, RevocationReason
from keys.signed import (
    DocumentRejected,
    Header,
    KeyRecord,
    Reader,
    SignedDocument,
    keyid_of,
    load_document,
    require_threshold,
    unsigned,
)
from keys.trust.interface import TrustedKey, TrustSource
from permits.model import is_iso_country

LIST_TYPE = "cites-revocation-list-v1"
HASH_BYTES = 16
HASH_PATTERN = re.compile(r"[0-9a-f]{32}")
ENTRY_FIELDS = ("hash", "revoked", "reason")


def permit_hash(party: str, number: str) -> str:
    """The list entry of permit ``number`` issued by ``party``: 32 hex digits.

    The hashed bytes are the UTF-8 encoding of the Party code, a vertical bar and the permit number exactly as
    signed (the permit map's ``n``): ``"KE|KE/2026/ZOO/0001"``.
    """
    return hashlib.sha256(f"{party}|{number}".encode()).digest()[:HASH_BYTES].hex()


def _signed_on(key: TrustedKey, day: dt.date) -> bool:
    """Whether ``key`` could sign on ``day``: not compromised, and ``day`` inside its validity window."""
    return (
        key.compromised_since is None
        and (key.valid_from is None or key.valid_from <= day)
        and (key.valid_to is None or day <= key.valid_to)
    )


@dataclass(frozen=True)
class RevocationList:
    """A parsed, well-formed revocation list (its signature is checked by ``require_signed_by``)."""

    document: SignedDocument
    header: Header
    party: str
    entries: dict[str, Revocation]

    @classmethod
    def from_document(cls, document: SignedDocument) -> RevocationList:
        reader = Reader(document.source)
        header = document.header(reader, ("party", "entries"))
        if header.type != LIST_TYPE:
            raise reader.fail("signed.type", f"is '{header.type}', not a revocation list ('{LIST_TYPE}')")
        party = reader.text(document.signed, "party", "signed")
        if not is_iso_country(party):
            raise reader.fail("signed.party", f"'{party}' is not an ISO 3166-1 alpha-2 code (upper case)")
        entries: dict[str, Revocation] = {}
        for index, raw in enumerate(reader.array(document.signed["entries"], "signed.entries")):
            where = f"signed.entries[{index}]"
            entry = reader.record(raw, where, ENTRY_FIELDS)
            digest = reader.text(entry, "hash", where, HASH_PATTERN)
            if digest in entries:
                raise reader.fail(f"{where}.hash", f"{digest} is listed twice")
            revoked = reader.date(entry, "revoked", where)
            if revoked > header.issued:
                raise reader.fail(f"{where}.revoked", f"{revoked} is after the list's issue date {header.issued}")
            reason = RevocationReason.parse(reader.text(entry, "reason", where), f"{reader.source}: {where}.reason")
            entries[digest] = Revocation(revoked, reason)
        return cls(document, header, party, entries)

    @property
    def label(self) -> str:
        return f"revocation list of {self.party}"

    def require_signed_by(self, trust: TrustSource, today: dt.date, *, signing_today: bool = False) -> set[str]:
        """Refuse unless a key ``trust`` pins to this list's Party, valid on its issue date, signed it; with
        ``signing_today`` (installing a new list) the key must also be able to sign today: a retired key cannot
        date a list back into its window to un-revoke permits. Returns the key ids of the keys that may sign it."""
        problem = trust.problem(today)
        if problem:
            raise DocumentRejected(f"{self.document.source}: cannot check who signed the {self.label}: {problem}")
        if self.header.issued > today:
            raise DocumentRejected(f"{self.document.source}: the {self.label} is issued in the future")
        keys: dict[str, KeyRecord] = {}
        for signature in self.document.signatures:
            for key in trust.candidates(bytes.fromhex(signature.keyid[:16])):
                same_key = keyid_of(key.public_key) == signature.keyid
                current = _signed_on(key, today) if signing_today else True
                if same_key and key.party == self.party and _signed_on(key, self.header.issued) and current:
                    keys[signature.keyid] = KeyRecord(signature.keyid, key.algorithm, key.public_key)
        days = f"{self.header.issued} and today" if signing_today else str(self.header.issued)
        signers = f"trusted {self.party} keys valid on {days} and not compromised"
        require_threshold(self.document, keys, 1, signers)
        return set(keys)

    def lookup(self, number: str) -> Revocation | None:
        return self.entries.get(permit_hash(self.party, number))


def revocation_document(
    party: str, version: int, issued: dt.date, expires: dt.date, entries: Mapping[str, Revocation], source: str
) -> SignedDocument:
    """An unsigned revocation list, entries sorted by hash; checked as any received list would be."""
    header = Header(LIST_TYPE, version, issued, expires)
    rows = [
        {"hash": digest, "revoked": entry.revoked.isoformat(), "reason": entry.reason.value}
        for digest, entry in sorted(entries.items())
    ]
    document = unsigned({**header.to_json(), "party": party, "entries": rows}, source)
    RevocationList.from_document(document)
    return document


def load_revocation_list(path: Path) -> RevocationList:
    """Read a revocation list (its signature is not checked here)."""
    return RevocationList.from_document(load_document(path, {LIST_TYPE: "revocation list"}))
