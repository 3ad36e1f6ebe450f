"""The ``cites`` application: the Typer app, its sub-commands, and the error boundary.

Commands stay thin: they parse arguments, call the domain library and pick an output format. ``main`` is the
single place where errors become one-line messages and exit codes (README "Exit codes"):
0 success / every permit VALID, 1 a permit NOT VALID, 2 usage or input error, 130 interrupted (Typer turns
Ctrl-C into exit code 130; only ``cites audit`` says how to resume).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from cli.audit import audit_command
from cli.endorse import endorse_command
from cli.issue import issue_command
from cli.keys import keys_app
from cli.ledger import ledger_app
from cli.registry import registry_app
from cli.revocation import revocations_app, revoke_command
from cli.scan import scan_command
from cli.trust import trust_app
from cli.verify import verify_command

app = typer.Typer(
    name="cites",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(requested: bool) -> None:
    if requested:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"cites {version('cites-permits')}")
        except PackageNotFoundError:
            typer.echo("cites (not installed as a package: version unknown)")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Issue and verify digitally signed CITES permits (signed QR codes, offline verification)."""


app.add_typer(keys_app, name="keys")
app.add_typer(trust_app, name="trust")
app.add_typer(registry_app, name="registry")
app.add_typer(revocations_app, name="revocations")
app.command("revoke")(revoke_command)
app.command("issue")(issue_command)
app.command("verify")(verify_command)
app.command("scan")(scan_command)
app.command("endorse")(endorse_command)
app.add_typer(ledger_app, name="ledger")
app.command("audit")(audit_command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code; anticipated errors become one-line messages."""
    from permits.errors import CitesError
    from permits.fileio import printable_path
    from permits.output.terminal import terminal_safe

    arguments = sys.argv[1:] if argv is None else argv
    undecodable = [  # an existing file may have any name: its name is only shown, escaped
        f"argument '{printable_path(argument)}'"
        for argument in arguments
        if not _is_utf8(argument) and not os.path.lexists(argument)
    ]
    undecodable += [name for name in TEXT_ENVIRONMENT if not _is_utf8(os.environ.get(name, ""))]
    if undecodable:  # every later step (names, database, terminal) needs Unicode text
        typer.echo(f"error: not valid UTF-8 text: {', '.join(undecodable)}", err=True)
        return 2
    try:
        code = app(args=arguments, prog_name="cites", standalone_mode=False)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 2
    except CitesError as error:
        typer.echo(f"error: {terminal_safe(str(error))}", err=True)
        return error.exit_code
    except Exception as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # no arguments: the help text, as Typer prints it
            typer.echo(str(error))
            return 2
        failure = _command_line_error(error)
        if failure is None:
            raise
        message, code = failure
        typer.echo(f"error: {terminal_safe(message)}", err=True)
        return code
    return code if isinstance(code, int) else 0


TEXT_ENVIRONMENT = ("CITES_HOME", "CITES_POST", "CITES_DB_URL")
"""Environment variables the tool reads as text."""


def _is_utf8(text: str) -> bool:
    """False for an argument or variable whose bytes were not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _command_line_error(error: Exception) -> tuple[str, int] | None:
    """The message and exit code of an error Typer raises about the command line (a missing argument, an
    unknown option, a bad value: exit 2) or an aborted prompt (exit 2); None for any other exception. Typer's
    exceptions are known by their shape (``format_message`` and ``exit_code``), as Typer re-homed click's."""
    if type(error).__name__ == "Abort":
        return "aborted", 2
    format_message, exit_code = getattr(error, "format_message", None), getattr(error, "exit_code", None)
    if not callable(format_message) or not isinstance(exit_code, int):
        return None
    context = getattr(error, "ctx", None)
    hint = f" (see '{context.command_path} --help')" if context is not None else ""
    return " ".join(str(format_message()).split()) + hint, exit_code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
