"""Which populations a split listing's entry covers, read from the entry's text (fail closed).

The Checklist Index, the Species+ listings CSV and the Species+ API give split listings only in words; the
Checklist History and the SAPI tables have country-code columns, and their text is read only when those are
empty. ``read_populations`` reads one entry's text (English, French or Spanish; HTML, "[FAMILY listing ...]"
notes and sentences that name no population are left aside) and returns a ``Populations`` only as certain as
the text: anything it cannot place makes the whole entry ``UNREAD``.

Read:

- the populations covered: "Population of India", "Populations of BW, NA, ZA, ZW", "Popns of BT, CN, MN, MX.",
  "Population of: BW, EG (...) ET, ...", "Only the populations of Bhutan, India, Nepal and Pakistan; all other
  populations are included in Appendix II", "The populations of ... are included in Appendix I. No other
  population is included in the Appendices.", "SZ and ZA populations only", "Population of BR and population of
  EC", "Populations du Botswana, de la Namibie et du Zimbabwe: ...", "Poblaciones de BT, IN, NP, PK";
- the populations left out: "All populations except those of BW, NA, ZA, and ZW", "Except the population of
  India, which is included in Appendix I", "Included in Appendix I, except the populations of ..., which are
  included in Appendix II", "Included in Felidae spp. except the populations of Costa Rica and Panama", "Sauf
  les populations de l'Afrique du Sud, ...", "Todas las poblaciones, excepto los de BW, NA, ZA y ZW";
- "All populations" (``ALL``, as is a text that names no population), and "All populations except those
  included in Appendix II" (``OTHERS``: ``complement`` reads it as the other entry's list where the importer
  has that entry, else it covers every population and the entry naming an origin wins there, as before);
- countries by ISO 3166-1 alpha-2 code or by name as the Appendices write them ("the United Republic of
  Tanzania", "the Plurinational State of Bolivia", "Bolivia (Plurinational State of)", "Côte d'Ivoire", "Viet
  Nam", "the Russian Federation", "the United States of America", "l'Afrique du Sud"), with notes that do not
  limit a country's population: quotas and purposes ("Egypt (subject to a zero quota ...)", "Belize, which is
  included in Appendix II with a zero quota ...", "Argentina, included in CROCODYLIA spp.", "ID (ranching)",
  "Ecuador (the whole population)");
- sentences about quotas that name a population but limit no listing ("A zero annual export quota ... for the
  Black Sea population of Tursiops truncatus").

Refused (``UNREAD``: the entry is taken to cover every population, and its Appendix competes with the others
for every origin, so the stricter one applies):

- places that are not countries: "Only the population of Asia", "the populations of Central and North America",
  "Population of West Greenland", "Neotropical populations", "Population of Europe excluding the area that
  formerly constituted the USSR", "the Integrated Management District of Mangroves ..., Colombia";
- populations of another taxon: "All species and populations except SZ and ZA populations of Ceratotherium
  simum simum", "Except A. c. microdon (populations of CM and NG)";
- any word of a list it cannot place, a note on a country it does not know to be harmless, and any other
  sentence about populations.

A country named only in part ("Parts of populations of AR and CL", "Argentina (the populations of the Provinces
of Jujuy and Catamarca)", "the Philippines [population of the Palawan Islands only ...]") is ``partial``: it is
never left out of an "all except" entry, and it makes a list of the populations covered unread, so its
specimens take the stricter Appendix.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from permits.registry.sources.annotations import country_matches, strip_html


class Kind(StrEnum):
    """What an entry's text says about the populations it covers."""

    ALL = "all"
    ONLY = "only"
    EXCEPT = "except"
    OTHERS = "others"
    UNREAD = "unread"


@dataclass(frozen=True, slots=True)
class Populations:
    """The reading of one entry's text: its ``kind``, the ``countries`` it names wholly and those it names only in
    part (``partial``), in ISO 3166-1 alpha-2 order; for ``OTHERS`` the Appendix whose populations it leaves out."""

    kind: Kind
    countries: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()
    appendix: str | None = None

    @property
    def unread(self) -> bool:
        """Whether the entry must be taken to cover every population, competing for each (``UNREAD``, or a
        list of the populations covered that names a country only in part)."""
        return self.kind is Kind.UNREAD or (self.kind is Kind.ONLY and bool(self.partial))

    def scope(self) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """(included countries, excluded countries, populations unread) of the listing entry."""
        if self.unread:
            return (), (), True
        if self.kind is Kind.ONLY:
            return self.countries, (), False
        if self.kind is Kind.EXCEPT:
            return (), self.countries, False
        return (), (), False


