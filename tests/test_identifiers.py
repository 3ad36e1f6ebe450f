"""The one comparison of permit numbers and the one of security stamps and identifying marks
(``permits.identifiers``)."""

from __future__ import annotations

import hashlib

import pytest

from permits.identifiers import latin_look_alike, mark_key, number_key

LOOK_ALIKE_DIGEST = "adf68459ce815bdd9b306fa90688433d5d659bd56db6b5dd1410e7a4001f9141"
"""SHA-256 of ``latin_look_alike`` over the Greek and Cyrillic blocks (U+0370-U+052F), confusable-homoglyphs 3.3.1."""


@pytest.mark.parametrize(
    "written",
    [
        "S-0042",
        "s 0042",
        "S.0042",
        "S/0042",
        "S_0042",
        "S\u20100042",  # Unicode hyphen
        "S\u20130042",  # en dash
        "S\u200b0042",  # zero-width space
        "S\u00ad0042",  # soft hyphen
        "\uff33\uff10\uff10\uff14\uff12",  # full-width letters and digits
        " S\u00a00042\t",  # no-break space, tab
        "S-\u0660\u0660\u0664\u0662",  # Arabic-Indic digits
        "\u0405-0042",  # Cyrillic capital Dze, which looks like S
        "\u0455 0042",  # its small letter
    ],
)
def test_one_stamp_however_it_was_typed(written: str) -> None:
    assert mark_key(written) == "s42"


def test_case_is_folded_before_the_letters_are_picked() -> None:
    assert mark_key("\u01f0-1") == mark_key("J\u030c-1") == mark_key("j\u030c 1")  # j with caron
    assert mark_key("Stra\u00dfe-1") == mark_key("STRASSE 1")
    assert mark_key("\u00aa1") == mark_key("A1")  # the ordinal indicator folds to a small a


def test_letters_of_other_scripts_that_look_latin_are_latin() -> None:
    assert mark_key("\u041a\u0415-SS-0041887") == mark_key("KE-SS-0041887")  # Cyrillic Ka, Ie
    assert mark_key("\u043a\u0435-ss-0041887") == mark_key("KE-SS-0041887")  # their small letters
    assert mark_key("\u039a\u0395-\u039f42") == mark_key("KE-O42")  # Greek Kappa, Epsilon, Omicron
    assert mark_key("\u0416-1") == "\u04361"  # Zhe looks like no Latin letter: it stays
    assert mark_key("\u039d-1") == mark_key("N-1") != mark_key("\u03bd-1")  # Nu is N, nu is v
    assert mark_key("\u03a5-1") == mark_key("Y-1")  # Upsilon
    assert mark_key("\u03a3-1") != mark_key("O-1")  # Sigma, whose small letter is like o, is not


def test_the_look_alike_table_is_the_one_stored_keys_were_made_with() -> None:
    """Stored stamp keys (the ledger's ``stamp_key``) depend on the confusables data: a new version of it needs a
    ledger migration that keys every stamp again. This digest of its answers for every letter changes with it."""
    greek_and_cyrillic = [chr(code) for code in range(0x370, 0x530)]
    answers = "".join(latin_look_alike(letter) for letter in greek_and_cyrillic)
    assert hashlib.sha256(answers.encode()).hexdigest() == LOOK_ALIKE_DIGEST


def test_what_stays_distinct() -> None:
    assert mark_key("S-0042") != mark_key("S-0043")
    assert mark_key("\u00c9-1") != mark_key("E-1")  # Latin letters are never merged
    assert mark_key("O-1") != mark_key("0-1")
    assert [mark_key(text) for text in (None, "", "-", "\u200b", " / ")] == [None] * 5


def test_permit_numbers_keep_their_parts() -> None:
    assert number_key("KE/2026/ZOO/0104") == number_key("ke-2026-zoo-104") == "ke-2026-zoo-104"
    assert number_key("\u041a\u0415 2026\u200b/ZOO/0104") == "ke-2026-zoo-104"  # look-alikes, a ZWSP
    assert number_key("KE/1/23") != number_key("KE/12/3")
    assert number_key("KE/20261") != number_key("KE/2026/1") != number_key("KE/2026/10")
    assert number_key("\u00c9/1") != number_key("E/1")  # Latin letters are never merged
    assert number_key(" / ") == " / "  # no letter or digit: as written


def test_what_a_reader_takes_for_one_number_is_one() -> None:
    """Leading zeros, invisible characters that are no format character and separators beside letters."""
    for written in ("KE/2026/0001", "KE2026/1", "KE/2026/\u034f1", "KE/2026\u3164/1", "KE/2026/1\ufe0f"):
        assert number_key(written) == "ke-2026-1", written  # grapheme joiner, Hangul filler, variation selector
    assert number_key("IT/RE/1") == number_key("ITRE/1") == "itre-1"
    assert number_key("0") == number_key("000") == "0"


def test_what_a_reader_takes_for_one_stamp_or_mark_is_one() -> None:
    for written in ("S-0042", "S42", "s\u3164 0042", "S\u034f0042", "S-\u0660\u0664\u0662"):
        assert mark_key(written) == "s42", written
    assert mark_key("0900118000000042") == mark_key("900118000000042") == "900118000000042"
    assert mark_key("S-420") != mark_key("S-42") and mark_key("S-000") == "s0"
    assert [mark_key(text) for text in ("\u034f", "\u3164", "-\ufe0f")] == [None] * 3
