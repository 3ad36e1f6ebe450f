"""What a rule is: an id, a severity, its legal reference, and an evaluation that returns findings."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from permits.codes import DocumentType
from permits.model import Permit, SpecimenLine
from permits.verification.result import Severity


class Candidate(Protocol):
    """One of the taxa a synonym of several taxa names (``permits.registry.Candidate`` satisfies it); its
    ``str`` names it with its Appendix: "Acipenser sturio (Appendix I)"."""

    @property
    def accepted_name(self) -> str: ...
    @property
    def appendix(self) -> str | None: ...


class Listing(Protocol):
    """The registry's answer for one name on one date (``permits.registry.LookupResult`` satisfies it)."""

    @property
    def appendix(self) -> str | None: ...
    @property
    def accepted_name(self) -> str | None: ...
    @property
    def matched_name(self) -> str | None: ...
    @property
    def listed_under(self) -> str | None: ...
    @property
    def party(self) -> str | None: ...
    @property
    def parties(self) -> tuple[str, ...]: ...
    @property
    def kingdom(self) -> str | None: ...
    @property
    def rank(self) -> str | None: ...
    @property
    def annotation(self) -> str | None: ...
    @property
    def effective_at(self) -> dt.date | None: ...
    @property
    def candidates(self) -> tuple[Candidate, ...]: ...
    @property
    def equally_strict(self) -> Sequence[Listing]: ...
    @property
    def suggestions(self) -> list[str]: ...


class FirstListing(Protocol):
    """When a taxon was first listed (``permits.registry.FirstListing`` satisfies it)."""

    @property
    def known(self) -> bool: ...
    @property
    def on(self) -> dt.date | None: ...
    @property
    def undated(self) -> bool: ...


class ListingSource(Protocol):
    """Where rules learn the Appendix a taxon was in on a date, since when it has been listed, and the strictest
    listing within a higher taxon."""

    def listing_at(self, name: str, on: dt.date, origin_country: str | None = None) -> Listing: ...
    def first_listed(self, name: str, origin_country: str | None = None) -> FirstListing: ...
    def strictest_member(self, name: str, on: dt.date, origin_country: str | None = None) -> Listing | None: ...


class RememberedListings:
    """A listing source that remembers its latest answers: rules ask the same questions about each line (several
    times over), and a batch of permits asks about the same few taxa over and over. Only for a source that does
    not change while it is used (a loaded registry)."""

    def __init__(self, source: ListingSource, size: int = 4096) -> None:
        self._ask = functools.lru_cache(maxsize=size)(source.listing_at)
        self._ask_first = functools.lru_cache(maxsize=size)(source.first_listed)
        self._ask_members = functools.lru_cache(maxsize=size)(source.strictest_member)

    def listing_at(self, name: str, on: dt.date, origin_country: str | None = None) -> Listing:
        return self._ask(name, on, origin_country)

    def first_listed(self, name: str, origin_country: str | None = None) -> FirstListing:
        return self._ask_first(name, origin_country)

    def strictest_member(self, name: str, on: dt.date, origin_country: str | None = None) -> Listing | None:
        return self._ask_members(name, on, origin_country)


@dataclass(frozen=True)
class RuleContext:
    """What rules may consult besides the permit: the registry (best wrapped in ``RememberedListings``) and
    today's date."""

    registry: ListingSource
    today: dt.date

    def listing(self, line: SpecimenLine, permit: Permit, on: dt.date | None = None) -> Listing:
        """The listing of a line's taxon in force on ``on`` (default: the issue date) for its origin."""
        return self.registry.listing_at(line.scientific_name, on or permit.issued, origin_country(line, permit))

    def readings(self, line: SpecimenLine, permit: Permit) -> tuple[Listing, ...]:
        """``listing`` and, for a synonym of several taxa in one Appendix, each other taxon's listing under another
        annotation: a rule that reads the annotation judges the line by every one (fail closed)."""
        listing = self.listing(line, permit)
        return (listing, *listing.equally_strict)


def origin_country(line: SpecimenLine, permit: Permit) -> str:
    """Country of origin of a line, which picks the population of a split listing: the exporter's country on an
    export permit (its specimens come from there: the ``EXPORT_ORIGIN`` rule refuses a Box 12 naming another),
    else Box 12 when given (re-exports), else the exporter's country."""
    if line.origin is None or permit.document_type is DocumentType.EXPORT:
        return permit.exporter.country
    return line.origin.country


@dataclass(frozen=True)
class Finding:
    """One rule that fired, on the whole permit (``line`` None) or on one specimen line (0-based; shown from 1,
    as Box 14 endorsements number lines)."""

    rule_id: str
    severity: Severity
    message: str
    reference: str
    line: int | None = None

    def describe(self) -> str:
        where = f"line {self.line + 1}: " if self.line is not None else ""
        return f"{self.rule_id}: {where}{self.message} ({self.reference})"


class Rule:
    """Base of every rule: subclasses set the class attributes and implement ``check``."""

    id: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    reference: ClassVar[str]
    summary: ClassVar[str]
    """One sentence: what the law requires (README's rule table says it for users; no command prints it)."""

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
        findings: list[Finding] = []
        if self.applies(permit):
            for index, line in enumerate(permit.items):  # loops, not a comprehension: a call less per rule
                for message in self.check_line(line, permit, context):
                    findings.append(self.finding(message, index))
        return findings
