"""Every CITES rule the tool applies, one small class each, with the legal text it comes from.

References: the Convention's Articles (Art.), Resolution Conf. 12.3 (Rev. CoP19) "Permits and certificates"
(Res. Conf. 12.3) and the CITES Guidelines for the preparation and submission of annual reports (source and
term codes). Code lists, formats and required fields are enforced earlier by the permit model.
"""

from __future__ import annotations

import datetime as dt
import re

from permits.codes import APPENDICES, COMMERCIAL_PURPOSE, DocumentType
from permits.identifiers import mark_key, number_key
from permits.model import Permit, SpecimenLine, add_months
from permits.rules.confinement import deemed_appendix_i
from permits.rules.interface import Finding, LineRule, Rule, RuleContext, origin_country
from permits.rules.zero_quota import WILD, zero_quota_clause
from permits.verification.result import Severity

ANIMAL_ONLY_SOURCES = frozenset({"C", "F", "R"})
PLANT_ONLY_SOURCES = frozenset({"A", "Y"})
SOURCES_NEEDING_COMPANION = frozenset({"I", "O"})
PRE_CONVENTION = "O"
CERTIFICATE_SOURCES = frozenset({PRE_CONVENTION, "C", "A", "X"})
TRAVELLING_EXHIBITION = "Q"
EXPORT_DOCUMENTS = frozenset({DocumentType.EXPORT, DocumentType.RE_EXPORT})
WRONG_SOURCES: dict[str | None, tuple[frozenset[str], str, str]] = {
    "Animalia": (PLANT_ONLY_SOURCES, "plants", "an animal"),
    "Plantae": (ANIMAL_ONLY_SOURCES, "animals", "a plant"),
}
"""A kingdom's wrong source codes, whom they are for, and what the kingdom's specimens are."""


class ValidityPeriod(Rule):
    id = "VALIDITY_PERIOD"
    reference = "Art. VI.2; Res. Conf. 12.3 (Rev. CoP19), validity of permits and certificates"
    summary = (
        "Export permits and re-export certificates are valid at most 6 months from issue; import permits and other"
        " certificates 12."
    )

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        months = permit.document_type.max_validity_months
        latest = add_months(permit.issued, months)
        if permit.valid_until <= latest:
            return []
        return [
            self.finding(
                f"valid until {permit.valid_until}, but {permit.document_type.label} documents issued on "
                f"{permit.issued} may be valid at most {months} months, until {latest}"
            )
        ]


class DistinctCountries(Rule):
    id = "SAME_COUNTRY"
    reference = "Art. I(b)-(d): trade means export, re-export or import between States"
    summary = "The exporter's country and the importer's country must differ."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.exporter.country != permit.importer.country:
            return []
        return [self.finding(f"exporter and importer are both in {permit.exporter.country}")]


class IssuerIsTradingParty(Rule):
    id = "ISSUING_PARTY"
    reference = "Arts. III-V, VII, IX and XIV.5: each Party's Management Authority issues its own documents"
    summary = (
        "Export permits, re-export certificates and other certificates come from the exporter's Party (from the "
        "State of introduction for specimens taken at sea, source X), import permits from the importer's."
    )

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        from_the_sea = all(line.source == "X" for line in permit.items)
        if permit.document_type is DocumentType.IMPORT or (permit.document_type is DocumentType.OTHER and from_the_sea):
            expected, role = permit.importer.country, "importer"
        else:
            expected, role = permit.exporter.country, "exporter"
        if permit.issuing_party == expected:
            return []
        return [
            self.finding(
                f"this {permit.document_type.label} document must be issued by the {role}'s Party {expected}, "
                f"not by {permit.issuing_party}"
            )
        ]


class KnownTaxon(LineRule):
    id = "UNKNOWN_TAXON"
    severity = Severity.WARNING
    reference = "Res. Conf. 12.3 (Rev. CoP19): scientific names follow the CITES standard nomenclature"
    summary = "The scientific name should be one the registry knows (import the full Checklist to check all)."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        listing = context.listing(line, permit)
        if listing.accepted_name is not None:
            return []
        hint = f"; did you mean {', '.join(listing.suggestions[:3])}?" if listing.suggestions else ""
        return [f"{line.scientific_name} is not in the species registry{hint}"]


