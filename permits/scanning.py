"""Counter scanning: a stream of permits from a handheld scanner (one QR text per line) or a watched folder
(a network scanner's drop folder), each judged at once and appended to the post's scan log.

The log (``CITES_HOME/scan-log.jsonl``) has one JSON object per scan: the time, the source and the verdict
fields of ``cites verify --json``. Files in a watched folder are read once they stop growing.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from permits import limits
from permits.errors import CitesError, ConfigurationError, InputError
from permits.fileio import bounded_lines
from permits.home import state_path
from permits.output.json import utf8_json
from permits.verification import Status, Verdict, Verifier

POLL_SECONDS = 0.3
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")


def scan_log_path() -> Path:
    return state_path("scan-log.jsonl")


@dataclass
class ScanLog:
    """Appends one JSON line per verdict; each line is flushed and synced so a crash loses nothing."""

    path: Path

    def append(self, verdict: Verdict) -> None:
        record = {"scanned_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **verdict.to_json()}
        try:
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(utf8_json(record) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:  # a read-only CITES_HOME, a folder in the log's place
            raise ConfigurationError(f"{self.path}: cannot write the scan log ({error.strerror or error})") from None


def watched_files(folder: Path) -> list[Path]:
    """The entries of the watched ``folder``, in name order; a folder gone or unreadable (a scanner's share
    unmounted, its permissions changed) is an ``InputError`` naming it."""
    try:
        return sorted(folder.iterdir())
    except OSError as error:
        raise InputError(f"--watch: {folder}: cannot list the folder ({error.strerror or error})") from None


@dataclass
class Scanner:
    """Judges what the counter scans and logs every verdict."""

    verifier: Verifier
    log: ScanLog
    seen: set[Path] = field(default_factory=set)

    def _record(self, verdict: Verdict) -> Verdict:
        self.log.append(verdict)
        return verdict

    def lines(self, stream: TextIO) -> Iterator[Verdict]:
        """One verdict per non-empty line (a keyboard-wedge scanner types the QR text and Enter); a line over
        ``limits.MAX_INPUT_LINE_CHARS`` is MALFORMED, never read whole."""
        for number, line in enumerate(bounded_lines(stream), start=1):
            source = f"scan {number}"
            if line is None:
                message = limits.LINE_TOO_LONG
                yield self._record(Verdict.not_read(source, message, Status.MALFORMED))
            elif line.strip():
                yield self._record(self.verifier.verify(line, source=source))

    def file(self, path: Path) -> list[Verdict]:
        """Verdicts for every permit in one file (a failure verdict when it holds none or is unreadable)."""
        from permits.reading import read_payloads

        try:
            found = read_payloads(path)
        except CitesError as error:
            return [self._record(Verdict.not_read(str(path), str(error)))]
        if not found:
            return [self._record(Verdict.not_read(str(path), f"no permit QR code found in {path}"))]
        return [self._record(self.verifier.verify(item.text, source=item.source)) for item in found]

    def watch(self, folder: Path, stop: Callable[[int], bool]) -> Iterator[Verdict]:
        """Verdicts for each new file dropped into ``folder``, until ``stop(files_done)`` is true."""
        sizes: dict[Path, int] = {}
        done = 0
        while not stop(done):
            for path in watched_files(folder):
                if (
                    path in self.seen
                    or not path.is_file()
                    or path.name.startswith(".")
                    or path.suffix in IGNORED_SUFFIXES
                ):
                    continue
                try:
                    size = path.stat().st_size
                except OSError:  # moved away since the listing: it is not ours to judge any more
                    continue
                if sizes.get(path) != size:  # still being written: look again next round
                    sizes[path] = size
                    continue
                self.seen.add(path)
                done += 1
                yield from self.file(path)
                if stop(done):  # several files ready in one round: --stop-after counts each of them
                    return
            time.sleep(POLL_SECONDS)
