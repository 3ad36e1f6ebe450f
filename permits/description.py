"""Reading a permit description (YAML or JSON) written by a Management Authority into a validated ``Permit``."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
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
            return json.loads(text, object_pairs_hook=_without_duplicate_keys, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise InputError(f"{path}:{error.lineno}:{error.colno}: invalid JSON ({error.msg})") from None
        except (ValueError, RecursionError) as error:
            raise InputError(f"{path}: invalid JSON ({error or 'nested too deeply'})") from None
    try:
        return yaml.load(text, Loader=DescriptionLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise InputError(f"{where}: invalid YAML ({' '.join(str(error.problem).split())})") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        raise InputError(f"{path}: invalid YAML ({' '.join(str(error).split()) or type(error).__name__})") from None


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is an error (silently keeping the last would sign what was not meant)."""
    keys = [key for key, _ in pairs]
    duplicate = next((key for index, key in enumerate(keys) if key in keys[:index]), None)
    if duplicate is not None:
        raise ValueError(f"the key '{duplicate}' is given twice")
    return dict(pairs)


class DescriptionLoader(yaml.SafeLoader):
    """YAML's safe loader, except that dates stay text (the permit model parses them and names a bad one,
    ``issued: '2026-13-01' is not a date``, where PyYAML would raise on it), a key given twice is an error, and
    numbers are read exactly as written. Only plain decimals are numbers: YAML 1.1 would read a ring number
    ``0123456`` as octal (42798), ``12:30`` as sexagesimal (750) and ``1_000`` as 1000, and sign another mark,
    stamp or number than the one written; those stay text. A decimal is a ``Decimal`` made from its text, so a
    quantity is never rounded (a float holds about 16 digits; ``48.1234567`` has too many decimals and is
    refused, not signed as 48.123457) and ``id: 1.50`` keeps its zero."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        values = [key.value for key in keys]
        again = next((key for index, key in enumerate(keys) if key.value in values[:index]), None)
        if again is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{again.value}' is given twice", again.start_mark
            )
        return super().construct_mapping(node, deep)

    def construct_decimal(self, node: yaml.ScalarNode) -> Decimal:
        text = self.construct_scalar(node)
        try:
            return Decimal(text)
        except InvalidOperation:  # '!!float abc' (an ArithmeticError, which no caller expects)
            raise yaml.constructor.ConstructorError(
                None, None, f"'{text}' is not a decimal number", node.start_mark
            ) from None


_NOT_RESOLVED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
DescriptionLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag not in _NOT_RESOLVED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DescriptionLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), [*"-+0123456789"]
)
DescriptionLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    [*"-+0123456789."],
)
DescriptionLoader.add_constructor("tag:yaml.org,2002:float", DescriptionLoader.construct_decimal)


def load_permit(path: Path, today: dt.date | None = None) -> Permit:
    """Read and validate a permit description; every invalid field is reported at once."""
    return Permit.from_mapping(read_description(path), today=today, source=str(path))
