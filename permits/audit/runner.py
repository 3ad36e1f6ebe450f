"""Running an audit: judge every input exactly as ``cites verify`` does, in worker processes, append one report
row per permit in input order, then derive the cross-permit findings and the summary from the report's rows.

- Workers: ``workers=1`` judges in this process; more start that many processes (spawned: nothing is shared),
  each building its verifier once with ``build_verifier``. Every permit is judged as of one moment (``at``, else
  the audit's start; a resumed audit keeps the interrupted one's): a long audit, or one resumed the next day,
  does not judge its permits as of different days. Inputs go out in chunks with a few chunks per worker
  in flight, so the input stream is never read far ahead, and results come back in input order.
- Durability: each chunk's rows are appended with one write as soon as they come back and the report is synced
  at least every ``SYNC_SECONDS``, so a kill loses at most the last rows. With ``resume`` the report is read
  back (the last input's rows, and a torn record, are cut off), its inputs are skipped and the rest is
  appended.
- The index of ``permits.audit.index`` takes the facts of every row, read back or new: findings and summary
  of a resumed audit are those of an uninterrupted one.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from permits.audit.findings import Finding, FindingsTally, find_all
from permits.audit.index import BatchIndex, RowFacts, Summary, facts_of
from permits.audit.inputs import AuditInput, iter_inputs
from permits.audit.reports import PageFormat, Row, RowFormat, finding_format, report_format
from permits.audit.reports.html import PAGE_TITLE, HtmlPage
from permits.audit.run_record import RUN_RECORD_FORMAT, RunRecord
from permits.errors import InputError
from permits.fileio import (
    atomic_writer,
    path_exists,
    require_replaceable,
    require_writable_folder,
    write_text_atomic,
)
from permits.ledger import ledger_exists, open_ledger

if TYPE_CHECKING:
    from permits.verification.verifier import Verifier

CHUNK_INPUTS = 256
"""Inputs per chunk sent to a worker (a PDF or image always goes alone: reading it takes far longer)."""
CHUNKS_IN_FLIGHT_PER_WORKER = 3
SYNC_SECONDS = 1.0
INPUTS_EXPECTED = "give files or folders of PDFs, images, QR text, JSONL or CSV to audit"
"""What an audit reads, said where an input named is not there."""
PARENT_CHECK_SECONDS = 0.5


class Progress(Protocol):
    """Where the runner reports progress (the command line shows it as a bar)."""

    def start(self, total: int) -> None:
        """The number of inputs still to judge."""
        ...

    def advance(self, inputs: int) -> None: ...


@dataclass(frozen=True)
class AuditResult:
    """What an audit produced: the files, the summary of the whole report, the findings tally."""

    report: Path
    findings_file: Path
    page: Path | None
    summary: Summary
    findings: FindingsTally
    resumed_rows: int


@dataclass(frozen=True)
class Judged:
    """A judged chunk: its report records (encoded, in input order), their facts, the number of inputs."""

    data: bytes
    facts: list[RowFacts]
    inputs: int


def run_audit(
    paths: Sequence[Path],
    report: Path,
    *,
    findings: Path | None = None,
    html: Path | None = None,
    workers: int = 1,
    resume: bool = False,
    payload_columns: Sequence[str] = ("payload",),
    ledger_url: str | None = None,
    register: Sequence[str] = (),
    at: dt.datetime | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit ``paths`` into ``report``, the findings file and the ``html`` page if given; ``InputError`` for a
    usage error (then nothing is written). ``register``: Parties whose permits are compared with the issuing
    register of the ledger; ``at``: the moment the permits are judged as of (default: the audit's start)."""
    rows_format = report_format(report)
    findings = findings or report.with_name(f"{report.stem}.findings{report.suffix}")
    findings_format = finding_format(findings)
    run_record = report.with_name(f"{report.stem}.run.json")
    outputs = {"--report": report, "--findings": findings, **({"--html": html} if html else {})}
    outputs["the run record"] = run_record
    _check_arguments(paths, outputs, workers, resume, payload_columns)
    if register and not ledger_exists(ledger_url):
        raise InputError("--register: no ledger holds an issuing register here; give its URL with --db")
    if ledger_exists(ledger_url):
        open_ledger(ledger_url, existing=True)  # a missing or unusable ledger: a usage error before any work
    if not resume and next(iter_inputs(paths, payload_columns, exclude=outputs.values()), None) is None:
        raise InputError(f"no inputs to audit in {', '.join(map(str, paths))} (PDFs, images, text, JSONL or CSV)")
    settings = RunRecord.now(paths, payload_columns, ledger_url, register, at)
    recorded = RunRecord.read(run_record) if resume else settings
    if changed := recorded.differences(settings):
        raise InputError(
            f"{report}: the interrupted audit was judged against other settings ({'; '.join(changed)}); resume with "
            "those, or audit again into a new report"
        )
    for output_path in outputs.values():  # last of the checks, so a refused audit leaves no folder behind; before any
        require_writable_folder(output_path.parent)  # permit is judged, so no page or findings file is lost after it
    with BatchIndex(report.parent) as index, ReportFile(report, rows_format, resume=resume) as output:
        resumed = output.load(index) if resume else 0
        if resume:
            _check_same_inputs(index, report, iter_inputs(paths, payload_columns, exclude=outputs.values()))
            output.cut_torn_tail()
        else:
            settings.write(run_record)

        def pending() -> Iterator[AuditInput]:
            items = iter_inputs(paths, payload_columns, exclude=outputs.values())
            return (item for item in items if not index.has_input(item.reference)) if resumed else items

        if progress is not None:
            progress.start(sum(1 for _ in pending()))
        judges = JudgeSettings(rows_format, ledger_url, recorded.judged_as_of())
        for judged in _judged(_chunks(pending()), workers, judges):
            output.append(judged.data)
            index.add(judged.facts)
            if progress is not None:
                progress.advance(judged.inputs)
        output.close()
        for party in register:
            index.add_register(party, open_ledger(ledger_url, existing=True).register_of(party))
        tally = _write_findings(find_all(index), findings, findings_format)
        summary = index.summary()
        if html is not None:
            page: PageFormat = HtmlPage()
            written = [(f"{name} file", f"{path} (SHA-256 {_sha256(path)})") for name, path in
                       (("report", report), ("findings", findings))]  # fmt: skip
            write_text_atomic(html, page.render(summary, tally, recorded.described() + written))
        return AuditResult(report, findings, html, summary, tally, resumed)


