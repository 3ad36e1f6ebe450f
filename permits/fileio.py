"""Safe file writing: every file the tool produces is written to a temporary sibling and renamed into place,
so an interrupted or failed command never leaves a half-written file behind. And careful reading of what the
user names: a path that cannot be looked up, a device or a pipe, or an oversized file is an ``InputError`` naming
it before the work, and lines are read in bounded pieces."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TextIO

from permits import limits
from permits.errors import InputError


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if missing; an ``InputError`` naming it if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(f"{folder}: is a file, not a folder") from None
    except OSError as error:
        raise InputError(f"{folder}: cannot create this folder ({error.strerror or error})") from None


def require_writable_folder(folder: Path) -> None:
    """Create ``folder`` if missing and check that a file can be created in it (a read-only folder or file system
    is found before the work whose result it would lose); an ``InputError`` naming it otherwise."""
    ensure_folder(folder)
    try:
        fd, name = tempfile.mkstemp(prefix=".cites-write-check-", dir=folder)
    except OSError as error:
        raise InputError(f"{folder}: cannot write in this folder ({error.strerror or error})") from None
    os.close(fd)
    os.unlink(name)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int = 0o644) -> Iterator[IO[bytes]]:
    """Open a temporary binary file next to ``path``; on success fsync it, set ``mode`` and rename it over it.
    A place that cannot be written (a missing or read-only folder, ``path`` a folder) is an ``InputError``."""
    ensure_folder(path.parent)
    require_replaceable(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise InputError(f"{path}: cannot write here ({error.strerror or error})") from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.replace(tmp_name, path)
        except OSError as error:
            raise InputError(f"{path}: cannot write here ({error.strerror or error})") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def require_replaceable(path: Path) -> None:
    """Check that writing ``path`` would create a file or replace a plain one; an ``InputError`` naming it when
    it is a device, pipe, link or folder, or a private key or database (which no written file replaces). Commands
    that write several files check each one first, so that none is written when one of them cannot be."""
    try:
        kind = stat.S_IFMT(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as error:
        raise InputError(f"{path}: cannot write here ({error.strerror or error})") from None
    if kind != stat.S_IFREG:  # a device, pipe, link or folder would be replaced by a plain file
        raise InputError(f"{path}: not a regular file; give the path of a file to write")
    irreplaceable = _irreplaceable_kind(path)
    if irreplaceable is not None:  # an --out mistyped as the --key or the ledger would destroy it for good
        raise InputError(f"{path}: holds {irreplaceable}; nothing was written (give another file to write)")


IRREPLACEABLE_HEADS = (
    (b"-----BEGIN ENCRYPTED PRIVATE KEY-----", "a private key"),
    (b"-----BEGIN PRIVATE KEY-----", "a private key"),
    (b"SQLite format 3\x00", "an SQLite database (a ledger or registry)"),
)
"""What no written file replaces: keys and databases are never an output of the tool, and cannot be rebuilt."""


def _irreplaceable_kind(path: Path) -> str | None:
    """What ``path`` holds when it is a private key or an SQLite database (by its first bytes); else None."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:  # missing, or unreadable: the rename decides
        return None
    return next((kind for start, kind in IRREPLACEABLE_HEADS if head.startswith(start)), None)


def write_bytes_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically with permission bits ``mode``."""
    with atomic_writer(path, mode=mode) as handle:
        handle.write(data)


def printable_path(path: Path | str) -> str:
    """``path`` as text that is valid Unicode: a name that is not UTF-8 (Python keeps its bytes as unpaired
    surrogates) shows those bytes as ``\\xe9`` escapes. Equal to ``str(path)`` for every UTF-8 name."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def write_text_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically with permission bits ``mode``."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def require_regular_file(path: Path, what: str) -> int:
    """The size of ``path``, a regular file (links followed); an ``InputError`` naming it otherwise: missing, a
    folder, a device or a pipe (a pipe would block, /dev/zero never end), a path that cannot be looked up."""
    try:
        status = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: {what} file not found") from None
    except OSError as error:  # a symbolic link loop, a name too long, a folder that cannot be searched
        raise InputError(f"{path}: cannot read the {what} file ({error.strerror or error})") from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError(f"{path}: is a directory, not a {what} file")
    if not stat.S_ISREG(status.st_mode):
        raise InputError(f"{path}: not a regular file (a device, pipe or socket; the {what} must be a file)")
    return status.st_size


def read_input_file(path: Path, what: str, limit: int = limits.MAX_INPUT_FILE_BYTES) -> bytes:
    """The bytes of a file the user gave; a missing, unreadable or oversized file is an ``InputError`` naming it."""
    limits.enforce(require_regular_file(path, what), limit, "bytes", f"{path} ({what})")
    try:
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied reading the {what} file") from None
    except OSError as error:  # an I/O error, or the file gone since
        raise InputError(f"{path}: cannot read the {what} file ({error.strerror or error})") from None


def path_exists(path: Path) -> bool:
    """Whether anything is at ``path`` (links followed); a path that cannot even be looked up (a name over 255
    bytes, a path over 4096, a symbolic link loop) is an ``InputError`` naming it, where ``Path.exists`` raises."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as error:
        raise InputError(f"{path}: cannot use this path ({error.strerror or error})") from None
    return True


def bounded_lines(stream: TextIO, limit: int = limits.MAX_INPUT_LINE_CHARS) -> Iterator[str | None]:
    """The lines of ``stream``, reading at most ``limit`` characters of one at a time: a line longer than ``limit``
    (its line end not counted) is None, the rest of it read and dropped piece by piece."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        while (rest := stream.readline(limit + 1)) and not rest.endswith("\n"):
            pass
        yield None