ALL = Populations(Kind.ALL)
UNREAD = Populations(Kind.UNREAD)

_LISTING_NOTE = re.compile(r"\[(?:CLASS|ORDER|FAMILY|SUBFAMILY|GENUS|SPECIES) listing [^\]]*\]")
_POPULATION_WORD = re.compile(r"popul|\bpopns?\b|poblaci|\bstock of\b", re.IGNORECASE)
_QUOTA_WORD = re.compile(r"quota|\bcupo", re.IGNORECASE)
# How a statement that limits the populations may open (one that does is never an aside on quotas).
_SCOPE_START = re.compile(
    r"\s*(?:all\b|only\b|except|excluding|sauf|seulement|toutes|excepto|todas|solamente|(?:(?:the|les|la|las)\s+)?"
    r"(?:parts?\s+of\s+)?(?:popul|popns?\b|poblaci))",
    re.IGNORECASE,
)
_NEVER_ENDS = frozenset({"conf", "rev", "no", "cf", "e.g", "i.e"})
_ENDS_BEFORE_CAPITAL = frozenset({"spp", "ssp", "subsp", "var", "sp", "popn", "popns"})
_LIST_GOES_ON = re.compile(r"\s+(?:and|et|y)\s", re.IGNORECASE)
_APPENDIX = r"(?P<appendix>I{1,3})\b"
_ARTICLE = r"(?:(?:the|la|le|les|las|los|el|du|des|del|de\s+la|de)\s+|l'|d'|de\s+l')"
_POPULATIONS = r"(?:populations?|popns?\.?|poblaci(?:ón|ones))"
_PART = r"(?P<part>parts?\s+of\s+(?:the\s+)?|certaines\s+|partes\s+de\s+(?:las\s+)?)"
_FLAGS = re.IGNORECASE | re.VERBOSE

# How a list of populations starts: an "except" before it leaves the countries out, else they are the ones covered.
_LEAD = re.compile(
    rf"""
    (?:(?:included\s+in\s+(?:appendix\s+I{{1,3}}|[A-Z][a-z]+\s+spp\.)|inscrite?s?\s+à\s+l'annexe\s+I{{1,3}}
        |incluid[ao]s?\s+en\s+el\s+apéndice\s+I{{1,3}}),?\s+)?
    (?:(?P<except>(?:all\s+populations,?\s+)?except(?:\s+for)?|(?:toutes\s+les\s+populations,?\s+)?sauf
        |à\s+l'exception\s+d[eu]s?|(?:todas\s+las\s+poblaciones,?\s+)?excepto)\s+)?
    (?:(?P<only>only|seulement|solamente|únicamente)\s+)?
    (?:(?:the|les|la|las|los)\s+)?
    {_PART}?
    (?:{_POPULATIONS}|those|that|celles?|los|las)
    (?:\s+(?:of|de|del|in)\b)?\s*:?\s*
    """,
    _FLAGS,
)
# A place within a country, before its name: "the Integrated Management District of ..., Department of Córdoba, "
_PLACE = (
    r"(?P<place>(?=[^;:]*\b(?:district|department|departamento|provinces?|provincia|region|región|islands?|isla"
    r"|area)\b)[^;:]*,\s+)"
)
# Between two countries of a list: a note on the first, a separator, maybe a new "population of", an article
# (or a place within the next country).
_JOIN = rf"""
    (?:,\s*(?:and|et|y)\s+|,\s*|\s+(?:and|et|y|&)\s+|\s*;\s*(?:and|et|y)\s+)
    (?P<lead>(?:(?:the|les|la|las|los)\s+)?{_PART}?{_POPULATIONS}(?:\s+(?:of|de|del)\b)?\s*)?
    """