def _check_same_inputs(index: BatchIndex, report: Path, inputs: Iterator[AuditInput]) -> None:
    """Refuse to resume a report that holds rows of inputs this audit does not have (other arguments than the
    interrupted run's): the report would mix two batches."""
    found = sum(1 for item in inputs if index.has_input(item.reference))
    if found < index.inputs_done():
        raise InputError(
            f"{report}: it holds rows of inputs that are not among this audit's inputs; resume with the "
            "arguments of the interrupted run, or start another report"
        )


def _check_arguments(
    paths: Sequence[Path], outputs: dict[str, Path], workers: int, resume: bool, payload_columns: Sequence[str]
) -> None:
    """Refuse what cannot run: a missing input, no worker, an empty payload column name (no header or key is
    named so: every CSV and JSON line would be an input error), one file for two outputs, an output that is an
    input (it would be skipped, then overwritten): named as one, or a file in an audited folder that is not this
    audit's own output from before (``--resume``)."""
    missing = [str(path) for path in paths if not path_exists(path)]
    if missing:
        raise InputError(f"not found: {', '.join(missing)} ({INPUTS_EXPECTED})")
    if any(not column.strip() for column in payload_columns):
        raise InputError("--payload-column: an empty column name; give the CSV column or JSON key of the QR text")
    if workers < 1:
        raise InputError(f"--workers must be at least 1, not {workers}")
    named_inputs = {path.resolve() for path in paths if path.is_file()}
    folders = [path.resolve() for path in paths if path.is_dir()]
    seen: dict[Path, str] = {}
    for option, path in outputs.items():
        try:  # a folder or a device given as an output: refused before any row is written, not after
            require_replaceable(path)
        except InputError as error:
            raise InputError(f"{option} {error}") from None
        where = path.resolve()
        if where in named_inputs:
            raise InputError(f"{option} {path} is also an input: it would be overwritten; choose another file")
        if where in seen:
            raise InputError(f"{option} and {seen[where]} name the same file {path}; choose another")
        seen[where] = option
        folder = next((folder for folder in folders if where.is_relative_to(folder)), None)
        if folder and option != "--report" and where.is_file() and not (resume and _written_by_audit(where)):
            raise InputError(
                f"{option} {path} is a file in the audited folder {folder}: it would be skipped as an input, "
                "then overwritten; choose another file"
            )


