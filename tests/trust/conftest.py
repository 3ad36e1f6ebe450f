"""Fixtures for the signed-trust tests: real root keys, a pinned 2-of-3 root, lists signed with real keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from keys.keyfile import SigningKey, load_signing_key
from keys.passphrase import passphrase_from_environment_or_prompt
from keys.revocation.interface import Revocation, RevocationReason
from keys.revocation.lists import permit_hash, revocation_document
from keys.signed import KeyRecord, today_utc
from keys.trust.installed import install_trust_list, pin_root
from keys.trust.root import create_root_keys, root_document
from keys.trust.signed_list import KeyEntry, draft_trust_list
from permits.codes import DocumentType
from permits.envelope.algorithms import Algorithm
from permits.verification import Verdict
from permits.verification.assembly import build_verifier
from tests.conftest import Authority, MakeAuthority

TODAY = today_utc()
DAY = dt.timedelta(days=1)
ALL_TYPES = tuple(DocumentType)


def record(key: SigningKey) -> KeyRecord:
    return KeyRecord.of(key.private_key.public_key(), key.algorithm)


def new_root_keys(directory: Path, count: int) -> list[SigningKey]:
    """``count`` real root keys, written encrypted and loaded back as any root holder would."""
    files = create_root_keys(count, Algorithm.ES256, directory, passphrase_from_environment_or_prompt)
    return [load_signing_key(created.private, passphrase_from_environment_or_prompt) for created in files]


def write_root(
    path: Path,
    keys: Sequence[SigningKey],
    threshold: int,
    signers: Sequence[SigningKey],
    version: int = 1,
    issued: dt.date = TODAY,
    expires: dt.date = TODAY + 365 * DAY,
) -> Path:
    document = root_document([record(key) for key in keys], threshold, version, issued, expires, str(path))
    for signer in signers:
        document = document.add_signature(signer)
    document.write(path)
    return path


def entry(
    authority: Authority,
    *,
    party: str | None = None,
    scope: tuple[DocumentType, ...] = ALL_TYPES,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    compromised_since: dt.date | None = None,
) -> KeyEntry:
    key = authority.key
    return KeyEntry(party or key.party, key.authority, record(key), valid_from, valid_to, scope, compromised_since)


@dataclass
class TrustWorld:
    """A border post with a pinned 2-of-3 root, and the root holders who sign its lists."""

    directory: Path
    root_keys: list[SigningKey]
    make_authority: MakeAuthority

    def authority(self, party: str = "KE", name: str = "Kenya Wildlife Service", **kwargs: object) -> Authority:
        """A Management Authority key that is not in the development store."""
        return self.make_authority(party=party, authority=name, trusted=False, **kwargs)

    def trust_list(
        self,
        entries: Sequence[KeyEntry],
        *,
        version: int = 1,
        issued: dt.date = TODAY,
        expires: dt.date = TODAY + 90 * DAY,
        signers: Sequence[SigningKey] | None = None,
        name: str | None = None,
    ) -> Path:
        """A trust list signed by ``signers`` (default: the first two root keys, meeting the threshold)."""
        path = self.directory / (name or f"trust-list-v{version}.json")
        document = draft_trust_list(
            None, entries, version=version, expires=expires, retire={}, compromised={}, today=issued, source=str(path)
        )
        for signer in self.root_keys[:2] if signers is None else signers:
            document = document.add_signature(signer)
        document.write(path)
        return path

    def install(self, entries: Sequence[KeyEntry], version: int = 1) -> Path:
        path = self.trust_list(entries, version=version)
        install_trust_list(path, TODAY)
        return path

    def revocation_list(
        self,
        authority: Authority,
        revoked: dict[str, Revocation],
        *,
        version: int = 1,
        issued: dt.date = TODAY,
        expires: dt.date = TODAY + 30 * DAY,
        party: str | None = None,
    ) -> Path:
        """A revocation list of ``party`` (default: the authority's) listing permit numbers, signed by ``authority``."""
        party = party or authority.key.party
        path = self.directory / f"revocations-{party}-v{version}-{authority.key.kid.hex()}.json"
        entries = {permit_hash(party, number): revocation for number, revocation in revoked.items()}
        document = revocation_document(party, version, issued, expires, entries, str(path))
        document.add_signature(authority.key).write(path)
        return path

    def verify(self, text: str, now: dt.datetime | None = None, at: dt.datetime | None = None) -> Verdict:
        return build_verifier().verify(text, now=now, at=at)


@pytest.fixture
def world(tmp_path: Path, make_authority: MakeAuthority) -> TrustWorld:
    """Three root keys, a 2-of-3 root v1 pinned in CITES_HOME, no trust list installed yet."""
    directory = tmp_path / "world"
    directory.mkdir()
    keys = new_root_keys(directory / "root-keys", 3)
    pin_root(write_root(directory / "root-v1.json", keys, 2, keys), TODAY)
    return TrustWorld(directory, keys, make_authority)


LOST = Revocation(TODAY, RevocationReason.LOST)
