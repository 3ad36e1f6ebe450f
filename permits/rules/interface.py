"""What a rule is: an id, a severity, its legal reference, and an evaluation that returns findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

from permits.model import Permit, SpecimenLine
from permits.verification.result import Severity


class Listing(Protocol):
    """The registry's answer for one name on one date (``permits.registry.LookupResult`` satisfies it)."""

    @property
    def appendix(self) -> str | None: ...
    @property
    def accepted_name(self) -> str | None: ...
    @property
    def listed_under(self) -> str | None: ...
    @property
    def party(self) -> str | None: ...
    @property
    def kingdom(self) -> str | None: ...
    @property
    def suggestions(self) -> list[str]: ...


class ListingSource(Protocol):
    """Where rules learn the Appendix a taxon was in on a date."""

    def listing_at(self, name: str, on: dt.date, origin_country: str | None = None) -> Listing: ...


@dataclass(frozen=True)
class RuleContext:
    """What rules may consult besides the permit: the registry and today's date. Several rules ask about the
    same line, so answers are kept for the life of the context (one permit's evaluation)."""

    registry: ListingSource
    today: dt.date
    answers: dict[tuple[str, dt.date, str], Listing] = field(default_factory=dict, compare=False)

    def listing(self, line: SpecimenLine, permit: Permit, on: dt.date | None = None) -> Listing:
        """The listing of a line's taxon in force on ``on`` (default: the issue date) for its origin."""
        question = (line.scientific_name, on or permit.issued, origin_country(line, permit))
        answer = self.answers.get(question)
        if answer is None:
            answer = self.answers[question] = self.registry.listing_at(*question)
        return answer


def origin_country(line: SpecimenLine, permit: Permit) -> str:
    """Country of origin of a line: Box 12 when given (re-exports), else the exporter's country."""
    return line.origin.country if line.origin else permit.exporter.country


@dataclass(frozen=True)
class Finding:
    """One rule that fired, on the whole permit (``line`` None) or on one specimen line (0-based)."""

    rule_id: str
    severity: Severity
    message: str
    reference: str
    line: int | None = None

    def describe(self) -> str:
        where = f"items[{self.line}]: " if self.line is not None else ""
        return f"{self.rule_id}: {where}{self.message} ({self.reference})"


class Rule:
    """Base of every rule: subclasses set the class attributes and implement ``check``."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    reference: ClassVar[str]
    summary: ClassVar[str]
    """One sentence: what the law requires (shown by ``cites rules``)."""

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        raise NotImplementedError

    def finding(self, message: str, line: int | None = None) -> Finding:
        return Finding(self.id, self.severity, message, self.reference, line)


class LineRule(Rule):
    """A rule judged line by line: ``applies`` filters whole permits, ``check_line`` gives each line's problems."""

    def applies(self, permit: Permit) -> bool:
        return True

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        raise NotImplementedError

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if not self.applies(permit):
            return []
        return [
            self.finding(message, index)
            for index, line in enumerate(permit.items)
            for message in self.check_line(line, permit, context)
        ]
