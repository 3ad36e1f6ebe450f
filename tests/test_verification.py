"""Verification of QR texts: a genuine permit is VALID; every forgery, alteration or misuse has its own reason."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import cbor2
import pytest

from keys.trust.interface import TrustedKey
from keys.trust.local import LocalTrustStore
from permits.envelope import PREFIX, base45, seal
from permits.envelope.algorithms import Algorithm, algorithm_for_key, sign
from permits.envelope.cose import COSE_SIGN1_TAG
from permits.payload import CLAIM_PERMIT, claims_for, encode_claims
from permits.verification import Status, Verifier
from tests.conftest import MakeAuthority, example_permit


def verify(text: str, now: dt.datetime | None = None) -> tuple[bool, Status, str]:
    verdict = Verifier(LocalTrustStore.load()).verify(text, now=now)
    return verdict.valid, verdict.status, verdict.reason


@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_genuine_permit_is_valid(make_authority: MakeAuthority, algorithm: Algorithm) -> None:
    authority = make_authority(algorithm=algorithm)
    verdict = Verifier(LocalTrustStore.load()).verify(seal(example_permit(), authority.key))
    assert verdict.valid, verdict.reason
    assert verdict.status is Status.VALID
    assert verdict.permit == example_permit()
    assert verdict.signer is not None and verdict.signer.party == "KE"
    assert [check.id for check in verdict.checks][:3] == ["prefix", "base45", "zlib"]


def test_every_changed_character_is_not_valid(make_authority: MakeAuthority) -> None:
    text = seal(example_permit(), make_authority().key)
    verifier = Verifier(LocalTrustStore.load())
    alphabet = base45.ALPHABET
    for position in range(len(text)):
        replacement = alphabet[(alphabet.index(text[position]) + 1) % len(alphabet)] if position >= 4 else "X"
        verdict = verifier.verify(text[:position] + replacement + text[position + 1 :])
        assert not verdict.valid, f"changing position {position} gave VALID"


def test_untrusted_key_is_unknown(make_authority: MakeAuthority) -> None:
    stranger = make_authority(trusted=False)
    valid, status, reason = verify(seal(example_permit(), stranger.key))
    assert (valid, status) == (False, Status.UNKNOWN_KEY)
    assert "no trusted key has kid" in reason


def test_key_of_another_party_is_refused(make_authority: MakeAuthority) -> None:
    tanzania = make_authority(party="TZ", authority="Wildlife Division")
    valid, status, reason = verify(seal(example_permit(), tanzania.key))
    assert (valid, status) == (False, Status.ISSUER_MISMATCH)
    assert "claims issuing Party KE but was signed with a key of TZ" in reason


def test_expired_permit(make_authority: MakeAuthority) -> None:
    permit = example_permit(issued="2024-01-10")
    text = seal(permit, make_authority().key)
    valid, status, reason = verify(text)
    assert (valid, status) == (False, Status.EXPIRED)
    assert reason == "expired on 2024-07-10 (valid until that day)"
    assert verify(text, now=dt.datetime(2024, 7, 10, 23, 0, tzinfo=dt.UTC))[0]


def test_not_yet_valid(make_authority: MakeAuthority) -> None:
    permit = example_permit(valid_from=(dt.date.today() + dt.timedelta(days=10)).isoformat())
    valid, status, reason = verify(seal(permit, make_authority().key))
    assert (valid, status) == (False, Status.NOT_YET_VALID)
    assert "not valid before" in reason


def test_judged_as_of_a_day_before_the_issue_date(make_authority: MakeAuthority) -> None:
    text = seal(example_permit(issued="2026-03-02"), make_authority().key)
    valid, status, reason = verify(text, now=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC))
    assert (valid, status) == (False, Status.NOT_YET_VALID)
    assert reason == "issued on 2026-03-02, after the time of this check (2026-03-01 12:00 UTC)"


@pytest.mark.parametrize(
    ("text", "status", "fragment"),
    [
        ("HC1:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B", Status.MALFORMED, "not the permit prefix"),
        ("", Status.MALFORMED, "(empty)"),
        ("CP1:", Status.MALFORMED, "truncated"),
        ("CP1:abc", Status.MALFORMED, "not in the Base45 alphabet"),
        ("CP1:GGW", Status.MALFORMED, "more than two bytes"),
        ("CP1:" + base45.encode(b"not zlib at all"), Status.MALFORMED, "not valid zlib"),
        ("CP1:" + base45.encode(zlib.compress(b"\xff\x00garbage")), Status.MALFORMED, "not a COSE_Sign1"),
        ("CP1:" + base45.encode(zlib.compress(cbor2.dumps(cbor2.CBORTag(18, [1, 2])))), Status.MALFORMED, "array of 4"),
        ("CP1:" + base45.encode(zlib.compress(cbor2.dumps([b"", {}, b"", b""]))), Status.MALFORMED, "tag 18"),
        ("CP1:" + "0" * 5000, Status.MALFORMED, "the limit is 4296"),
        ("CP1:" + base45.encode(zlib.compress(b"\0" * 100_000)), Status.MALFORMED, "more than the limit"),
    ],
    ids=["wrong-prefix", "empty", "prefix-only", "lowercase", "overflow", "not-zlib", "not-cbor", "not-sign1",
         "untagged", "too-long", "zip-bomb"],
)  # fmt: skip
def test_malformed_input(text: str, status: Status, fragment: str) -> None:
    valid, got_status, reason = verify(text)
    assert (valid, got_status) == (False, status)
    assert fragment in reason


def test_truncated_text_is_not_valid(make_authority: MakeAuthority) -> None:
    text = seal(example_permit(), make_authority().key)
    for cut in (5, len(text) // 2, len(text) - 1):
        assert not verify(text[:cut])[0]


def _sealed_with(claims: dict[Any, Any], key: object, header: dict[int, object]) -> str:
    protected = cbor2.dumps(header)
    payload = encode_claims(claims)
    to_sign = cbor2.dumps(["Signature1", protected, b"", payload])
    signature = sign(algorithm_for_key(key), key, to_sign)  # type: ignore[arg-type]
    message = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + base45.encode(zlib.compress(message))


def test_algorithm_header_must_match_the_pinned_algorithm(make_authority: MakeAuthority) -> None:
    authority = make_authority(algorithm=Algorithm.EDDSA)
    claims = claims_for(example_permit(), dt.datetime.now(dt.UTC))
    text = _sealed_with(claims, authority.key.private_key, {1: -7, 4: authority.key.kid})
    valid, status, reason = verify(text)
    assert (valid, status) == (False, Status.KEY_MISMATCH)
    assert "pinned to EdDSA" in reason


def test_disallowed_algorithm(make_authority: MakeAuthority) -> None:
    authority = make_authority()
    claims = claims_for(example_permit(), dt.datetime.now(dt.UTC))
    text = _sealed_with(claims, authority.key.private_key, {1: -35, 4: authority.key.kid})
    assert verify(text)[1] is Status.UNSUPPORTED_ALGORITHM


def test_signed_but_invalid_permit_content(make_authority: MakeAuthority) -> None:
    authority = make_authority()
    claims = claims_for(example_permit(), dt.datetime.now(dt.UTC))
    permit_map = dict(claims[CLAIM_PERMIT])
    permit_map["it"] = [{**permit_map["it"][0], "s": "K"}]
    claims[CLAIM_PERMIT] = permit_map
    valid, status, reason = verify(_sealed_with(claims, authority.key.private_key, {1: -7, 4: authority.key.kid}))
    assert (valid, status) == (False, Status.INVALID_PERMIT)
    assert "items[0].source: 'K' is not a CITES source code" in reason


def test_claims_must_agree_with_the_permit(make_authority: MakeAuthority) -> None:
    authority = make_authority()
    claims = claims_for(example_permit(), dt.datetime.now(dt.UTC))
    claims[4] = claims[4] + 86400 * 30  # exp a month later than the printed valid-until
    valid, status, reason = verify(_sealed_with(claims, authority.key.private_key, {1: -7, 4: authority.key.kid}))
    assert (valid, status) == (False, Status.INVALID_PERMIT)
    assert "exp is not the end of valid-until" in reason


def test_kid_collision_finds_the_right_key(make_authority: MakeAuthority) -> None:
    genuine = make_authority()
    impostor = make_authority(party="KE", trusted=False)
    store = LocalTrustStore.load()
    twin = TrustedKey("KE", "impostor", genuine.key.kid, Algorithm.ES256, impostor.key.private_key.public_key())
    store.keys.insert(0, twin)  # the wrong key with the same kid comes first
    verdict = Verifier(store).verify(seal(example_permit(), genuine.key))
    assert verdict.valid
    assert verdict.signer is not None and verdict.signer.authority == "Kenya Wildlife Service"


def test_unprotected_kid_is_ignored_when_a_protected_one_exists(make_authority: MakeAuthority) -> None:
    genuine = make_authority()
    claims = claims_for(example_permit(), dt.datetime.now(dt.UTC))
    protected = cbor2.dumps({1: -7, 4: b"\x00" * 8})
    payload = encode_claims(claims)
    signature = sign(Algorithm.ES256, genuine.key.private_key, cbor2.dumps(["Signature1", protected, b"", payload]))
    message = cbor2.dumps(cbor2.CBORTag(18, [protected, {4: genuine.key.kid}, payload, signature]))
    valid, status, _ = verify(PREFIX + base45.encode(zlib.compress(message)))
    assert (valid, status) == (False, Status.UNKNOWN_KEY)
