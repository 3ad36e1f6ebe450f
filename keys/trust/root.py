"""Root metadata: the n root keys and threshold k that sign trust lists, and the rule for replacing them.

The root is a signed document of type ``cites-root-v1`` listing its own keys and threshold, signed by at least
k of those keys. A verifier pins one root (trust on first use: ``cites trust init-root``) and afterwards accepts
root N+1 only when it is signed by root N's threshold of root N's keys **and** by its own threshold of its own
keys (``cites trust rotate-root``), so stolen old keys alone cannot install a new root, nor new keys alone.

Root private keys are ordinary Management Authority key files (encrypted PKCS#8, mode 0600, made by
``keys.keyfile.generate_key``). Their certificates name the user-assigned code ``ZZ`` instead of a Party, so a
root key can never sign a permit (``cites issue`` refuses a key of another Party than the permit's).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keys.keyfile import CERTIFICATE_SUFFIX, PRIVATE_SUFFIX, PUBLIC_SUFFIX, KeyFiles, SigningKey, generate_key
from keys.passphrase import PassphraseSource
from keys.signed import (
    DocumentRejected,
    Header,
    KeyRecord,
    Reader,
    SignedDocument,
    encode_public_key,
    find_keyid,
    load_document,
    require_not_expired,
    require_threshold,
    tally,
    unsigned,
)
from keys.trust.signed_list import LIST_TYPE, TrustList
from permits.envelope.algorithms import Algorithm
from permits.errors import InputError
from permits.fileio import path_exists

ROOT_TYPE = "cites-root-v1"
ROOT_KEY_PARTY = "ZZ"
"""What a root key's certificate names as its country (ISO 3166 user-assigned): no Party, so no permits."""
ROOT_KEY_AUTHORITY = "CITES trust root"
ROOT_KEY_PREFIX = "root-"
ROOT_FIELDS = ("threshold", "keys")
KEY_FIELDS = ("keyid", "alg", "public_key")


@dataclass(frozen=True)
class Root:
    """A parsed, well-formed root document (its signatures are checked by the ``require_*`` methods)."""

    document: SignedDocument
    header: Header
    threshold: int
    keys: dict[str, KeyRecord]

    @classmethod
    def from_document(cls, document: SignedDocument) -> Root:
        reader = Reader(document.source)
        header = document.header(reader, ROOT_FIELDS)
        if header.type != ROOT_TYPE:
            raise reader.fail("signed.type", f"is '{header.type}', not root metadata ('{ROOT_TYPE}')")
        keys: dict[str, KeyRecord] = {}
        for index, raw in enumerate(reader.array(document.signed["keys"], "signed.keys")):
            where = f"signed.keys[{index}]"
            entry = reader.record(raw, where, KEY_FIELDS)
            record = reader.public_key(entry, where)
            if reader.text(entry, "keyid", where) != record.keyid:
                raise reader.fail(f"{where}.keyid", "is not the SHA-256 of the public key")
            if record.keyid in keys:
                raise reader.fail(where, f"key {record.keyid[:16]} is listed twice")
            keys[record.keyid] = record
        threshold = reader.integer(document.signed, "threshold", "signed", 1)
        if threshold > len(keys):
            raise reader.fail("signed.threshold", f"{threshold} is more than the {len(keys)} root keys")
        return cls(document, header, threshold, keys)

    @property
    def label(self) -> str:
        return f"root v{self.header.version}"

    def to_json(self) -> dict[str, Any]:
        """The root as ``cites trust show --json`` reports it: version, dates, threshold, fingerprint and keys."""
        return {
            "version": self.header.version,
            "issued": self.header.issued.isoformat(),
            "expires": self.header.expires.isoformat(),
            "threshold": self.threshold,
            "fingerprint": self.document.fingerprint(),
            "keys": [{"keyid": keyid, "alg": key.algorithm.value} for keyid, key in sorted(self.keys.items())],
        }

    def require_self_signed(self) -> None:
        """Refuse unless this root's own threshold of its own keys signed it."""
        require_threshold(self.document, self.keys, self.threshold, f"{self.label}'s own keys")

    def require_signed(self, document: SignedDocument) -> None:
        """Refuse ``document`` (e.g. a trust list) unless this root's threshold of its keys signed it."""
        require_threshold(document, self.keys, self.threshold, f"{self.label} keys")

    def require_trust_list(self, trust_list: TrustList) -> None:
        """Refuse a trust list unless this root's threshold signed it and it lists none of this root's keys as a
        Management Authority key (a root key never signs a permit: one holder could otherwise issue alone)."""
        self.require_signed(trust_list.document)
        shared = [entry.key.keyid[:16] for entry in trust_list.keys if entry.key.keyid in self.keys]
        if shared:
            raise DocumentRejected(
                f"{trust_list.document.source}: lists root key(s) {', '.join(shared)} as Management Authority "
                "keys; a root key never signs a permit"
            )

    def require_successor(self, new: Root) -> None:
        """The rotation rule: ``new`` is the next version, signed by this root's threshold and its own."""
        expected = self.header.version + 1
        if new.header.version != expected:
            raise DocumentRejected(
                f"{new.document.source}: {new.label} cannot follow the current {self.label}: "
                f"roots rotate one version at a time (v{expected} is next)"
            )
        require_threshold(new.document, self.keys, self.threshold, f"the current {self.label}'s keys")
        new.require_self_signed()


