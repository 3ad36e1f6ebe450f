"""A TUF-style attacker's review of the trust path: each attack with real keys, and what stops it.

Every key here is a real key made with the ``cryptography`` library, every signature a real signature; the
attacks change the files as someone in transit (or a rogue key holder) would.
"""

from __future__ import annotations

import json

import pytest

from keys.revocation.installed import install_revocation_list
from keys.trust.active import active_trust_source
from keys.trust.installed import install_trust_list, list_path
from permits.errors import InputError
from permits.model import Permit, is_iso_country
from tests.conftest import example_mapping
from tests.trust.conftest import LOST, TODAY, TrustWorld, entry

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