_JOIN_ARTICLE = re.compile(rf"{_JOIN}{_ARTICLE}?$", _FLAGS)
_JOIN_PLACE = re.compile(rf"{_JOIN}{_PLACE}", _FLAGS)  # only right after the note-free separator (fullmatch)
_FIRST_ARTICLE = re.compile(rf"\s*{_ARTICLE}?", _FLAGS)
_FIRST_PLACE = re.compile(rf"\s*{_PLACE}", _FLAGS)
_ONLY_AFTER = re.compile(rf"\s*(?:{_POPULATIONS}\s+)?only\b", _FLAGS)
_NOTE_START = re.compile(
    r"\s*,?\s*(?:which|with|included|subject|for|are|is|qui|avec|inscrite?s?|sont|est|con|incluid[ao]s?|sujet[ao]s?|que)\b",
    re.IGNORECASE,
)
# A note outside brackets that goes on past a comma or into "and of ..." may hide more of the list (", and Asia").
_NOTE_GOES_ON = re.compile(r"[,;]|\b(?:and|et|y)\s+(?:of|those|that|the\s+populations?)\b", re.IGNORECASE)
_WHOLE = re.compile(r"(?:the\s+)?whole\s+population|toute\s+la\s+population|toda\s+la\s+población", re.IGNORECASE)
# A note on a country that speaks of any of these names only part of its population.
_PART_OF_COUNTRY = re.compile(
    r"popul|\bpopns?\b|poblaci|\bstocks?\b|provinc|\bregi[oó]n|district|department|departamento|\bisland|\bislas?\b"
    r"|\bîles?\b|\barea|\bzone|\bparts?\b|\bparties?\s+d[eu']|\bpartes?\b|\bonly\b|\bseulement\b|\bsolamente\b|\bsubspecies"
    r"|sous-esp|subespecie|territor",
    re.IGNORECASE,
)
# A note on a country is harmless only when it is about something known not to limit its population.
_HARMLESS = re.compile(
    r"quota|\bcupo|appendi|\bannexe|apéndice|\bspp\.|purpose|\bfins?\b|\bfines\b|ranch|annotation|anotación"
    r"|\bincluded\b|inscrit|incluid|\bsubject\b|sujet",
    re.IGNORECASE,
)
_OTHERS = (
    re.compile(
        rf"(?:all\s+populations,?\s+|included\s+in\s+appendix\s+I{{1,3}},?\s+)?except\s+(?:for\s+)?"
        rf"(?:those|the\s+populations?)\s+(?:included|listed)\s+in\s+appendix\s+{_APPENDIX}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:toutes\s+les\s+populations,?\s+)?sauf\s+celles\s+(?:inscrites\s+à\s+l'annexe|de\s+l'annexe)\s+{_APPENDIX}",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?:todas\s+las\s+poblaciones,?\s+)?excepto\s+las\s+incluidas\s+en\s+el\s+apéndice\s+{_APPENDIX}",
        re.IGNORECASE,
    ),
)
_ALL = re.compile(r"(?:all|toutes\s+les|todas\s+las)\s+(?:populations|poblaciones)", re.IGNORECASE)
# What may follow a list: where the other populations are.
_TAIL = re.compile(
    r"""
    all\s+other\s+populations\s+are\s+(?:included|listed)\s+in\s+appendix\s+I{1,3}
    |no\s+other\s+populations?\s+(?:is|are)\s+included\s+in\s+the\s+appendices
    |toutes\s+les\s+autres\s+populations\s+sont\s+inscrites\s+à\s+l'annexe\s+I{1,3}
    |aucune\s+autre\s+population\s+n'est\s+inscrite\s+aux\s+annexes
    |todas\s+las\s+demás\s+poblaciones\s+(?:están\s+incluidas|se\s+incluyen)\s+en\s+el\s+apéndice\s+I{1,3}
    |ninguna\s+otra\s+población\s+(?:está\s+incluida|se\s+incluye)\s+en\s+los\s+apéndices
    """,
    _FLAGS,
)


