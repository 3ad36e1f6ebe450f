"""A TUF-style attacker's review of the trust path: each attack with real keys, and what stops it.

Every key here is a real key made with the ``cryptography`` library, every signature a real signature; the
attacks change the files as someone in transit (or a rogue key holder) would.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
import secrets
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from keys.keyfile import SigningKey
from keys.revocation.installed import install_revocation_list, installed_path
from keys.revocation.lists import revocation_document
from keys.signed import DocumentRejected, Signature, parse_date, unsigned
from keys.trust.active import active_trust_source
from keys.trust.installed import install_trust_list, list_path, root_path, rotate_root
from permits import limits
from permits.codes import DocumentType
from permits.envelope import seal
from permits.envelope.algorithms import Algorithm
from permits.errors import InputError
from permits.model import Permit, is_iso_country
from permits.verification import Status
from tests.conftest import example_mapping, example_permit
from tests.trust.conftest import DAY, LOST, TODAY, TrustWorld, entry, new_root_keys, write_root

NUMBER = "KE/2026/ZOO/0001"
KELVIN_KE = "\u212aE"
"""'KE' written with U+212A KELVIN SIGN: it looks like Kenya's code and lower-cases to 'ke'."""


@pytest.mark.parametrize("code", [KELVIN_KE, "ke", "Ke", "\uff2b\uff25", "K\u0415"])
def test_a_party_code_is_two_ascii_capital_letters(world: TrustWorld, code: str) -> None:
    """A look-alike 'KE' (Kelvin sign, full-width, Cyrillic Ie) or a lower-case code is no Party in a trust list,
    a revocation list or a permit: the key it lists would pass as Kenya's while Kenya's revocation list, issuing
    register and CITES rules never apply to it."""
    assert not is_iso_country(code)
    kenya = world.authority()
    path = world.trust_list([entry(kenya)])
    document = json.loads(path.read_text())
    document["signed"]["keys"][0]["party"] = code
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"signed.keys\[0\].party: .* is not an ISO 3166-1 alpha-2 code"):
        install_trust_list(path, TODAY)
    assert not list_path().exists()
    world.install([entry(kenya)])
    revocations = world.revocation_list(kenya, {NUMBER: LOST})
    document = json.loads(revocations.read_text())
    document["signed"]["party"] = code
    revocations.write_text(json.dumps(document))
    with pytest.raises(InputError, match=r"signed.party: .* is not an ISO 3166-1 alpha-2 code"):
        install_revocation_list(revocations, active_trust_source(), TODAY)
    data = example_mapping("zoo-transfer-app1.yaml")
    data["authority"] = {**data["authority"], "country": code}  # type: ignore[dict-item]
    if code.upper() != "KE":  # a lower-case code in a description is read as its capitals
        with pytest.raises(InputError, match="is not an ISO 3166-1 alpha-2 country code"):
            Permit.from_mapping(data)


P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _edit(path: Path, change: object) -> Path:
    document = json.loads(path.read_text())
    change(document)  # type: ignore[operator]
    path.write_text(json.dumps(document, separators=(",", ":")))
    return path


def _foreign_signatures(count: int) -> list[dict[str, str]]:
    """Signatures by ``count`` keys nobody trusts (random key ids, 64 random bytes)."""
    return [{"keyid": secrets.token_hex(32), "sig": secrets.token_hex(64)} for _ in range(count)]


def test_one_key_signing_twice_is_refused(world: TrustWorld) -> None:
    """Two signatures under one key id (a copy, or ECDSA's twin (r, n - s), which verifies too) never reach the
    threshold: the document is malformed, as in TUF. Before, 60,000 bad signatures under a root key id made a
    genuine list install and then cost 9 seconds at every verification."""
    path = world.trust_list([entry(world.authority())], signers=world.root_keys[:1])
    copied = _edit(path, lambda d: d["signatures"].append(dict(d["signatures"][0])))
    with pytest.raises(InputError, match=r"signatures\[1\].keyid: key [0-9a-f]{16} signed twice"):
        install_trust_list(copied, TODAY)

    def twin(document: dict[str, list[dict[str, str]]]) -> None:
        signature = bytes.fromhex(document["signatures"][0]["sig"])
        r, s = signature[:32], int.from_bytes(signature[32:], "big")
        twin = r + (P256_ORDER - s).to_bytes(32, "big")
        document["signatures"][1] = {"keyid": document["signatures"][0]["keyid"], "sig": twin.hex()}

    with pytest.raises(InputError, match="signed twice; a key signs a document once"):
        install_trust_list(_edit(copied, twin), TODAY)
    assert not list_path().exists()