FINDINGS_OPENINGS = (b'{"kind":', b"kind,severity,", b'{\n  "format": "' + RUN_RECORD_FORMAT.encode())
"""How a findings file (JSON Lines, CSV) or the run record begins; the report is checked as it is read back."""


def _written_by_audit(path: Path) -> bool:
    """True when ``path`` begins as a findings file, a run record or an audit page does (or is empty: no findings,
    and nothing an audit would read)."""
    try:
        with open(path, "rb") as handle:
            opening = handle.read(512)
    except OSError:
        return False
    return not opening or opening.startswith(FINDINGS_OPENINGS) or f"<title>{PAGE_TITLE}</title>".encode() in opening


class JudgeSettings(NamedTuple):
    """What every judge of an audit shares: the report's row format, the ledger, the moment judged as of."""

    rows_format: RowFormat
    ledger_url: str | None
    at: dt.datetime


class Judge:
    """Turns inputs into report rows with one verifier (built once per worker process)."""

    def __init__(self, settings: JudgeSettings) -> None:
        from permits.verification.assembly import build_verifier

        self.rows_format = settings.rows_format
        self.at = settings.at
        self.verifier: Verifier = build_verifier(settings.ledger_url)

    def chunk(self, items: list[AuditInput]) -> Judged:
        records: list[bytes] = []
        facts: list[RowFacts] = []
        for item in items:
            for row in self.rows(item):
                records.append(self.rows_format.encode(row))
                facts.append(facts_of(row))
        return Judged(b"".join(records), facts, len(items))

    def rows(self, item: AuditInput) -> Iterator[Row]:
        """The report rows of one input: one, or one per permit found in a document."""
        if item.text is not None:
            verdict = self.verifier.verify(item.text, source=item.reference, at=self.at)
            yield _row(item, None, item.text, verdict.to_json())
        elif item.problem is not None:
            yield _row(item, None, None, _problem(item))
        else:
            yield from self._document_rows(item)

    def _document_rows(self, item: AuditInput) -> Iterator[Row]:
        from permits.errors import CitesError
        from permits.reading import read_payloads

        try:
            found = read_payloads(Path(item.file))
        except CitesError as error:
            yield _row(item, None, None, _problem(item._replace(problem=str(error), unreadable=True)))
            return
        if not found:
            yield _row(item, None, None, _problem(item._replace(problem=f"no permit QR code found in {item.file}")))
        for payload in found:
            verdict = self.verifier.verify(payload.text, source=payload.source, at=self.at)
            yield _row(item, payload.page, payload.text, verdict.to_json())


def _row(item: AuditInput, page: int | None, text: str | None, verdict: dict[str, Any]) -> Row:
    digest = hashlib.sha256(text.strip().encode("utf-8")).hexdigest() if text else None
    return {"input": item.reference, "file": item.file, "line": item.line, "page": page, "payload_sha256": digest,
            **verdict}  # fmt: skip


def _problem(item: AuditInput) -> dict[str, Any]:
    """The verdict fields for an input without a permit: as ``cites verify --json`` gives them."""
    from permits.verification import Verdict
    from permits.verification.result import input_error_json

    problem = item.problem or "no permit found"
    if item.unreadable:
        return input_error_json(item.reference, problem)
    return Verdict.not_read(item.reference, problem).to_json()


_worker_judge: Judge | None = None


def _start_worker(settings: JudgeSettings, parent: int) -> None:
    """Worker initializer: Ctrl-C is for the parent (which stops the pool); a worker whose parent was killed
    exits by itself; then the worker's judge."""
    global _worker_judge
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(parent,), name="exit-with-parent", daemon=True).start()
    _worker_judge = Judge(settings)


