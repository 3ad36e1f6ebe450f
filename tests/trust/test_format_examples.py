"""The examples of docs/FORMAT.md sections 9-10 are byte for byte what the code writes, and they verify."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from keys.keyfile import SigningKey, kid_of
from keys.revocation.interface import Revocation, RevocationReason
from keys.revocation.lists import LIST_TYPE as REVOCATION_TYPE
from keys.revocation.lists import RevocationList, permit_hash, revocation_document
from keys.signed import KeyRecord, SignedDocument, parse_document
from keys.trust.installed import SignedTrustSource
from keys.trust.root import ROOT_TYPE, Root, root_document
from keys.trust.signed_list import LIST_TYPE, KeyEntry, TrustList, draft_trust_list
from permits.codes import DocumentType
from permits.envelope.algorithms import Algorithm
from tests.conftest import REPO_ROOT

D = dt.date


def example_key(first_byte: int, party: str) -> SigningKey:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(first_byte, first_byte + 32)))
    return SigningKey(private, Algorithm.EDDSA, kid_of(private.public_key()), party, party)


ROOT_KEY, KENYA = example_key(0, "ZZ"), example_key(32, "KE")


def record(key: SigningKey) -> KeyRecord:
    return KeyRecord.of(key.private_key.public_key(), key.algorithm)


def documents() -> dict[str, SignedDocument]:
    root = root_document([record(ROOT_KEY)], 1, 1, D(2026, 5, 1), D(2027, 4, 30), "root")
    entry = KeyEntry(
        "KE",
        "Kenya Wildlife Service",
        record(KENYA),
        D(2026, 5, 1),
        None,
        (DocumentType.EXPORT, DocumentType.RE_EXPORT),
    )
    trust_list = draft_trust_list(
        None, [entry], version=1, expires=D(2026, 7, 31), retire={}, compromised={}, today=D(2026, 5, 1), source="list"
    )
    lost = {permit_hash("KE", "KE/2026/ZOO/0001"): Revocation(D(2026, 5, 9), RevocationReason.LOST)}
    revocations = revocation_document("KE", 1, D(2026, 5, 10), D(2026, 6, 9), lost, "revocations")
    return {
        ROOT_TYPE: root.add_signature(ROOT_KEY),
        LIST_TYPE: trust_list.add_signature(ROOT_KEY),
        REVOCATION_TYPE: revocations.add_signature(KENYA),
    }


def documented() -> dict[str, str]:
    text = (REPO_ROOT / "docs" / "FORMAT.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)\n```", text, flags=re.DOTALL)
    found = {}
    for block in blocks:
        match = re.search(r'"type": "(cites-[a-z-]+-v1)"', block)
        if match:
            found[match.group(1)] = block + "\n"
    return found


@pytest.mark.parametrize("kind", [ROOT_TYPE, LIST_TYPE, REVOCATION_TYPE])
def test_documented_example_is_what_the_code_writes(kind: str) -> None:
    assert documented()[kind] == documents()[kind].to_bytes().decode()


def test_documented_examples_verify() -> None:
    text = documented()
    types = {ROOT_TYPE: "root", LIST_TYPE: "list", REVOCATION_TYPE: "revocations"}
    root = Root.from_document(parse_document(text[ROOT_TYPE].encode(), "root", types))
    root.require_self_signed()
    trust_list = TrustList.from_document(parse_document(text[LIST_TYPE].encode(), "list", types))
    root.require_signed(trust_list.document)
    source = SignedTrustSource(root, trust_list, keys=trust_list.trusted_keys())
    revocations = RevocationList.from_document(parse_document(text[REVOCATION_TYPE].encode(), "rev", types))
    revocations.require_signed_by(source, D(2026, 5, 20))
    assert revocations.lookup("KE/2026/ZOO/0001") == Revocation(D(2026, 5, 9), RevocationReason.LOST)
