"""Audit benchmark: ``cites audit`` throughput with 1 worker and with every core, peak memory at two batch sizes,
and in the same run the raw cost of the ES256 signature verifications alone (``cryptography``), as a ratio.

The batch is three kinds of permit signed with the tool's own code by three Parties (Kenyan zoo transfers,
Zimbabwean crocodile exports, Italian re-exports citing them), each with its own number, stamp and marks, and
a few planted frauds (re-used microchips, over-quantity re-exports) so the cross-permit pass has work. It is
cached in benchmarks/out/ (git-ignored) and regenerated after 30 days (permits expire).

Each audit runs ``cites audit`` (the command's own code, in process) in a fresh child process, so its peak
memory is its own: the main process (``RUSAGE_SELF``) and the largest worker (``RUSAGE_CHILDREN``). Between
the raw signature and the audit, the verifier alone shows where the time goes: its envelope layers only
(decoding the QR text to the checked signature), then the whole verification.

Run: ``.venv/bin/python benchmarks/bench_audit.py [--count 100000] [--workers N]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

PARTY_SECRETS = {"KE": 0xA0D17, "ZW": 0xC0C0D1, "IT": 0x17A1}
"""Benchmark-only P-256 keys (derived from these numbers: never use them for anything else)."""
CACHE_DAYS = 30
VERIFIER_SAMPLE = 20_000

AUDIT_CHILD = """
import json, resource, sys, time
from cli.main import main
started = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - started
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
print(json.dumps({"code": code, "seconds": seconds, "cpu": cpu, "main_kib": own.ru_maxrss,
                  "worker_kib": workers.ru_maxrss}))
"""


def _signers() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import ec

    from keys.keyfile import kid_of
    from permits.envelope.algorithms import Algorithm

    @dataclasses.dataclass(frozen=True)
    class Signer:
        algorithm: Algorithm
        kid: bytes
        private_key: ec.EllipticCurvePrivateKey

    keys = {party: ec.derive_private_key(secret, ec.SECP256R1()) for party, secret in PARTY_SECRETS.items()}
    return {party: Signer(Algorithm.ES256, kid_of(key.public_key()), key) for party, key in keys.items()}


def trust_benchmark_keys(home: Path) -> None:
    """A CITES_HOME whose development trust store holds the three benchmark keys."""
    os.environ["CITES_HOME"] = str(home)
    from keys.keyfile import PublicKeyInfo
    from keys.trust.local import LocalTrustStore

    store = LocalTrustStore.load()
    for party, signer in _signers().items():
        public = signer.private_key.public_key()
        store.add(PublicKeyInfo(public, signer.algorithm, signer.kid, party, "bench"), party, "bench")
    store.save()


def payloads(count: int) -> Path:
    """The cached batch of ``count`` QR texts (one per line), generated if missing or stale."""
    path = OUT / f"audit-bench-{count}.txt"
    if path.exists() and time.time() - path.stat().st_mtime < CACHE_DAYS * 86_400:
        return path
    import yaml

    from permits.envelope import seal
    from permits.model import DocumentReference, IdentifyingMark, Permit

    signers = _signers()
    zoo = Permit.from_mapping(yaml.safe_load((ROOT / "examples" / "zoo-transfer-app1.yaml").read_text()))
    reexport = Permit.from_mapping(yaml.safe_load((ROOT / "examples" / "reexport-certificate.yaml").read_text()))
    export = dataclasses.replace(
        reexport,
        document_type=zoo.document_type,
        authority=dataclasses.replace(reexport.authority, country="ZW", name="ZimParks"),
        exporter=dataclasses.replace(reexport.exporter, country="ZW", name="Croc Farm"),
        importer=dataclasses.replace(reexport.exporter, country="IT"),
        items=(dataclasses.replace(reexport.items[0], origin=None, last_reexport=None),),
    )
    today = dt.date.today()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(path.with_suffix(".tmp"), "w") as handle:
        for index in range(count):
            kind = index % 3
            if kind == 0:
                chip = 900_000_000_000_000 + (index - 3 if index % 3000 == 0 and index else index)  # a few re-used
                line = dataclasses.replace(
                    zoo.items[0], marks=(IdentifyingMark("microchip", str(chip)),), quantity=Decimal(1)
                )
                permit, party = dataclasses.replace(zoo, number=f"KE/B/{index:06d}", items=(line,)), "KE"
            elif kind == 1:
                line = dataclasses.replace(export.items[0], quantity=Decimal(24))
                permit, party = dataclasses.replace(export, number=f"ZW/B/{index:06d}", items=(line,)), "ZW"
            else:
                origin = DocumentReference("ZW", f"ZW/B/{index - 1:06d}", today)
                quantity = Decimal(30 if index % 3000 == 2 else 20)  # a few re-export more than their origin covered
                line = dataclasses.replace(reexport.items[0], origin=origin, last_reexport=None, quantity=quantity)
                permit, party = dataclasses.replace(reexport, number=f"IT/B/{index:06d}", items=(line,)), "IT"
            permit = dataclasses.replace(permit, issued=today, security_stamp=f"{party}-S-{index:06d}")
            handle.write(seal(permit, signers[party]) + "\n")
    path.with_suffix(".tmp").replace(path)
    print(f"generated {count:,} signed permits in {time.perf_counter() - started:.0f} s: {path}")
    return path


def raw_verify_seconds(count: int) -> tuple[float, float]:
    """``count`` ES256 verifications with ``cryptography`` alone, of a message the size of a permit's: wall and
    CPU seconds."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = _signers()["KE"].private_key
    message = os.urandom(760)
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    public, algorithm = key.public_key(), ec.ECDSA(hashes.SHA256())
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        public.verify(signature, message, algorithm)
    return time.perf_counter() - started, time.process_time() - cpu


