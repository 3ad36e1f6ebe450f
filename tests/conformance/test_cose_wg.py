"""The COSE working group's COSE_Sign1 examples, verified by ``Verifier.verify_cose`` (the same checks, from
the COSE structure to the signature, that ``cites verify`` runs). Only ES256 and EdDSA (Ed25519) are allowed
by this project's policy: other algorithms must be refused at the ``alg`` check even when correctly signed."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from permits.envelope.algorithms import Algorithm
from permits.verification import Verifier
from tests.conformance.vectors import VECTORS, FixedTrust, jwk_public_key, load_json, trusted, vectors_dir

FOLDER = VECTORS / "cose-wg-examples"
ALLOWED = {"ES256": Algorithm.ES256, "EdDSA": Algorithm.EDDSA}
SIGNATURE_LAYER = {"cose", "alg", "kid", "key", "signature"}
POLICY_DEVIATIONS = {
    "CWT/A_3.json": ("kid", "the message has no kid: this project's verifiers need one to find the signer's key"),
    "sign1-tests/sign-pass-03.json": ("cose", "untagged: the permit format requires CBOR tag 18"),
    "sign1-tests/sign-pass-01.json": (
        "signature",
        "the signature covers h'' but the message carries h'A0': we verify the protected bytes exactly as "
        "received and never re-encode them",
    ),
}
"""PASS vectors that this project refuses on purpose, with the check that refuses them and why."""
CONTENT_TYPE = ("cose", "a content type header (3): the permit profile allows no header but alg and kid")
POLICY_DEVIATIONS |= {
    path: CONTENT_TYPE
    for path in ("countersign1/signed1-01.json", "ecdsa-examples/ecdsa-sig-01.json", "eddsa-examples/eddsa-sig-01.json")
}
"""These verify under the lenient EU DCC profile (``strict_cose`` off): only the profile refuses them."""


def _sign1_rows() -> list[dict[str, str]]:
    if not (FOLDER / "MANIFEST.csv").exists():
        return []
    with open(FOLDER / "MANIFEST.csv", newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["structure"] == "sign0"]


def _kid(vector: dict[str, Any]) -> bytes:
    sign0 = vector["input"]["sign0"]
    kid = sign0.get("protected", {}).get("kid") or sign0.get("unprotected", {}).get("kid") or ""
    return kid.encode()


@pytest.mark.parametrize("row", _sign1_rows(), ids=lambda row: row["path"])
def test_cose_sign1_vector(row: dict[str, str]) -> None:
    vectors_dir("cose-wg-examples")
    vector = load_json(FOLDER / row["path"])
    sign0 = vector["input"]["sign0"]
    public_key = jwk_public_key(sign0["key"])
    algorithm = ALLOWED.get(row["alg"])
    keys = [trusted(_kid(vector), algorithm, public_key)] if algorithm and public_key else []
    if not keys:  # a curve we do not support: trust the key under ES256 so only the policy can refuse it
        keys = [trusted(_kid(vector), Algorithm.ES256, object())]
    external = bytes.fromhex(sign0.get("external", ""))
    verdict = Verifier(FixedTrust(keys)).verify_cose(bytes.fromhex(vector["output"]["cbor"]), external_aad=external)
    failure = verdict.failure
    if row["path"] in POLICY_DEVIATIONS:
        check_id, _why = POLICY_DEVIATIONS[row["path"]]
        assert failure is not None and failure.id == check_id, verdict.reason
        if POLICY_DEVIATIONS[row["path"]] is CONTENT_TYPE:
            lenient = Verifier(FixedTrust(keys), strict_cose=False)
            assert lenient.verify_cose(bytes.fromhex(vector["output"]["cbor"]), external_aad=external).valid
    elif row["expected"] == "PASS" and algorithm is not None and public_key is not None:
        assert verdict.valid, verdict.reason
    elif row["expected"] == "PASS":
        assert failure is not None and failure.id in {"alg", "key", "signature"}, verdict.reason
    else:
        assert failure is not None and failure.id in SIGNATURE_LAYER, verdict.reason


def test_the_manifest_was_read() -> None:
    vectors_dir("cose-wg-examples")
    rows = _sign1_rows()
    assert sum(row["expected"] == "FAIL" for row in rows) >= 6
    assert sum(row["expected"] == "PASS" for row in rows) >= 8