class OneTaxonNamed(LineRule):
    id = "AMBIGUOUS_SYNONYM"
    severity = Severity.WARNING
    reference = "Res. Conf. 12.3 (Rev. CoP19): scientific names follow the CITES standard nomenclature"
    summary = (
        "The scientific name should name one taxon: a synonym of several is judged as the strictest of them (write "
        "the accepted name)."
    )

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        listing = context.listing(line, permit)
        if not listing.candidates:
            return []
        *others, last = (str(candidate) for candidate in listing.candidates)
        return [
            f"{listing.matched_name or line.scientific_name} is a synonym of {', '.join(others)} and {last}; "
            "judged as the strictest"
        ]


class ListedSpecies(LineRule):
    id = "UNLISTED_SPECIES"
    reference = "Art. II: CITES permits cover species listed in the Appendices"
    summary = "A line claiming an Appendix must name a taxon the registry knows as listed on the issue date."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        listing = context.listing(line, permit)
        if listing.accepted_name is None or listing.appendix is not None:
            return []
        return [
            f"{line.scientific_name} was not listed in any Appendix on {permit.issued}, "
            f"yet the line claims Appendix {line.appendix}"
        ]


class AppendixMatchesListing(LineRule):
    id = "APPENDIX_MISMATCH"
    reference = "Arts. II-V: the Appendix is the one in force on the date of issue"
    summary = (
        "Each line's Appendix must be the species' listing in force on the issue date for its origin; specimens an "
        "Appendix II population is not listed for are deemed Appendix I."
    )

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        origin = origin_country(line, permit)
        for listing in context.readings(line, permit):
            deemed = deemed_appendix_i(listing.appendix, listing.annotation, line.term, permit.purpose, origin)
            appendix = "I" if deemed else listing.appendix
            if appendix is None or appendix == line.appendix:
                continue
            under = f" (listed under {listing.listed_under})" if listing.listed_under else ""
            return [
                f"{line.scientific_name} is declared Appendix {line.appendix} but was in Appendix {appendix}"
                f"{under} on {permit.issued} for origin {origin}" + (f": {deemed}" if deemed else "")
            ]
        return []


class HigherTaxonName(LineRule):
    id = "HIGHER_TAXON_NAME"
    reference = "Res. Conf. 12.3 (Rev. CoP19): the scientific name of the species, higher taxa only where agreed"
    summary = (
        "A line naming a genus or higher taxon ('Manis spp.') may hold any of its species: it cannot declare an "
        "Appendix weaker than the strictest listing within it."
    )

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        member = context.registry.strictest_member(line.scientific_name, permit.issued, origin_country(line, permit))
        if (
            member is None
            or member.appendix is None
            or APPENDICES.index(member.appendix) >= APPENDICES.index(line.appendix)
        ):
            return []
        return [
            f"{line.scientific_name} includes {member.accepted_name}, in Appendix {member.appendix} on "
            f"{permit.issued}, so the line cannot be Appendix {line.appendix}: name the species"
        ]


class SourceForKingdom(LineRule):
    id = "SOURCE_KINGDOM"
    reference = "Res. Conf. 12.3 (Rev. CoP19), source codes; annual report guidelines"
    summary = "Animals never take source A or Y; plants never take C, F or R."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        wrong = WRONG_SOURCES.get(context.listing(line, permit).kingdom)
        if wrong is None:
            return []
        codes, meant_for, what = wrong
        return [
            f"source {code} is for {meant_for}, but {line.scientific_name} is {what}"
            for code in (line.source, line.second_source)
            if code in codes
        ]


class SourceCompanion(LineRule):
    id = "SOURCE_COMPANION"
    severity = Severity.WARNING
    reference = "Res. Conf. 12.3 (Rev. CoP19), source codes I and O"
    summary = "Confiscated (I) and pre-Convention (O) specimens should also state their original source code."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.source not in SOURCES_NEEDING_COMPANION or line.second_source is not None:
            return []
        return [f"source {line.source} is given without the specimen's original source (second_source)"]


class UnknownSourceJustified(LineRule):
    id = "SOURCE_U_JUSTIFICATION"
    reference = "Res. Conf. 12.3 (Rev. CoP19), source code U"
    summary = "Source U (unknown) may only be used with a written justification."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if "U" not in (line.source, line.second_source) or line.source_justification:
            return []
        return ["source U (unknown) needs a source_justification"]