def raw_parallel_seconds(count: int, workers: int) -> float:
    """The same ``count`` raw verifications split over ``workers`` processes (started and warmed before the
    clock runs): the most this machine's cores give in parallel, the ceiling for the audit's scaling."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    shares = [count // workers + (index < count % workers) for index in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        list(pool.map(raw_verify_seconds, [1] * workers))
        started = time.perf_counter()
        list(pool.map(raw_verify_seconds, shares))
        return time.perf_counter() - started


def verifier_seconds(texts: list[str], *, envelope_only: bool = False) -> tuple[float, float]:
    """The project's verifier alone (``build_verifier``, as the audit uses it) on ``texts``, one core: wall and
    CPU seconds. ``envelope_only``: only the envelope layers (prefix, Base45, zlib, COSE, algorithm, trust,
    kid, key, signature: no claim, date, schema, rule or ledger check, no JSON), the floor under any verifier
    that decodes the QR text in Python."""
    from permits.verification.assembly import build_verifier

    verifier = build_verifier()
    started, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        if envelope_only:
            verifier.verify_envelope(text)
        else:
            verifier.verify(text).to_json()
    return time.perf_counter() - started, time.process_time() - cpu


def audit(source: Path, workers: int, home: Path) -> dict[str, Any]:
    """Run ``cites audit`` on ``source`` in a fresh process: wall time, exit code, peak memory."""
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        arguments = [sys.executable, "-c", AUDIT_CHILD, "audit", str(source), "--report", f"{folder}/report.jsonl",
                     "--workers", str(workers), "--quiet"]  # fmt: skip
        environment = {**os.environ, "CITES_HOME": str(home), "PYTHONPATH": str(ROOT)}
        result = subprocess.run(arguments, env=environment, capture_output=True, text=True, check=True)
        measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
        measured["report_mb"] = Path(folder, "report.jsonl").stat().st_size / 1e6
        return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="permits in the batch (default 100,000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="workers of the parallel run")
    arguments = parser.parse_args()
    count, workers = arguments.count, arguments.workers
    source = payloads(count)
    quarter = OUT / f"audit-bench-{count}-quarter.txt"
    with open(source) as full, open(quarter, "w") as part:
        part.writelines(line for _, line in zip(range(count // 4), full, strict=False))
    with tempfile.TemporaryDirectory() as home_folder:
        home = Path(home_folder)
        trust_benchmark_keys(home)
        raw, raw_cpu = raw_verify_seconds(count)
        raw_parallel = raw_parallel_seconds(count, workers) if workers > 1 else raw
        with open(source) as handle:
            sample = [line.strip() for _, line in zip(range(min(count, VERIFIER_SAMPLE)), handle, strict=False)]
        alone, alone_cpu = (seconds * count / len(sample) for seconds in verifier_seconds(sample))
        envelope, envelope_cpu = (
            seconds * count / len(sample) for seconds in verifier_seconds(sample, envelope_only=True)
        )
        one = audit(source, 1, home)
        many = audit(source, workers, home) if workers > 1 else one
        small = audit(quarter, 1, home)
    raw_rate = count / raw
    parallel = workers > 1  # with one worker (one core, or --workers 1) the parallel runs are left out
    rows = [
        ("raw ES256 verify (cryptography)", count, raw, {"cpu": raw_cpu}),
        *([(f"raw ES256 verify, {workers} processes", count, raw_parallel, {})] if parallel else []),
        (f"envelope layers only, 1 core ({len(sample):,} sampled)", count, envelope, {"cpu": envelope_cpu}),
        (f"verifier alone, 1 core ({len(sample):,} sampled)", count, alone, {"cpu": alone_cpu}),
        ("cites audit, 1 worker", count, one["seconds"], one),
        *([(f"cites audit, {workers} workers", count, many["seconds"], many)] if parallel else []),
        ("cites audit, 1 worker, 1/4 of the batch", count // 4, small["seconds"], small),
    ]
    print(f"\ncites audit benchmark: {count:,} permits, {os.cpu_count()} cores, report {one['report_mb']:,.0f} MB")
    print(f"{'':<44}{'permits':>9}{'seconds':>9}{'permits/s':>11}{'vs raw':>8}{'CPU ms/permit':>15}"
          f"{'main MB':>9}{'worker MB':>10}")  # fmt: skip
    for label, permits, seconds, measured in rows:
        rate = permits / seconds
        memory = (
            f"{measured['main_kib'] / 1024:>9.0f}{measured['worker_kib'] / 1024:>10.0f}"
            if "main_kib" in measured
            else ""
        )
        cpu = f"{measured['cpu'] * 1000 / permits:>15.3f}" if "cpu" in measured else f"{'':>15}"
        print(f"{label:<44}{permits:>9,}{seconds:>9.1f}{rate:>11,.0f}{rate / raw_rate:>8.2f}{cpu}{memory}")
    one_rate, many_rate = count / one["seconds"], count / many["seconds"]
    print(
        f"\nper worker: audit {one_rate / raw_rate:.0%} of raw signature verification (aim >= 70%), "
        f"verifier alone {count / alone / raw_rate:.0%}, its envelope layers alone {count / envelope / raw_rate:.0%}, "
        f"audit {one_rate / (count / alone):.0%} of the verifier alone"
        + (
            f"\n{workers} workers: {many_rate / one_rate:.2f}x 1 worker (aim >= 1.8x); on this machine raw "
            f"verification in {workers} processes gives {raw / raw_parallel:.2f}x one (the ceiling)"
            if parallel
            else "\none worker: no parallel run (give --workers N on a machine with N cores)"
        )
        + f"\nmemory: main process {small['main_kib'] / 1024:.0f} MB for {count // 4:,} permits, "
        f"{one['main_kib'] / 1024:.0f} MB for {count:,} (flat if equal); exit codes {one['code']}, {many['code']}"
    )


if __name__ == "__main__":
    main()
