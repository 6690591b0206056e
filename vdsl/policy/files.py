"""Where a project's endpoint policy lives: the search `config.py` describes, kept apart so
that `vdsl check` of a project with no policy file imports nothing else of `vdsl.policy`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

__all__ = ["PolicyFile", "find_policy_file"]


class PolicyFile(NamedTuple):
    """A file that holds (or may hold) the policy table."""

    path: Path
    table: tuple[str, ...]
    """Where the policy sits in the file: ("policy",) or ("tool", "vdsl", "policy")."""


def find_policy_file(start: str | Path) -> PolicyFile | None:
    """The file that decides the policy for a project at `start` (a folder or a file)."""
    folder = Path(start).resolve()
    if not folder.is_dir():
        folder = folder.parent
    for directory in (folder, *folder.parents):
        own = directory / "vdsl.toml"
        if own.is_file():
            return PolicyFile(own, ("policy",))
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_vdsl_table(pyproject):
            return PolicyFile(pyproject, ("tool", "vdsl", "policy"))
    return None


def _has_vdsl_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*vdsl\b", text, re.MULTILINE) is not None
