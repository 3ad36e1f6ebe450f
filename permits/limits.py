"""Every size limit the tool enforces, in one place, with the reason for each value.

The verifier checks these *before* doing the work they bound, so hostile input cannot make it spend unbounded
time or memory. ``docs/FORMAT.md`` publishes the same numbers.
"""

from __future__ import annotations

from permits.errors import InputError

MAX_QR_TEXT_CHARS = 4296
"""Largest QR text accepted: the alphanumeric capacity of a version-40 symbol at ECC L (nothing larger exists).
It also bounds the Base45-decoded data to 2,864 bytes."""

MAX_INPUT_LINE_CHARS = 4 * MAX_QR_TEXT_CHARS
"""Longest line of QR text read from standard input or a text file (``verify``, ``scan``): four times the largest
QR text leaves room for a scanner's padding; a longer line cannot hold a permit and is refused unread, so memory
stays bounded however long it is."""

MAX_RECORD_CHARS = 1_000_000
"""Longest line of a JSON Lines or CSV file ``audit`` reads (a QR text and whatever else the exporting system put
beside it); a longer line is refused unread."""

LINE_TOO_LONG = f"longer than {MAX_INPUT_LINE_CHARS:,} characters (no QR text is); refused"
"""What ``verify``, ``scan`` and ``audit`` say of a line of QR text over ``MAX_INPUT_LINE_CHARS``."""

MAX_ISSUED_QR_VERSION = 30
"""Largest QR version ``cites issue`` prints; a permit that needs more is refused (split it into two permits)."""

MAX_DECOMPRESSED_BYTES = 32 * 1024
"""Largest COSE structure after zlib inflation: a 50-line permit is under 8 KiB; caps zip bombs. It also bounds
the number of CBOR items in a payload (every item takes at least one byte)."""

MAX_SPECIMEN_LINES = 50
"""Most specimen lines (boxes 7-12b) one permit may carry."""

MAX_MARKS_PER_LINE = 200
"""Most identifying marks (microchips, rings, tags) on one specimen line."""

MAX_TEXT_CHARS = 500
"""Longest free-text field (names, addresses, descriptions, special conditions)."""

MAX_CODE_CHARS = 64
"""Longest identifier field (permit numbers, stamp numbers, mark ids, bill of lading)."""

MAX_NAME_CHARS = 200
"""Longest name typed on the command line: a taxon to look up (scientific names with subspecies and author stay
under 100 characters; a longer one took a minute to print), a port, an officer, a post."""

MAX_CBOR_DEPTH = 8
"""Deepest nesting of CBOR arrays and maps accepted in a payload (the permit map needs 5)."""

MAX_INPUT_FILE_BYTES = 50 * 1024 * 1024
"""Largest permit description, image or PDF file read from disk."""

MAX_SIGNED_DOCUMENT_BYTES = 16 * 1024 * 1024
"""Largest trust list, root, revocation list or ledger export read (100,000 revocations are about 9 MiB)."""

MAX_IMAGE_PIXELS = 60_000_000
"""Largest image decoded (A4 at 600 dpi is 35 megapixels); larger images and decompression bombs are refused."""

MAX_PDF_PAGES = 100
"""Most pages (PDF pages or TIFF frames) read from one file."""


def enforce(value: int, limit: int, what: str, where: str) -> None:
    """Refuse input whose ``what`` (e.g. "pixels") is above ``limit``, before any work is done on it."""
    if value > limit:
        raise InputError(f"{where}: {value:,} {what} is over the limit of {limit:,}; refused")
