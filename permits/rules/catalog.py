"""Every CITES rule the tool applies, one small class each, with the legal text it comes from.

References: the Convention's Articles (Art.), Resolution Conf. 12.3 (Rev. CoP19) "Permits and certificates"
(Res. Conf. 12.3) and the CITES Guidelines for the preparation and submission of annual reports (source and
term codes). Code lists, formats and required fields are enforced earlier by the permit model.
"""

from __future__ import annotations

from permits.codes import DocumentType
from permits.model import Permit, add_months
from permits.rules.interface import Finding, Rule, RuleContext, origin_country
from permits.verification.result import Severity

ANIMAL_ONLY_SOURCES = frozenset({"C", "F", "R"})
PLANT_ONLY_SOURCES = frozenset({"A", "Y"})
SOURCES_NEEDING_COMPANION = frozenset({"I", "O"})
EXPORT_DOCUMENTS = frozenset({DocumentType.EXPORT, DocumentType.RE_EXPORT})


class SourceForKingdom(Rule):
    id = "SOURCE_KINGDOM"
    reference = "Res. Conf. 12.3 (Rev. CoP19), source codes; annual report guidelines"
    summary = "Animals never take source A or Y; plants never take C, F or R."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        findings = []
        for index, line in enumerate(permit.items):
            kingdom = context.listing(line, permit).kingdom
            for code in filter(None, (line.source, line.second_source)):
                if kingdom == "Animalia" and code in PLANT_ONLY_SOURCES:
                    findings.append(
                        self.finding(f"source {code} is for plants, but {line.scientific_name} is an animal", index)
                    )
                if kingdom == "Plantae" and code in ANIMAL_ONLY_SOURCES:
                    findings.append(
                        self.finding(f"source {code} is for animals, but {line.scientific_name} is a plant", index)
                    )
        return findings


class SourceCompanion(Rule):
    id = "SOURCE_COMPANION"
    severity = Severity.WARNING
    reference = "Res. Conf. 12.3 (Rev. CoP19), source codes I and O"
    summary = "Confiscated (I) and pre-Convention (O) specimens should also state their original source code."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        return [
            self.finding(f"source {line.source} is given without the specimen's original source (second_source)", index)
            for index, line in enumerate(permit.items)
            if line.source in SOURCES_NEEDING_COMPANION and line.second_source is None
        ]


class UnknownSourceJustified(Rule):
    id = "SOURCE_U_JUSTIFICATION"
    reference = "Res. Conf. 12.3 (Rev. CoP19), source code U"
    summary = "Source U (unknown) may only be used with a written justification."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        return [
            self.finding("source U (unknown) needs a source_justification", index)
            for index, line in enumerate(permit.items)
            if "U" in (line.source, line.second_source) and not line.source_justification
        ]


class ValidityPeriod(Rule):
    id = "VALIDITY_PERIOD"
    reference = "Art. VI.2; Res. Conf. 12.3 (Rev. CoP19), validity of permits and certificates"
    summary = "Export permits and re-export certificates are valid at most 6 months from issue, import permits 12."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        months = permit.document_type.max_validity_months
        latest = add_months(permit.issued, months)
        if permit.valid_until > latest:
            return [
                self.finding(
                    f"valid until {permit.valid_until}, but a {permit.document_type.label} document issued on "
                    f"{permit.issued} may be valid at most {months} months, until {latest}"
                )
            ]
        return []


class AppendixMatchesListing(Rule):
    id = "APPENDIX_MISMATCH"
    reference = "Arts. II-V: the Appendix is the one in force on the date of issue"
    summary = "Each line's Appendix must be the species' listing in force on the issue date for its origin."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        findings = []
        for index, line in enumerate(permit.items):
            listing = context.listing(line, permit)
            if listing.appendix is None or listing.appendix == line.appendix:
                continue
            under = f" (listed under {listing.listed_under})" if listing.listed_under else ""
            findings.append(
                self.finding(
                    f"{line.scientific_name} is declared Appendix {line.appendix} but was in Appendix "
                    f"{listing.appendix}{under} on {permit.issued} for origin {origin_country(line, permit)}",
                    index,
                )
            )
        return findings


class ListedSpecies(Rule):
    id = "UNLISTED_SPECIES"
    reference = "Art. II: CITES permits cover species listed in the Appendices"
    summary = "A line claiming an Appendix must name a taxon the registry knows as listed on the issue date."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        findings = []
        for index, line in enumerate(permit.items):
            listing = context.listing(line, permit)
            if listing.accepted_name is not None and listing.appendix is None:
                findings.append(
                    self.finding(
                        f"{line.scientific_name} was not listed in any Appendix on {permit.issued}, "
                        f"yet the line claims Appendix {line.appendix}",
                        index,
                    )
                )
        return findings


class KnownTaxon(Rule):
    id = "UNKNOWN_TAXON"
    severity = Severity.WARNING
    reference = "Res. Conf. 12.3 (Rev. CoP19): scientific names follow the CITES standard nomenclature"
    summary = "The scientific name should be one the registry knows (import the full Checklist to check all)."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        findings = []
        for index, line in enumerate(permit.items):
            listing = context.listing(line, permit)
            if listing.accepted_name is None:
                hint = f"; did you mean {', '.join(listing.suggestions[:3])}?" if listing.suggestions else ""
                findings.append(self.finding(f"{line.scientific_name} is not in the species registry{hint}", index))
        return findings


