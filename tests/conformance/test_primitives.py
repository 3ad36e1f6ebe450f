"""Base45 (RFC 9285), Ed25519 (RFC 8032) and the Wycheproof P-256/Ed25519 edge cases, through the very
functions the verifier uses (``permits.envelope.base45`` and ``permits.envelope.algorithms``)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from permits.envelope import base45
from permits.envelope.algorithms import Algorithm, sign, verify
from tests.conformance.vectors import VECTORS, load_json, vectors_dir


def _cases(relative: str, key: str) -> list[Any]:
    path = VECTORS / relative
    return load_json(path)[key] if path.exists() else []


@pytest.mark.parametrize("case", _cases("rfc9285-base45/vectors.json", "valid"), ids=lambda case: case["base45"])
def test_base45_valid(case: dict[str, str]) -> None:
    vectors_dir("rfc9285-base45")
    assert base45.encode(bytes.fromhex(case["hex"])) == case["base45"]
    assert base45.decode(case["base45"]) == bytes.fromhex(case["hex"])


@pytest.mark.parametrize("case", _cases("rfc9285-base45/vectors.json", "invalid"), ids=str)
def test_base45_invalid(case: Any) -> None:
    vectors_dir("rfc9285-base45")
    text = case["base45"] if isinstance(case, dict) else case
    with pytest.raises(base45.Base45Error):
        base45.decode(text)


@pytest.mark.parametrize("case", _cases("rfc8032-ed25519/vectors.json", "vectors"), ids=lambda case: case["name"])
def test_rfc8032_ed25519(case: dict[str, str]) -> None:
    vectors_dir("rfc8032-ed25519")
    private_key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(case["secret_key"]))
    public_raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert public_raw.hex() == case["public_key"]
    message = bytes.fromhex(case["message"])
    signature = sign(Algorithm.EDDSA, private_key, message)
    assert signature.hex() == case["signature"]
    assert verify(Algorithm.EDDSA, private_key.public_key(), message, signature)


def _wycheproof(file: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    path = VECTORS / "wycheproof" / "testvectors_v1" / file
    if not path.exists():
        return []
    return [(group, test) for group in load_json(path)["testGroups"] for test in group["tests"]]


def _check_wycheproof(algorithm: Algorithm, public_key: Any, test: dict[str, Any]) -> None:
    accepted = verify(algorithm, public_key, bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))
    if test["result"] == "valid":
        assert accepted, f"tcId {test['tcId']} ({test['comment']}) must verify"
    elif test["result"] == "invalid":
        assert not accepted, f"tcId {test['tcId']} ({test['comment']}) must be rejected"


@pytest.mark.parametrize(
    ("group", "test"),
    _wycheproof("ecdsa_secp256r1_sha256_p1363_test.json"),
    ids=lambda value: str(value.get("tcId", "")),
)
def test_wycheproof_p256_p1363(group: dict[str, Any], test: dict[str, Any]) -> None:
    point = bytes.fromhex(group["publicKey"]["uncompressed"])
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    _check_wycheproof(Algorithm.ES256, public_key, test)


@pytest.mark.parametrize(
    ("group", "test"), _wycheproof("ed25519_test.json"), ids=lambda value: str(value.get("tcId", ""))
)
def test_wycheproof_ed25519(group: dict[str, Any], test: dict[str, Any]) -> None:
    public_key = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(group["publicKey"]["pk"]))
    _check_wycheproof(Algorithm.EDDSA, public_key, test)


def test_vectors_were_found() -> None:
    vectors_dir("wycheproof")
    assert len(_wycheproof("ecdsa_secp256r1_sha256_p1363_test.json")) > 200
    assert len(_wycheproof("ed25519_test.json")) > 100
