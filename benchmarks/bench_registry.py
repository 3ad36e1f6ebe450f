"""Species registry benchmark: import time of the largest real export and lookup latency.

Imports the 2017 CITES Checklist Index (38,079 taxa, ../shared/data next to the repository) into a temporary
registry, then times ``Registry.listing_at`` for random names of several kinds (exact names on first and
repeated lookup, synonyms, names inheriting a higher-taxon listing, split listings by origin, unknown names
with suggestions) and, as the baseline measured in the same run, a plain Python dict lookup of the same
names. Run: ``.venv/bin/python benchmarks/bench_registry.py``.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from permits.registry import Registry, import_files, normalize_name  # noqa: E402
from permits.registry.default import compile_embedded  # noqa: E402

SHARED_DATA = REPO_ROOT / ".." / "shared" / "data"
INDEX = SHARED_DATA / "cites-checklist-index-2017" / "Index_of_CITES_Species_2017-04-21 17-27.csv.gz"
SAMPLE = 5_000
UNKNOWN_SAMPLE = 200
ON = dt.date(2017, 4, 21)
ROW = "{:<34}{:>7}{:>13}{:>11}{:>10}"
T = TypeVar("T")


def time_calls(call: Callable[[T], object], items: Sequence[T]) -> list[float]:
    """Microseconds per call, one measurement per item."""
    timings = []
    for item in items:
        start = time.perf_counter_ns()
        call(item)
        timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def report(label: str, timings: list[float], baseline: float | None = None) -> float:
    ordered = sorted(timings)
    median = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    ratio = f"{median / baseline:.0f}x" if baseline else ""
    print(ROW.format(label, len(timings), f"{median:.1f}", f"{p99:.1f}", ratio))
    return median


def sample(names: Sequence[str], count: int, rng: random.Random) -> list[str]:
    return rng.sample(list(names), min(count, len(names)))


def main() -> int:
    rng = random.Random(2017)
    with tempfile.TemporaryDirectory() as directory:
        embedded_start = time.perf_counter()
        embedded = compile_embedded(Path(directory) / "embedded.sqlite")
        embedded_seconds = time.perf_counter() - embedded_start
        print(f"embedded default registry: {embedded.info().taxa} taxa compiled in {embedded_seconds:.2f} s")
        if not INDEX.exists():
            print(f"{INDEX} is missing: the import benchmark needs the shared data folder next to the repository")
            return 1
        start = time.perf_counter()
        registry = import_files([INDEX], target=Path(directory) / "index.sqlite").registry
        seconds = time.perf_counter() - start
        info = registry.info()
        print(
            f"import of the 2017 Checklist Index: {info.taxa} taxa, {info.names} names, "
            f"{info.listing_changes} listing changes in {seconds:.2f} s ({info.taxa / seconds:,.0f} taxa/s; "
            f"target: 40,000 taxa under 5 s)"
        )
        print()
        run_lookups(registry, embedded, rng)
        registry.close()
        embedded.close()
    return 0


def run_lookups(registry: Registry, embedded: Registry, rng: random.Random) -> None:
    records = list(registry.records())
    accepted = [record.taxon.full_name for record in records]
    synonyms = [name for record in records for name in record.taxon.synonyms if registry.resolve_name(name)]
    exact = sample(accepted, SAMPLE, rng)
    synonym_names = sample(synonyms, SAMPLE, rng)
    unknown = [name[:-2] + "xz" for name in sample(accepted, UNKNOWN_SAMPLE, rng)]
    inherited = [
        record.taxon.full_name
        for record in embedded.records()
        if record.taxon.rank == "SPECIES" and not record.listing_changes
    ]
    split = [
        "Loxodonta africana",
        "Crocodylus niloticus",
        "Ceratotherium simum simum",
        "Canis lupus",
        "Vicugna vicugna",
    ]
    origins = ["BW", "KE", "ZA", "IN", "PE", "US", "MG"]

    table = {normalize_name(name): record.listing_changes for name, record in zip(accepted, records, strict=True)}
    print(ROW.format("lookup", "names", "median µs", "p99 µs", "vs dict"))
    baseline = report("baseline: dict.get (same names)", time_calls(table.get, exact))
    report("exact name, first lookup", time_calls(lambda n: registry.listing_at(n, ON), exact), baseline)
    report("exact name, warm", time_calls(lambda n: registry.listing_at(n, ON), exact), baseline)
    registry.listing_at(synonym_names[0], ON)
    report("synonym, first lookup", time_calls(lambda n: registry.listing_at(n, ON), synonym_names), baseline)
    report("synonym, warm", time_calls(lambda n: registry.listing_at(n, ON), synonym_names), baseline)
    mixed_case = [name.upper() for name in exact]
    report("exact name, upper case, warm", time_calls(lambda n: registry.listing_at(n, ON), mixed_case), baseline)
    inherited_names = [rng.choice(inherited) for _ in range(SAMPLE)]
    embedded.listing_at(inherited_names[0], ON)
    inherited_timings = time_calls(lambda n: embedded.listing_at(n, ON), inherited_names)
    report("inherited listing (embedded), warm", inherited_timings, baseline)
    pairs = [(rng.choice(split), rng.choice(origins)) for _ in range(SAMPLE)]
    embedded.listing_at(pairs[0][0], ON, pairs[0][1])
    split_timings = time_calls(lambda pair: embedded.listing_at(pair[0], ON, pair[1]), pairs)
    report("split listing by origin, warm", split_timings, baseline)
    registry.listing_at("warm up the suggestion index", ON)
    report("unknown name (+ suggestions)", time_calls(lambda n: registry.listing_at(n, ON), unknown), baseline)


if __name__ == "__main__":
    sys.exit(main())
