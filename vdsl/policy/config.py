"""The project's endpoint policy: where it lives, what it may say, and what it allows.

A policy is a `[tool.vdsl.policy]` table in the nearest `pyproject.toml`, or a `[policy]`
table in a `vdsl.toml`. The search starts in the project's folder and walks up; the first
folder with a `vdsl.toml`, or with a `pyproject.toml` that has a `[tool.vdsl]` table, decides
(a `vdsl.toml` wins over a `pyproject.toml` beside it). Keys:

    forbid_global = true                           # no `location global` (aiplatform.googleapis.com)
    allowed_locations = ["europe-west4", "eu"]     # every location must match one (globs allowed)
    allowed_publishers = ["google", "anthropic"]   # model publishers the project may call

A mistake in the file (an unknown key, a value of the wrong kind, TOML that does not parse) is
a diagnostic at the file's line, never an exception.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostics
from ..source import SourceFile, Span
from .files import PolicyFile, find_policy_file

__all__ = ["KEYS", "Policy", "PolicyFile", "find_policy_file", "load_policy", "parse_policy"]

KEYS = {
    "forbid_global": "true or false: refuse `location global` and express mode",
    "allowed_locations": "a list of locations (`europe-west4`, `eu`, `europe-*`)",
    "allowed_publishers": "a list of publishers (`google`, `anthropic`, `meta`, …)",
}
"""Every key a policy table may hold, with what its value must be."""


@dataclass(frozen=True, slots=True)
class Policy:
    """What the project allows. None for a list means "not restricted"."""

    forbid_global: bool = False
    allowed_locations: tuple[str, ...] | None = None
    allowed_publishers: tuple[str, ...] | None = None
    source: str = ""
    """The file (and table) the policy came from, for messages."""

    def location_problem(self, location: str) -> str | None:
        """Why `location` breaks the policy, or None when it is allowed."""
        if self.forbid_global and location == "global":
            return f"the policy in {self.source} forbids the global endpoint (forbid_global)"
        allowed = self.allowed_locations
        if allowed is not None and not any(fnmatch.fnmatchcase(location, p) for p in allowed):
            shown = ", ".join(allowed) or "none"
            return (f"location `{location}` is not in the policy's allowed_locations "
                    f"({shown}; {self.source})")
        return None

    def publisher_problem(self, publisher: str) -> str | None:
        allowed = self.allowed_publishers
        if allowed is not None and publisher not in allowed:
            shown = ", ".join(allowed) or "none"
            return (f"publisher `{publisher}` is not in the policy's allowed_publishers "
                    f"({shown}; {self.source})")
        return None

    @property
    def restricts(self) -> bool:
        return self.forbid_global or self.allowed_locations is not None \
            or self.allowed_publishers is not None


def load_policy(start: str | Path, diags: Diagnostics,
                found: PolicyFile | None = None) -> tuple[Policy | None, str]:
    """The policy for a project at `start` (in `found`, when the search was made already),
    and the text it was read from ("" when none).

    Problems in the file are appended to `diags` at its lines; a broken file gives no policy.
    """
    found = found or find_policy_file(start)
    if found is None:
        return None, ""
    try:
        text = found.path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        diags.error("policy-file", f"{found.path}: cannot read the policy file: {error}",
                    Span(str(found.path), 0, 0, 1, 1, 1, 1))
        return None, ""
    return parse_policy(SourceFile(str(found.path), text), found.table, diags), text


def parse_policy(source: SourceFile, table: tuple[str, ...],
                 diags: Diagnostics) -> Policy | None:
    """Read the policy table of one TOML file (None when it has none or it is broken)."""
    import tomllib  # only projects that have a policy file pay for it
    try:
        data: Any = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        line = _error_line(str(error))
        diags.error("policy-file", f"{source.path} is not valid TOML: {error}",
                    source.line_span(line))
        return None
    for key in table:
        data = data.get(key) if isinstance(data, dict) else None
    if data is None:
        return None
    name = ".".join(table)
    if not isinstance(data, dict):
        diags.error("policy-file", f"`{name}` must be a table", source.line_span(1))
        return None
    return _read_table(source, name, data, diags)


def _read_table(source: SourceFile, name: str, data: dict[str, Any],
                diags: Diagnostics) -> Policy | None:
    before = len(diags)
    for key in data:
        if key not in KEYS:
            import difflib  # only a mistaken key needs it
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            diags.error("policy-file", f"unknown policy key `{key}` in [{name}]",
                        _key_span(source, key, name), help=(f"did you mean `{close[0]}`? " if close
                                                       else "") + "known keys: "
                        + "; ".join(f"`{k}` ({KEYS[k]})" for k in KEYS))
    forbid = data.get("forbid_global", False)
    if not isinstance(forbid, bool):
        diags.error("policy-file", "`forbid_global` must be true or false",
                    _key_span(source, "forbid_global", name))
    lists = {k: _string_list(source, name, k, data.get(k), diags)
             for k in ("allowed_locations", "allowed_publishers")}
    if len(diags) > before:
        return None
    return Policy(bool(forbid), lists["allowed_locations"], lists["allowed_publishers"],
                  f"{source.path} [{name}]")


def _string_list(source: SourceFile, name: str, key: str, value: Any,
                 diags: Diagnostics) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        diags.error("policy-file", f"`{key}` must be a list of non-empty strings",
                    _key_span(source, key, name), help=f'e.g. {key} = ["europe-west4", "eu"]')
        return None
    return tuple(value)


def _key_span(source: SourceFile, key: str, table: str) -> Span:
    """Where `key = …` is written below the table's header, else the header (or line 1)."""
    header = re.search(r"^[ \t]*\[[ \t]*" + r"[ \t]*\.[ \t]*".join(
        re.escape(part) for part in table.split(".")) + r"[ \t]*\]", source.text, re.MULTILINE)
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.MULTILINE)
    found = pattern.search(source.text, header.end() if header else 0)
    if found is None:
        return source.span(header.start(), header.end()) if header else source.line_span(1)
    start = found.start() + len(found.group(0)) - len(found.group(0).lstrip())
    return source.span(start, start + len(key))


def _error_line(message: str) -> int:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1
