"""How the numbers printed on permits are compared: a security stamp (Box 5b) or an identifying mark (Box 9:
microchip, ring, tag) is one number however it was typed. Only its letters and digits count, compared
without case after Unicode compatibility normalisation (Unicode's compatibility caseless match, D145):
``S-0042``, ``s 0042``, ``S.0042``, the same in full-width letters and digits (U+FF33 U+FF10 ...), with the
hyphen U+2010 or with a zero-width space inside are one stamp. Decimal digits of every script count as the
digits 0-9 (the Arabic-Indic ``٤٢`` is ``42``).

The one rule for every place that matches these numbers: the issuing register (``permits.ledger``) refuses a
stamp the Party used before under it, the batch audit (``permits.audit``) finds re-used stamps and
duplicate marks with a coarser form of it (below), and the rules find a mark twice in one permit and a
placeholder import permit. Permit numbers are compared by ``document_number_key`` by the issuing register (a
number the Party issued before under it is refused); the uses table and revocation lists match a permit by
its number exactly as signed (a use or a listed hash comes from a signed permit). The batch audit compares more
coarsely on top of these (``number_key`` and ``mark_key``: leading zeros and invisible characters ignored), so
that numbers the register keeps apart but a reader takes for one are a finding.

A letter of another script that looks like a Latin letter counts as that letter (the Cyrillic capital Es,
U+0421, is ``c``; the Greek capital Omicron is ``o``), by the Unicode confusables data (UTS #39) that the
``confusable-homoglyphs`` package carries: a forger cannot re-use a stamp by retyping it in look-alike letters.
Latin letters are never merged with each other: an accent counts where the fold composes it with its letter
(``É`` is not ``E``) and not where no composed letter exists (``Q`` with an acute accent is ``Q``), and ``O``
is not ``0``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache


def identifier_key(text: str | None) -> str | None:
    """``text`` as compared: the letters and digits of its compatibility case fold (NFKC, case folded, twice,
    as Unicode D145 does, so that no case or width variant keeps a mark of its own), with look-alike letters of
    other scripts read as Latin first (before case folding: the Greek capital Nu is ``N``, its small letter
    ``v``), such as ``s0042``; None when no text is given or it has no letter or digit (separators are no
    number: two such stamps are not one stamp)."""
    if not text:
        return None
    return "".join(filter(str.isalnum, _folded(text))) or None


def document_number_key(text: str) -> str:
    """A permit number as the issuing register and the audit compare it (``DUPLICATE_NUMBER``): folded as
    ``identifier_key`` folds, but each run of separators kept as one "-" (invisible characters dropped), since
    numbers are made of parts: ``KE/2026/1`` and ``ke-2026-1`` are one number, ``KE/1/23`` and ``KE/12/3`` two."""
    visible = (char for char in _folded(text) if unicodedata.category(char) != "Cf")
    parts = ["".join(group) for is_part, group in itertools.groupby(visible, str.isalnum) if is_part]
    return "-".join(parts) or text


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = "".join(map(latin_look_alike, text))
    folded = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", unicodedata.normalize("NFD", text).casefold()).casefold()
    )
    if not folded.isascii():  # decimal digits of other scripts as 0-9
        folded = "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in folded)
    return folded


def latin_look_alike(char: str) -> str:
    """``ascii_look_alike`` for letters of scripts other than Latin only: Latin letters are never merged (``É``
    is not ``E``)."""
    if char.isascii() or unicodedata.name(char, "LATIN").startswith("LATIN"):
        return char
    return ascii_look_alike(char)


@lru_cache(maxsize=4096)
def ascii_look_alike(char: str) -> str:
    """The ASCII letter a non-ASCII letter is confusable with, in the Unicode confusables data
    (``confusable-homoglyphs``, pinned: its table is part of every stored stamp key); else ``char``. A small
    letter with no ASCII look-alike of its own (Cyrillic ``к``) reads as the small form of its capital's."""
    if char.isascii() or not char.isalpha():
        return char
    from confusable_homoglyphs.confusables import confusables_data

    for variant, case in ((char, str), (char.upper(), str.lower)):
        for glyph in confusables_data.get(variant, ()):
            look_alike: str = glyph["c"]
            if len(look_alike) == 1 and look_alike.isascii() and look_alike.isalpha():
                return case(look_alike)
        if not char.islower():
            break
    return char


INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
"""The Hangul fillers: letters (category Lo) that show nothing, left in a key they would make a new number."""


def _visible(text: str) -> str:
    """``text`` without what shows nothing: format characters (zero-width spaces, soft hyphens), combining marks
    that compose with no letter (the combining grapheme joiner U+034F, variation selectors, an accent over a
    digit) and the Hangul fillers. Composed first, so an accent that makes a letter of its own (``É``) stays."""
    composed = unicodedata.normalize("NFKC", text)
    if composed.isascii():
        return composed
    return "".join(
        char
        for char in composed
        if unicodedata.category(char) not in ("Cf", "Mn", "Me") and char not in INVISIBLE_LETTERS
    )


DIGITS_OR_LETTERS = re.compile(r"[0-9]+|[^0-9]+")


def number_key(number: str) -> str:
    """A permit number as the batch audit compares it: ``document_number_key`` (the issuing register's comparison) of
    its visible characters, each run of digits without its leading zeros, and a separator counted only between
    two runs of digits: ``KE/2026/0001``, ``KE2026/1`` and ``ke-2026-1`` are one number, ``KE/1/23`` and
    ``KE/12/3`` two. Coarser than the register, which keeps each of those a number of its own: two permits of
    one Party that a reader takes for one number are a finding, and a Box 12 citation written so still names
    the document (it would otherwise escape the quantity check as a document not in the batch)."""
    runs = [run for part in document_number_key(_visible(number)).split("-") for run in DIGITS_OR_LETTERS.findall(part)]
    tokens: list[str] = []
    for run in runs:
        if run.isdigit():
            tokens.append(run.lstrip("0") or "0")
        elif tokens and not tokens[-1].isdigit():
            tokens[-1] += run  # IT/RE/1 and ITRE/1: letters apart from digits are one part
        else:
            tokens.append(run)
    return "-".join(tokens) or number


def mark_key(text: str | None) -> str | None:
    """A security stamp (Box 5b) or identifying mark (Box 9) as the audit compares it: ``identifier_key`` (the
    issuing register's comparison) of its visible characters, each run of digits without its leading zeros:
    ``S-0042``, ``S42`` and ``s 0042`` with a Hangul filler inside are one stamp, ``0900118000000042`` and
    ``900118000000042`` one microchip."""
    key = identifier_key(_visible(text)) if text else None
    if key is None:
        return None
    return "".join(run.lstrip("0") or "0" if run.isdigit() else run for run in DIGITS_OR_LETTERS.findall(key))
