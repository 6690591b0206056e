"""Endpoint policy: where a project may send its prompts (data residency, org policies).

    config.py    find and read `[tool.vdsl.policy]` / `vdsl.toml`; the `Policy` value
    check.py     `vdsl check`: errors at each client's location line
    enforce.py   the runtime: every request checked before it is sent
"""

from .config import KEYS, Policy, find_policy_file, load_policy, parse_policy

__all__ = ["KEYS", "Policy", "find_policy_file", "load_policy", "parse_policy"]
