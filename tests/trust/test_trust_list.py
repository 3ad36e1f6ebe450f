"""Attacks on the trust path: each forged, stale or misused trust list or key is refused with its own reason.

Everything here is real cryptography: real root keys, real Management Authority keys, real signatures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from keys.signed import DocumentRejected
from keys.trust.active import active_trust_source
from keys.trust.installed import SignedTrustSource, install_trust_list, list_path, pin_root, root_path, rotate_root
from keys.trust.interface import TrustedKey
from keys.trust.local import LocalTrustStore
from keys.trust.signed_list import KeyEntry
from permits.codes import DocumentType
from permits.envelope import seal
from permits.envelope.algorithms import Algorithm
from permits.errors import InputError, TrustStoreError
from permits.verification import Status, Verifier
from tests.conftest import MakeAuthority, example_permit
from tests.trust.conftest import ALL_TYPES, DAY, TODAY, TrustWorld, entry, new_root_keys, record, write_root

NOON = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)


def test_genuine_permit_is_valid_under_the_signed_list(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert verdict.valid, verdict.reason
    assert verdict.signer is not None
    assert verdict.signer.trust_source.startswith("signed trust list v1")


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_both_algorithms_are_pinned_by_the_list(world: TrustWorld, algorithm: Algorithm) -> None:
    kenya = world.authority(algorithm=algorithm)
    world.install([entry(kenya)])
    assert world.verify(seal(example_permit(), kenya.key)).valid


def test_forged_list_with_a_changed_entry_is_refused(world: TrustWorld) -> None:
    kenya, attacker = world.authority(), world.authority(name="Attacker")
    path = world.trust_list([entry(kenya)])
    document = json.loads(path.read_text())
    document["signed"]["keys"].append(entry(attacker).to_json())
    path.write_text(json.dumps(document))
    with pytest.raises(DocumentRejected, match="0 valid signatures by root v1 keys, 2 required \\(2 do not verify"):
        install_trust_list(path, TODAY)
    assert not list_path().exists()


def test_list_signed_by_unknown_root_keys_is_refused(world: TrustWorld, tmp_path: Path) -> None:
    strangers = new_root_keys(tmp_path / "strangers", 2)
    path = world.trust_list([entry(world.authority())], signers=strangers)
    with pytest.raises(DocumentRejected, match=r"0 valid signatures .* \(2 by a key that is not one of them\)"):
        install_trust_list(path, TODAY)


def test_threshold_not_met_is_refused(world: TrustWorld) -> None:
    path = world.trust_list([entry(world.authority())], signers=world.root_keys[:1])
    with pytest.raises(
        DocumentRejected, match="not signed by the threshold: 1 valid signature by root v1 keys, 2 required"
    ):
        install_trust_list(path, TODAY)


def test_one_key_signing_twice_counts_once(world: TrustWorld) -> None:
    path = world.trust_list([entry(world.authority())], signers=world.root_keys[:1])
    document = json.loads(path.read_text())
    document["signatures"].append(dict(document["signatures"][0]))
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match="signed twice; a key signs a document once"):
        install_trust_list(path, TODAY)
    assert not list_path().exists()


def test_rollback_to_an_older_version_is_refused(world: TrustWorld) -> None:
    kenya = world.authority()
    old = world.trust_list([entry(kenya)], version=1)
    world.install([entry(kenya)], version=2)
    with pytest.raises(DocumentRejected, match="rollback refused: trust list v1 is older than the installed v2"):
        install_trust_list(old, TODAY)
    assert SignedTrustSource.load() is not None
    assert json.loads(list_path().read_text())["signed"]["version"] == 2


def test_replay_of_the_installed_version_is_refused(world: TrustWorld) -> None:
    path = world.install([entry(world.authority())], version=3)
    with pytest.raises(DocumentRejected, match="trust list v3 is already installed; a new one needs a higher version"):
        install_trust_list(path, TODAY)


def test_replay_of_an_expired_list_is_refused(world: TrustWorld) -> None:
    path = world.trust_list([entry(world.authority())], issued=TODAY - 100 * DAY, expires=TODAY - DAY)
    with pytest.raises(DocumentRejected, match=f"trust list v1 expired on {TODAY - DAY}"):
        install_trust_list(path, TODAY)


def test_installed_list_that_expires_makes_every_verdict_not_valid(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    expires = TODAY + 90 * DAY
    text = seal(example_permit(), kenya.key)
    assert world.verify(text, now=NOON + 90 * DAY).valid
    verdict = world.verify(text, now=NOON + 91 * DAY)
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)
    assert verdict.reason == f"trust list expired on {expires.isoformat()}"
    judged_earlier = world.verify(text, now=NOON + 91 * DAY, at=NOON)  # --at: the permit as of a day the list held
    assert (judged_earlier.valid, judged_earlier.status) == (False, Status.TRUST_UNAVAILABLE)


def test_pinned_root_without_a_list_never_falls_back_to_the_development_store(world: TrustWorld) -> None:
    kenya = world.make_authority()  # trusted in the local development store
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)
    assert "no signed trust list is installed" in verdict.reason


def test_development_store_is_labelled_when_no_root_is_pinned(make_authority: MakeAuthority) -> None:
    kenya = make_authority()
    source = active_trust_source()
    assert isinstance(source, LocalTrustStore)
    verdict = Verifier(source).verify(seal(example_permit(), kenya.key))
    assert verdict.valid and verdict.signer is not None
    assert verdict.signer.trust_source == "local trust store (development mode)"


def test_tampered_installed_list_makes_every_verdict_not_valid(world: TrustWorld) -> None:
    kenya, attacker = world.authority(), world.authority(name="Attacker")
    world.install([entry(kenya)])
    document = json.loads(list_path().read_text())
    document["signed"]["keys"].append(entry(attacker).to_json())
    list_path().write_text(json.dumps(document))
    verdict = world.verify(seal(example_permit(), attacker.key))
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)
    assert "the installed trust cannot be used" in verdict.reason and "do not verify" in verdict.reason


def test_key_used_before_its_validity_window(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya, valid_from=TODAY + DAY)])
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert (verdict.valid, verdict.status) == (False, Status.KEY_NOT_VALID)
    assert verdict.reason == f"issued {TODAY}, before the key's validity began on {TODAY + DAY}"


def test_key_used_after_its_validity_window(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya, valid_to=TODAY - DAY)])
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert (verdict.valid, verdict.status) == (False, Status.KEY_NOT_VALID)
    assert verdict.reason == f"issued {TODAY}, after the key's validity ended on {TODAY - DAY}"


def test_key_rotation_keeps_old_permits_valid(world: TrustWorld) -> None:
    old_key, new_key = world.authority(), world.authority()
    world.install([entry(old_key, valid_from=TODAY - 30 * DAY)], version=1)
    old_permit = seal(example_permit(issued=(TODAY - DAY).isoformat()), old_key.key)
    world.install(
        [entry(old_key, valid_from=TODAY - 30 * DAY, valid_to=TODAY - DAY), entry(new_key, valid_from=TODAY)],
        version=2,
    )
    assert world.verify(old_permit).valid
    assert world.verify(seal(example_permit(number="KE/2026/ZOO/0002"), new_key.key)).valid
    late = world.verify(seal(example_permit(number="KE/2026/ZOO/0003"), old_key.key))
    assert (late.valid, late.status) == (False, Status.KEY_NOT_VALID)
    assert "after the key's validity ended" in late.reason


def test_key_used_outside_its_scope(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya, scope=(DocumentType.EXPORT, DocumentType.RE_EXPORT))])
    assert world.verify(seal(example_permit(), kenya.key)).valid
    verdict = world.verify(seal(example_permit(type="import"), kenya.key))
    assert (verdict.valid, verdict.status) == (False, Status.KEY_SCOPE)
    assert verdict.reason == "the key may sign export, re-export documents, not import"


def test_kid_collision_finds_the_right_key(world: TrustWorld) -> None:
    kenya, other = world.authority(), world.authority(party="TZ", name="Wildlife Division")
    world.install([entry(kenya)])
    source = SignedTrustSource.load()
    assert source is not None
    # An 8-byte kid collision cannot be made on purpose: give another key (of another Party) Kenya's kid.
    decoy = dataclasses.replace(entry(other).trusted_key(), kid=kenya.key.kid)
    colliding = dataclasses.replace(source, keys=(decoy, *source.keys))
    assert len(colliding.candidates(kenya.key.kid)) == 2
    verdict = Verifier(colliding).verify(seal(example_permit(), kenya.key))
    assert verdict.valid, verdict.reason
    assert verdict.signer is not None and verdict.signer.party == "KE"
    forged = Verifier(colliding).verify(seal(example_permit(), dataclasses.replace(other.key, kid=kenya.key.kid)))
    assert (forged.valid, forged.status) == (False, Status.ISSUER_MISMATCH)


def test_party_mismatch_is_refused(world: TrustWorld) -> None:
    tanzania = world.authority(party="TZ", name="Wildlife Division")
    world.install([entry(tanzania)])
    verdict = world.verify(seal(example_permit(), tanzania.key))  # a KE permit signed with a TZ key
    assert (verdict.valid, verdict.status) == (False, Status.ISSUER_MISMATCH)
    assert verdict.reason == "the permit claims issuing Party KE but was signed with a key of TZ"


def test_key_listed_for_another_party_than_its_certificate_cannot_sign_for_it(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya, party="TZ")])
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert (verdict.valid, verdict.status) == (False, Status.ISSUER_MISMATCH)


def test_compromised_key_voids_everything_it_signed(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)], version=1)
    text = seal(example_permit(issued=(TODAY - 10 * DAY).isoformat()), kenya.key)
    assert world.verify(text).valid
    world.install([entry(kenya, compromised_since=TODAY - 2 * DAY)], version=2)
    verdict = world.verify(text)
    assert (verdict.valid, verdict.status) == (False, Status.KEY_NOT_VALID)
    assert verdict.reason == f"the signing key {kenya.key.kid.hex()} was withdrawn as compromised on {TODAY - 2 * DAY}"


def test_unknown_key_is_not_trusted(world: TrustWorld) -> None:
    world.install([entry(world.authority())])
    stranger = world.authority()
    verdict = world.verify(seal(example_permit(), stranger.key))
    assert (verdict.valid, verdict.status) == (False, Status.UNKNOWN_KEY)


def test_root_rotation_needs_the_old_threshold_and_its_own(world: TrustWorld, tmp_path: Path) -> None:
    new_keys = new_root_keys(tmp_path / "new-root", 3)
    old = world.root_keys
    only_new = write_root(tmp_path / "v2-new-only.json", new_keys, 2, new_keys, version=2)
    with pytest.raises(DocumentRejected, match="0 valid signatures by the current root v1's keys, 2 required"):
        rotate_root(only_new, TODAY)
    one_old = write_root(tmp_path / "v2-one-old.json", new_keys, 2, [*new_keys, old[0]], version=2)
    with pytest.raises(DocumentRejected, match="1 valid signature by the current root v1's keys, 2 required"):
        rotate_root(one_old, TODAY)
    old_only = write_root(tmp_path / "v2-old-only.json", new_keys, 2, [old[0], old[1], new_keys[0]], version=2)
    with pytest.raises(DocumentRejected, match="1 valid signature by root v2's own keys, 2 required"):
        rotate_root(old_only, TODAY)
    skipped = write_root(tmp_path / "v3.json", new_keys, 2, [*old, *new_keys], version=3)
    with pytest.raises(DocumentRejected, match="root v3 cannot follow the current root v1"):
        rotate_root(skipped, TODAY)
    good = write_root(tmp_path / "v2.json", new_keys, 2, [old[0], old[2], new_keys[1], new_keys[2]], version=2)
    assert rotate_root(good, TODAY).header.version == 2
    assert json.loads(root_path().read_text())["signed"]["version"] == 2


def test_lists_signed_by_the_old_root_stop_working_after_rotation(world: TrustWorld, tmp_path: Path) -> None:
    kenya = world.authority()
    world.install([entry(kenya)], version=1)
    new_keys = new_root_keys(tmp_path / "new-root", 2)
    rotate_root(write_root(tmp_path / "v2.json", new_keys, 2, [*world.root_keys[:2], *new_keys], version=2), TODAY)
    text = seal(example_permit(), kenya.key)
    verdict = world.verify(text)
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)
    assert "by root v2 keys" in verdict.reason
    world.root_keys = new_keys
    world.install([entry(kenya)], version=2)
    assert world.verify(text).valid
    stale = world.trust_list([entry(kenya)], version=1, name="stale.json")
    with pytest.raises(DocumentRejected, match="rollback refused"):
        install_trust_list(stale, TODAY)


def test_root_pinning_checks_self_signatures_fingerprint_and_only_once(tmp_path: Path) -> None:
    keys = new_root_keys(tmp_path / "keys", 3)
    weak = write_root(tmp_path / "weak.json", keys, 2, keys[:1])
    with pytest.raises(DocumentRejected, match="1 valid signature by root v1's own keys, 2 required"):
        pin_root(weak, TODAY)
    good = write_root(tmp_path / "root.json", keys, 2, keys)
    with pytest.raises(DocumentRejected, match=r"the root's fingerprint is [0-9a-f]{64}, not the expected 00ff"):
        pin_root(good, TODAY, fingerprint="00ff")
    assert not root_path().exists()
    from keys.signed import load_document
    from keys.trust.root import ROOT_TYPE

    fingerprint = load_document(good, {ROOT_TYPE: "root"}).fingerprint()
    pin_root(good, TODAY, fingerprint=fingerprint.upper())
    with pytest.raises(TrustStoreError, match="a root is already pinned"):
        pin_root(good, TODAY)


def test_expired_root_cannot_be_pinned(tmp_path: Path) -> None:
    keys = new_root_keys(tmp_path / "keys", 1)
    path = write_root(tmp_path / "root.json", keys, 1, keys, issued=TODAY - 10 * DAY, expires=TODAY - DAY)
    with pytest.raises(DocumentRejected, match=f"root v1 expired on {TODAY - DAY}"):
        pin_root(path, TODAY)


def test_update_without_a_pinned_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="no root is pinned on this machine"):
        install_trust_list(tmp_path / "anything.json", TODAY)


def test_mismatched_kid_or_algorithm_in_an_entry_is_refused(world: TrustWorld) -> None:
    path = world.trust_list([entry(world.authority())])
    document = json.loads(path.read_text())
    document["signed"]["keys"][0]["alg"] = "EdDSA"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"signed.keys\[0\].public_key: EdDSA needs an Ed25519 key, got a P-256 key"):
        install_trust_list(path, TODAY)
    document["signed"]["keys"][0]["alg"] = "ES256"
    document["signed"]["keys"][0]["kid"] = "00" * 8
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"signed.keys\[0\].kid: is not the first 8 bytes"):
        install_trust_list(path, TODAY)


def test_trusted_key_fields_come_from_the_entry(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya, scope=(DocumentType.EXPORT,), valid_from=TODAY, valid_to=TODAY + DAY)])
    (key,) = active_trust_source().candidates(kenya.key.kid)
    assert key == TrustedKey(
        "KE", "Kenya Wildlife Service", kenya.key.kid, Algorithm.ES256, key.public_key, TODAY, TODAY + DAY,
        frozenset({DocumentType.EXPORT}),
    )  # fmt: skip


def test_a_root_key_is_never_listed_as_a_management_authority_key(world: TrustWorld) -> None:
    holder = world.root_keys[0]
    as_authority = KeyEntry("KE", "one root holder", record(holder), None, None, ALL_TYPES, None)
    with pytest.raises(DocumentRejected, match="as Management Authority keys; a root key never signs a permit"):
        install_trust_list(world.trust_list([as_authority]), TODAY)
    assert not list_path().exists()