class AppendixICommercial(LineRule):
    id = "APPENDIX_I_COMMERCIAL"
    reference = "Art. III.3(c), Art. VII.2 and Art. VII.4"
    summary = (
        "Appendix I specimens may not be traded for primarily commercial purposes (T), except source D and "
        "pre-Convention specimens (source O) on a pre-Convention certificate."
    )

    def applies(self, permit: Permit) -> bool:
        return permit.purpose == COMMERCIAL_PURPOSE

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.appendix != "I" or line.source == "D" or _pre_convention_certificate(line, permit):
            return []
        return [
            f"{line.scientific_name} is Appendix I with source {line.source}: purpose T (commercial) is allowed "
            "only for source D (bred in captivity / artificially propagated for commercial purposes)"
        ]


def _pre_convention_certificate(line: SpecimenLine, permit: Permit) -> bool:
    """A pre-Convention line (source O) on a certificate (type other): Arts. III-V do not apply to it (Art.
    VII.2), once ``PRE_CONVENTION_DATE`` has proved its date of acquisition."""
    return permit.document_type is DocumentType.OTHER and line.source == PRE_CONVENTION


class PreConventionAcquired(LineRule):
    id = "PRE_CONVENTION_DATE"
    reference = "Art. VII.2; Res. Conf. 13.6 (Rev. CoP18): acquired before the Convention first applied to the species"
    summary = (
        "A pre-Convention line (source O) gives its date (or year) of acquisition in box 12b, before the species "
        "was first listed, as far as the registry proves."
    )

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if PRE_CONVENTION not in (line.source, line.second_source):
            return []
        acquired = _acquired_by(line.acquisition)
        if acquired is None or acquired > permit.issued:
            return [
                "source O (pre-Convention) needs the date of acquisition, on or before the issue date, in box 12b "
                f"(acquisition, YYYY-MM-DD or YYYY), not {line.acquisition!r}"
            ]
        name = line.scientific_name
        first = context.registry.first_listed(name, origin_country(line, permit))
        if not first.known:
            return [f"{name} is not in the registry: the date it was first listed, which a pre-Convention "
                    "acquisition must precede, is unknown"]  # fmt: skip
        if first.undated:
            return [f"the registry does not date the first listing of {name}: a pre-Convention acquisition cannot "
                    "be proved (import the Checklist History)"]  # fmt: skip
        if first.on is None or acquired < first.on:
            return []
        return [f"acquired by {acquired}, but {name} was first listed on {first.on}: not a pre-Convention specimen"]


_ACQUISITION_DATE = re.compile(r"(\d{4})(?:-(\d{2})-(\d{2}))?")


def _acquired_by(text: str | None) -> dt.date | None:
    """The latest day a box 12b acquisition ``YYYY-MM-DD`` or ``YYYY`` (31 December of that year) can mean."""
    found = _ACQUISITION_DATE.fullmatch(text or "")
    if found is None:
        return None
    year, month, day = found.groups()
    try:
        return dt.date(int(year), int(month), int(day)) if month else dt.date(int(year), 12, 31)
    except ValueError:
        return None


class AppendixIImportPermitCited(Rule):
    id = "APPENDIX_I_IMPORT_PERMIT"
    reference = "Art. III.2(d) and III.4(c): Appendix I exports and re-exports are granted only after the import permit"
    summary = "An export permit or re-export certificate for Appendix I specimens cites the import permit (Box 5)."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.document_type not in EXPORT_DOCUMENTS or _cites_a_document(permit.import_permit, permit):
            return []
        lines = [index for index, line in enumerate(permit.items) if line.appendix == "I" and line.source != "D"]
        if not lines:
            return []
        what = "exports" if permit.document_type is DocumentType.EXPORT else "re-exports"
        cited = f" ({permit.import_permit!r} is no document number)" if permit.import_permit else ""
        return [
            self.finding(f"{what} Appendix I specimens but cites no import permit (import_permit){cited}", lines[0])
        ]


def _cites_a_document(number: str | None, permit: Permit) -> bool:
    """Whether ``number`` can name another document: it has a digit (not "none", "N/A" or "X") and is not the
    permit's own number, compared as every permit number is (``number_key``: ``KE/2026/ZOO/1`` is
    ``KE/2026/ZOO/0001``)."""
    if number is None:
        return False
    key = number_key(number)
    return any(char.isdigit() for char in key) and key != number_key(permit.number)


