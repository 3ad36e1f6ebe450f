"""Running an audit: verify every input (in worker processes, in input order) and append one report row each.

Rows are written and flushed as they come and synced every ``SYNC_EVERY`` rows, so an interrupted audit
loses at most its last rows; ``--resume`` skips inputs already in the report. Each worker builds its verifier
once, with ``build_verifier`` (the same trust, revocation, rules and ledger as ``cites verify``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TextIO

from permits.audit.inputs import stream
from permits.errors import InputError

SYNC_EVERY = 200
CHUNK = 32
CSV_FIELDS = ("input", "source", "valid", "status", "reason", "payload_sha256", "permit", "checks")

_verifier: Any = None


def _init_worker(ledger_url: str | None) -> None:
    global _verifier
    from permits.verification.assembly import build_verifier

    _verifier = build_verifier(ledger_url)


def _row(reference: str, source: str, text: str) -> dict[str, Any]:
    verdict = _verifier.verify(text, source=source)
    document: dict[str, Any] = {"input": reference, **verdict.to_json()}
    document["source"] = source
    document["payload_sha256"] = hashlib.sha256(text.strip().encode("utf-8", "replace")).hexdigest()
    return document


def _failure(reference: str, status: str, reason: str) -> dict[str, Any]:
    return {"input": reference, "source": reference, "valid": False, "status": status, "reason": reason,
            "permit": None, "signer": None, "checks": [], "payload_sha256": None}  # fmt: skip


def judge(item: tuple[str, str, str | None]) -> list[dict[str, Any]]:
    """Report rows for one input (a document file may hold several permits)."""
    reference, path, text = item
    if text is not None:
        return [_row(reference, reference, text)]
    from permits.errors import CitesError
    from permits.reading import read_payloads

    try:
        found = read_payloads(Path(path))
    except CitesError as error:
        return [_failure(reference, "INPUT_ERROR", str(error))]
    if not found:
        return [_failure(reference, "NO_PERMIT_FOUND", f"no permit QR code found in {path}")]
    return [_row(reference, payload.source, payload.text) for payload in found]


@dataclass
class Totals:
    """Counts for the terminal summary."""

    rows: int = 0
    valid: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.rows += 1
        self.valid += bool(row["valid"])
        self.by_status[row["status"]] = self.by_status.get(row["status"], 0) + 1
        if not row["valid"]:
            reason = str(row["reason"])[:90]
            self.by_reason[reason] = self.by_reason.get(reason, 0) + 1


class ReportWriter:
    """Appends rows to a JSON Lines or CSV report (chosen by the file's suffix)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.csv = path.suffix.lower() == ".csv"
        is_new = not path.exists() or path.stat().st_size == 0
        self.handle: TextIO = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115 - closed in close()
        self.writer = csv.DictWriter(self.handle, fieldnames=CSV_FIELDS, extrasaction="ignore") if self.csv else None
        if self.writer is not None and is_new:
            self.writer.writeheader()
        self.unsynced = 0

    def write(self, row: dict[str, Any]) -> None:
        if self.writer is not None:
            flat = {**row, "permit": json.dumps(row["permit"]), "checks": json.dumps(row["checks"])}
            self.writer.writerow(flat)
        else:
            self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.handle.flush()
        self.unsynced += 1
        if self.unsynced >= SYNC_EVERY:
            os.fsync(self.handle.fileno())
            self.unsynced = 0

    def close(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()


def read_report(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of an existing report (a torn last line, from a kill, is ignored)."""
    if not path.exists():
        return
    with open(path, encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            for row in csv.DictReader(handle):
                if row.get("status") and row.get("checks") is not None:
                    try:
                        yield {**row, "valid": row["valid"] == "True", "permit": json.loads(row["permit"]),
                               "checks": json.loads(row["checks"])}  # fmt: skip
                    except json.JSONDecodeError:
                        continue
            return
        for line in handle:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def repair_torn_tail(path: Path) -> None:
    """Cut a partly written last line left by a kill, so appended rows start on a fresh line."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        with open(path, "r+b") as handle:
            handle.truncate(data.rfind(b"\n") + 1)


def run_audit(
    paths: list[Path],
    report: Path,
    *,
    workers: int,
    resume: bool,
    payload_column: str = "payload",
    ledger_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Totals:
    """Audit ``paths`` into ``report``; returns the totals over the whole report."""
    if report.exists() and not resume and report.stat().st_size > 0:
        raise InputError(f"{report}: the report exists; use --resume to continue it, or choose another file")
    repair_torn_tail(report)
    done = {row["input"] for row in read_report(report)} if resume else set()
    items = (
        (reference, str(path), text) for reference, path, text in stream(paths, payload_column) if reference not in done
    )
    writer = ReportWriter(report)
    try:
        if workers <= 1:
            _init_worker(ledger_url)
            results: Iterator[list[dict[str, Any]]] = map(judge, items)
            _drain(results, writer, progress)
        else:
            with get_context("spawn").Pool(workers, initializer=_init_worker, initargs=(ledger_url,)) as pool:
                _drain(pool.imap(judge, items, chunksize=CHUNK), writer, progress)
    finally:
        writer.close()
    totals = Totals()
    for row in read_report(report):
        totals.add(row)
    return totals


def _drain(
    results: Iterator[list[dict[str, Any]]], writer: ReportWriter, progress: Callable[[int], None] | None
) -> None:
    for rows in results:
        for row in rows:
            writer.write(row)
        if progress is not None:
            progress(len(rows))


__all__ = ["ReportWriter", "Totals", "judge", "read_report", "run_audit"]