def test_an_installed_document_keeps_only_the_signatures_of_its_signers(world: TrustWorld, tmp_path: Path) -> None:
    """Signatures by strangers padded into a genuine list (compact JSON, just under the 16 MiB limit) are not
    installed: before, the pretty-printed installed copy grew past the limit, every verdict became
    TRUST_UNAVAILABLE and no later list could be installed ("a rollback cannot be ruled out")."""
    kenya = world.authority()
    path = world.trust_list([entry(kenya)])
    room = limits.MAX_SIGNED_DOCUMENT_BYTES - path.stat().st_size - 1000
    padded = _edit(path, lambda d: d["signatures"].extend(_foreign_signatures(room // 214)))
    assert limits.MAX_SIGNED_DOCUMENT_BYTES - 2000 < padded.stat().st_size <= limits.MAX_SIGNED_DOCUMENT_BYTES
    install_trust_list(padded, TODAY)
    assert len(json.loads(list_path().read_text())["signatures"]) == 2
    text = seal(example_permit(), kenya.key)
    assert world.verify(text).valid
    install_trust_list(world.trust_list([entry(kenya)], version=2), TODAY)

    revocations = world.revocation_list(kenya, {NUMBER: LOST})
    _edit(revocations, lambda d: d["signatures"].extend(_foreign_signatures(1000)))
    install_revocation_list(revocations, active_trust_source(), TODAY)
    assert [s["keyid"][:16] for s in json.loads(installed_path("KE").read_text())["signatures"]] == [
        kenya.key.kid.hex()
    ]
    assert world.verify(text).status.name == "REVOKED"

    new_keys = new_root_keys(tmp_path / "new-root", 2)
    new_root = write_root(tmp_path / "v2.json", new_keys, 2, [*world.root_keys[:2], *new_keys], version=2)
    rotate_root(_edit(new_root, lambda d: d["signatures"].extend(_foreign_signatures(1000))), TODAY)
    assert len(json.loads(root_path().read_text())["signatures"]) == 2  # the new root's own; checked at load


def test_a_document_larger_than_any_reader_accepts_is_never_written(tmp_path: Path) -> None:
    filler = tuple(Signature(secrets.token_hex(32), bytes(64)) for _ in range(limits.MAX_SIGNED_DOCUMENT_BYTES // 190))
    document = unsigned({"type": "cites-trust-list-v1"}, "big.json")
    too_big = type(document)(document.signed, filler, document.source)
    with pytest.raises(InputError, match=r"bytes is over the limit of 16,777,216; refused"):
        too_big.write(tmp_path / "big.json")
    assert not (tmp_path / "big.json").exists()


def test_a_revocation_list_never_un_revokes(world: TrustWorld) -> None:
    """A newer list that leaves out a revoked permit is refused, whoever of the Party signs it: the issuing
    register only ever adds (a permit is revoked once, for good), so only a rogue or stolen key drops one. Here
    a second current Kenyan key, allowed to sign import permits only, tries to revive a stolen export permit."""
    kenya = world.authority()
    office = world.authority(name="KWS import desk")
    world.install([entry(kenya), entry(office, scope=(DocumentType.IMPORT,))])
    text = seal(example_permit(), kenya.key)
    install_revocation_list(world.revocation_list(kenya, {NUMBER: LOST}), active_trust_source(), TODAY)
    for signer in (office, kenya):
        dropped = world.revocation_list(signer, {"KE/2026/ZOO/0002": LOST}, version=2)
        with pytest.raises(DocumentRejected, match=r"drops 1 permit\(s\) the installed revocation list of KE v1"):
            install_revocation_list(dropped, active_trust_source(), TODAY)
        assert world.verify(text).status is Status.REVOKED
    more = world.revocation_list(office, {NUMBER: LOST, "KE/2026/ZOO/0002": LOST}, version=2)
    install_revocation_list(more, active_trust_source(), TODAY)
    assert world.verify(text).status is Status.REVOKED


def test_a_compromised_key_cannot_freeze_its_party_s_revocation_list(world: TrustWorld) -> None:
    """Fast-forward recovery (TUF): a stolen Kenyan key publishes v2**53-1 revoking a genuine permit. Once the
    trust list marks the key compromised the installed list is void: the Party's new key replaces it with its
    own v1 (before, no version could ever follow, and Kenya's permits stayed TRUST_UNAVAILABLE for good)."""
    stolen, replacement = world.authority(), world.authority(name="KWS 2")
    world.install([entry(stolen), entry(replacement)], version=1)
    genuine = seal(example_permit(), replacement.key)
    bogus = world.revocation_list(stolen, {NUMBER: LOST}, version=2**53 - 1, expires=TODAY + 9999 * DAY)
    install_revocation_list(bogus, active_trust_source(), TODAY)
    assert world.verify(genuine).status is Status.REVOKED
    world.install([entry(stolen, compromised_since=TODAY), entry(replacement)], version=2)
    assert world.verify(genuine).status is Status.TRUST_UNAVAILABLE
    install_revocation_list(world.revocation_list(replacement, {}, version=1), active_trust_source(), TODAY)
    assert world.verify(genuine).valid
    with pytest.raises(DocumentRejected, match="0 valid signatures by trusted KE keys"):
        install_revocation_list(bogus, active_trust_source(), TODAY)
    with pytest.raises(DocumentRejected, match="already installed"):  # and the new list binds again
        install_revocation_list(world.revocation_list(replacement, {}, version=1), active_trust_source(), TODAY)


def test_a_stolen_root_threshold_cannot_freeze_trust_lists_after_rotation(world: TrustWorld, tmp_path: Path) -> None:
    """Fast-forward recovery (TUF): whoever stole the root threshold installs a trust list v2**53-1. Once the
    root is rotated to fresh keys that list is void: the new root's v1 replaces it (before, 'rollback refused'
    for every version, for good), and from then on the usual rollback rule holds again."""
    kenya = world.authority()
    frozen = world.trust_list([entry(kenya)], version=2**53 - 1, expires=TODAY + 9999 * DAY, name="frozen.json")
    install_trust_list(frozen, TODAY)
    new_keys = new_root_keys(tmp_path / "new-root", 3)
    rotate_root(write_root(tmp_path / "v2.json", new_keys, 2, [*world.root_keys[:2], *new_keys], version=2), TODAY)
    world.root_keys = new_keys
    text = seal(example_permit(), kenya.key)
    assert world.verify(text).status is Status.TRUST_UNAVAILABLE
    first = world.install([entry(kenya)], version=1)
    assert world.verify(text).valid
    with pytest.raises(DocumentRejected, match="not signed by the threshold"):
        install_trust_list(frozen, TODAY)
    world.install([entry(kenya)], version=2)
    with pytest.raises(DocumentRejected, match="rollback refused"):
        install_trust_list(first, TODAY)


def test_a_newer_trust_list_cannot_be_issued_before_the_installed_one(world: TrustWorld) -> None:
    """A higher version does not make an older list newer: a stale list re-numbered is refused, as a revocation
    list issued before the installed one is."""
    kenya = world.authority()
    world.install([entry(kenya)], version=2)  # issued today
    stale = world.trust_list([entry(kenya)], version=3, issued=TODAY - 5 * DAY, name="stale.json")
    with pytest.raises(DocumentRejected, match="before the installed one"):
        install_trust_list(stale, TODAY)
    world.install([entry(kenya)], version=3)


# Attacks the trust path already stopped: each test pins the rule that stops it.

P256_SPKI_COMPRESSED_PREFIX = bytes.fromhex("3039301306072a8648ce3d020106082a8648ce3d030107032200")


def _root_entry(key: SigningKey, der: bytes | None = None, alg: str | None = None) -> dict[str, str]:
    public = key.private_key.public_key()
    der = der or public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "keyid": hashlib.sha256(der).hexdigest(),
        "alg": alg or key.algorithm.value,
        "public_key": base64.b64encode(der).decode(),
    }


def test_one_root_key_never_counts_twice_under_two_key_ids_or_entries(world: TrustWorld, tmp_path: Path) -> None:
    """Threshold bypass: one key listed twice, once in another DER encoding (a compressed P-256 point, so
    another SHA-256 key id), to reach a 2-of-2 threshold alone; or the same entry twice; or an Ed25519 key
    declared ES256. Each is refused when the root is read, before any signature counts."""
    (holder,) = new_root_keys(tmp_path / "holder", 1)
    point = holder.private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    compressed = _root_entry(holder, P256_SPKI_COMPRESSED_PREFIX + point)
    path = write_root(tmp_path / "root.json", [holder], 1, [holder], version=2)
    cases = [
        ([_root_entry(holder), compressed], r"signed.keys\[1\].public_key: not in canonical form"),
        ([_root_entry(holder), _root_entry(holder)], r"signed.keys\[1\]: key [0-9a-f]{16} is listed twice"),
    ]
    for keys, message in cases:

        def change(document: dict[str, Any], keys: list[dict[str, str]] = keys) -> None:
            document["signed"].update(keys=keys, threshold=2)

        with pytest.raises(InputError, match=message):
            rotate_root(_edit(path, change), TODAY)
    eddsa = world.authority(algorithm=Algorithm.EDDSA).key
    path = write_root(tmp_path / "root.json", [holder], 1, [holder], version=2)
    _edit(path, lambda d: d["signed"]["keys"].append(_root_entry(eddsa, alg="ES256")))
    with pytest.raises(InputError, match="ES256 needs a P-256 key, got an Ed25519 key"):
        rotate_root(path, TODAY)


def test_mix_and_match_of_another_root_s_lists_is_refused(world: TrustWorld, tmp_path: Path) -> None:
    """A trust list of another root (another network's, or a test root), and a revocation list signed by a key
    that only that other list trusts, or by a root key, are refused by a post pinned to this root."""
    kenya, impostor = world.authority(), world.authority(name="Kenya Wildlife Service (forged)")
    world.install([entry(kenya)])
    elsewhere = TrustWorld(tmp_path / "elsewhere", new_root_keys(tmp_path / "other-root", 2), world.make_authority)
    elsewhere.directory.mkdir()
    foreign_list = elsewhere.trust_list([entry(kenya), entry(impostor)], version=9)
    with pytest.raises(DocumentRejected, match=r"0 valid signatures by root v1 keys, 2 required \(2 by a key"):
        install_trust_list(foreign_list, TODAY)
    for signer in (impostor.key, world.root_keys[0]):
        path = world.revocation_list(kenya, {}, version=2)
        document = revocation_document("KE", 2, TODAY, TODAY + DAY, {}, str(path)).add_signature(signer)
        document.write(path)
        with pytest.raises(DocumentRejected, match="0 valid signatures by trusted KE keys"):
            install_revocation_list(path, active_trust_source(), TODAY)
    assert world.verify(seal(example_permit(), impostor.key)).status is Status.UNKNOWN_KEY


def test_documents_expiring_today_are_usable_through_the_day_utc(world: TrustWorld) -> None:
    """Dates at the edge: a root, trust list or revocation list whose `expires` is today (UTC) installs and
    works all day; the next day it is expired. No time of day or zone is read from a signed document."""
    kenya = world.authority()
    install_trust_list(world.trust_list([entry(kenya)], expires=TODAY), TODAY)
    install_revocation_list(world.revocation_list(kenya, {NUMBER: LOST}, expires=TODAY), active_trust_source(), TODAY)
    text = seal(example_permit(), kenya.key)
    last_second = dt.datetime.combine(TODAY, dt.time(23, 59, 59), tzinfo=dt.UTC)
    assert world.verify(text, now=last_second).status is Status.REVOKED
    next_day = world.verify(text, now=last_second + dt.timedelta(seconds=1))
    assert (next_day.status, next_day.reason) == (Status.TRUST_UNAVAILABLE, f"trust list expired on {TODAY}")
    with pytest.raises(DocumentRejected, match=f"trust list v2 expired on {TODAY}"):
        install_trust_list(world.trust_list([entry(kenya)], version=2, expires=TODAY), TODAY + DAY)


@pytest.mark.parametrize(
    "text",
    [
        "2027-02-29",
        "20270301",
        "2027-03-01T00:00+14:00",
        "2027-03-01 ",
        "\uff12\uff10\uff12\uff17-03-01",
        "+2027-03-01",
        "0000-01-01",
    ],
)
def test_a_signed_date_is_one_plain_calendar_day(world: TrustWorld, text: str) -> None:
    """Leap days, time zones and other spellings of a date: only YYYY-MM-DD of a real day is a date (2028-02-29
    is, 2027-02-29 is not); Python's own reader would take some of these."""
    assert parse_date("2028-02-29", "expires") == dt.date(2028, 2, 29)
    with pytest.raises(InputError, match="is not a date YYYY-MM-DD"):
        parse_date(text, "expires")
    path = _edit(world.trust_list([entry(world.authority())]), lambda d: d["signed"].update(expires=text))
    with pytest.raises(InputError, match=r"signed.expires: .* is not a date YYYY-MM-DD"):
        install_trust_list(path, TODAY)


def test_another_encoding_of_the_file_cannot_change_what_was_signed(world: TrustWorld) -> None:
    """JSON escapes, member order and white space are not signed: the same values in another spelling verify.
    The same-looking text in another Unicode form (a decomposed é) is other signed bytes and does not."""
    authority = "Autorité scientifique"
    kenya = world.authority()
    path = world.trust_list([dataclasses.replace(entry(kenya), authority=authority)])
    escaped = path.read_text().replace('"KE"', '"\\u004b\\u0045"').replace("é", "\\u00e9")
    path.write_text(escaped)
    assert "\\u004b" in path.read_text()
    assert install_trust_list(path, TODAY).keys[0].party == "KE"
    decomposed = unicodedata.normalize("NFD", authority)
    path = world.trust_list([dataclasses.replace(entry(kenya), authority=authority)], version=2)
    _edit(path, lambda d: d["signed"]["keys"][0].update(authority=decomposed))
    with pytest.raises(DocumentRejected, match="2 do not verify"):
        install_trust_list(path, TODAY)


def test_root_rotation_from_an_expired_root_but_never_to_one(world: TrustWorld, tmp_path: Path) -> None:
    """A post whose root expired can still rotate (else it could never recover), but never to a root that has
    expired itself, whoever signed it; a rotation also cannot go back to the previous version."""
    new_keys = new_root_keys(tmp_path / "new-root", 2)
    signers = [*world.root_keys[:2], *new_keys]
    stale = write_root(
        tmp_path / "stale.json", new_keys, 2, signers, version=2, issued=TODAY - 9 * DAY, expires=TODAY - DAY
    )
    with pytest.raises(DocumentRejected, match=f"root v2 expired on {TODAY - DAY}"):
        rotate_root(stale, TODAY)
    good = write_root(tmp_path / "v2.json", new_keys, 2, signers, version=2, expires=TODAY + 400 * DAY)
    assert rotate_root(good, TODAY + 366 * DAY).header.version == 2  # root v1 expired on day 365
    old = write_root(tmp_path / "v1-again.json", world.root_keys, 2, [*world.root_keys, *new_keys], version=1)
    with pytest.raises(DocumentRejected, match="root v1 cannot follow the current root v2"):
        rotate_root(old, TODAY)
