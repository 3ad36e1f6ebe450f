"""How the numbers printed on permits are compared: one rule for permit numbers (``number_key``) and one for
security stamps (Box 5b) and identifying marks (Box 9: microchip, ring, tag; ``mark_key``), for every place
that matches them. The issuing register (``permits.ledger``) refuses a number or a stamp its Party used before
under them (an import of one is an alert), the batch audit (``permits.audit``) finds numbers issued twice,
re-used stamps, duplicate marks and the documents Box 12 cites with them, and the rules find a mark twice in
one permit and an import permit that is the permit's own number. Only the uses table and revocation lists match
a permit by its number exactly as signed (a use or a listed hash comes from a signed permit).

Both compare a number as a reader sees it. What shows nothing is dropped: format characters (zero-width spaces,
soft hyphens), combining marks that compose with no letter (the combining grapheme joiner U+034F, variation
selectors, an accent over a digit) and the Hangul fillers. The rest is compared without case after Unicode
compatibility normalisation (Unicode's compatibility caseless match, D145): full-width letters and digits
(U+FF33 U+FF10 ...) are the ASCII ones, decimal digits of every script count as the digits 0-9 (the
Arabic-Indic ``٤٢`` is ``42``), and each run of digits counts without its leading zeros. A stamp or a mark is
its letters and digits only: ``S-0042``, ``s 42``, ``S.0042``, the same with the hyphen U+2010 or with a
zero-width space inside are one stamp, ``s42``, and ``0900118000000042`` and ``900118000000042`` one microchip.
A permit number is made of parts: a separator between two runs of digits counts, one beside a letter does not,
so ``KE/2026/1``, ``ke-2026-0001`` and ``KE2026/1`` are one number, ``ke-2026-1``, and ``KE/1/23`` and
``KE/12/3`` two.

A letter of another script that looks like a Latin letter counts as that letter (the Cyrillic capital Es,
U+0421, is ``c``; the Greek capital Omicron is ``o``), by the Unicode confusables data (UTS #39) that the
``confusable-homoglyphs`` package carries: a forger cannot re-use a stamp by retyping it in look-alike letters.
Latin letters are never merged with each other: an accent counts where the fold composes it with its letter
(``É`` is not ``E``) and not where no composed letter exists (``Q`` with an acute accent is ``Q``), and ``O``
is not ``0``.

The register stores both keys (``number_key``, ``stamp_key``): a change to either function, or to the
confusables data, needs a ledger migration that keys every entry again (``permits.ledger.schema``).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache


def _folded(text: str) -> str:
    """The compatibility case fold of ``text`` (NFKC, case folded, twice, as Unicode D145 does, so that no case or
    width variant keeps a number of its own), with look-alike letters of other scripts read as Latin first
    (before case folding: the Greek capital Nu is ``N``, its small letter ``v``) and the decimal digits of every
    script as 0-9."""
    if text.isascii():  # the common case: ASCII is its own normal form, and its case fold is its lower case
        return text.lower()
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
    (``confusable-homoglyphs``, pinned: its table is part of every stored number and stamp key); else ``char``. A small
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


def _visible(folded: str) -> str:
    """A fold (``_folded``) without what shows nothing: format characters (zero-width spaces, soft hyphens),
    combining marks that compose with no letter (the combining grapheme joiner U+034F, variation selectors, an
    accent over a digit) and the Hangul fillers. Taken from the fold, which is composed, so an accent the fold
    composes with its letter stays, whatever the case it was written in (``É``; ``J`` with a caron, whose
    small letter ``ǰ`` exists)."""
    if folded.isascii():
        return folded
    return "".join(
        char
        for char in folded
        if unicodedata.category(char) not in ("Cf", "Mn", "Me") and char not in INVISIBLE_LETTERS
    )


DIGITS_OR_LETTERS = re.compile(r"[0-9]+|[^0-9]+")
ASCII_RUNS = re.compile(r"[0-9]+|[a-z]+")
"""The runs of digits and of letters of an ASCII fold, separators left out (``number_key``'s common case)."""


def number_key(number: str) -> str:
    """A permit number as compared: the visible characters of its fold (``_folded``, ``_visible``), as runs of
    letters and runs of digits, each run of digits without its leading zeros, joined by "-"; a separator counts
    only between two runs of digits (letters apart from digits are one run): ``KE/2026/0001``, ``KE2026/1`` and
    ``ke-2026-1`` are ``ke-2026-1``, ``IT/RE/1`` is ``itre-1``, and ``KE/1/23`` and ``KE/12/3`` are two
    numbers. A number with no letter or digit is compared as written."""
    visible = _visible(_folded(number))
    if visible.isascii():
        runs = ASCII_RUNS.findall(visible)
    else:
        parts = ["".join(group) for is_part, group in itertools.groupby(visible, str.isalnum) if is_part]
        runs = [run for part in parts for run in DIGITS_OR_LETTERS.findall(part)]
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
    """A security stamp (Box 5b) or identifying mark (Box 9) as compared: the letters and digits of its fold
    (``_folded``, ``_visible``), each run of digits without its leading zeros: ``S-0042``, ``S42`` and
    ``s 0042`` with a Hangul filler inside are ``s42``, ``0900118000000042`` and ``900118000000042`` one
    microchip. None when no text is given or it has no letter or digit (separators are no number: two such
    stamps are not one stamp; the register then compares the stamp as written)."""
    key = "".join(filter(str.isalnum, _visible(_folded(text)))) if text else None
    if not key:
        return None
    return "".join(run.lstrip("0") or "0" if run.isdigit() else run for run in DIGITS_OR_LETTERS.findall(key))
