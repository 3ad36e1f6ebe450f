"""The one comparison of security stamps and identifying marks (``permits.identifiers``)."""

from __future__ import annotations

import hashlib

import pytest

from permits.identifiers import document_number_key, identifier_key, latin_look_alike

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
    assert identifier_key(written) == "s0042"


def test_case_is_folded_before_the_letters_are_picked() -> None:
    assert identifier_key("\u01f0-1") == identifier_key("J\u030c-1") == identifier_key("j\u030c 1")  # j with caron
    assert identifier_key("Stra\u00dfe-1") == identifier_key("STRASSE 1")
    assert identifier_key("\u00aa1") == identifier_key("A1")  # the ordinal indicator folds to a small a


def test_letters_of_other_scripts_that_look_latin_are_latin() -> None:
    assert identifier_key("\u041a\u0415-SS-0041887") == identifier_key("KE-SS-0041887")  # Cyrillic Ka, Ie
    assert identifier_key("\u043a\u0435-ss-0041887") == identifier_key("KE-SS-0041887")  # their small letters
    assert identifier_key("\u039a\u0395-\u039f42") == identifier_key("KE-O42")  # Greek Kappa, Epsilon, Omicron
    assert identifier_key("\u0416-1") == "\u04361"  # Zhe looks like no Latin letter: it stays
    assert identifier_key("\u039d-1") == identifier_key("N-1") != identifier_key("\u03bd-1")  # Nu is N, nu is v
    assert identifier_key("\u03a5-1") == identifier_key("Y-1")  # Upsilon
    assert identifier_key("\u03a3-1") != identifier_key("O-1")  # Sigma, whose small letter is like o, is not


def test_the_look_alike_table_is_the_one_stored_keys_were_made_with() -> None:
    """Stored stamp keys (the ledger's ``stamp_key``) depend on the confusables data: a new version of it needs a
    ledger migration that keys every stamp again. This digest of its answers for every letter changes with it."""
    greek_and_cyrillic = [chr(code) for code in range(0x370, 0x530)]
    answers = "".join(latin_look_alike(letter) for letter in greek_and_cyrillic)
    assert hashlib.sha256(answers.encode()).hexdigest() == LOOK_ALIKE_DIGEST


def test_what_stays_distinct() -> None:
    assert identifier_key("S-0042") != identifier_key("S-0043")
    assert identifier_key("\u00c9-1") != identifier_key("E-1")  # Latin letters are never merged
    assert identifier_key("O-1") != identifier_key("0-1")
    assert [identifier_key(text) for text in (None, "", "-", "\u200b", " / ")] == [None] * 5


def test_permit_numbers_keep_their_parts() -> None:
    assert document_number_key("KE/2026/ZOO/0104") == document_number_key("ke-2026-zoo-0104") == "ke-2026-zoo-0104"
    assert document_number_key("\u041a\u0415 2026\u200b/ZOO/0104") == "ke-2026-zoo-0104"  # look-alikes, a ZWSP
    assert document_number_key("KE/1/23") != document_number_key("KE/12/3")
