"""Where private-key passphrases come from: ``CITES_KEY_PASSPHRASE`` or an interactive prompt, never a file."""

from __future__ import annotations

import os
from collections.abc import Callable

from permits.errors import KeyFileError

PASSPHRASE_ENV = "CITES_KEY_PASSPHRASE"
MIN_PASSPHRASE_CHARS = 8
MAX_PASSPHRASE_BYTES = 1023

PassphraseSource = Callable[[bool], bytes]
"""Returns the passphrase; the flag asks for confirmation (a new key is being written)."""


def passphrase_from_environment_or_prompt(confirm: bool) -> bytes:
    """The passphrase from the environment, else from a hidden prompt on the terminal."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        import getpass
        import sys

        if not sys.stdin.isatty():
            raise KeyFileError(f"no passphrase: set {PASSPHRASE_ENV} or run the command on a terminal")
        value = getpass.getpass("Key passphrase: ")
        if confirm and getpass.getpass("Repeat passphrase: ") != value:
            raise KeyFileError("the two passphrases differ")
    if confirm and len(value) < MIN_PASSPHRASE_CHARS:
        raise KeyFileError(f"the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters")
    if not value:
        raise KeyFileError("the passphrase is empty")
    encoded = value.encode("utf-8", "surrogateescape")
    if len(encoded) > MAX_PASSPHRASE_BYTES:
        raise KeyFileError(f"the passphrase is longer than {MAX_PASSPHRASE_BYTES} bytes (the key encryption's limit)")
    return encoded
