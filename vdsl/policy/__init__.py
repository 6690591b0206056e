"""Endpoint policy: where a project may send its prompts (data residency, org policies).

    files.py     find the file that holds `[tool.vdsl.policy]` / `vdsl.toml`
    config.py    read it; the `Policy` value
    check.py     `vdsl check`: errors at each client's location line
    enforce.py   the runtime: every request checked before it is sent
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .files import find_policy_file

if TYPE_CHECKING:
    from .config import KEYS, Policy, load_policy, parse_policy


def __getattr__(name: str) -> Any:
    """`config.py` (the `Policy` value, the TOML reader) is imported on first use: `vdsl
    check` of a project without a policy file needs only `find_policy_file`."""
    if name in ("KEYS", "Policy", "load_policy", "parse_policy"):
        from . import config
        return getattr(config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["KEYS", "Policy", "find_policy_file", "load_policy", "parse_policy"]
