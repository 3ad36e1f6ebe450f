"""Behaviour the README states that a review of the documentation found the code did otherwise."""

from __future__ import annotations

import json
from collections.abc import Callable

from permits import limits
from tests.conftest import CliResult

Cli = Callable[..., CliResult]


def test_an_over_long_line_alone_on_standard_input_is_one_input_error(cli: Cli) -> None:
    # README "Commands": a line over 17,184 characters is an INPUT_ERROR, exit 2; not also a NO_PERMIT_FOUND
    # verdict for the same input, as if standard input had been empty.
    result = cli("verify", "--json", "-", stdin="A" * (limits.MAX_INPUT_LINE_CHARS + 1) + "\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 2
    assert [(row["source"], row["status"]) for row in rows] == [("stdin line 1", "INPUT_ERROR")]


def test_no_help_text_holds_an_angle_bracketed_word_that_markdown_help_would_drop() -> None:
    # The app renders help as Markdown: "<number>.pdf" was shown as ".pdf" (issue --out, trust propose-key --out).
    import re

    import typer

    from cli.main import app

    def walk(command: object) -> list[str]:
        texts = [getattr(command, "help", None) or ""]
        texts += [getattr(param, "help", None) or "" for param in getattr(command, "params", [])]
        for sub in getattr(command, "commands", {}).values():
            texts += walk(sub)
        return texts

    texts = walk(typer.main.get_command(app))
    assert len(texts) > 100  # every command and option was reached
    assert [text for text in texts if re.search(r"<[A-Za-z][^>]*>", text)] == []
