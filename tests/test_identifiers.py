"""The one comparison of security stamps and identifying marks (``permits.identifiers``)."""

from __future__ import annotations

import pytest

from permits.identifiers import identifier_key


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


def test_what_stays_distinct() -> None:
    assert identifier_key("S-0042") != identifier_key("S-0043")
    assert identifier_key("\u00c9-1") != identifier_key("E-1")  # Latin letters are never merged
    assert identifier_key("O-1") != identifier_key("0-1")
    assert [identifier_key(text) for text in (None, "", "-", "\u200b", " / ")] == [None] * 5
