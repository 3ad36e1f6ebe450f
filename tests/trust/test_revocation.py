"""Revocation: a revoked permit is REVOKED with date and reason; forged, stale or rolled-back lists are refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from keys.revocation.installed import install_revocation_list, installed_path
from keys.revocation.interface import Revocation, RevocationReason
from keys.revocation.lists import permit_hash
from keys.revocation.register import Register
from keys.signed import DocumentRejected
from keys.trust.active import active_trust_source
from keys.trust.root import require_authority_key, require_root_key
from permits.envelope import seal
from permits.errors import InputError
from permits.verification import Status
from tests.conftest import example_permit
from tests.trust.conftest import DAY, LOST, TODAY, TrustWorld, entry

NUMBER = "KE/2026/ZOO/0001"


def install(path: object) -> None:
    install_revocation_list(path, active_trust_source(), TODAY)  # type: ignore[arg-type]


def test_permit_hash_is_the_documented_byte_string() -> None:
    expected = hashlib.sha256(b"KE|KE/2026/ZOO/0001").digest()[:16].hex()
    assert permit_hash("KE", NUMBER) == expected
    assert len(expected) == 32


def test_revoked_permit_is_revoked_with_date_and_reason(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    text = seal(example_permit(), kenya.key)
    stolen = Revocation(TODAY - DAY, RevocationReason.STOLEN)
    install(world.revocation_list(kenya, {NUMBER: stolen}))
    verdict = world.verify(text)
    assert (verdict.valid, verdict.status) == (False, Status.REVOKED)
    assert verdict.reason == f"revoked by KE on {TODAY - DAY} (reason: stolen)"
    assert verdict.to_json()["revocation"] == {"party": "KE", "revoked": (TODAY - DAY).isoformat(), "reason": "stolen"}
    assert [check.id for check in verdict.checks][-2:] == ["scope", "revocation"]


def test_other_permits_of_the_party_stay_valid(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    install(world.revocation_list(kenya, {NUMBER: LOST}))
    verdict = world.verify(seal(example_permit(number="KE/2026/ZOO/0002"), kenya.key))
    assert verdict.valid, verdict.reason
    revocation = next(check for check in verdict.checks if check.id == "revocation")
    assert revocation.message == f"not in the revocation list of KE v1 (expires {TODAY + 30 * DAY})"


def test_party_without_a_list_is_verified_and_says_so(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert verdict.valid
    revocation = next(check for check in verdict.checks if check.id == "revocation")
    assert revocation.message == "no revocation list of KE is installed: not checked"


def test_revocation_list_rollback_is_refused(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    old = world.revocation_list(kenya, {}, version=1)
    install(world.revocation_list(kenya, {NUMBER: LOST}, version=2))
    with pytest.raises(
        DocumentRejected, match="rollback refused: revocation list of KE v1 is older than the installed v2"
    ):
        install(old)
    with pytest.raises(DocumentRejected, match="revocation list of KE v2 is already installed"):
        install(world.revocation_list(kenya, {}, version=2))
    assert world.verify(seal(example_permit(), kenya.key)).status is Status.REVOKED


def test_expired_revocation_list_is_refused(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    path = world.revocation_list(kenya, {}, issued=TODAY - 40 * DAY, expires=TODAY - DAY)
    with pytest.raises(DocumentRejected, match=f"revocation list of KE v1 expired on {TODAY - DAY}"):
        install(path)


def test_installed_revocation_list_that_expires_fails_closed(world: TrustWorld) -> None:
    kenya, cameroon = world.authority(), world.authority(party="CM", name="MINFOF")
    world.install([entry(kenya), entry(cameroon)])
    install(world.revocation_list(kenya, {}))
    later = dt.datetime.combine(TODAY + 31 * DAY, dt.time(12), tzinfo=dt.UTC)
    verdict = world.verify(seal(example_permit(), kenya.key), now=later)
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)
    assert verdict.reason == f"revocation list of KE expired on {TODAY + 30 * DAY}"
    signed = seal(example_permit(), kenya.key)
    signing_time = dt.datetime.now(dt.UTC)  # a past `at` (here: when it was signed) never revives expired trust
    assert world.verify(signed, now=later, at=signing_time).status == Status.TRUST_UNAVAILABLE
    timber = example_permit("timber-export-app2.yaml")
    assert world.verify(seal(timber, cameroon.key), now=later).valid


def test_list_signed_by_another_party_is_refused(world: TrustWorld) -> None:
    kenya, tanzania = world.authority(), world.authority(party="TZ", name="Wildlife Division")
    world.install([entry(kenya), entry(tanzania)])
    forged = world.revocation_list(tanzania, {NUMBER: LOST}, party="KE")
    with pytest.raises(DocumentRejected, match=r"0 valid signatures by trusted KE keys .* \(1 by a key that is not"):
        install(forged)


def test_a_retired_key_cannot_date_a_list_back_to_un_revoke_permits(world: TrustWorld) -> None:
    old, new = world.authority(), world.authority(name="KWS 2")
    world.install([entry(old, valid_to=TODAY - 10 * DAY), entry(new, valid_from=TODAY - 9 * DAY)])
    install(world.revocation_list(new, {NUMBER: LOST}, version=1))
    backdated = world.revocation_list(old, {}, version=2**53 - 1, issued=TODAY - 10 * DAY, expires=TODAY + 999 * DAY)
    with pytest.raises(DocumentRejected, match=r"0 valid signatures by trusted KE keys valid on .* and today"):
        install(backdated)
    earlier = world.revocation_list(new, {}, version=2, issued=TODAY - 5 * DAY)  # newer version, older date
    with pytest.raises(DocumentRejected, match="a newer list cannot be older"):
        install(earlier)


def test_list_signed_by_an_untrusted_key_is_refused(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    with pytest.raises(DocumentRejected, match="0 valid signatures by trusted KE keys"):
        install(world.revocation_list(world.authority(), {NUMBER: LOST}))


def test_list_signed_by_a_compromised_key_is_refused(world: TrustWorld) -> None:
    kenya, replacement = world.authority(), world.authority()
    world.install([entry(kenya, compromised_since=TODAY - DAY), entry(replacement)])
    with pytest.raises(DocumentRejected, match=r"by trusted KE keys valid on .* and not compromised"):
        install(world.revocation_list(kenya, {}))
    install(world.revocation_list(replacement, {}))


def test_installed_list_whose_signer_is_later_compromised_fails_closed(world: TrustWorld) -> None:
    kenya, replacement = world.authority(), world.authority()
    world.install([entry(kenya), entry(replacement)], version=1)
    install(world.revocation_list(kenya, {}))
    world.install([entry(kenya, compromised_since=TODAY), entry(replacement)], version=2)
    verdict = world.verify(seal(example_permit(), replacement.key))
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)
    assert verdict.reason.startswith("the installed revocation list of KE cannot be used")


def test_tampered_revocation_list_is_refused(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    path = world.revocation_list(kenya, {NUMBER: LOST})
    document = json.loads(path.read_text())
    document["signed"]["entries"] = []
    path.write_text(json.dumps(document))
    with pytest.raises(DocumentRejected, match="1 does not verify"):
        install(path)
    assert not installed_path("KE").exists()


def test_tampered_installed_revocation_list_fails_closed(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    install(world.revocation_list(kenya, {NUMBER: LOST}))
    document = json.loads(installed_path("KE").read_text())
    document["signed"]["entries"] = []
    installed_path("KE").write_text(json.dumps(document))
    verdict = world.verify(seal(example_permit(), kenya.key))
    assert (verdict.valid, verdict.status) == (False, Status.TRUST_UNAVAILABLE)


def test_register_publishes_rising_versions(world: TrustWorld) -> None:
    kenya = world.authority()
    world.install([entry(kenya)])
    register = Register.load("KE")
    register.revoke(NUMBER, RevocationReason.LOST, TODAY, TODAY)
    with pytest.raises(InputError, match=f"permit {NUMBER} was already revoked on {TODAY}"):
        register.revoke(NUMBER, RevocationReason.ERROR, TODAY, TODAY)
    with pytest.raises(InputError, match=r"--date: .* is in the future"):
        register.revoke("X-1", RevocationReason.ERROR, TODAY + DAY, TODAY)
    first = register.publish(kenya.key, TODAY + DAY, TODAY, "first.json")
    second = Register.load("KE").publish(kenya.key, TODAY + DAY, TODAY, "second.json")
    assert (first.signed["version"], second.signed["version"]) == (1, 2)
    assert first.signed["entries"] == [{"hash": permit_hash("KE", NUMBER), "revoked": str(TODAY), "reason": "lost"}]
    assert NUMBER not in json.dumps(first.signed)


def test_an_expired_permit_that_was_also_revoked_says_both(world: TrustWorld) -> None:
    """A failed date does not end verification: an audit of last year's permits sees the revocation too."""
    kenya = world.authority()
    world.install([entry(kenya)])
    text = seal(example_permit(), kenya.key)
    install(world.revocation_list(kenya, {NUMBER: Revocation(TODAY, RevocationReason.STOLEN)}))
    at_expiry = dt.datetime.combine(example_permit().valid_until + DAY, dt.time(12), tzinfo=dt.UTC)
    verdict = world.verify(text, at=at_expiry)
    assert (verdict.valid, verdict.status) == (False, Status.EXPIRED)
    failed = {check.id: check.message for check in verdict.checks if check.fails}
    assert list(failed) == ["dates", "revocation"] and "reason: stolen" in failed["revocation"]


def test_a_root_key_cannot_sign_a_revocation_list_nor_an_authority_key_a_trust_list(world: TrustWorld) -> None:
    root_key, authority_key = world.root_keys[0], world.authority().key
    with pytest.raises(InputError, match="a root key; revocation lists are signed by a Management Authority key"):
        require_authority_key(root_key, Path("root.key.pem"))
    with pytest.raises(InputError, match="a Management Authority key of KE, not a root key"):
        require_root_key(authority_key, Path("ke.key.pem"))
    assert require_authority_key(authority_key, Path("ke.key.pem")) is authority_key
    assert require_root_key(root_key, Path("root.key.pem")) is root_key
