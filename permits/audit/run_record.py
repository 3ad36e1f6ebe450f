"""The run record of an audit (``REPORT.run.json`` beside the report): what its verdicts were judged against.

It is provenance for whoever files the report as evidence (the tool's version, the inputs as given, the working
folder they are relative to, the trust source, the revocation lists, the species registry, the usage ledger
and the moment every permit is judged as of), and the guard of ``--resume``: rows judged against other
settings must not be mixed into one report, so a resumed audit whose settings differ in any of these is
refused, naming what changed. A resumed audit judges as of the moment the interrupted one did (its ``--at``,
else its start), so its report is the report of an uninterrupted run even on another day.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from permits.errors import InputError
from permits.fileio import read_input_file, write_text_atomic

RUN_RECORD_FORMAT = "cites-audit-run/3"


@dataclass(frozen=True)
class RunRecord:
    """The settings an audit's verdicts depend on (every field but ``started`` must match to resume)."""

    tool: str
    inputs: list[str]
    working_directory: str
    payload_columns: list[str]
    trust: str
    revocation_lists: dict[str, int]
    registry: str
    ledger: str | None
    started: str
    register: list[str] = field(default_factory=list)
    """The Parties whose permits were compared with the ledger's issuing register (``--register``)."""
    at: str | None = None
    """The moment given with ``--at`` (UTC, ISO 8601); None: every permit is judged as of ``started``."""

    @classmethod
    def now(
        cls,
        paths: Sequence[Path],
        payload_columns: Sequence[str],
        ledger_url: str | None,
        register: Sequence[str] = (),
        at: dt.datetime | None = None,
    ) -> RunRecord:
        """The settings of an audit starting now (trust source, lists and registry as installed), judging as of
        ``at`` if given."""
        from keys.trust.active import active_trust_source
        from permits.ledger import ledger_exists, open_ledger
        from permits.registry import load_registry

        with load_registry() as registry:
            info = registry.info()
        registry_text = f"{info.origin} {info.data_version or ''} as of {info.as_of}: {info.source}".replace("  ", " ")
        return cls(
            tool=_tool_version(),
            inputs=[str(path) for path in paths],
            working_directory=os.getcwd(),
            payload_columns=list(payload_columns),
            trust=active_trust_source().description,
            revocation_lists=_revocation_list_versions(),
            registry=registry_text,
            ledger=open_ledger(ledger_url, existing=True).location if ledger_exists(ledger_url) else None,
            started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            register=list(register),
            at=at.astimezone(dt.UTC).isoformat() if at else None,
        )

    def judged_as_of(self) -> dt.datetime:
        """The moment every permit of the audit is judged as of: ``at``, else the audit's start."""
        moment = dt.datetime.fromisoformat(self.at or self.started)
        if moment.tzinfo is None:
            raise ValueError(f"{moment} has no time zone")
        return moment

    def write(self, path: Path) -> None:
        write_text_atomic(path, json.dumps({"format": RUN_RECORD_FORMAT, **asdict(self)}, indent=2) + "\n")

    @classmethod
    def read(cls, path: Path) -> RunRecord:
        """The record of the audit a resumed one continues; ``InputError`` when it is missing or unreadable."""
        if not path.is_file():
            raise InputError(f"{path}: no run record of the interrupted audit, so its settings are unknown; audit "
                             "again into a new report")  # fmt: skip
        try:
            data = json.loads(read_input_file(path, "run record"))
            if data.pop("format") != RUN_RECORD_FORMAT:
                raise ValueError("another format")
            record = cls(**data)
            record.judged_as_of()  # a moment that is no moment: not a record this tool wrote
            return record
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise InputError(
                f"{path}: not a run record of this tool ({error}); audit again into a new report"
            ) from None

    def described(self) -> list[tuple[str, str]]:
        """The record as (label, value) pairs for people (the HTML page)."""
        lists = ", ".join(f"{party} v{number}" if number >= 0 else f"{party} unreadable"
                          for party, number in self.revocation_lists.items())  # fmt: skip
        return [
            ("started", self.started),
            ("judged as of", f"{self.at} (--at)" if self.at else f"{self.started} (the audit's start)"),
            ("tool", self.tool),
            ("inputs", ", ".join(self.inputs)),
            ("working folder", self.working_directory),
            ("trust source", self.trust),
            ("revocation lists", lists or "none installed: revocation not checked"),
            ("species registry", self.registry),
            ("usage ledger", self.ledger or "none: use not checked"),
            ("issuing register", f"{', '.join(self.register)} (compared)" if self.register else "not compared"),
        ]

    def differences(self, other: RunRecord) -> list[str]:
        """The settings that differ from ``other``'s, in words ("trust: A, now B")."""
        return [
            f"{setting.name}: {getattr(self, setting.name)!r}, now {getattr(other, setting.name)!r}"
            for setting in fields(self)
            if setting.name != "started" and getattr(self, setting.name) != getattr(other, setting.name)
        ]


def _revocation_list_versions() -> dict[str, int]:
    """The version of each installed revocation list by Party (-1: installed but unreadable, which fails every
    permit of that Party closed)."""
    from keys.revocation.installed import installed_path
    from keys.revocation.lists import load_revocation_list
    from permits.errors import CitesError

    versions = {}
    for path in sorted(installed_path("XX").parent.glob("*.json")):
        try:
            versions[path.stem] = load_revocation_list(path).header.version
        except CitesError:
            versions[path.stem] = -1
    return versions


def _tool_version() -> str:
    try:
        return f"cites-permits {version('cites-permits')}"
    except PackageNotFoundError:
        return "cites-permits (not installed)"
