"""Reading structure out of the free text of the exports: annotations per Appendix, country names, taxa
excluded from a higher-taxon listing, "listed under" notes and synonym lists with authors.

Countries are named by ISO 3166-1 alpha-2 code or by name in English, French or Spanish (pycountry's names and
translations, and the spellings of the Appendices that pycountry lacks). Which populations a split listing
covers is read from these names by ``populations``.
"""

from __future__ import annotations

import gettext
import html
import re
from functools import lru_cache

from permits.registry.model import clean_text

_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"<\s*(?:p|br)\s*/?>", re.IGNORECASE)
_SECTION = re.compile(r"^[ \t]*(?:Appendix\s+(III|II|I)\s*:|\*\*(III|II|I)\*\*)", re.MULTILINE)
_LISTED_UNDER = re.compile(r"\[(?:CLASS|ORDER|FAMILY|SUBFAMILY|GENUS|SPECIES) listing ([^\]]+?)\s*\]")
_POPULATION_WORDS = re.compile(r"popul|popn|poblaci", re.IGNORECASE)
_EXCEPT_WORDS = re.compile(
    r"\b(?:except|excluding|excludes|other than|sauf|à l'exception|excepté|excepto|salvo|con excepción)", re.IGNORECASE
)
# A sentence about kinds of specimens ("excluding manufactured parts or derivatives ... of <i>Cistanche
# deserticola</i>", "excluding ... artificially propagated specimens of cultivars of <i>Euphorbia trigona</i>")
# narrows what the listing covers of a taxon; it does not take the taxon out of the listing.
_SPECIMEN_WORDS = re.compile(r"specimen|\bparts?\b|derivative|cultivar|propagated", re.IGNORECASE)
_ISO_TOKEN = re.compile(r"\b[A-Z]{2}\b")
_ITALIC = re.compile(r"<i>(.*?)</i>\s*(spp\.)?", re.IGNORECASE | re.DOTALL)
_HIGHER_SPP = re.compile(r"\b([A-Z][a-z]+(?:idae|inae|formes|ales|aceae)) spp\.")
_NAME = re.compile(r"^([A-Z][a-z-]+|[A-Z]\.)((?: [a-z][a-z-]+){0,2})$")
_EPITHET_STOP = frozenset({"in", "ex", "et", "de", "van", "von", "du", "la", "le", "da", "di", "del", "des", "and"})
_RANK_MARKERS = frozenset({"var.", "subsp.", "ssp.", "f.", "forma"})

# Names the exports use that pycountry does not know under that spelling: older names, short forms, and the
# United Nations forms the Appendices write ("Bolivia (Plurinational State of)"; pycountry's variants lose the
# brackets, so those are matched whole here).
_COUNTRY_ALIASES = {
    "Bolivia (Plurinational State of)": "BO",
    "Venezuela (Bolivarian Republic of)": "VE",
    "Iran (Islamic Republic of)": "IR",
    "Micronesia (Federated States of)": "FM",
    "the former Yugoslav Republic of Macedonia": "MK",
    "Turkey": "TR",
    "Nigéria": "NG",
    "République-Unie de Tanzanie": "TZ",
    "Swazilandia": "SZ",
    "Swaziland": "SZ",
    "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG",
    "Congo": "CG",
    "Republic of Korea": "KR",
    "Democratic People's Republic of Korea": "KP",
    "United Kingdom": "GB",
    "Great Britain": "GB",
    "United States": "US",
    "Russia": "RU",
    "Czech Republic": "CZ",
    "Macedonia": "MK",
    "Burma": "MM",
    "Ivory Coast": "CI",
    "Cote d'Ivoire": "CI",
    "Cape Verde": "CV",
    "Brunei": "BN",
    "Hong Kong": "HK",
    "Macao": "MO",
    "Lao PDR": "LA",
    "Laos": "LA",
    "Vietnam": "VN",
    "Syria": "SY",
    "Palestine": "PS",
}


def strip_html(text: str) -> str:
    """Annotation text without HTML tags and entities, whitespace collapsed."""
    if "<" not in text and "&" not in text:
        return clean_text(text) or ""
    return clean_text(html.unescape(_TAGS.sub("", _BREAKS.sub("\n", text)))) or ""


