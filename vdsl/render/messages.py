"""The provider-neutral result of rendering: messages made of text and media parts.

Role metadata (`_.role("user", cache_control={...})`) belongs to the parts written under that
role marker, as in BAML; when adjacent messages merge, each part keeps its own metadata.
`ChatMessage.metadata` is the metadata the message's parts share (what adapters copy onto
every part); `parts[i].metadata` is the exact value per part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..media import Media

__all__ = ["SUFFIX_MARK", "ChatMessage", "MediaPart", "Part", "RenderedPrompt", "TextPart"]

SUFFIX_MARK = "\ue000vdsl-suffix\ue001"
"""What `{{ _.suffix() }}` writes: Codestral fill-in-the-middle sends the text before it as
`prompt` and the text after it as `suffix`. Private-use characters, so no prompt text can
collide with it; it stays inside a text part, untouched by role splitting."""


@dataclass(frozen=True, slots=True)
class TextPart:
    """A run of prompt text."""

    text: str
    metadata: dict[str, Any] = field(default_factory=dict, compare=True)

    type = "text"

    def to_dict(self) -> dict[str, Any]:
        return {"type": "text", "text": self.text}


@dataclass(frozen=True, slots=True)
class MediaPart:
    """An image, audio, pdf or video argument placed in the prompt. URLs are not fetched here."""

    kind: str
    url: str | None = None
    base64: str | None = None
    media_type: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.kind

    @classmethod
    def of(cls, media: Media, metadata: dict[str, Any] | None = None) -> MediaPart:
        return cls(media.kind, media.url, media.base64, media.media_type, dict(metadata or {}))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.kind}
        if self.url is not None:
            out["url"] = self.url
        if self.base64 is not None:
            out["base64"] = self.base64
        if self.media_type is not None:
            out["media_type"] = self.media_type
        return out


Part = TextPart | MediaPart


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message: a role (after allowed_roles/default_role/remap_roles) and its parts."""

    role: str
    parts: tuple[Part, ...]
    allow_duplicate_role: bool = False

    @property
    def metadata(self) -> dict[str, Any]:
        """The metadata shared by every part (empty if the parts disagree)."""
        if not self.parts:
            return {}
        first = self.parts[0].metadata
        return dict(first) if all(p.metadata == first for p in self.parts[1:]) else {}

    @property
    def text(self) -> str:
        """All text parts joined by blank lines (media left out), for quick looks and tests."""
        return "\n\n".join(p.text for p in self.parts if isinstance(p, TextPart))

    def to_dict(self) -> dict[str, Any]:
        shared = self.metadata
        parts = []
        for part in self.parts:
            item = part.to_dict()
            if part.metadata != shared:
                item["metadata"] = part.metadata
            parts.append(item)
        return {"role": self.role, "parts": parts, "metadata": shared}


@dataclass(frozen=True, slots=True)
class RenderedPrompt:
    """The messages every adapter consumes.

    `system_index` is 0 when the first message is the system prompt (sent apart, e.g. Gemini's
    `system_instruction`), else None. Later system turns were already turned into `user`
    messages, as BAML does.
    """

    messages: tuple[ChatMessage, ...]
    system_index: int | None = None
    client: str | None = None

    @property
    def system(self) -> ChatMessage | None:
        return None if self.system_index is None else self.messages[self.system_index]

    def to_dict(self) -> dict[str, Any]:
        return {"messages": [m.to_dict() for m in self.messages], "system": self.system_index}
