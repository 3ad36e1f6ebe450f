"""Scanning benchmark: read rate per degradation, and time to a verdict for a 300-dpi A4 scan.

Compares, on the same images in the same run, the project's reader (``permits.reading.pipeline``) with plain
pyzbar and plain zxing-cpp on the raw image. The corpus comes from ``scan_corpus.py`` (built if missing).

Run: ``.venv/bin/python benchmarks/bench_scan.py [--count N] [--timing-runs N]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scan_corpus  # noqa: E402


def _zbar(image: Image.Image) -> list[str]:
    from pyzbar import pyzbar

    return [symbol.data.decode("latin-1") for symbol in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])]


def _zxing(image: Image.Image) -> list[str]:
    import zxingcpp

    return [result.text for result in zxingcpp.read_barcodes(image)]


def _reader(image: Image.Image) -> list[str]:
    from permits.envelope import PREFIX
    from permits.reading import available_decoders
    from permits.reading.pipeline import read_page

    return read_page(image, available_decoders(), PREFIX)[0]


READERS = {"project reader": _reader, "plain pyzbar": _zbar, "plain zxing-cpp": _zxing}


def read_rates(manifest: Path) -> None:
    with open(manifest, newline="") as handle:
        rows = list(csv.DictReader(handle))
    hits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        with Image.open(manifest.parent / row["file"]) as opened:
            image = opened.convert("L")
        totals[row["degradation"]] += 1
        for name, read in READERS.items():
            hits[name][row["degradation"]] += row["expected"] in read(image)
    print(f"\nRead rate per degradation ({len(rows)} images)")
    header = f"{'degradation':<18}{'images':>7}" + "".join(f"{name:>18}" for name in READERS)
    print(header)
    print("-" * len(header))
    for degradation in sorted(totals):
        cells = "".join(f"{hits[name][degradation] / totals[degradation]:>18.1%}" for name in READERS)
        print(f"{degradation:<18}{totals[degradation]:>7}{cells}")
    overall = "".join(f"{sum(hits[name].values()) / len(rows):>18.1%}" for name in READERS)
    print(f"{'overall':<18}{len(rows):>7}{overall}")


def timing(runs: int) -> None:
    import pypdfium2 as pdfium

    from keys.trust.interface import TrustedKey
    from permits.envelope.algorithms import Algorithm
    from permits.verification import Verifier

    examples = sorted(path.name for path in (ROOT / "examples").glob("*.yaml"))
    zoo = examples.index("zoo-transfer-app1.yaml")  # by name: another example file moves the rest
    _text, pdf = scan_corpus._issue_permits(zoo + 1)[zoo]  # the Kenyan zoo transfer, trusted as KE below
    scan = pdfium.PdfDocument(pdf)[0].render(scale=300 / 72, grayscale=True).to_pil().convert("L")
    signer_key = scan_corpus_key()

    class Trust:
        description = "benchmark"

        def candidates(self, kid: bytes) -> list[TrustedKey]:
            return [TrustedKey("KE", "bench", kid, Algorithm.ES256, signer_key.public_key())]

        def problem(self, today: dt.date) -> str | None:
            return None

    verifier = Verifier(Trust())

    def to_verdict() -> None:
        found = _reader(scan)
        verdict = verifier.verify(found[0], now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        assert verdict.valid, verdict.reason

    cases: dict[str, Callable[[], object]] = {
        "project reader + verdict": to_verdict,
        "plain pyzbar (decode only)": lambda: _zbar(scan),
        "plain zxing-cpp (decode only)": lambda: _zxing(scan),
    }
    print(f"\nTime for a 300-dpi A4 scan ({scan.width}x{scan.height}), {runs} runs each, one core")
    print(f"{'':<32}{'median':>10}{'p95':>10}{'vs reader':>11}")
    medians: dict[str, float] = {}
    for name, run in cases.items():
        run()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        medians[name] = statistics.median(samples)
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        ratio = medians[name] / medians["project reader + verdict"]
        print(f"{name:<32}{medians[name]:>8.1f}ms{p95:>8.1f}ms{ratio:>10.2f}x")


def scan_corpus_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.derive_private_key(0xBE4C4, ec.SECP256R1())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1100, help="corpus size (at least 1,000 for the full run)")
    parser.add_argument("--timing-runs", type=int, default=30)
    arguments = parser.parse_args()
    manifest = scan_corpus.OUT / "manifest.csv"
    if not manifest.exists() or len(manifest.read_text().splitlines()) - 1 != arguments.count:
        print(f"building a corpus of {arguments.count} images in {scan_corpus.OUT} ...")
        scan_corpus.build(arguments.count)
    read_rates(manifest)
    timing(arguments.timing_runs)


if __name__ == "__main__":
    main()
