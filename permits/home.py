"""Where the tool keeps its state: ``CITES_HOME`` (trust store, registry, ledger), default the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from permits.fileio import ensure_folder

HOME_ENV = "CITES_HOME"


def cites_home() -> Path:
    """The state directory: ``$CITES_HOME`` if set, else the platform's user data directory for ``cites``."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("cites", appauthor=False))


def state_path(*parts: str) -> Path:
    """A path inside the state directory, creating its parent directories."""
    path = cites_home().joinpath(*parts)
    ensure_folder(path.parent)
    return path


def state_folder(*parts: str) -> Path:
    """A folder inside the state directory, created if missing."""
    folder = cites_home().joinpath(*parts)
    ensure_folder(folder)
    return folder