class AppendixIIIOrigin(LineRule):
    id = "APPENDIX_III_ORIGIN"
    reference = "Art. V.2 and V.3"
    summary = (
        "Appendix III exports need an export permit from the listing Party; from elsewhere a certificate of origin."
    )

    def applies(self, permit: Permit) -> bool:
        return permit.document_type is DocumentType.EXPORT

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.appendix != "III":
            return []
        listing = context.listing(line, permit)
        parties = listing.parties or ((listing.party,) if listing.party else ())
        if not parties or permit.exporter.country in parties:
            return []
        return [
            f"{line.scientific_name} is in Appendix III at the request of {', '.join(parties)}; an export from "
            f"{permit.exporter.country} needs a certificate of origin (type other), not an export permit"
        ]


class ReExportCitesOrigin(LineRule):
    id = "REEXPORT_ORIGIN"
    reference = "Arts. III.4, IV.5, V.4; Res. Conf. 12.3 (Rev. CoP19), box 12"
    summary = "A re-export certificate states, per line, the country of origin, the origin permit and its date."

    def applies(self, permit: Permit) -> bool:
        return permit.document_type is DocumentType.RE_EXPORT

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.origin is None:
            return ["a re-export line must cite its origin (country, permit number, date) in box 12"]
        problems = []
        for box, cited in (("12 (origin)", line.origin), ("12a (last re-export)", line.last_reexport)):
            if cited is None:
                continue
            if cited.date > permit.issued:
                problems.append(f"box {box} cites a document dated {cited.date}, after this one ({permit.issued})")
            if cited.country == permit.exporter.country:
                problems.append(f"box {box} names {cited.country}, the re-exporting country itself")
        if line.last_reexport is not None and line.last_reexport.date < line.origin.date:
            problems.append(
                f"box 12a cites a re-export dated {line.last_reexport.date}, before the origin permit of box 12 "
                f"({line.origin.date})"
            )
        return problems


class ExportOrigin(LineRule):
    id = "EXPORT_ORIGIN"
    reference = "Arts. III.2, IV.2 and V.2 (export) against III.4, IV.5 and V.4 (re-export)"
    summary = "An export permit covers specimens of the exporting country; others leave on a re-export certificate."

    def applies(self, permit: Permit) -> bool:
        return permit.document_type is DocumentType.EXPORT

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.origin is None or line.origin.country == permit.exporter.country:
            return []
        return [
            f"box 12 names origin {line.origin.country}: specimens from another country than the exporter's "
            f"({permit.exporter.country}) need a re-export certificate, not an export permit"
        ]


class ZeroQuota(LineRule):
    id = "ZERO_QUOTA"
    reference = "Art. IV and the annotations to the Appendices: zero export quotas"
    summary = (
        "No wild specimens traded for commercial purposes (source W, purpose T) where the listing's annotation "
        "sets a zero export quota for them (for the kinds of specimen, taxa and country it names)."
    )

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.source != WILD or permit.purpose != COMMERCIAL_PURPOSE:
            return []
        origin = origin_country(line, permit)
        for listing in context.readings(line, permit):
            names = (line.scientific_name, listing.accepted_name or listing.matched_name or line.scientific_name)
            clause = zero_quota_clause(listing.annotation, names, origin, line.term)
            if clause is not None:
                return [f"{line.scientific_name} from {origin}: the listing sets a zero export quota ({clause})"]
        return []


class QuotaRespected(LineRule):
    id = "QUOTA_EXCEEDED"
    reference = "Res. Conf. 12.3 (Rev. CoP19), box 11a: the total exported this year, this permit included"
    summary = "Box 11a's total exported this year includes this line and stays within the annual quota."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        quota = line.quota
        if quota is None:
            return []
        problems = []
        if quota.exported_to_date > quota.annual_quota:
            problems.append(
                f"box 11a: {quota.exported_to_date} exported this year exceeds the quota of {quota.annual_quota}"
            )
        if quota.exported_to_date < line.quantity:
            problems.append(
                f"box 11a: {quota.exported_to_date} exported this year is less than this line's {line.quantity}"
            )
        return problems


class CertificateBasis(LineRule):
    id = "CERTIFICATE_BASIS"
    reference = (
        "Arts. V.3, VII.2, VII.5, VII.7 and XIV.5; Res. Conf. 12.3 (Rev. CoP19): certificates in lieu of permits"
    )
    summary = (
        "A certificate of type other is only for pre-Convention (O), captive-bred or artificially propagated (C, "
        "A) or introduced-from-the-sea (X) specimens, Appendix III specimens (certificate of origin) or a "
        "travelling exhibition (purpose Q); other specimens need an export permit or re-export certificate."
    )

    def applies(self, permit: Permit) -> bool:
        return permit.document_type is DocumentType.OTHER and permit.purpose != TRAVELLING_EXHIBITION

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.source in CERTIFICATE_SOURCES or line.appendix == "III":
            return []
        return [
            f"source {line.source} specimens of Appendix {line.appendix} need an export permit or re-export "
            "certificate: a certificate of type other replaces them only for sources O, C, A and X, Appendix III "
            "certificates of origin and travelling exhibitions (purpose Q)"
        ]