def read_populations(text: str | None) -> Populations:
    """The populations one listing entry's text covers (see the module docstring for what is read).

    Every statement (sentence or ";"-clause) that names a population must be a list of populations, "all
    populations", "all populations except those included in Appendix X", where the others are ("all other
    populations are included in Appendix II"), or an aside on quotas. A list that ends with a colon opens the
    purpose of the listing ("Populations of BW, NA: for the exclusive purpose of allowing ..."): what follows may
    speak of populations freely ("other elephant populations"), except a statement that opens like a list,
    which is read as one ("Population of South Africa: ..."). Several lists of the populations covered add up.
    """
    if not text:
        return ALL
    plain = _LISTING_NOTE.sub(" ", strip_html(text)).strip()
    if not _POPULATION_WORD.search(plain):
        return ALL
    found: Populations | None = None
    purpose = False
    for statement in _statements(plain):
        if not _POPULATION_WORD.search(statement):
            if not purpose and _starts_with_country(statement) and not _QUOTA_WORD.search(statement):
                return UNREAD  # the list may go on here ("Populations of BW, NA; ZA")
            continue
        if _TAIL.fullmatch(statement.rstrip(" .")):
            if found is None:
                return UNREAD
            continue
        lead = _LEAD.match(statement)
        if purpose and lead is None:
            continue
        reading, opens_purpose = _read_statement(statement, lead)
        if reading is None:
            continue
        found = reading if found is None else _together(found, reading)
        if found.kind is Kind.UNREAD:
            return UNREAD
        purpose = purpose or opens_purpose
    return found or ALL


def complement(reading: Populations, others: Sequence[Populations]) -> Populations:
    """``reading``, with "all populations except those included in Appendix X" made the populations left out by
    the list that X's entry of the same listing covers (``others``: the readings of X's texts), when X has one
    such list. Countries X names only in part are not left out (they stay with the stricter Appendix)."""
    if reading.kind is not Kind.OTHERS or len(others) != 1 or others[0].kind is not Kind.ONLY:
        return reading
    return Populations(Kind.EXCEPT, others[0].countries)


def _together(first: Populations, second: Populations) -> Populations:
    """Two statements of one text: lists of the populations covered add up (a country named in part in either
    stays in part); anything else must say the same."""
    if first.kind is Kind.ONLY and second.kind is Kind.ONLY:
        partial = set(first.partial) | set(second.partial)
        whole = (set(first.countries) | set(second.countries)) - partial
        return Populations(Kind.ONLY, tuple(sorted(whole)), tuple(sorted(partial)))
    return first if first == second else UNREAD


def _statements(text: str) -> list[str]:
    """The sentences and ";"-clauses of ``text``: not split inside brackets, at "; and" (the list goes on),
    after "Conf." and the like, nor after "spp.", "popn." or a letter ("A. c. microdon") unless a capital
    follows ("Appendix I. Excludes")."""
    parts: list[str] = []
    start = depth = 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in ".;" and depth == 0 and (index + 1 == len(text) or text[index + 1].isspace()):
            if char == "." and not _ends_sentence(text, start, index):
                continue
            if char == ";" and _LIST_GOES_ON.match(text, index + 1):
                continue
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _ends_sentence(text: str, start: int, index: int) -> bool:
    """Whether the full stop at ``index`` of ``text`` (followed by a space, or the end) ends the sentence that
    starts at ``start``. Only the word before it and the character after the spaces are looked at, so a long
    run of full stops that end nothing ("no. no. ...") is read in linear time."""
    word_start = index
    while word_start > start and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:index].casefold()
    if word in _NEVER_ENDS:
        return False
    if word in _ENDS_BEFORE_CAPITAL or len(word) == 1:
        following = index + 1
        while following < len(text) and text[following].isspace():
            following += 1
        return following == len(text) or text[following].isupper()
    return True


def _read_statement(statement: str, lead: re.Match[str] | None) -> tuple[Populations | None, bool]:
    """The reading of one statement that names a population (None for an aside on quotas, ``UNREAD`` when it
    cannot be read), and whether it ends with a colon that opens the purpose of the listing."""
    bare = statement.rstrip(" .")
    for pattern in _OTHERS:
        other = pattern.fullmatch(bare)
        if other:
            return Populations(Kind.OTHERS, appendix=other.group("appendix").upper()), False
    if _ALL.fullmatch(bare):
        return ALL, False
    aside = _QUOTA_WORD.search(statement) and not _SCOPE_START.match(statement) and not _starts_with_country(statement)
    if lead is None and aside:
        return None, False
    start = lead.end() if lead else 0
    end = _list_end(statement, start)
    return _read_list(statement[:end], lead) or UNREAD, end < len(statement)


def _starts_with_country(statement: str) -> bool:
    matches = country_matches(statement)
    return bool(matches) and not statement[: matches[0][0]].strip()


