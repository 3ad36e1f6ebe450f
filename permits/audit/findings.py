"""Cross-permit findings: the frauds no single verification sees, derived from an audit report.

The facts they need (numbers, stamps, marks, origins and quantities of permits whose signature was proven)
go into a temporary SQLite index, so memory stays flat however large the batch. Each kind of finding is
one query below.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

INFO = "info"
ERROR = "error"


@dataclass(frozen=True)
class Finding:
    """One cross-permit finding; ``inputs`` are the report references involved."""

    kind: str
    severity: str
    message: str
    inputs: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "finding", "finding": self.kind, "severity": self.severity, "message": self.message,
                "inputs": list(self.inputs)}  # fmt: skip


SCHEMA = """
CREATE TABLE permits (input TEXT, party TEXT, number TEXT, payload TEXT, stamp TEXT, type TEXT, valid INTEGER);
CREATE TABLE marks (input TEXT, party TEXT, number TEXT, kind TEXT, id TEXT);
CREATE TABLE lines (input TEXT, party TEXT, number TEXT, line INTEGER, species TEXT, unit TEXT, quantity TEXT,
                    origin_country TEXT, origin_number TEXT);
"""


def _index(rows: Iterable[dict[str, Any]], path: Path) -> sqlite3.Connection:
    database = sqlite3.connect(path)
    database.executescript(SCHEMA)
    for row in rows:
        permit = row.get("permit")
        if row.get("kind") == "finding" or not isinstance(permit, dict):
            continue
        party, number = permit["authority"]["country"], permit["number"]
        database.execute(
            "INSERT INTO permits VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["input"], party, number, row.get("payload_sha256"), permit.get("security_stamp"), permit["type"],
             int(bool(row["valid"]))),
        )  # fmt: skip
        for index, line in enumerate(permit["items"], start=1):
            origin = line.get("origin") or {}
            database.execute(
                "INSERT INTO lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["input"], party, number, index, line["scientific_name"], line.get("unit", "NUM"),
                 line["quantity"], origin.get("country"), origin.get("number")),
            )  # fmt: skip
            for mark in line.get("marks", []):
                database.execute(
                    "INSERT INTO marks VALUES (?, ?, ?, ?, ?)", (row["input"], party, number, mark["kind"], mark["id"])
                )
    return database


def _inputs(text: str) -> tuple[str, ...]:
    return tuple(sorted(set(text.split("\x1f"))))


def find(rows: Iterable[dict[str, Any]]) -> list[Finding]:
    """Every cross-permit finding in the report rows."""
    with tempfile.TemporaryDirectory(prefix="cites-audit-") as folder:
        database = _index(rows, Path(folder) / "index.sqlite")
        try:
            return _find(database)
        finally:
            database.close()


def _find(database: sqlite3.Connection) -> list[Finding]:
    found: list[Finding] = []
    for party, number, inputs in database.execute(
        "SELECT party, number, group_concat(input, char(31)) FROM permits GROUP BY party, number "
        "HAVING COUNT(DISTINCT payload) > 1"
    ):
        found.append(Finding("DUPLICATE_NUMBER", ERROR, f"{party} permit number {number} was issued more than once "
                             "(different signed permits)", _inputs(inputs)))  # fmt: skip
    for party, stamp, numbers, inputs in database.execute(
        "SELECT party, stamp, group_concat(DISTINCT number), group_concat(input, char(31)) FROM permits "
        "WHERE stamp IS NOT NULL GROUP BY party, stamp HAVING COUNT(DISTINCT number) > 1"
    ):
        found.append(Finding("REUSED_STAMP", ERROR, f"{party} security stamp {stamp} is on several permits: {numbers}",
                             _inputs(inputs)))  # fmt: skip
    for kind, identifier, permits, inputs in database.execute(
        "SELECT kind, id, group_concat(DISTINCT party || ' ' || number), group_concat(input, char(31)) FROM marks "
        "GROUP BY kind, id HAVING COUNT(DISTINCT party || ' ' || number) > 1"
    ):
        found.append(Finding("DUPLICATE_MARK", ERROR, f"{kind} {identifier} is on several permits: {permits}",
                             _inputs(inputs)))  # fmt: skip
    found.extend(_reexports(database))
    return found


def _reexports(database: sqlite3.Connection) -> list[Finding]:
    found: list[Finding] = []
    groups = database.execute(
        "SELECT origin_country, origin_number, species, unit, group_concat(quantity, char(31)), "
        "group_concat(input, char(31)) FROM lines WHERE origin_number IS NOT NULL "
        "GROUP BY origin_country, origin_number, species, unit"
    ).fetchall()
    for country, number, species, unit, quantities, inputs in groups:
        shipped = sum((Decimal(value) for value in quantities.split("\x1f")), Decimal(0))
        origin = database.execute(
            "SELECT p.valid, group_concat(l.quantity, char(31)), group_concat(p.input, char(31)) FROM permits p "
            "JOIN lines l ON l.input = p.input AND l.party = p.party AND l.number = p.number "
            "WHERE p.party = ? AND p.number = ? AND l.species = ? AND l.unit = ?",
            (country, number, species, unit),
        ).fetchone()
        where = _inputs(inputs)
        if origin is None or origin[1] is None:
            found.append(Finding("ORIGIN_NOT_IN_BATCH", INFO, f"origin permit {country} {number} ({species}) "
                                 "of re-exports is not in the batch", where))  # fmt: skip
            continue
        valid, origin_quantities, origin_inputs = origin
        if not valid:
            found.append(Finding("ORIGIN_NOT_VALID", ERROR, f"origin permit {country} {number} of re-exports is "
                                 "NOT VALID", where + _inputs(origin_inputs)))  # fmt: skip
        authorised = sum((Decimal(value) for value in origin_quantities.split("\x1f")), Decimal(0))
        if shipped > authorised:
            message = (f"re-exports of {species} cite origin permit {country} {number} for {shipped} {unit} in all, "
                       f"more than the {authorised} {unit} it covered")  # fmt: skip
            found.append(Finding("REEXPORT_OVER_QUANTITY", ERROR, message, where))
    return found


def dumps(findings: list[Finding]) -> str:
    return "".join(json.dumps(finding.to_json(), ensure_ascii=False) + "\n" for finding in findings)