def appendix_sections(text: str) -> list[tuple[str, str]]:
    """Split a multi-Appendix cell into (Appendix, text) pairs.

    Understands the Checklist's "Appendix I: ...\\nAppendix II: ..." lines and the Species+ "**I** ... **II**"
    notes. Text before the first marker is ignored; a cell without markers gives no sections.
    """
    if "Appendix" not in text and "**" not in text:
        return []
    markers = list(_SECTION.finditer(text))
    sections = []
    for number, marker in enumerate(markers):
        end = markers[number + 1].start() if number + 1 < len(markers) else len(text)
        sections.append((marker.group(1) or marker.group(2), text[marker.end() : end].strip()))
    return sections


def listed_under(text: str) -> str | None:
    """The higher-taxon listing named by a Species+ note such as "[FAMILY listing Trochilidae spp.]"."""
    found = _LISTED_UNDER.search(text)
    if not found:
        return None
    name = found.group(1).strip()
    return name if name.endswith("spp.") or " " in name else f"{name} spp."


@lru_cache(maxsize=1)
def _country_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    import pycountry

    names: dict[str, str] = {}
    translations = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
        for language in ("fr", "es")
    ]
    for country in pycountry.countries:
        variants = {country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)}
        for variant in [v for v in variants if v]:
            if ", " in variant:
                head, tail = variant.split(", ", 1)
                variants.add(f"{tail} {head}")
            for translation in translations:
                variants.add(translation.gettext(variant))
        for variant in variants:
            if variant and len(variant) > 3:
                names.setdefault(re.sub(r"\s*\(.*?\)", "", variant).strip(), country.alpha_2)
    names.update(_COUNTRY_ALIASES)
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True) if name)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), names


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


def country_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO code) of every country named in ``text``, by name or by ISO 3166-1 alpha-2 code, in
    order (names as long as they go: "South Africa", not "Africa")."""
    pattern, names = _country_pattern()
    found = [(match.start(), match.end(), names[match.group(0)]) for match in pattern.finditer(text)]
    codes = _iso_codes()
    found += [
        (match.start(), match.end(), match.group(0)) for match in _ISO_TOKEN.finditer(text) if match.group(0) in codes
    ]
    return sorted(found)


def countries_in(text: str) -> list[tuple[int, str]]:
    """(position, ISO code) of every country named in ``text``, by name or by ISO 3166-1 alpha-2 code."""
    return [(start, code) for start, _end, code in country_matches(text)]


def excluded_taxa(text: str | None) -> tuple[str, ...]:
    """Taxa a higher-taxon listing leaves out, read from sentences saying "Excludes ..." or "Except ...".

    Only italic names (``<i>...</i>``) and "<Family> spp." are taken; abbreviated genera ("A. aurita") are
    expanded with the genus named before. Sentences about populations or kinds of specimens (parts,
    derivatives, artificially propagated cultivars) are ignored.
    """
    if not text:
        return ()
    names: list[str] = []
    for sentence in re.split(r"(?<=\.)\s+(?=[A-Z<])", text):
        if not _EXCEPT_WORDS.search(sentence) or _POPULATION_WORDS.search(sentence) or _SPECIMEN_WORDS.search(sentence):
            continue
        genus = ""
        for match in _ITALIC.finditer(sentence):
            for part in re.split(r",\s*|\s+and\s+", strip_html(match.group(1))):
                name = part.strip().rstrip(".")
                found = _NAME.match(name)
                if not found:
                    continue
                if found.group(1).endswith("."):
                    if not genus or not found.group(2):
                        continue
                    name = genus + found.group(2)
                genus = name.split()[0]
                names.append(name)
        names += [match.group(1) for match in _HIGHER_SPP.finditer(strip_html(sentence))]
    return tuple(dict.fromkeys(names))


def names_with_authors(text: str) -> list[str]:
    """Scientific names out of a ", "-joined list of names with authors (the Checklist's SynonymsWithAuthors).

    "Cervus porcinus Zimmermann, 1777, Hyelaphus porcinus (Zimmermann, 1780)" gives the two names: a name
    starts a segment with a capitalised genus and a lower-case epithet, and ends at the first author word.
    """
    names = []
    for segment in text.split(","):
        words = segment.split()
        if len(words) < 2 or not re.fullmatch(r"[A-Z][a-z-]+", words[0]):
            continue
        name = [words[0]]
        for word in words[1:]:
            epithet = re.fullmatch(r"[a-z][a-z-]+", word) and word not in _EPITHET_STOP
            if not (epithet or word in _RANK_MARKERS):
                break
            name.append(word)
        while name and name[-1] in _RANK_MARKERS:
            name.pop()
        if len(name) >= 2:
            names.append(" ".join(name))
    return list(dict.fromkeys(names))
