"""Signed by a trusted key, yet not a permit: content the format forbids is refused with a verdict, never
accepted and never a crash. Each case is signed for real, so only the checks after the signature can refuse it."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import cbor2
import pytest

from keys.trust.local import LocalTrustStore
from permits.envelope import PREFIX, base45, seal
from permits.envelope.algorithms import sign
from permits.envelope.cose import COSE_SIGN1_TAG, HEADER_ALG, HEADER_KID, Sign1Message, encode_sign1
from permits.payload import CLAIM_IAT, CLAIM_PERMIT
from permits.verification import Status, Verifier
from tests.conftest import MakeAuthority, example_permit

Change = Callable[[dict[Any, Any]], None]


def _claims_of(text: str) -> dict[Any, Any]:
    message = cbor2.loads(zlib.decompress(base45.decode(text[len(PREFIX) :])))
    claims = cbor2.loads(message.value[2])
    assert isinstance(claims, dict)
    return claims


def _resealed(make_authority: MakeAuthority, change: Change) -> str:
    """The example permit, its CWT claims changed by ``change`` and signed again by the trusted key."""
    signer = make_authority().key
    claims = _claims_of(seal(example_permit(), signer))
    change(claims)
    payload = cbor2.dumps(claims, canonical=True)
    return PREFIX + base45.encode(
        zlib.compress(encode_sign1(payload, signer.algorithm, signer.kid, signer.private_key))
    )


def _set(path: tuple[Any, ...], value: Any) -> Change:
    def change(claims: dict[Any, Any]) -> None:
        target = claims
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


CASES = [
    ("iat far beyond any date", _set((CLAIM_IAT,), 2**64 - 1), Status.MALFORMED, "must be an integer NumericDate"),
    ("iat before 1970", _set((CLAIM_IAT,), -(2**63)), Status.MALFORMED, "must be an integer NumericDate"),
    ("valid until 9999-12-31", _set((CLAIM_PERMIT, "vu"), "9999-12-31"), Status.INVALID_PERMIT, "is not between"),
    ("issued 9999-12-31", _set((CLAIM_PERMIT, "di"), "9999-12-31"), Status.INVALID_PERMIT, "is not between"),
    ("number as an integer", _set((CLAIM_PERMIT, "n"), 12), Status.INVALID_PERMIT, "number: expected text"),
    (
        "quantity as a float",
        _set((CLAIM_PERMIT, "it", 0, "q"), 2.0),
        Status.INVALID_PERMIT,
        "items[0].quantity: expected text in the payload, got float",
    ),
    ("a null field", _set((CLAIM_PERMIT, "pl"), None), Status.INVALID_PERMIT, "issued_at: expected text"),
    ("a trailing zero", _set((CLAIM_PERMIT, "it", 0, "q"), "2.0"), Status.INVALID_PERMIT, "'2.0' is not a quantity"),
    ("a leading zero", _set((CLAIM_PERMIT, "it", 0, "q"), "02"), Status.INVALID_PERMIT, "'02' is not a quantity"),
    ("a lower-case code", _set((CLAIM_PERMIT, "p"), "t"), Status.INVALID_PERMIT, "purpose: the code 't' is written"),
    ("a lower-case country", _set((CLAIM_PERMIT, "ma", "c"), "ke"), Status.INVALID_PERMIT, "authority.country"),
    ("an upper-case kind", _set((CLAIM_PERMIT, "it", 0, "mk", 0, "k"), "TAG"), Status.INVALID_PERMIT, "lower case"),
    ("an empty stamp", _set((CLAIM_PERMIT, "ss"), " "), Status.INVALID_PERMIT, "security_stamp: empty (the payload"),
    ("valid before issue", _set((CLAIM_PERMIT, "vf"), "2000-01-01"), Status.INVALID_PERMIT, "before the issue date"),
    ("no marks", _set((CLAIM_PERMIT, "it", 0, "mk"), []), Status.INVALID_PERMIT, "items[0].marks: empty"),
]


@pytest.mark.parametrize(("change", "status", "fragment"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_signed_content_the_format_forbids_is_refused(
    make_authority: MakeAuthority, change: Change, status: Status, fragment: str
) -> None:
    text = _resealed(make_authority, change)  # trusts the key: load the store after
    verdict = Verifier(LocalTrustStore.load()).verify(text)
    assert (verdict.valid, verdict.status) == (False, status), verdict.reason
    assert fragment in verdict.reason


def _with_headers(make_authority: MakeAuthority, protected: dict[int, Any], unprotected: dict[int, Any]) -> str:
    signer = make_authority().key
    payload = cbor2.dumps(_claims_of(seal(example_permit(), signer)), canonical=True)
    protected_bytes = cbor2.dumps({HEADER_ALG: signer.algorithm.cose_id, HEADER_KID: signer.kid, **protected})
    unsigned = Sign1Message(protected_bytes, {}, {}, payload, b"")
    signature = sign(signer.algorithm, signer.private_key, unsigned.to_be_signed())
    message = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, unprotected, payload, signature]))
    return PREFIX + base45.encode(zlib.compress(message))


@pytest.mark.parametrize(
    ("protected", "unprotected", "fragment"),
    [
        ({2: [99]}, {}, "critical header labels (crit)"),
        ({}, {2: [99]}, "critical header labels (crit)"),
        ({3: 0}, {}, "header labels ['3'] are not allowed"),
        ({}, {33: b"x"}, "header labels ['33'] are not allowed"),
    ],
)
def test_headers_other_than_alg_and_kid_are_refused(
    make_authority: MakeAuthority, protected: dict[int, Any], unprotected: dict[int, Any], fragment: str
) -> None:
    text = _with_headers(make_authority, protected, unprotected)
    verdict = Verifier(LocalTrustStore.load()).verify(text)
    assert (verdict.valid, verdict.status) == (False, Status.MALFORMED) and fragment in verdict.reason
