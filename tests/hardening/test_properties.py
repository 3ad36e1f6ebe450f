"""Property-based tests (Hypothesis): the envelope codec round-trips, arbitrary text never crashes the
verifier or verifies, the permit model accepts what it renders and rejects garbage with messages, and the
registry importers survive arbitrary rows."""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keys.trust.interface import TrustedKey
from permits.envelope import PREFIX, base45, seal
from permits.envelope.algorithms import Algorithm
from permits.errors import CitesError, PermitValidationError
from permits.model import Permit
from permits.verification import Verifier
from tests.conftest import example_mapping

KEY = ec.generate_private_key(ec.SECP256R1())


class _Signer:
    algorithm = Algorithm.ES256
    kid = b"property"
    private_key = KEY


class _Trust:
    description = "property tests"

    def candidates(self, kid: bytes) -> list[TrustedKey]:
        key = TrustedKey("KE", "Kenya Wildlife Service", _Signer.kid, Algorithm.ES256, KEY.public_key())
        return [key] if kid == _Signer.kid else []

    def problem(self, today: dt.date) -> str | None:
        return None


VERIFIER = Verifier(_Trust())
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=600))
def test_base45_round_trip(data: bytes) -> None:
    assert base45.decode(base45.encode(data)) == data


@FAST
@given(st.text(max_size=400))
def test_any_text_is_a_verdict_never_valid(text: str) -> None:
    verdict = VERIFIER.verify(text)
    assert not verdict.valid
    assert verdict.failure is not None and verdict.reason


@FAST
@given(st.binary(max_size=800))
def test_any_cbor_bytes_are_a_verdict_never_valid(data: bytes) -> None:
    assert not VERIFIER.verify(PREFIX + base45.encode(zlib.compress(data))).valid


names = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60).filter(str.strip)
quantities = st.decimals(min_value="0.001", max_value="99999999", places=3, allow_nan=False, allow_infinity=False)


@FAST
@given(name=names, exporter=names, quantity=quantities, number=st.from_regex(r"[A-Z0-9/-]{1,30}", fullmatch=True))
def test_signed_permits_round_trip(name: str, exporter: str, quantity: Any, number: str) -> None:
    data = example_mapping("zoo-transfer-app1.yaml")
    data["number"] = number
    data["exporter"] = {"name": exporter, "country": "KE"}
    line = {**data["items"][0], "common_name": name, "quantity": str(quantity), "unit": "KIL"}  # type: ignore[index]
    data["items"] = [line]  # fractions: not a count of specimens
    permit = Permit.from_mapping(data)
    verdict = VERIFIER.verify(seal(permit, _Signer()))
    assert verdict.valid, verdict.reason
    assert verdict.permit == permit


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@FAST
@given(st.dictionaries(st.sampled_from(sorted(example_mapping("zoo-transfer-app1.yaml"))), json_values, max_size=8))
def test_model_rejects_garbage_with_messages(changes: dict[str, Any]) -> None:
    data = {**example_mapping("zoo-transfer-app1.yaml"), **changes}
    try:
        Permit.from_mapping(data)
    except PermitValidationError as error:
        assert error.problems and all(": " in problem for problem in error.problems)


cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
HEADERS = {
    "checklist-index": ["TaxonId", "Kingdom", "Order", "Family", "Genus", "Species", "FullName", "RankName",
                        "CurrentListing", "Synonyms", "EnglishNames", "All_DistributionISOCodes"],
    "checklist-history": ["TaxonId", "Kingdom", "Family", "Genus", "Species", "FullName", "RankName", "Appendix",
                          "PartyIsoCode", "ChangeType", "EffectiveAt", "IsCurrent", "FullAnnotationEnglish"],
    "speciesplus-csv": ["Id", "Kingdom", "Family", "Genus", "Species", "Scientific Name", "Rank", "Listing", "Party",
                        "Listed under", "Full note"],
}  # fmt: skip


def _import(path: Path) -> None:
    from permits.registry.sources import open_sources

    try:
        for source in open_sources([path]):
            list(source.records())
    except CitesError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(HEADERS)), rows=st.lists(st.lists(cells, min_size=1, max_size=14), max_size=6))
def test_csv_importers_survive_any_rows(tmp_path: Path, kind: str, rows: list[list[str]]) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS[kind])
    writer.writerows(rows)
    path = tmp_path / f"{kind}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    _import(path)


concept = st.fixed_dictionaries(
    {"full_name": json_values, "rank": json_values, "name_status": json_values},
    optional={
        "higher_taxa": json_values,
        "synonyms": json_values,
        "common_names": json_values,
        "cites_listings": st.lists(
            st.dictionaries(st.sampled_from(["appendix", "change_type", "effective_at", "party", "annotation"]),
                            json_values, max_size=5), max_size=3),
    },
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(concepts=st.lists(concept, max_size=4))
def test_speciesplus_api_importer_survives_any_concepts(tmp_path: Path, concepts: list[dict[str, Any]]) -> None:
    import json

    path = tmp_path / "api.json"
    path.write_text(json.dumps({"taxon_concepts": concepts}, default=str), encoding="utf-8")
    _import(path)