def root_signatures_to_publish(new: Root, current: Root | None, today: dt.date) -> set[str]:
    """The key ids whose signatures a published root keeps (``cites trust publish``): version 1 signed by its own
    threshold; a later version also by ``current``'s, the root it replaces (the rotation rule). An expired or
    under-signed root, or a later version without ``current``, is refused."""
    if current is not None:
        current.require_self_signed()
    require_not_expired(new.document.source, "root", new.header, today)
    if new.header.version == 1:
        new.require_self_signed()
        return set(tally(new.document, new.keys).valid)
    if current is None:
        raise InputError(f"--root: give root v{new.header.version - 1}, the root {new.label} replaces")
    current.require_successor(new)
    return set(tally(new.document, new.keys).valid) | set(tally(new.document, current.keys).valid)


def list_signatures_to_publish(trust_list: TrustList, root: Root | None, today: dt.date) -> set[str]:
    """The key ids whose signatures a published trust list keeps (``cites trust publish``): ``root``'s, which must
    meet its threshold; an expired list, or no root to check it with, is refused."""
    if root is None:
        raise InputError("--root: give the root metadata whose keys sign the list (no root is pinned here)")
    root.require_self_signed()
    root.require_signed(trust_list.document)
    require_not_expired(trust_list.document.source, "trust list", trust_list.header, today)
    return set(tally(trust_list.document, root.keys).valid)


def root_document(
    keys: Sequence[KeyRecord], threshold: int, version: int, issued: dt.date, expires: dt.date, source: str
) -> SignedDocument:
    """An unsigned root document for ``keys`` with ``threshold``; checked as any received root would be."""
    header = Header(ROOT_TYPE, version, issued, expires)
    entries = [
        {"keyid": key.keyid, "alg": key.algorithm.value, "public_key": encode_public_key(key.public_key)}
        for key in sorted(keys, key=lambda key: key.keyid)
    ]
    document = unsigned({**header.to_json(), "threshold": threshold, "keys": entries}, source)
    Root.from_document(document)
    return document


def load_root(path: Path) -> Root:
    """Read a root document (its signatures are not checked here)."""
    return Root.from_document(load_document(path, {ROOT_TYPE: "root metadata"}))


def load_root_or_list(path: Path) -> Root | TrustList:
    """Read a file that holds either root metadata or a trust list (``cites trust sign``, ``publish`` and ``show``
    take both); its signatures are not checked here."""
    document = load_document(path, {ROOT_TYPE: "root metadata", LIST_TYPE: "trust list"})
    if document.type == ROOT_TYPE:
        return Root.from_document(document)
    return TrustList.from_document(document)


