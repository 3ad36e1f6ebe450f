"""The error hierarchy: every error the tool raises on purpose explains itself to the user in one line.

``CitesError`` subclasses carry the exit code the command line uses for them. Anything that is not a
``CitesError`` is a bug. Verification failures are *not* errors: they are verdicts (see ``permits.verification``).
"""

from __future__ import annotations

from typing import ClassVar


class CitesError(Exception):
    """Base of every error meant for the user. ``str(error)`` is the whole one-line message."""

    exit_code: ClassVar[int] = 2


class InputError(CitesError):
    """Malformed or unusable input: a file, payload, argument or key the user gave us (exit code 2)."""


class PermitValidationError(InputError):
    """A permit description has one or more invalid fields; ``problems`` lists each as ``field: message``."""

    def __init__(self, problems: list[str], source: str = "permit") -> None:
        self.problems = problems
        self.source = source
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{source}: {count}: " + "; ".join(problems))


class KeyFileError(InputError):
    """A key or certificate file cannot be read, decrypted or used."""


class TrustStoreError(CitesError):
    """The trust store is missing, unreadable or refuses a change."""


class ConfigurationError(CitesError):
    """The environment (CITES_HOME, a database URL, a missing system library) does not allow the command."""


class LedgerError(CitesError):
    """The usage ledger cannot be used (bad URL, unreachable server, damaged database) or refuses an input
    (a tampered export, or one signed by another key than the pinned post key): exit code 2."""
