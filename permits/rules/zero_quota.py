"""Zero export quotas that the Appendices set in a listing's annotation: "a zero annual export quota ... for
specimens removed from the wild and traded for commercial purposes", limited in the same clause to some kinds of
specimen (the African lion's bones, claws, skulls and teeth), to the taxa it names (Centrochelys sulcata within
Testudinidae spp.) or to one country's population ("Egypt (zero quota for wild specimens traded for commercial
purposes)", "the population of Belize, which is included in Appendix II with a zero quota ...").

``zero_quota_clause`` finds the clause that sets a zero quota applying to a line. A clause is read only when it
says both "wild" and "commercial" (the Appendices' own formula): it then binds wild specimens (source W) traded
for commercial purposes (purpose T). Known limit: a clause without both words ("zero quota for the other States"
of Malaysia's saltwater crocodiles) binds nothing, and a population that is not a country ("the Black Sea
population") is read as the whole species.
"""

from __future__ import annotations

import re

from permits.registry.model import normalize_name

WILD = "W"
_ZERO_QUOTA = re.compile(r"\bzero\s+(?:annual\s+)?(?:export\s+)?quotas?\b", re.I)
_WILD = re.compile(r"\bwild\b", re.I)
_COMMERCIAL = re.compile(r"\bcommercial\b", re.I)
_BINOMIAL = re.compile(r"\b([A-Z][a-z]+|[A-Z]\.)\s+([a-z]{3,})\b")
_NOT_EPITHETS = frozenset({"the", "and", "for", "are", "from", "with", "which", "that", "population", "populations"})
_TERMS = (
    (re.compile(r"\bbones?\b(?!\s+(?:pieces|products))", re.I), {"BON"}),
    (re.compile(r"\bbone\s+pieces\b", re.I), {"BOP"}),
    (re.compile(r"\bbone\s+products\b", re.I), {"BOC", "BOP"}),
    (re.compile(r"\bclaws\b", re.I), {"CLA"}),
    (re.compile(r"\bskeletons?\b", re.I), {"SKE"}),
    (re.compile(r"\bskulls?\b", re.I), {"SKU"}),
    (re.compile(r"\bteeth\b", re.I), {"TEE"}),
    (re.compile(r"\blive\b", re.I), {"LIV"}),
)
"""The kinds of specimen a zero-quota clause may name, and their Box 9 term codes."""


def zero_quota_clause(annotation: str | None, names: tuple[str, ...], origin: str, term: str) -> str | None:
    """The clause of ``annotation`` that sets a zero export quota binding wild specimens traded for commercial
    purposes of ``term``, of the taxon known as ``names`` (as written, and as the registry read it), from
    ``origin``; else None."""
    if not annotation:
        return None
    for match in _ZERO_QUOTA.finditer(annotation):
        start, end, opened = _clause_around(annotation, match.start(), match.end())
        clause = annotation[start:end]
        if not (_WILD.search(clause) and _COMMERCIAL.search(clause)):
            continue
        before = annotation[:opened] if opened is not None else annotation[start : match.start()]
        country = _country_before(before)  # "Egypt (zero quota ...)", "the population of Belize, ... zero quota"
        if (country is None or country == origin) and _binds(clause, names, term):
            return " ".join(clause.split())
    return None


def _clause_around(text: str, first: int, last: int) -> tuple[int, int, int | None]:
    """The clause holding ``text[first:last]``: from the nearest semicolon, colon, full stop (not one of
    "M. javanica") or opening parenthesis before it to the next such mark or closing parenthesis after it, at its
    own depth of parentheses; and the opening parenthesis that encloses it ("Malaysia (...; zero quota ...)"),
    if any."""
    start, opened, depth = None, None, 0
    for index in range(first - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(" and depth:
            depth -= 1
        elif char == "(":
            opened = index
            break
        elif start is None and not depth and (char in ";:" or _sentence_end(text, index)):
            start = index + 1
    start = max(start or 0, opened + 1 if opened is not None else 0)
    depth = 0
    for index in range(last, len(text)):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char == ")" or (not depth and (char == ";" or _sentence_end(text, index))):
            return start, index, opened
    return start, len(text), opened


def _sentence_end(text: str, index: int) -> bool:
    """A full stop that ends a sentence: followed by the end or by a space and a capital letter."""
    if text[index] != ".":
        return False
    rest = text[index + 1 :].lstrip()
    return not rest or (rest[0].isupper() and text[index + 1 : index + 2].isspace())


def _country_before(text: str) -> str | None:
    """The country named last in ``text`` (the one a parenthesis that follows is about), if any."""
    from permits.registry.sources.annotations import countries_in

    countries = countries_in(text)
    return countries[-1][1] if countries else None


def _binds(clause: str, names: tuple[str, ...], term: str) -> bool:
    """Whether a zero-quota clause covers a line of ``term`` of the taxon known as ``names``: the kinds of
    specimen and the taxa it names, if it names any."""
    terms = set().union(*(codes for pattern, codes in _TERMS if pattern.search(clause)))
    if terms and term not in terms:
        return False
    named = _named_taxa(clause)
    return not named or bool(named & {normalize_name(name) for name in names})


def _named_taxa(clause: str) -> set[str]:
    """The binomials a clause names, abbreviated genera expanded ("Manis javanica, M. culionensis"); a capitalised
    word that opens the clause ("African populations") or is followed by a common word ("Africa are") is none."""
    named, genus = set(), ""
    text = clause.strip()
    for found in _BINOMIAL.finditer(text):
        first, epithet = found.groups()
        if found.start() == 0 or epithet in _NOT_EPITHETS:
            continue
        if not first.endswith("."):
            genus = first
        elif not genus.startswith(first[0]):
            continue
        named.add(normalize_name(f"{genus} {epithet}"))
    return named
