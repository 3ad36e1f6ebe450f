"""The signed-document encoding shared by roots, trust lists and revocation lists: canonical JSON, strict parsing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keys.signed import canonical_json, parse_json
from keys.trust.installed import install_trust_list
from keys.trust.signed_list import load_trust_list
from permits.errors import InputError
from tests.trust.conftest import TODAY, TrustWorld, entry


def test_canonical_json_bytes() -> None:
    value = {"b": 1, "a": 'é\n\u2028\x7f"\\', "c": [True, None, -5, {"z": [], "y": {}}]}
    assert canonical_json(value) == (
        b'{"a":"\xc3\xa9\\n\xe2\x80\xa8\x7f\\"\\\\","b":1,"c":[true,null,-5,{"y":{},"z":[]}]}'
    )
    assert canonical_json({"\u0001": ""}) == b'{"\\u0001":""}'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"a": 1, "a": 2}', "duplicate key 'a'"),
        (b'{"a": 1.5}', "non-integer number 1.5"),
        (b'{"a": 1e3}', "non-integer number 1e3"),
        (b'{"a": NaN}', "non-integer number NaN"),
        (b'{"a": 9007199254740992}', "integer 9007199254740992 is out of range"),
        (b'{"a": "\\ud800"}', "unpaired surrogate"),
        (b"\xff{}", "not UTF-8"),
        (b"{", "not valid JSON"),
    ],
)
def test_strict_parsing(text: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_json(text, "doc.json")


def test_file_white_space_is_not_signed(world: TrustWorld) -> None:
    path = world.trust_list([entry(world.authority())])
    path.write_text(json.dumps(json.loads(path.read_text()), indent=None, sort_keys=False))
    assert install_trust_list(path, TODAY).header.version == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["signed"].update(extra=1), "signed: unknown field extra"),
        (lambda d: d["signed"].pop("expires"), "signed: missing field expires"),
        (lambda d: d["signed"].update(version=0), "signed.version: must be an integer >= 1"),
        (lambda d: d["signed"].update(expires="2026-02-30"), "signed.expires: '2026-02-30' is not a date"),
        (lambda d: d["signed"].update(type="cites-root-v1"), "signed.type: is 'cites-root-v1'; expected"),
        (lambda d: d["signed"]["keys"][0].update(scope=[]), "scope: give at least one document type"),
        (lambda d: d["signed"]["keys"][0].update(scope=["export", "export"]), "'export' is given twice"),
        (lambda d: d["signed"]["keys"][0].update(party="XX"), "'XX' is not an ISO 3166-1 alpha-2 code"),
        (lambda d: d["signatures"].append({"keyid": "AB", "sig": ""}), r"signatures\[2\].keyid: 'AB' does not match"),
        (lambda d: d["signed"]["keys"].append(d["signed"]["keys"][0]), "is listed twice"),
    ],
    ids=["unknown-field", "missing-field", "version-0", "bad-date", "wrong-type", "empty-scope", "repeated-scope",
         "bad-party", "bad-keyid", "duplicate-key"],
)  # fmt: skip
def test_malformed_lists_name_the_file_and_field(world: TrustWorld, change: object, message: str) -> None:
    path = world.trust_list([entry(world.authority())])
    document = json.loads(path.read_text())
    change(document)  # type: ignore[operator]
    path.write_text(json.dumps(document))
    with pytest.raises(InputError, match=message) as raised:
        load_trust_list(path)
    assert str(raised.value).startswith(str(path))


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="trust list file not found"):
        load_trust_list(tmp_path / "nothing.json")
