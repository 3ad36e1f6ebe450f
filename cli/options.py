"""Options several commands share."""

from __future__ import annotations

import os
import socket
from typing import Annotated

import typer

POST_ENV = "CITES_POST"

DbOption = Annotated[
    str | None, typer.Option("--db", help="Ledger URL (postgresql://...); default CITES_DB_URL or this post's SQLite.")
]


def post_name() -> str:
    """This border post's name: ``CITES_POST`` (one line of plain text), else the host name."""
    from permits.model import one_line_name

    configured = os.environ.get(POST_ENV)
    return one_line_name(configured, POST_ENV) if configured else socket.gethostname()
