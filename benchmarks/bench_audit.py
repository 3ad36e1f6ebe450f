"""Audit benchmark: throughput of ``cites audit`` with 1 and with all workers, peak memory, and in the same run
the raw cost of ES256 signature verification alone (the floor any verifier pays), as a ratio.

Payloads are signed with the tool's own code and cached in benchmarks/out/. Each audit runs in a fresh
process so its peak memory (max RSS, including workers) is its own.

Run: ``.venv/bin/python benchmarks/bench_audit.py [--count 100000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

AUDIT_CHILD = """
import json, resource, sys, time
from pathlib import Path
from permits.audit.runner import run_audit
started = time.perf_counter()
totals = run_audit([Path(sys.argv[1])], Path(sys.argv[2]), workers=int(sys.argv[3]), resume=False)
elapsed = time.perf_counter() - started
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"seconds": elapsed, "rows": totals.rows, "valid": totals.valid, "peak_kib": peak}))
"""


def make_payloads(count: int, home: Path) -> Path:
    """``count`` signed permits (distinct numbers), one QR text per line, and a trusted key in ``home``."""
    path = OUT / f"audit-payloads-{count}.txt"
    key_file = OUT / "audit-key.pem"
    os.environ["CITES_HOME"] = str(home)
    import yaml
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from keys.keyfile import PublicKeyInfo, kid_of
    from keys.trust.local import LocalTrustStore
    from permits.envelope import seal
    from permits.envelope.algorithms import Algorithm
    from permits.model import Permit

    key = ec.derive_private_key(0xA0D17, ec.SECP256R1())
    store = LocalTrustStore.load()
    store.add(PublicKeyInfo(key.public_key(), Algorithm.ES256, kid_of(key.public_key()), "KE", "bench"), "KE", "bench")
    store.save()
    if path.exists():
        return path

    class Signer:
        algorithm = Algorithm.ES256
        kid = kid_of(key.public_key())
        private_key = key

    OUT.mkdir(parents=True, exist_ok=True)
    data = yaml.safe_load((ROOT / "examples" / "zoo-transfer-app1.yaml").read_text())
    today = dt.date.today()
    with open(path.with_suffix(".tmp"), "w") as handle:
        for index in range(count):
            data["number"] = f"KE/BENCH/{index:06d}"
            data["security_stamp"] = f"S-{index:06d}"
            permit = Permit.from_mapping(data, today=today)
            handle.write(seal(permit, Signer()) + "\n")
    path.with_suffix(".tmp").replace(path)
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return path


def raw_verify_seconds(count: int) -> float:
    """``count`` ES256 verifications with cryptography alone, on the same kind of message."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(0xA0D17, ec.SECP256R1())
    message = os.urandom(750)
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    public = key.public_key()
    started = time.perf_counter()
    for _ in range(count):
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    return time.perf_counter() - started


def audit(payloads: Path, workers: int, home: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.jsonl"
        environment = {**os.environ, "CITES_HOME": str(home), "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", AUDIT_CHILD, str(payloads), str(report), str(workers)],
            env=environment, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    arguments = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as home_folder:
        home = Path(home_folder)
        payloads = make_payloads(arguments.count, home)
        quarter = OUT / f"audit-payloads-{arguments.count}-quarter.txt"
        lines = payloads.read_text().splitlines(keepends=True)
        quarter.write_text("".join(lines[: len(lines) // 4]))
        raw = raw_verify_seconds(arguments.count)
        one = audit(payloads, 1, home)
        many = audit(payloads, cores, home)
        small = audit(quarter, 1, home)
    count = arguments.count
    raw_rate, one_rate, many_rate = count / raw, count / one["seconds"], count / many["seconds"]
    print(f"\nAudit of {count:,} payloads ({one['valid']:,} VALID), {cores} cores")
    print(f"{'':<36}{'permits/s':>12}{'ratio':>10}{'peak RSS':>12}")
    print(f"{'raw ES256 verify (cryptography)':<36}{raw_rate:>12,.0f}{1:>10.2f}{'':>12}")
    print(
        f"{'cites audit, 1 worker':<36}{one_rate:>12,.0f}{one_rate / raw_rate:>10.2f}{one['peak_kib'] / 1024:>10.0f}MB"
    )
    label = f"cites audit, {cores} workers"
    print(f"{label:<36}{many_rate:>12,.0f}{many_rate / one_rate:>9.2f}x{many['peak_kib'] / 1024:>10.0f}MB")
    print(f"{'cites audit, 1 worker, 1/4 of the batch':<36}{len(lines) // 4 / small['seconds']:>12,.0f}{'':>10}"
          f"{small['peak_kib'] / 1024:>10.0f}MB")  # fmt: skip
    print("(ratio: 1 worker against raw verification; all workers against 1 worker)")


if __name__ == "__main__":
    main()