def _read_list(statement: str, lead: re.Match[str] | None) -> Populations | None:
    """A list of countries after ``lead`` ("Populations of", "Except the populations of"), or before "populations
    only" when there is no lead; None when any part of it cannot be placed."""
    start = lead.end() if lead else 0
    brackets = _bracket_spans(statement)
    if brackets is None:
        return None
    openings = sorted(brackets)
    tokens = [m for m in country_matches(statement) if m[0] >= start and not _inside(m[0], openings, brackets)]
    if not tokens:
        return None
    gap = statement[start : tokens[0][0]]
    first = _FIRST_ARTICLE.fullmatch(gap) or _FIRST_PLACE.fullmatch(gap)
    if first is None:
        return None
    whole: set[str] = set()
    partial: set[str] = set()
    in_part = bool(lead and lead.group("part"))
    place = _names_a_place(first)
    only_after = False
    for number, (_start, token_end, code) in enumerate(tokens):
        last = number + 1 == len(tokens)
        end = len(statement) if last else tokens[number + 1][0]
        notes, position = _notes(statement, token_end, brackets)
        join = None
        if last:
            only = _ONLY_AFTER.match(statement, position, end)
            if only:
                more, position = _notes(statement, only.end(), brackets)
                notes += more
            only_after = only is not None
            rest = statement[position:end]
            note = rest if rest.strip(" .") else ""
        else:
            rest = statement[position:end]
            join = _JOIN_ARTICLE.search(rest) or _JOIN_PLACE.fullmatch(rest)
            if join is None and (rest.strip() or not notes):
                return None
            note = rest[: join.start()] if join else ""
        if note.strip():
            opening = _NOTE_START.match(note)
            if opening is None or _NOTE_GOES_ON.search(note, opening.end()):
                return None
            notes.append(note)
        (partial if in_part or place or any(map(_limits_population, notes)) else whole).add(code)
        if join is not None:
            if join.group("lead"):
                in_part = bool(join.group("part"))
            place = _names_a_place(join)
    if lead is None and not only_after:
        return None
    whole -= partial
    if lead is not None and lead.group("except"):
        if only_after or lead.group("only"):
            return None
        return Populations(Kind.EXCEPT, tuple(sorted(whole)), tuple(sorted(partial)))
    return Populations(Kind.ONLY, tuple(sorted(whole)), tuple(sorted(partial)))


def _names_a_place(match: re.Match[str]) -> bool:
    """Whether a match of the patterns before a country ends with a place within it ("..., Department of ...,")."""
    return match.groupdict().get("place") is not None


def _notes(statement: str, position: int, brackets: dict[int, int]) -> tuple[list[str], int]:
    """The bracketed notes that follow ``position`` ("(subject to a zero quota ...)"), and where they end."""
    notes: list[str] = []
    while True:
        opening = position
        while opening < len(statement) and statement[opening].isspace():
            opening += 1
        close = brackets.get(opening)
        if close is None:
            return notes, position
        notes.append(statement[opening + 1 : close])
        position = close + 1


def _limits_population(note: str) -> bool:
    """Whether a note on a country may name only part of its population (fail closed: unless it is known not
    to)."""
    text = _WHOLE.sub(" ", note)
    if not text.strip(" ,.()[]"):
        return False
    return bool(_PART_OF_COUNTRY.search(text)) or not _HARMLESS.search(text)


def _list_end(statement: str, start: int) -> int:
    """Where a list that starts at ``start`` ends: at the first colon outside brackets ("Populations of BW and
    NA: for the exclusive purpose ..."), else at the end of the statement."""
    depth = 0
    for index in range(start, len(statement)):
        char = statement[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == ":" and depth == 0:
            return index
    return len(statement)


def _bracket_spans(text: str) -> dict[int, int] | None:
    """The outermost brackets of ``text``, by the index that opens each; None when they do not balance."""
    spans: dict[int, int] = {}
    depth = opened = 0
    for index, char in enumerate(text):
        if char in "([":
            if depth == 0:
                opened = index
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                return None
            if depth == 0:
                spans[opened] = index
    return spans if depth == 0 else None


def _inside(index: int, openings: list[int], spans: dict[int, int]) -> bool:
    """Whether ``index`` is within one of the bracket ``spans`` (``openings``: their opening indexes, sorted)."""
    before = bisect.bisect_right(openings, index) - 1
    return before >= 0 and spans[openings[before]] >= index
