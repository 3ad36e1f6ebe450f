"""Box 14: turning a verified permit and the officer's entries into a use the ledger records
(``endorse_verified``, what ``cites endorse`` does once the permit is verified).

Only a VALID permit is endorsed; a NOT VALID one is refused with its verdict's reason (and the earlier use,
when the ledger check found one). An import permit is refused too: it does not authorise the export.

The quantity shipped per line defaults to the full authorised quantity; a larger one is refused here,
against the signed permit (which cannot change), before the ledger is touched. Partial quantities are fine
on the one endorsement, but a permit covers one consignment: a second endorsement, even of the rest, is
refused by the ledger (one use per permit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from permits.codes import DocumentType
from permits.errors import InputError
from permits.ledger.interface import EndorsementRefused, Ledger, Use
from permits.model import QUANTITY_PATTERN, Permit, format_quantity, is_possible_amount, one_line_name

NOT_AN_EXPORT_DOCUMENT = "NOT_AN_EXPORT_DOCUMENT"
"""The ``status`` of a refused endorsement of an import permit."""

if TYPE_CHECKING:
    from permits.verification.result import Verdict


def endorse_verified(
    ledger: Ledger, verdict: Verdict, port: str, officer: str, post: str, quantity_entries: Sequence[str]
) -> Use:
    """Record the shipment of the permit ``verdict`` judged, and return the use recorded;
    ``EndorsementRefused`` if the permit is NOT VALID, a quantity is above it, or it was used before."""
    if not verdict.valid or verdict.permit is None:
        earlier = Use.from_json(verdict.extra["use"]) if "use" in verdict.extra else None
        reason = f"the permit is NOT VALID ({verdict.status.value}): {verdict.reason}"
        raise EndorsementRefused(reason, verdict.status.value, earlier)
    permit = verdict.permit
    if permit.document_type is DocumentType.IMPORT:
        raise EndorsementRefused(
            f"{permit.number} is an import permit: Box 14 endorses the export document (export permit, re-export "
            "or other certificate), which the import permit only accompanies",
            NOT_AN_EXPORT_DOCUMENT,
        )
    use = new_use(permit, port, officer, post, parse_quantities(quantity_entries, permit))
    ledger.endorse(use, actor=use.officer)
    return use


def parse_quantities(entries: Sequence[str], permit: Permit) -> dict[int, Decimal]:
    """``LINE=QTY`` options (lines numbered from 1) merged over the full authorised quantities."""
    shipped = {index + 1: line.quantity for index, line in enumerate(permit.items)}
    given: set[int] = set()
    for entry in entries:
        line_text, _, quantity_text = entry.partition("=")
        if not QUANTITY_PATTERN.fullmatch(quantity_text.strip()):  # as a permit states it: no sign, no exponent
            raise InputError(f"--quantity {entry!r}: expected LINE=QUANTITY, up to 6 decimals, e.g. 1=2.5")
        try:
            line, quantity = int(line_text), Decimal(quantity_text)
        except (ValueError, InvalidOperation):
            raise InputError(f"--quantity {entry!r}: expected LINE=QUANTITY, e.g. 1=2.5") from None
        if line not in shipped:
            raise InputError(f"--quantity {entry!r}: the permit has lines 1 to {len(permit.items)}")
        if line in given:
            raise InputError(f"--quantity {entry!r}: line {line} is given twice; give each line once")
        given.add(line)
        if not quantity.is_finite() or quantity <= 0:
            raise InputError(f"--quantity {entry!r}: the quantity must be greater than zero")
        authorised = permit.items[line - 1]
        if not is_possible_amount(quantity, authorised.unit):
            raise InputError(f"--quantity {entry!r}: line {line} counts in {authorised.unit}: give a whole number")
        if quantity > authorised.quantity:
            raise EndorsementRefused(
                f"line {line}: {format_quantity(quantity)} {authorised.unit} is more than the "
                f"{format_quantity(authorised.quantity)} {authorised.unit} the permit authorises",
                "QUANTITY_EXCEEDED",
            )
        shipped[line] = quantity
    return shipped


def new_use(permit: Permit, port: str, officer: str, post: str, quantities: dict[int, Decimal]) -> Use:
    """The use to record now: port, officer and post each one line of plain text (``one_line_name``)."""
    return Use(
        party=permit.issuing_party,
        number=permit.number,
        port=one_line_name(port, "--port"),
        officer=one_line_name(officer, "--officer"),
        endorsed_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        post=one_line_name(post, "post name (CITES_POST)"),
        quantities=quantities,
    )