def _exit_without(parent: int) -> None:
    """Exit once ``parent`` is gone (the worker was adopted by another process): a killed audit leaves no
    workers behind (they would wait forever for work, as each holds the other workers' queue ends)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _judge_in_worker(items: list[AuditInput]) -> Judged:
    assert _worker_judge is not None, "the worker initializer did not run"
    return _worker_judge.chunk(items)


def _chunks(items: Iterator[AuditInput]) -> Iterator[list[AuditInput]]:
    chunk: list[AuditInput] = []
    for item in items:
        chunk.append(item)
        if item.is_document or len(chunk) >= CHUNK_INPUTS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _judged(chunks: Iterator[list[AuditInput]], workers: int, settings: JudgeSettings) -> Iterator[Judged]:
    """Judged chunks in input order: in this process for one worker, else in a bounded pipeline of processes."""
    if workers == 1:
        yield from map(Judge(settings).chunk, chunks)
        return
    pool = ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(settings, os.getpid()),
    )
    in_flight: deque[Future[Judged]] = deque()
    try:
        for chunk in chunks:
            in_flight.append(pool.submit(_judge_in_worker, chunk))
            if len(in_flight) >= workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class ReportFile:
    """The report being appended: locked against a second audit, written chunk by chunk, synced regularly."""

    def __init__(self, path: Path, rows_format: RowFormat, *, resume: bool) -> None:
        self.path = path
        self.rows_format = rows_format
        try:
            self.descriptor: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:
            raise InputError(f"{path}: cannot open the report ({error.strerror})") from None
        try:
            fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.close()
            raise InputError(f"{path}: another audit is writing this report") from None
        if os.fstat(self.descriptor).st_size and not resume:
            self.close()
            raise InputError(f"{path}: the report exists; add --resume to continue it, or choose another file")
        self.synced = time.monotonic()
        self._cut: int | None = None
        self._start()

    def __enter__(self) -> ReportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self, index: BatchIndex) -> int:
        """Read the rows already in the report into ``index``, except those of its last input, which
        ``cut_torn_tail`` cuts off with a torn record after them: that input is judged again, since a kill may
        have left only some of a document's rows (and nothing tells them from all of them). The number of rows
        kept."""
        damaged, last_input, cut = None, None, None
        last_rows: list[RowFacts] = []
        with open(self.path, "rb") as handle:
            for record in self.rows_format.records(handle):
                if damaged is not None:
                    raise InputError(f"{self.path}: damaged record at byte {damaged.start}; cannot resume")
                if record.row is None:
                    damaged = record
                    continue
                facts = self._facts(record.row, record.start)
                if record.row["input"] != last_input:
                    index.add(last_rows)
                    last_input, last_rows, cut = record.row["input"], [], record.start
                last_rows.append(facts)
        index.remember_inputs()
        self._cut = damaged.start if cut is None and damaged is not None else cut
        return index.rows

    def cut_torn_tail(self) -> None:
        """Cut off what ``load`` found to judge again (the last input's rows and a torn record)."""
        if self._cut is not None:
            assert self.descriptor is not None
            os.ftruncate(self.descriptor, self._cut)
            self._start()

    def append(self, data: bytes) -> None:
        assert self.descriptor is not None
        view = memoryview(data)
        while view:
            view = view[os.write(self.descriptor, view) :]
        if time.monotonic() - self.synced >= SYNC_SECONDS:
            os.fsync(self.descriptor)
            self.synced = time.monotonic()

    def close(self) -> None:
        if self.descriptor is not None:
            os.fsync(self.descriptor)
            os.close(self.descriptor)
            self.descriptor = None

    def _start(self) -> None:
        """A new or emptied file gets the format's header."""
        assert self.descriptor is not None
        if not os.fstat(self.descriptor).st_size:
            self.append(self.rows_format.header())

    def _facts(self, row: Row, start: int) -> RowFacts:
        try:
            return facts_of(row)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InputError(f"{self.path}: the record at byte {start} is not an audit report row") from None


def _write_findings(findings: Iterator[Finding], path: Path, rows_format: RowFormat) -> FindingsTally:
    """Write every finding (atomically: the file appears whole) and count them."""
    tally = FindingsTally()
    with atomic_writer(path) as handle:
        handle.write(rows_format.header())
        for finding in findings:
            handle.write(rows_format.encode(finding.to_row()))
            tally.add(finding)
    return tally


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
