"""Signed ledger exports: how an offline post's records travel to another post or the central database.

An export is a signed JSON document (the same canonical-JSON signing as trust lists, ``keys/signed.py``) of
type ``cites-ledger-export``, signed by the post's own key. The importer pins that key with ``--from-key``;
a changed byte, another key, or an unknown format is refused before anything is merged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from keys.keyfile import PublicKeyInfo, SigningKey
from keys.signed import (
    DocumentRejected,
    Header,
    KeyRecord,
    Reader,
    encode_public_key,
    load_document,
    require_threshold,
    today_utc,
    unsigned,
)
from permits.ledger.interface import Issued, Use

EXPORT_TYPE = "cites-ledger-export"
EXPORT_FIELDS = ("post", "signer", "since", "uses", "registered")
EXPORT_DAYS = 365


def write_export(path: Path, post: str, key: SigningKey, since: dt.date, records: dict[str, Any]) -> int:
    """Sign and write the records; returns how many uses and register entries it holds."""
    today = today_utc()
    header = Header(EXPORT_TYPE, 1, today, today + dt.timedelta(days=EXPORT_DAYS))
    public_key = key.private_key.public_key()
    signed = {
        **header.to_json(),
        "post": post,
        "signer": {"alg": key.algorithm.value, "public_key": encode_public_key(public_key)},
        "since": since.isoformat(),
        "uses": records["uses"],
        "registered": records["issued"],
    }
    unsigned(signed, str(path)).add_signature(key).write(path)
    return len(records["uses"]) + len(records["issued"])


def read_export(path: Path, pinned: PublicKeyInfo) -> tuple[str, list[Use], list[Issued]]:
    """Verify an export against the pinned post key and return its post name, uses and register entries."""
    document = load_document(path, {EXPORT_TYPE: "ledger export"})
    reader = Reader(str(path))
    document.header(reader, EXPORT_FIELDS)
    signed = document.signed
    signer = reader.public_key(reader.mapping(signed["signer"], "signed.signer"), "signed.signer")
    expected = KeyRecord.of(pinned.public_key, pinned.algorithm)
    if signer.keyid != expected.keyid:
        raise DocumentRejected(
            f"{path}: signed by key {signer.keyid[:16]}, not the pinned post key {expected.keyid[:16]}"
        )
    require_threshold(document, {expected.keyid: expected}, 1, "the pinned post key")
    post = reader.text(signed, "post", "signed")
    uses = [
        _use(reader, raw, f"signed.uses[{index}]")
        for index, raw in enumerate(reader.array(signed["uses"], "signed.uses"))
    ]
    issued = [
        _issued(reader, raw, f"signed.registered[{index}]")
        for index, raw in enumerate(reader.array(signed["registered"], "signed.registered"))
    ]
    return post, uses, issued


def _use(reader: Reader, raw: object, where: str) -> Use:
    record = reader.record(raw, where, ("party", "number", "port", "officer", "endorsed_at", "post", "quantities"))
    try:
        endorsed_at = dt.datetime.fromisoformat(reader.text(record, "endorsed_at", where))
        quantities = {
            int(line): Decimal(str(value)) for line, value in reader.mapping(record["quantities"], where).items()
        }
    except (ValueError, InvalidOperation):
        raise reader.fail(where, "bad endorsed_at or quantities") from None
    return Use(
        party=reader.text(record, "party", where),
        number=reader.text(record, "number", where),
        port=reader.text(record, "port", where),
        officer=reader.text(record, "officer", where),
        endorsed_at=endorsed_at,
        post=reader.text(record, "post", where),
        quantities=quantities,
    )


def _issued(reader: Reader, raw: object, where: str) -> Issued:
    fields = ("party", "number", "security_stamp", "issued_on", "kid", "payload_hash")
    record = reader.record(raw, where, fields)
    stamp = record["security_stamp"]
    return Issued(
        party=reader.text(record, "party", where),
        number=reader.text(record, "number", where),
        security_stamp=stamp if isinstance(stamp, str) else None,
        issued_on=reader.date(record, "issued_on", where),
        kid=reader.text(record, "kid", where),
        payload_hash=reader.text(record, "payload_hash", where),
    )
