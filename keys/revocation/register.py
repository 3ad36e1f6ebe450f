"""A Management Authority's own revocation register in ``CITES_HOME/revocation/issued/<PARTY>.json``.

``cites revoke`` adds a permit to it (``revoke_permit``: the register and the ledger's audit trail, both or
neither); ``cites revocations publish`` turns it into the next signed list. The register keeps the permit
numbers in clear (it never leaves the authority) next to their hashes, and the last published version, so
every published list has a higher version than the one before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from keys.keyfile import SigningKey
from keys.revocation.interface import Revocation, RevocationReason
from keys.revocation.lists import permit_hash, revocation_document
from keys.signed import Reader, SignedDocument, parse_json, pretty_json, read_file
from permits import limits
from permits.errors import InputError
from permits.fileio import path_exists, write_bytes_atomic
from permits.home import state_path
from permits.model import one_line_name

if TYPE_CHECKING:
    from permits.ledger.interface import Ledger

REGISTER_TYPE = "cites-revocation-register-v1"
DEFAULT_VALIDITY = dt.timedelta(days=30)
"""How long a published list stays usable by default: short, so verifiers fetch fresh ones."""


@dataclass(frozen=True)
class RegisteredRevocation:
    number: str
    revocation: Revocation


@dataclass
class Register:
    """The permits one Party revoked, and the version of the last list it published."""

    path: Path
    party: str
    version: int = 0
    entries: list[RegisteredRevocation] = field(default_factory=list)

    @classmethod
    def load(cls, party: str) -> Register:
        """The register of ``party`` (empty before the first revocation)."""
        path = state_path("revocation", "issued", f"{party}.json")
        if not path.exists():
            return cls(path, party)
        reader = Reader(str(path))
        document = reader.record(
            parse_json(read_file(path, "revocation register"), str(path)),
            "register",
            ("type", "party", "version", "entries"),
        )
        if document["type"] != REGISTER_TYPE or document["party"] != party:
            raise reader.fail("register", f"not the {REGISTER_TYPE} of {party}")
        entries = []
        for index, raw in enumerate(reader.array(document["entries"], "entries")):
            where = f"entries[{index}]"
            row = reader.record(raw, where, ("number", "revoked", "reason"))
            reason = RevocationReason.parse(reader.text(row, "reason", where), f"{path}: {where}.reason")
            revocation = Revocation(reader.date(row, "revoked", where), reason)
            entries.append(RegisteredRevocation(reader.text(row, "number", where), revocation))
        return cls(path, party, reader.integer(document, "version", "register", 0), entries)

    def save(self) -> None:
        rows = [
            {"number": e.number, "revoked": e.revocation.revoked.isoformat(), "reason": e.revocation.reason.value}
            for e in self.entries
        ]
        document = {"type": REGISTER_TYPE, "party": self.party, "version": self.version, "entries": rows}
        write_bytes_atomic(self.path, pretty_json(document))

    def revoke(self, number: str, reason: RevocationReason, day: dt.date, today: dt.date) -> Revocation:
        """Record permit ``number`` as revoked on ``day`` (not in the future); a permit is revoked once."""
        number = one_line_name(number, "NUMBER", limits.MAX_CODE_CHARS)
        if day > today:
            raise InputError(f"--date: {day} is in the future")
        for entry in self.entries:
            if entry.number == number:
                raise InputError(f"permit {number} was already revoked on {entry.revocation.revoked}")
        revocation = Revocation(day, reason)
        self.entries.append(RegisteredRevocation(number, revocation))
        return revocation

    def publish(self, key: SigningKey, expires: dt.date, today: dt.date, source: str) -> SignedDocument:
        """The next version of the signed list, signed with ``key``; the register records the version."""
        if key.party != self.party:
            raise InputError(f"the key belongs to {key.party}, not {self.party}")
        if expires < today:
            raise InputError(f"--expires: {expires} is in the past")
        entries = {permit_hash(self.party, e.number): e.revocation for e in self.entries}
        document = revocation_document(self.party, self.version + 1, today, expires, entries, source)
        signed = document.add_signature(key)
        self.version += 1
        self.save()
        return signed


@dataclass(frozen=True)
class RevokedPermit:
    """What ``revoke_permit`` recorded: the number as revoked (as the issuing register writes it, when it holds
    it), whether the register holds it, and the revocation."""

    number: str
    registered: bool
    revocation: Revocation


def revoke_permit(
    signer: SigningKey, number: str, reason: RevocationReason, day: dt.date, today: dt.date, ledger: Ledger
) -> RevokedPermit:
    """Revoke permit ``number`` of ``signer``'s Party on ``day``: in the Party's register, and as an entry of the
    ledger's audit trail naming the signer's authority. A number the issuing register holds written otherwise is
    revoked as registered (a revocation list matches the number exactly as signed); ``InputError`` for a
    ``day`` before its registered issue date.

    Both or neither (fail closed): the trail entry is appended first, in a transaction still open while the
    register is saved, and committed after; a trail entry that cannot be written leaves the register as it
    was, and a commit that fails puts the register file back as it was."""
    given = one_line_name(number, "NUMBER", limits.MAX_CODE_CHARS)
    register = Register.load(signer.party)
    issued = ledger.issued_of(signer.party, given)
    number = issued.number if issued else given
    if issued is not None and day < issued.issued_on:
        raise InputError(f"--date: {day} is before {signer.party} permit {number} was issued ({issued.issued_on})")
    revocation = register.revoke(number, reason, day, today)
    details = {"reason": revocation.reason.value, "revoked": revocation.revoked.isoformat()}
    before = register.path.read_bytes() if path_exists(register.path) else None
    saved = False
    try:
        with ledger.recording_event(signer.authority, "revoke", f"{signer.party} {number}", details):
            register.save()
            saved = True
    except BaseException:
        if saved:  # the entry was not committed: no revocation without its audit entry
            if before is None:
                register.path.unlink(missing_ok=True)
            else:
                write_bytes_atomic(register.path, before)
        raise
    return RevokedPermit(number, issued is not None, revocation)
