"""Options several commands share."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from permits.envelope.algorithms import Algorithm

POST_ENV = "CITES_POST"

DbOption = Annotated[
    str | None, typer.Option("--db", help="Ledger URL (postgresql://...); default CITES_DB_URL or this post's SQLite.")
]


def out_option(help_text: str) -> Any:
    """The ``--out`` option of a command that writes: a path, never empty (an empty one would be the current
    folder, so it is a usage error)."""
    return typer.Option(parser=_output_path, metavar="<path>", help=help_text)


def _output_path(value: str) -> Path:
    if value == "":
        raise typer.BadParameter("an empty path; give a file or folder to write")
    return Path(value)


def post_name() -> str:
    """This border post's name: ``CITES_POST`` (one line of plain text), else the host name."""
    from permits.model import one_line_name

    configured = os.environ.get(POST_ENV)
    return one_line_name(configured, POST_ENV) if configured else socket.gethostname()


def party_code(value: str, option: str = "--party") -> str:
    """A Party named on the command line: its ISO 3166-1 alpha-2 code, upper-cased; ``InputError`` otherwise."""
    from permits.errors import InputError
    from permits.model import is_iso_country

    code = value.strip().upper()
    if not is_iso_country(code):
        raise InputError(f"{option}: '{value}' is not an ISO 3166-1 alpha-2 country code")
    return code


def signature_algorithm(value: str) -> Algorithm:
    """The ``--alg`` of a command that creates keys: ES256 or EdDSA (any case); ``InputError`` otherwise."""
    from permits.envelope.algorithms import Algorithm
    from permits.errors import InputError

    try:
        return Algorithm.parse(value)
    except ValueError as error:
        raise InputError(f"--alg: {error}") from None


def parse_day(text: str, option: str) -> dt.date:
    """A day given on the command line: ``YYYY-MM-DD``, white space around it ignored; ``InputError`` otherwise."""
    from keys.signed import parse_date

    return parse_date(text.strip(), option)


def parse_moment(text: str, option: str = "--at") -> dt.datetime:
    """A moment given on the command line: ``YYYY-MM-DD`` (noon UTC that day) or ``YYYY-MM-DDTHH:MM[:SS][+HH:MM]``
    (UTC unless an offset is given); ``InputError`` otherwise."""
    from permits.errors import InputError

    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(12), tzinfo=dt.UTC)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+([+-]\d{2}:\d{2}|Z)?", text):
            moment = dt.datetime.fromisoformat(text)
            return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError):  # OverflowError: an offset that moves year 1 or 9999 out of range
        pass
    raise InputError(f"{option}: '{text}' is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
