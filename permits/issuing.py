"""Issuing: sign a validated permit and produce its three files (PDF form, QR image, QR text).

Everything is rendered in memory first and only then written, each file atomically, so a refused or failed
issue never leaves a partial permit behind. The issuing register entry is inserted, in an open transaction,
before any file is written (a duplicate number or security stamp is refused there, with nothing written) and
committed after the last one; a failed write rolls the entry back, and a failed commit removes the files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from keys.keyfile import SigningKey
from permits.envelope import seal
from permits.errors import InputError, PermitValidationError
from permits.fileio import path_exists, write_bytes_atomic
from permits.ledger.interface import Issued
from permits.model import Permit
from permits.rules.interface import Finding, ListingSource


@dataclass(frozen=True)
class IssuedPermit:
    """The signed QR text, the files written for it, and the rule warnings it was issued with."""

    qr_text: str
    pdf: Path
    png: Path
    txt: Path
    warnings: list[Finding]
    print_warnings: list[str] = field(default_factory=list)
    """Texts the PDF form cannot print in full (characters its font lacks print as "?")."""


def file_stem(number: str) -> str:
    """A permit number as a safe file name: ``KE/2026/ZOO/0001`` -> ``KE-2026-ZOO-0001``."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", number).strip("-.")
    return stem or "permit"


def longest_texts(permit: Permit, count: int = 3) -> list[str]:
    """The ``count`` longest texts of the permit as ``field (N characters)``, longest first: what to shorten when
    the permit does not fit in its QR code."""
    texts: list[tuple[int, str]] = []

    def walk(value: object, path: str) -> None:
        if isinstance(value, str):
            texts.append((len(value), path))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    walk(permit.to_mapping(), "")
    texts.sort(key=lambda text: -text[0])
    return [f"{path} ({length:,} characters)" for length, path in texts[:count]]


def check_signer(permit: Permit, key: SigningKey) -> None:
    """Refuse to sign with a key of another Party than the permit's issuing Party."""
    if key.party != permit.issuing_party:
        raise InputError(
            f"the key belongs to {key.party} ({key.authority}) but the permit is issued by {permit.issuing_party}: "
            "a Management Authority signs only its own Party's permits"
        )


def check_issue_date(permit: Permit, today: dt.date) -> None:
    """Refuse an issue date other than the signing day, give or take a day for time zones: after it, the
    signature's time (CWT ``iat``) could not agree with it (docs/FORMAT.md); before it, the permit would be
    issued retrospectively, which Res. Conf. 12.3 forbids (and an earlier date could dodge a recent uplisting).
    (A validity starting before the issue date is no permit at all: ``Permit.from_mapping`` refuses it.)"""
    if permit.issued > today + dt.timedelta(days=1):
        raise InputError(
            f"issued: {permit.issued} is after today ({today}): a permit is signed on its issue date "
            "(to start its validity later, give valid_from)"
        )
    if permit.issued < today - dt.timedelta(days=1):
        raise InputError(
            f"issued: {permit.issued} is before today ({today}): permits are not issued retrospectively "
            "(Res. Conf. 12.3); leave issued out to use today"
        )


def check_rules(permit: Permit, registry: ListingSource, today: dt.date) -> list[Finding]:
    """Run every CITES rule; refuse (listing every error at once) when any error fires. Returns the warnings."""
    from permits.rules import RememberedListings, RuleContext, evaluate
    from permits.rules.engine import errors

    findings = evaluate(permit, RuleContext(RememberedListings(registry), today))
    refused = errors(findings)
    if refused:
        raise PermitValidationError([finding.describe() for finding in refused], source=f"permit {permit.number}")
    return findings


def issue(
    permit: Permit,
    key: SigningKey,
    out_dir: Path,
    registry: ListingSource,
    register: Register | None = None,
    now: dt.datetime | None = None,
) -> IssuedPermit:
    """Check, sign, register and write ``<number>.pdf``, ``.png`` and ``.txt`` into ``out_dir``.

    Refuses a key of another Party, an issue date after tomorrow, a permit that breaks a CITES rule, a file
    already there, and (with a ``register``) a number or security stamp the Party already used; writes nothing
    then. The register entry is committed only after
    the three files are written, and the files are removed if that commit fails.
    """
    today = (now or dt.datetime.now(dt.UTC)).date()
    check_signer(permit, key)
    check_issue_date(permit, today)
    warnings = check_rules(permit, registry, today)
    from permits.document.pdf import render_permit
    from permits.qr import QrTooLargeError, qr_png_bytes

    qr_text = seal(permit, key, now)
    try:
        png = qr_png_bytes(qr_text)
    except QrTooLargeError as error:
        marks = sum(len(line.marks) for line in permit.items)
        raise QrTooLargeError(
            f"{error}. The permit has {len(permit.items)} specimen line(s) and {marks} identifying mark(s); "
            f"its longest texts: {', '.join(longest_texts(permit))}; nothing was written"
        ) from None
    rendered = render_permit(permit, qr_text, kid=key.kid.hex())
    pdf = rendered.data
    stem = out_dir / file_stem(permit.number)
    issued = IssuedPermit(
        qr_text, Path(f"{stem}.pdf"), Path(f"{stem}.png"), Path(f"{stem}.txt"), warnings, rendered.warnings()
    )
    existing = next((path for path in (issued.txt, issued.png, issued.pdf) if path_exists(path)), None)
    if existing is not None:  # another permit's file (numbers that differ only in punctuation), or an old one
        raise InputError(f"{existing}: already exists; nothing was written (choose another --out)")
    record = Issued(
        party=permit.issuing_party,
        number=permit.number,
        security_stamp=permit.security_stamp,
        issued_on=permit.issued,
        kid=key.kid.hex(),
        payload_hash=hashlib.sha256(qr_text.encode("ascii")).hexdigest(),
    )
    written: list[Path] = []
    try:
        with register.register(record, actor=key.authority) if register else contextlib.nullcontext():
            for path, data in ((issued.txt, (qr_text + "\n").encode("ascii")), (issued.png, png), (issued.pdf, pdf)):
                write_bytes_atomic(path, data)
                written.append(path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return issued


class Register(Protocol):
    """The issuing register (``permits.ledger``): a context that commits the entry when the block succeeds."""

    def register(self, record: Issued, actor: str) -> contextlib.AbstractContextManager[None]: ...
