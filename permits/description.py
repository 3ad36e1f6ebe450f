"""Reading a permit description (YAML or JSON) written by a Management Authority into a validated ``Permit``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from permits.errors import InputError
from permits.fileio import read_input_file
from permits.model import Permit


def read_description(path: Path) -> Any:
    """Parse the file as JSON (``.json``) or YAML (anything else); errors name the file and line."""
    try:
        text = read_input_file(path, "permit description").decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{error.lineno}:{error.colno}: invalid JSON ({error.msg})") from None
    try:
        return yaml.load(text, Loader=DescriptionLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML ({error.problem})") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        raise InputError(f"{path}: invalid YAML ({error or type(error).__name__})") from None


class DescriptionLoader(yaml.SafeLoader):
    """YAML's safe loader, except that dates stay text: the permit model parses them and names a bad one
    (``issued: '2026-13-01' is not a date``) where PyYAML would raise on it."""


DescriptionLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_permit(path: Path, today: dt.date | None = None) -> Permit:
    """Read and validate a permit description; every invalid field is reported at once."""
    return Permit.from_mapping(read_description(path), today=today, source=str(path))