class AppendixICommercial(Rule):
    id = "APPENDIX_I_COMMERCIAL"
    reference = "Art. III.3(c) and Art. VII.4"
    summary = "Appendix I specimens may not be traded for primarily commercial purposes (T), except source D."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.purpose != "T":
            return []
        return [
            self.finding(
                f"{line.scientific_name} is Appendix I with source {line.source}: purpose T (commercial) is allowed "
                "only for source D (bred in captivity / artificially propagated for commercial purposes)",
                index,
            )
            for index, line in enumerate(permit.items)
            if line.appendix == "I" and line.source != "D"
        ]


class AppendixIImportPermitCited(Rule):
    id = "APPENDIX_I_IMPORT_PERMIT"
    severity = Severity.WARNING
    reference = "Art. III.2(d): an Appendix I export permit is granted only after the import permit"
    summary = "An export permit for Appendix I specimens should cite the importing Party's import permit."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.document_type is not DocumentType.EXPORT or permit.import_permit:
            return []
        lines = [index for index, line in enumerate(permit.items) if line.appendix == "I" and line.source != "D"]
        if not lines:
            return []
        return [self.finding("exports Appendix I specimens but cites no import permit (import_permit)", lines[0])]


class AppendixIIIOrigin(Rule):
    id = "APPENDIX_III_ORIGIN"
    reference = "Art. V.2 and V.3"
    summary = (
        "Appendix III exports need an export permit from the listing Party; from elsewhere a certificate of origin."
    )

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.document_type is not DocumentType.EXPORT:
            return []
        findings = []
        for index, line in enumerate(permit.items):
            if line.appendix != "III":
                continue
            party = context.listing(line, permit).party
            if party is not None and party != permit.exporter.country:
                findings.append(
                    self.finding(
                        f"{line.scientific_name} is in Appendix III at the request of {party}; an export from "
                        f"{permit.exporter.country} needs a certificate of origin (type other), not an export permit",
                        index,
                    )
                )
        return findings


class ReExportCitesOrigin(Rule):
    id = "REEXPORT_ORIGIN"
    reference = "Arts. III.4, IV.5, V.4; Res. Conf. 12.3 (Rev. CoP19), box 12"
    summary = "A re-export certificate states, per line, the country of origin, the origin permit and its date."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.document_type is not DocumentType.RE_EXPORT:
            return []
        return [
            self.finding("a re-export line must cite its origin (country, permit number, date) in box 12", index)
            for index, line in enumerate(permit.items)
            if line.origin is None
        ]


class DistinctCountries(Rule):
    id = "SAME_COUNTRY"
    reference = "Art. I(b)-(d): trade means export, re-export or import between States"
    summary = "The exporter's country and the importer's country must differ."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.exporter.country == permit.importer.country:
            return [self.finding(f"exporter and importer are both in {permit.exporter.country}")]
        return []


class IssuerIsTradingParty(Rule):
    id = "ISSUING_PARTY"
    reference = "Arts. III-V and IX: each Party's Management Authority issues its own documents"
    summary = (
        "Export permits and re-export certificates come from the exporter's Party, import permits from the importer's."
    )

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if permit.document_type in EXPORT_DOCUMENTS:
            expected, role = permit.exporter.country, "exporter"
        elif permit.document_type is DocumentType.IMPORT:
            expected, role = permit.importer.country, "importer"
        else:
            return []
        if permit.issuing_party != expected:
            return [
                self.finding(
                    f"a {permit.document_type.label} document is issued by the {role}'s Party {expected}, "
                    f"not by {permit.issuing_party}"
                )
            ]
        return []


class ListingChangedSinceIssue(Rule):
    id = "LISTING_CHANGED"
    severity = Severity.WARNING
    reference = "Arts. XV-XVI: amendments to the Appendices enter into force on their effective date"
    summary = "Warn when a species' listing changed between the issue date and today."

    def check(self, permit: Permit, context: RuleContext) -> list[Finding]:
        if context.today <= permit.issued:
            return []
        findings = []
        for index, line in enumerate(permit.items):
            then = context.listing(line, permit)
            now = context.listing(line, permit, on=context.today)
            if then.accepted_name is not None and then.appendix != now.appendix:
                findings.append(
                    self.finding(
                        f"{line.scientific_name} was {_appendix(then.appendix)} on the issue date {permit.issued} "
                        f"but is {_appendix(now.appendix)} today ({context.today})",
                        index,
                    )
                )
        return findings


def _appendix(appendix: str | None) -> str:
    return f"Appendix {appendix}" if appendix else "not listed"


RULES: tuple[Rule, ...] = (
    ValidityPeriod(),
    DistinctCountries(),
    IssuerIsTradingParty(),
    KnownTaxon(),
    ListedSpecies(),
    AppendixMatchesListing(),
    SourceForKingdom(),
    SourceCompanion(),
    UnknownSourceJustified(),
    AppendixICommercial(),
    AppendixIImportPermitCited(),
    AppendixIIIOrigin(),
    ReExportCitesOrigin(),
    ListingChangedSinceIssue(),
)
"""Every rule, in the order findings are reported."""