class SourceRNotAppendixI(LineRule):
    id = "SOURCE_R_APPENDIX"
    reference = "Res. Conf. 11.16 (Rev. CoP15) and 12.3 (Rev. CoP19), source code R: ranching"
    summary = "Source R (ranched) is for specimens of Appendix II or III populations, never Appendix I."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if "R" not in (line.source, line.second_source) or line.appendix != "I":
            return []
        return ["source R (ranched) is for Appendix II populations (ranching), but the line is Appendix I"]


class SourceDIsAppendixI(LineRule):
    id = "SOURCE_D_APPENDIX"
    reference = "Art. VII.4; Res. Conf. 12.3 (Rev. CoP19), source code D; Res. Conf. 12.10 (registered operations)"
    summary = "Source D is only for Appendix I specimens from registered captive-breeding or propagating operations."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if "D" not in (line.source, line.second_source) or line.appendix == "I":
            return []
        return [
            f"source D is for Appendix I specimens of registered operations, but the line is Appendix {line.appendix}"
        ]


class SourceDOperationNamed(LineRule):
    id = "SOURCE_D_OPERATION"
    severity = Severity.WARNING
    reference = "Res. Conf. 12.10 (Rev. CoP15) and 12.3 (Rev. CoP19), box 12b: the registered operation's number"
    summary = "A source D line names the registered operation it comes from in box 12b (acquisition)."

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        if line.source != "D" or line.appendix != "I" or line.acquisition:
            return []
        return ["source D (registered operation) without the operation's registration number in box 12b"]


class MarksUnique(Rule):
    id = "DUPLICATE_MARK"
    reference = "Res. Conf. 12.3 (Rev. CoP19), box 9: the marks identify each specimen"
    summary = "No identifying mark (microchip, ring, tag) appears twice in one document."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        seen: dict[tuple[str, str], int] = {}
        findings = []
        for index, line in enumerate(permit.items):
            for mark in line.marks:
                key = (mark.kind, mark_key(mark.identifier) or mark.identifier)
                if key in seen:
                    findings.append(
                        self.finding(f"{mark.kind} {mark.identifier} is given twice (also line {seen[key] + 1})", index)
                    )
                seen.setdefault(key, index)
        return findings


class ListingChangedSinceIssue(LineRule):
    id = "LISTING_CHANGED"
    severity = Severity.WARNING
    reference = "Arts. XV-XVI: amendments to the Appendices enter into force on their effective date"
    summary = "Warn when a species' listing changed between the issue date and today."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        return super().check(permit, context) if context.today > permit.issued else []

    def check_line(self, line: SpecimenLine, permit: Permit, context: RuleContext) -> list[str]:
        then = context.listing(line, permit)
        now = context.listing(line, permit, on=context.today)
        if then.accepted_name is None or then.appendix == now.appendix:
            return []
        return [
            f"{line.scientific_name} was {_appendix(then.appendix)} on the issue date {permit.issued} "
            f"but is {_appendix(now.appendix)} today ({context.today})"
        ]


def _appendix(appendix: str | None) -> str:
    return f"Appendix {appendix}" if appendix else "not listed"


RULES: tuple[Rule, ...] = (
    ValidityPeriod(),
    DistinctCountries(),
    IssuerIsTradingParty(),
    KnownTaxon(),
    OneTaxonNamed(),
    ListedSpecies(),
    AppendixMatchesListing(),
    HigherTaxonName(),
    SourceForKingdom(),
    SourceCompanion(),
    UnknownSourceJustified(),
    AppendixICommercial(),
    PreConventionAcquired(),
    AppendixIImportPermitCited(),
    AppendixIIIOrigin(),
    ReExportCitesOrigin(),
    ExportOrigin(),
    ZeroQuota(),
    QuotaRespected(),
    CertificateBasis(),
    SourceRNotAppendixI(),
    SourceDIsAppendixI(),
    SourceDOperationNamed(),
    MarksUnique(),
    ListingChangedSinceIssue(),
)
"""Every rule, in the order findings are reported."""
