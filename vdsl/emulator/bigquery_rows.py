"""A BigQuery load job's rows checked against the table's schema, as the emulator loads them:
each newline-delimited JSON line must be an object, name only the schema's fields (unless
`ignoreUnknownValues`), give every REQUIRED field and hold values of each field's type (a
JSON column takes any JSON value as it is). The first problem is reported as BigQuery words
it, with the byte position of the row.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

__all__ = ["checked_rows"]


def checked_rows(path: Path, staged: Path, fields: list[dict[str, Any]],
             ignore_unknown: bool) -> tuple[int, str | None]:
    """Each line of `path` checked and converted into `staged`: (rows, first problem)."""
    by_name = {str(f.get("name")): f for f in fields}
    count, position = 0, 0
    with path.open("rb") as source, staged.open("wb") as out:
        for line in source:
            start, position = position, position + len(line)
            if not line.strip():
                continue
            row, problem = _row(line, by_name, ignore_unknown)
            if problem is not None:
                return count, (f"Error while reading data, error message: JSON parsing error "
                               f"in row starting at position {start}: {problem}")
            out.write(json.dumps(row, separators=(",", ":")).encode() + b"\n")
            count += 1
    return count, None


def _row(line: bytes, fields: dict[str, dict[str, Any]],
         ignore_unknown: bool) -> tuple[dict[str, Any], str | None]:
    try:
        data = json.loads(line)
    except ValueError as error:
        return {}, f"Parser terminated before end of string ({error})"
    if not isinstance(data, dict):
        return {}, "Only JSON objects can be loaded."
    row: dict[str, Any] = {}
    for name, value in data.items():
        field = fields.get(name)
        if field is None:
            if ignore_unknown:
                continue
            return {}, f"No such field: {name}."
        converted = _convert(value, str(field.get("type", "STRING")).upper())
        if converted is _BAD:
            return {}, f"Could not convert value to {field.get('type')}. Field: {name}."
        row[name] = converted
    for name, field in fields.items():
        if field.get("mode") == "REQUIRED" and row.get(name) is None:
            return {}, f"Missing required field: {name}."
    return row, None


_BAD = object()


def _convert(value: Any, kind: str) -> Any:
    if value is None or kind == "JSON":
        return value
    if kind in ("INTEGER", "INT64"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.match(r"^-?\d{1,19}$", value):
            return int(value)
        return _BAD
    if kind in ("FLOAT", "FLOAT64", "NUMERIC"):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else _BAD
    if kind in ("BOOLEAN", "BOOL"):
        return value if isinstance(value, bool) else _BAD
    if isinstance(value, (dict, list)):
        return _BAD
    return value if isinstance(value, str) else json.dumps(value)
