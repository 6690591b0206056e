"""Role handling after the template ran: split on markers, then BAML's role rules.

Order (docs/rendering.md, "How messages are made"): a role not in `allowed_roles` becomes `default_role`; adjacent
messages with the same role merge (unless written with `__baml_allow_dupe_role__=true`); then
`remap_roles` renames roles. Only a leading `system` message is the system prompt; a later one
becomes a separate, unmerged `user` message, and a prompt that is only a system message is sent
as `user`.

Adapters that need a different default remap (vdsl sends Gemini `assistant` as `model`) pass
`default_remap` to `RoleConfig.from_options`; the user's `remap_roles` still wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..media import Media
from .messages import ChatMessage, MediaPart, Part, RenderedPrompt, TextPart

__all__ = ["DEFAULT_ROLES", "RoleConfig", "build_prompt"]

DEFAULT_ROLES = ("system", "user", "assistant")

# Markers the template leaves where `_.role(...)` and media values were. Each render signs
# them with a fresh random nonce (`ROLE_OPEN + nonce + ":" + index + ROLE_CLOSE`), so marker
# text inside an argument (a user's, a document's) stays text: it cannot switch roles or
# point at another message's media.
ROLE_OPEN, ROLE_CLOSE = "\ue000vdsl-role:", "\ue001"
MEDIA_OPEN, MEDIA_CLOSE = "\ue000vdsl-media:", "\ue001"
# One pattern for every render (a pattern per nonce was compiled afresh each time: 2.4× the
# cost of a render); a marker whose nonce is not this render's is text.
_MARKER = re.compile("\ue000vdsl-(role|media):([0-9a-f]+):(\\d+)\ue001")


@dataclass(frozen=True, slots=True)
class RoleConfig:
    """A client's role options, already checked by validation."""

    allowed_roles: tuple[str, ...] = DEFAULT_ROLES
    default_role: str = "user"
    remap_roles: Mapping[str, str] = field(default_factory=dict)
    allowed_metadata: tuple[str, ...] | str = "none"
    """Metadata keys kept on parts: a tuple of names, or "all" / "none"."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any] | None,
                     default_remap: Mapping[str, str] | None = None) -> RoleConfig:
        """Read `allowed_roles`, `default_role`, `remap_roles`, `allowed_role_metadata`."""
        options = options or {}
        allowed = tuple(str(r) for r in options.get("allowed_roles") or DEFAULT_ROLES)
        default = options.get("default_role")
        if not isinstance(default, str):
            default = "user" if "user" in allowed else allowed[0]
        remap = dict(default_remap or {})
        remap.update({str(k): str(v) for k, v in (options.get("remap_roles") or {}).items()})
        meta = options.get("allowed_role_metadata", "none")
        meta = meta if meta in ("all", "none") else tuple(str(k) for k in meta or ())
        return cls(allowed, default, remap, meta)

    def keep_metadata(self, meta: Mapping[str, Any]) -> dict[str, Any]:
        if self.allowed_metadata == "all":
            return dict(meta)
        if self.allowed_metadata == "none":
            return {}
        return {k: v for k, v in meta.items() if k in self.allowed_metadata}


@dataclass(slots=True)
class RoleMark:
    """What one `_.role(...)` call asked for."""

    role: str
    metadata: dict[str, Any]
    allow_duplicate: bool = False


@dataclass(slots=True)
class _Draft:
    role: str
    parts: list[Part]
    allow_duplicate: bool


def build_prompt(rendered: str, roles: list[RoleMark], media: list[Media],
                 config: RoleConfig, nonce: str) -> RenderedPrompt:
    """Turn the template's output (with role and media markers signed with `nonce`) into
    messages."""
    if ROLE_OPEN + nonce not in rendered and MEDIA_OPEN + nonce not in rendered:
        # BAML's "completion" prompt: one message, text kept exactly as rendered.
        drafts = [_Draft(config.default_role, [TextPart(rendered)], False)]
    else:
        drafts = _split(rendered, roles, media, config, nonce)
    messages = _remap(_merge(drafts), config)
    return _mark_system(messages)


def _split(rendered: str, roles: list[RoleMark], media: list[Media],
           config: RoleConfig, nonce: str) -> list[_Draft]:
    drafts: list[_Draft] = []
    mark: RoleMark | None = None
    parts: list[Part] = []

    def flush() -> None:
        if parts:
            role = mark.role if mark else config.default_role
            if role not in config.allowed_roles:
                role = config.default_role
            drafts.append(_Draft(role, list(parts), bool(mark and mark.allow_duplicate)))
        parts.clear()

    pos = 0
    for match in _MARKER.finditer(rendered):
        if match.group(2) != nonce:
            continue  # marker-shaped text from an argument: it stays text
        _add_text(parts, rendered[pos:match.start()], mark, config)
        pos = match.end()
        index = int(match.group(3))
        if match.group(1) == "role":
            flush()
            mark = roles[index]
        else:
            meta = config.keep_metadata(mark.metadata) if mark else {}
            parts.append(MediaPart.of(media[index], meta))
    _add_text(parts, rendered[pos:], mark, config)
    flush()
    return drafts


def _add_text(parts: list[Part], text: str, mark: RoleMark | None, config: RoleConfig) -> None:
    text = text.strip()
    if text:
        parts.append(TextPart(text, config.keep_metadata(mark.metadata) if mark else {}))


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    merged: list[_Draft] = []
    for draft in drafts:
        if merged and merged[-1].role == draft.role and not draft.allow_duplicate:
            merged[-1].parts.extend(draft.parts)
        else:
            merged.append(draft)
    return merged


def _remap(drafts: list[_Draft], config: RoleConfig) -> list[_Draft]:
    for draft in drafts:
        draft.role = config.remap_roles.get(draft.role, draft.role)
    return drafts


def _mark_system(drafts: list[_Draft]) -> RenderedPrompt:
    messages = []
    system_index = None
    for i, draft in enumerate(drafts):
        role = draft.role
        if role == "system":
            if i == 0 and len(drafts) > 1:
                system_index = 0
            else:
                role = "user"
        messages.append(ChatMessage(role, tuple(draft.parts), draft.allow_duplicate))
    return RenderedPrompt(tuple(messages), system_index)
