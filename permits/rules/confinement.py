"""Split listings confined to some specimens: an Appendix II population whose specimens are all "deemed to be
specimens of species included in Appendix I", except those the listing is "for the exclusive purpose of
allowing" (the African elephant's annotation 2, the southern white rhinoceros, the vicuña), or all of them (a
zero export quota, as for Chaetophractus nationi).

The registry keeps such an annotation as the Appendices' text, in whichever of the Convention's three languages
the data came in (English from the Checklist and the embedded data, French or Spanish from a Species+ API import
in those languages). ``deemed_appendix_i`` reads the kinds of specimen the text names (``ALLOWANCES``) and says why
a line outside them is judged as Appendix I. A kind the table does not know allows nothing: the line is deemed
Appendix I (fail closed). Registered raw ivory is such a kind on purpose: the one-off sales annotation 2 allowed
are over, so raw ivory from those populations is Appendix I trade.

An allowance the annotation gives to some Parties only is allowed for their populations only ("ekipas (Namibia)",
"ivory carvings for non-commercial purposes for Zimbabwe", "hides (Zimbabwe seulement)"), and one it gives for
non-commercial purposes only (to every Party, or to some: "leather goods for commercial or non-commercial purposes
for Botswana, Namibia and South Africa and for non-commercial purposes for Zimbabwe") allows no purpose T there
(``Grant``). An allowance's words run from its name to the next kind of specimen, item ("(f)", "4)") or sentence;
a kind joined to the next by "and" alone ("leather goods and ivory carvings for non-commercial purposes
(Zimbabwe)") shares its words.

Known limits: the conditions of an allowance (appropriate and acceptable destinations, in situ conservation
programmes) are not checked; an annotation that gives each of several populations a paragraph of its own
("Population de l'Afrique du Sud: ...") grants every paragraph's allowances to all of them. Text in another
language confines nothing.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from permits.codes import COMMERCIAL_PURPOSE, HUNTING_TROPHY_PURPOSE
from permits.registry.sources.annotations import country_matches

_DEEMED_APPENDIX_I = re.compile(
    r"deemed\s*to\s*be\s*specimens\s*(?:of\s*species\s*)?(?:included|listed)\s*in\s*Appendix\s*I\b"
    r"|consid[ée]r[ée]s\s*comme\s*des\s*sp[ée]cimens\s*d.esp[èe]ces\s*inscrites\s*[àa]\s*l.Annexe\s*I\b"
    r"|considerarse\s*como\s*espec[íi]menes\s*de\s*especies\s*incluidas\s*en\s*el\s*Ap[ée]ndice\s*I\b",
    re.I,
)
"""The sentence that deems specimens Appendix I, in English, French and Spanish (words may run together, as in
the Checklist's French and Spanish columns)."""
_EXCLUSIVE_PURPOSE = re.compile(r"exclusive\s*purpose|seule\s*fin|exclusivo\s*prop[óo]sito", re.I)
"""The clause naming what the Appendix II listing is for; without it, no specimen is allowed."""


@dataclass(frozen=True)
class Allowance:
    """A kind of specimen an annotation may name: the trade term codes it covers (none: any) for the purposes it
    covers (none: any), and whether trade for commercial purposes (purpose T) is allowed in it."""

    label: str
    phrase: re.Pattern[str]
    terms: frozenset[str] = frozenset()
    purposes: frozenset[str] = frozenset()
    commercial: bool = True

    def covers(self, term: str, purpose: str) -> bool:
        """True for specimens of ``term`` traded for ``purpose`` (trade for commercial purposes aside)."""
        return (not self.terms or term in self.terms) and (not self.purposes or purpose in self.purposes)

    def describe(self, commercial: bool) -> str:
        what = ", ".join(sorted(self.terms)) if self.terms else "any term"
        if self.purposes:
            what += f" for purpose {', '.join(sorted(self.purposes))}"
        limited = not commercial and (not self.purposes or COMMERCIAL_PURPOSE in self.purposes)
        return f"{self.label} ({what}{', not for purpose T' if limited else ''})"


def _allowance(label: str, phrases: str, terms: str = "", purposes: str = "", *, commercial: bool = True) -> Allowance:
    """An allowance named by any of ``phrases`` (regular expressions for English, French and Spanish)."""
    return Allowance(
        label, re.compile(phrases, re.I), frozenset(terms.split()), frozenset(purposes.split()), commercial
    )


_LIVE = r"\blive\s*animals\b|\banimaux\s*vivants\b|\banimales\s*vivos\b"
_TROPHIES = r"\bhunting\s*trophies\b|\btroph[ée]es\s*de\s*chasse\b|\btrofeos\s*de\s*caza\b"

ALLOWANCES: tuple[Allowance, ...] = (
    _allowance("live animals", _LIVE, "LIV"),
    _allowance("hunting trophies", _TROPHIES, "TRO", commercial=False),
    _allowance("parts of hunting trophies", _TROPHIES, purposes=HUNTING_TROPHY_PURPOSE),
    _allowance("hides", r"\bhides\b|\bpeaux\b|\bpieles\b", "SKI SKP"),
    _allowance("hair", r"\bhair\b|\bpoils?\b|\bcrins?\b|\bpelo\b", "HAI"),
    _allowance(
        "leather goods", r"\bleather\s*goods\b|\barticles\s*en\s*cuir\b|\bart[íi]culos\s*de\s*cuero\b", "LPS LPL LEA"
    ),
    _allowance("ekipas", r"\b[eé]kipas?\b", "IJW", commercial=False),
    _allowance(
        "ivory carvings",
        r"\bivory\s*carvings\b|\bsculptures\s*en\s*ivoire\b|\btallas\s*de\s*marfil\b",
        "IVC",
        commercial=False,
    ),
    _allowance("wool or fibre sheared from live animals", r"\b(?:wool|fibre|fiber|laine|lana|fibra)\b", "HAI FIB"),
    _allowance("cloth and garments made of it", r"\bcloth\b|\btissus?\b|\btelas?\b", "CLO GAR HAP"),
)
"""Every kind of specimen a confining annotation of the Appendices names that this tool reads, with its Box 9
term codes (a hunting trophy may be any part of the animal, under purpose H); others ("derivative products",
"handicrafts", registered raw ivory) allow nothing."""


_BOUNDARY = re.compile(
    r"(?<![\w.])\(?(?:[a-z]|[ivx]{1,4}|\d{1,2})\)|(?<!\bRes)(?<!\bRev)(?<!\bConf)(?<!\bNo)\.\s+(?=[A-Z])"
)
"""Where an allowance's words end: an item ("(f)", "g)", "ii)", "4)") or a sentence (not a semicolon: "leather
goods: commercial or non-commercial (South Africa and Namibia); and non-commercial (Botswana)")."""
_JOINED = re.compile(r"\s*(?:and|et|y|e)\s+(?:(?:of|trade\s+in|de|d'|des|du|del?)\s*)*", re.I)
"""What joins two kinds of specimen that share the words after the second ("leather goods and ivory carvings
...", "d'articles en cuir et de sculptures en ivoire ...")."""
_NON_COMMERCIAL = re.compile(
    r"\bnon[-\s]*commercial|\bnon[-\s]*commerciales?\b|\bno\s*comerciales?\b|\bsin\s*fines\s*comerciales\b", re.I
)
_ALSO_COMMERCIAL = re.compile(
    r"\bcommercial\s*(?:or|and)\s*non|\bcommerciales?\s*(?:ou|et)\s*non|\bcomerciales?\s*(?:o|y)\s*no\b", re.I
)
_QUALIFIED = re.compile(r"\s*:")
"""A country named to qualify its population's allowance ("Namibia: for non-commercial purposes")."""
_COUNTRY_JOINER = re.compile(r"[\s,]*(?:(?:and|et|y|e)\b[\s,]*)?(?:(?:de\s+)?(?:l'|la|le|les|du|des)\s*)?", re.I)


@dataclass(frozen=True)
class Grant:
    """An allowance as one annotation grants it: to the Parties it names (none named: every population the listing
    covers), and for commercial purposes unless the allowance or the annotation's words limit it to
    non-commercial ones."""

    allowance: Allowance
    parties: frozenset[str] = frozenset()
    commercial: bool = True
    excluded: frozenset[str] = frozenset()
    """Populations granted otherwise (none named in ``parties``): "(Namibia: for non-commercial purposes)"."""

    def allows(self, term: str, purpose: str, origin: str | None) -> bool:
        return (
            (origin in self.parties if self.parties else origin not in self.excluded)
            and self.allowance.covers(term, purpose)
            and (self.commercial or purpose != COMMERCIAL_PURPOSE)
        )

    def describe(self) -> str:
        parties = f" from {', '.join(sorted(self.parties))}" if self.parties else ""
        parties += f" from every population but {', '.join(sorted(self.excluded))}" if self.excluded else ""
        return self.allowance.describe(self.commercial) + parties


@lru_cache(maxsize=256)
def confinement(annotation: str) -> tuple[Grant, ...] | None:
    """What a confining annotation allows (possibly nothing), or None when ``annotation`` does not confine."""
    if not _DEEMED_APPENDIX_I.search(annotation):
        return None
    if not _EXCLUSIVE_PURPOSE.search(annotation):
        return ()
    return _grants(annotation)


def _grants(annotation: str) -> tuple[Grant, ...]:
    """The allowances ``annotation`` names, each with the Parties and purposes its words give it."""
    named = sorted(
        ((match.start(), match.end(), allowance) for allowance in ALLOWANCES
         for match in allowance.phrase.finditer(annotation)),
        key=lambda found: found[:2],
    )  # fmt: skip
    starts = sorted({start for start, _end, _allowance in named})
    found: list[Grant] = []
    for start, end, allowance in named:
        words = _words_after(annotation, end, starts[bisect.bisect_right(starts, start) :])
        found += _granted(allowance, words)
    return tuple(dict.fromkeys(found))


def _words_after(annotation: str, end: int, later_starts: list[int]) -> str:
    """The words that qualify the kind of specimen named up to ``end``: to the next kind, item or sentence; those
    of the next kind too when only "and" comes between them."""
    for following in later_starts:
        if following < end:
            continue
        if _JOINED.fullmatch(annotation, end, following):
            end = following
            continue
        return _cut(annotation[end:following])
    return _cut(annotation[end:])


def _cut(words: str) -> str:
    boundary = _BOUNDARY.search(words)
    return words[: boundary.start()] if boundary else words


def _granted(allowance: Allowance, words: str) -> list[Grant]:
    """The grants of ``allowance`` by its ``words``: one per run of countries they name ("for Botswana, Namibia
    and South Africa"), each for the purposes said before it; where the words name countries only to qualify
    them ("(Namibia: for non-commercial purposes)"), one per country so qualified and one for the other
    populations; one for every population when they name no country."""
    runs: list[tuple[str, set[str], int]] = []  # what is said before the run, its countries, where it ends
    said_from = 0
    for start, end, code in country_matches(words):
        if runs and _COUNTRY_JOINER.fullmatch(words, runs[-1][2], start):
            runs[-1][1].add(code)
            runs[-1] = (runs[-1][0], runs[-1][1], end)
        else:
            runs.append((words[said_from:start], {code}, end))
        said_from = end
    granted, qualified, unqualified, restricted = [], set(), words, False
    for said, parties, end in runs:
        if _QUALIFIED.match(words, end):
            said = _qualifier(words, end)
            qualified |= parties
            unqualified = unqualified.replace(said, " ")
        else:
            restricted = True
        granted.append(Grant(allowance, frozenset(parties), allowance.commercial and not _only_non_commercial(said)))
    if not restricted:
        commercial = allowance.commercial and not _only_non_commercial(unqualified)
        granted.append(Grant(allowance, commercial=commercial, excluded=frozenset(qualified)))
    return granted


def _qualifier(words: str, end: int) -> str:
    """What a qualifying country's note says: "(Namibia: for non-commercial purposes)"."""
    closing = words.find(")", end)
    return words[end : closing if closing >= 0 else len(words)]


def _only_non_commercial(words: str) -> bool:
    return bool(_NON_COMMERCIAL.search(words)) and not _ALSO_COMMERCIAL.search(words)


def deemed_appendix_i(
    appendix: str | None, annotation: str | None, term: str, purpose: str, origin: str | None
) -> str | None:
    """Why specimens of ``term`` from ``origin`` traded for ``purpose`` are deemed Appendix I although their
    population is listed in ``appendix`` II with ``annotation``; None when the listing does not confine them."""
    if appendix != "II" or not annotation:
        return None
    allowed = confinement(annotation)
    if allowed is None or any(grant.allows(term, purpose, origin) for grant in allowed):
        return None
    described = "; ".join(grant.describe() for grant in allowed) or "no specimen"
    return (
        f"its Appendix II population is listed only for {described}; other specimens ({term} for purpose {purpose}"
        f"{f' from {origin}' if origin else ''}) are deemed Appendix I"
    )
