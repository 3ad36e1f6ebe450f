"""The EU Digital COVID Certificate test cases, envelope layers only (prefix ``HC1:``, Base45, zlib, COSE,
kid, signature), through ``Verifier.verify_envelope``: the same checks ``cites verify`` runs on a permit.

The expected flags in MANIFEST.csv are trusted over the case descriptions (DOMAIN.md section 8). Signers with
RSA keys (PS256) are refused by this project's policy at the ``alg`` check, whatever their flags say. The DCC
profile allows untagged COSE messages (ES 1501-1503), which the permit format refuses, so these tests turn
``strict_cose`` off.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from permits.envelope.algorithms import Algorithm
from permits.verification import Verifier
from tests.conformance.vectors import VECTORS, FixedTrust, load_json, trusted, vectors_dir

FOLDER = VECTORS / "dgc-testdata"
LAYERS = (("exp_unprefix", {"prefix"}), ("exp_b45decode", {"base45"}), ("exp_compression", {"zlib"}),
          ("exp_verify", {"cose", "alg", "kid", "key", "signature"}))  # fmt: skip


def _rows() -> list[dict[str, str]]:
    if not (FOLDER / "MANIFEST.csv").exists():
        return []
    with open(FOLDER / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _trust(case: dict[str, Any]) -> FixedTrust:
    certificate_b64 = case.get("TESTCTX", {}).get("CERTIFICATE")
    if not certificate_b64:
        return FixedTrust()
    der = base64.b64decode(certificate_b64)
    public_key = x509.load_der_x509_certificate(der).public_key()
    kid = hashlib.sha256(der).digest()[:8]
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        algorithm = Algorithm.EDDSA
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        algorithm = Algorithm.ES256  # P-384 keys too: the curve check must then refuse them
    else:
        return FixedTrust()  # RSA: not a key this project can pin
    return FixedTrust([trusted(kid, algorithm, public_key)])


def _clock(case: dict[str, Any]) -> dt.datetime:
    text = case.get("TESTCTX", {}).get("VALIDATIONCLOCK") or "2021-06-01T00:00:00Z"
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["path"])
def test_dgc_envelope_layers(row: dict[str, str]) -> None:
    vectors_dir("dgc-testdata")
    case = load_json(FOLDER / row["path"])
    text = case.get("PREFIX")
    if not isinstance(text, str):
        pytest.skip("the case has no QR text (PREFIX)")
    verdict = Verifier(_trust(case), prefix="HC1:", strict_cose=False).verify_envelope(text, now=_clock(case))
    failure = verdict.failure
    expected_failure = next((ids for flag, ids in LAYERS if row.get(flag) == "false"), None)
    if expected_failure is not None:
        assert failure is not None, f"expected a failure at {expected_failure}, got VALID"
        earlier = {"prefix", "base45", "zlib"} - expected_failure if "prefix" not in expected_failure else set()
        assert failure.id in expected_failure | earlier, verdict.reason
    elif row.get("exp_verify") == "true":
        if row["signer_key"] in ("EC-secp256r1", "Ed25519"):
            assert verdict.valid, verdict.reason
        else:
            assert failure is not None and failure.id in {"alg", "key", "signature"}, verdict.reason


def test_traps_named_in_the_brief() -> None:
    """CO22/CO23 carry valid signatures but must fail at kid lookup; ES 401-403 sign ES256 with P-384."""
    vectors_dir("dgc-testdata")
    for name in ("common/2DCode/raw/CO22.json", "common/2DCode/raw/CO23.json"):
        case = load_json(FOLDER / name)
        verdict = Verifier(_trust(case), prefix="HC1:", strict_cose=False).verify_envelope(
            case["PREFIX"], now=_clock(case)
        )
        assert not verdict.valid and verdict.failure is not None and verdict.failure.id == "kid", name
    spain = [row for row in _rows() if row["path"].startswith("ES/") and row["signer_key"] == "EC-secp384r1"]
    assert spain
    for row in spain:
        case = load_json(FOLDER / row["path"])
        verdict = Verifier(_trust(case), prefix="HC1:", strict_cose=False).verify_envelope(
            case["PREFIX"], now=_clock(case)
        )
        assert not verdict.valid, row["path"]
