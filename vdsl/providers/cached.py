"""Which part of a prompt a context cache holds, and how a cache is recognised later.

The cache holds the prompt's static leading part; each call sends the rest. The boundary is
the last part written under a role marked `cache_control` — the same marker Claude's prompt
caching reads, so one prompt serves both families:

    {{ _.role("system") }} You answer questions about the manual.
    {{ _.role("user", cache_control={"type": "ephemeral"}) }} {{ manual }}
    {{ _.role("user") }} {{ question }}

(the client needs `allowed_role_metadata ["cache_control"]` to keep the marker, as for
Claude). Without a marker the cache holds the system instruction and every message but the
last one. A cache made by vdsl is named `vdsl <fingerprint> <function>`: the fingerprint is a
hash of what the cache holds, so a call whose prompt no longer starts with that part is
refused instead of silently answered from stale context.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..errors import ConfigError
from ..render import ChatMessage, RenderedPrompt

__all__ = ["CACHE_MARK", "cache_name", "display_name", "fingerprint", "fingerprint_of",
           "split_prompt"]

CACHE_MARK = "cache_control"
DISPLAY_PREFIX = "vdsl "
MAX_DISPLAY_NAME = 128
_NAME = re.compile(r"^projects/[^/\s]+/locations/[^/\s]+/cachedContents/[^/\s]+$")
_ID = re.compile(r"^[A-Za-z0-9_-]+$")


def split_prompt(prompt: RenderedPrompt) -> tuple[RenderedPrompt, RenderedPrompt]:
    """(the cached leading part, the part each call sends); the second is never empty."""
    messages = list(prompt.messages)
    mark = _last_mark(messages)
    cut, part = (len(messages) - 1, 0) if mark is None else (mark[0], mark[1] + 1)
    head, tail = messages[:cut], messages[cut:]
    if tail and part:
        first = tail[0]
        head.append(ChatMessage(first.role, first.parts[:part], first.allow_duplicate_role))
        rest = first.parts[part:]
        tail = ([ChatMessage(first.role, rest, first.allow_duplicate_role)] if rest else []) \
            + tail[1:]
    if not head:
        raise ConfigError("the prompt has no leading part to cache: it is a single message; "
                          "put the static part (documents, instructions) in a system message "
                          "or mark its end with `cache_control`")
    if not tail:
        raise ConfigError("everything in the prompt comes before the last `cache_control` "
                          "marker: a context cache needs something left to send with each "
                          "call (move the marker up, or add the question below it)")
    return (RenderedPrompt(tuple(head), prompt.system_index, prompt.client),
            RenderedPrompt(tuple(tail), None, prompt.client))


def _last_mark(messages: list[ChatMessage]) -> tuple[int, int] | None:
    for i in range(len(messages) - 1, -1, -1):
        for j in range(len(messages[i].parts) - 1, -1, -1):
            if CACHE_MARK in messages[i].parts[j].metadata:
                return i, j
    return None


def fingerprint(fields: dict[str, Any]) -> str:
    """16 hex digits identifying a cache's content fields (system, contents, tools)."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def display_name(digest: str, function: str) -> str:
    return f"{DISPLAY_PREFIX}{digest} {function}"[:MAX_DISPLAY_NAME]


def fingerprint_of(display: str | None) -> str | None:
    """The fingerprint in a vdsl-made cache's display name (None for other caches)."""
    if not display or not display.startswith(DISPLAY_PREFIX):
        return None
    digest = display[len(DISPLAY_PREFIX):].split(" ", 1)[0]
    return digest if re.fullmatch(r"[0-9a-f]{16}", digest) else None


def cache_name(value: str, project: str | None, location: str | None) -> str:
    """The full resource name for a `cached_content` option: a full name as is, or a bare
    ID placed under the client's project and location."""
    value = value.strip()
    if _NAME.match(value):
        return value
    if "/" in value or not _ID.match(value):
        raise ConfigError(f"cached_content `{value}` is neither a cache ID nor a name "
                          "projects/P/locations/L/cachedContents/ID")
    if not project or not location:
        raise ConfigError(f"cached_content `{value}` is a bare ID: the client needs a project "
                          "and a location to name it (or give the full name)")
    return f"projects/{project}/locations/{location}/cachedContents/{value}"