def create_root_keys(count: int, algorithm: Algorithm, out_dir: Path, passphrase: PassphraseSource) -> list[KeyFiles]:
    """Create ``count`` encrypted root keys named ``root-<kid>.key.pem`` (with ``.pub.pem`` and ``.cert.pem``)."""
    created = []
    for _ in range(count):
        files = generate_key(ROOT_KEY_PARTY, ROOT_KEY_AUTHORITY, algorithm, out_dir, passphrase)
        stem = out_dir / f"{ROOT_KEY_PREFIX}{files.kid.hex()}"
        renamed = KeyFiles(
            Path(f"{stem}{PRIVATE_SUFFIX}"),
            Path(f"{stem}{PUBLIC_SUFFIX}"),
            Path(f"{stem}{CERTIFICATE_SUFFIX}"),
            files.kid,
        )
        for old, new in (
            (files.private, renamed.private),
            (files.public, renamed.public),
            (files.certificate, renamed.certificate),
        ):
            os.replace(old, new)
        created.append(renamed)
    return created


@dataclass(frozen=True)
class NewRoot:
    """A root made by ``create_root``: its signed document (written to ``path``), its version and key count, and
    the key files of the keys it created."""

    document: SignedDocument
    path: Path
    version: int
    keys: int
    files: list[KeyFiles]


def create_root(
    count: int,
    threshold: int,
    algorithm: Algorithm,
    out_dir: Path,
    passphrase: PassphraseSource,
    load_key: Callable[[Path], SigningKey],
    *,
    today: dt.date,
    expires: dt.date,
    current: Root | None = None,
    keep: Sequence[str] = (),
) -> NewRoot:
    """Create ``count`` root keys in ``out_dir`` and ``root.json`` signed by each of them: version 1, or the next
    version of ``current`` keeping its keys named in ``keep`` (key id prefixes), whose holders then add their
    signatures. Refused (``InputError``, nothing written) when the root could never be used: an expiry in the
    past, a threshold above the number of keys, or ``root.json`` already there."""
    if expires < today:
        raise InputError(f"--expires: {expires} is in the past")
    if keep and current is None:
        raise InputError("--keep: give --base, the root whose keys are kept")
    kept = [current.keys[find_keyid(current.keys, prefix, "--keep")] for prefix in keep] if current else []
    if threshold > count + len(kept):
        raise InputError(f"--threshold: {threshold} is more than the {count + len(kept)} root keys")
    target = out_dir / "root.json"
    if path_exists(target):
        raise InputError(f"{target}: already exists; nothing was written (choose another --out)")
    files = create_root_keys(count, algorithm, out_dir, passphrase)
    signers = [require_root_key(load_key(created.private), created.private) for created in files]
    records = [KeyRecord.of(signer.private_key.public_key(), signer.algorithm) for signer in signers] + kept
    version = current.header.version + 1 if current else 1
    document = root_document(records, threshold, version, today, expires, str(target))
    for signer in signers:
        document = document.add_signature(signer)
    document.write(target)
    return NewRoot(document, target, version, len(records), files)


def require_root_key(key: SigningKey, path: Path) -> SigningKey:
    """Refuse a Management Authority key where a root key is needed."""
    if key.party != ROOT_KEY_PARTY:
        raise InputError(
            f"{path}: a Management Authority key of {key.party}, not a root key (root keys come from "
            "cites trust root-init)"
        )
    return key


def require_authority_key(key: SigningKey, path: Path) -> SigningKey:
    """Refuse a root key where a Management Authority key is needed (a revocation list names its Party)."""
    if key.party == ROOT_KEY_PARTY:
        raise InputError(f"{path}: a root key; revocation lists are signed by a Management Authority key")
    return key
