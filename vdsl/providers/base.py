"""What every adapter shares: the request it builds, the completion it reads back, and the
adapter interface itself. Adapters are pure: no I/O, no clock, no credentials."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ..render import RenderedPrompt
from .grounding import Grounding
from .options import ClientOptions
from .request import REDACTED, SECRET_HEADERS, HttpRequest

__all__ = ["REDACTED", "SECRET_HEADERS", "Adapter", "Completion", "Delta", "HttpRequest",
           "Usage"]


@dataclass
class Usage:
    """Token counts as the provider reported them (None where it did not).

    `input_tokens` counts the whole prompt, cached part included (`cached_tokens` says how
    much of it came from a cache). `thinking_tokens` is set only where the provider counts
    thinking apart from `output_tokens` (Gemini); where thinking is part of the output count
    (Claude, DeepSeek) it stays None. `pages` is for per-page models (Mistral OCR).
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    thinking_tokens: int | None = None
    cached_tokens: int | None = None
    total_tokens: int | None = None
    pages: int | None = None

    def to_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def merged(self, later: Usage | None) -> Usage:
        """These counts updated by a later report: fields `later` gives win, the rest stay.

        Streams report usage piecemeal (Claude: input counts in `message_start`, output
        counts in `message_delta`), so a stream's usage is every report merged in order.
        """
        if later is None:
            return self
        merged = Usage(**{k: v if v is not None else getattr(self, k)
                          for k, v in later.__dict__.items()})
        if later.total_tokens is None and merged.input_tokens is not None \
                and merged.output_tokens is not None:
            # no report gave the total of the final counts (Claude's message_delta): add up
            merged.total_tokens = merged.input_tokens + merged.output_tokens + (
                merged.thinking_tokens or 0)
        return merged


@dataclass
class Completion:
    """A provider-neutral reply: the answer text, thoughts kept apart, why it stopped, usage."""

    text: str
    thoughts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    model: str | None = None
    raw: Any = None
    structured: Any = None
    """JSON data a reply carries besides its text (Mistral OCR's pages). A function whose
    return type is not `string` is parsed from this (as JSON) instead of `text`."""
    grounding: Grounding | None = None
    """Gemini's groundingMetadata (search queries, sources, supports), when grounded."""


@dataclass
class Delta:
    """One streamed increment."""

    text: str = ""
    thought: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    grounding: Grounding | None = None


@dataclass
class CountRequest:
    """A token-count call: the URL pieces (as for a call) and the body.

    `model` is the URL's model segment (Claude's count route is the literal `count-tokens`).
    """

    resource: str
    rpc: str
    body: dict[str, Any]
    model: str


class Adapter(ABC):
    """Translates a RenderedPrompt into one Vertex family's wire format, and back.

    Capabilities are class flags, read by the runtime and the checks.
    """

    family: ClassVar[str]
    DEFAULT_REMAP: ClassVar[Mapping[str, str]] = {}
    """Role renames applied unless the client's `remap_roles` says otherwise."""
    SUPPORTS_API_KEY: ClassVar[bool] = False
    """Whether Vertex accepts an API key (express mode) for this family."""
    SUPPORTS_STREAMING: ClassVar[bool] = True
    """False when the family has no streaming route (OCR): a stream call sends one request."""
    INLINE_MEDIA: ClassVar[bool] = False
    """Whether URL media must be fetched and sent as base64 whatever `media_url_handler`
    says, because the publisher rejects URL sources (Claude, Mistral OCR)."""

    def media_options(self, options: ClientOptions) -> ClientOptions:
        """The options media resolution should use: with INLINE_MEDIA every kind is fetched
        and inlined (`send_base64`), since the publisher cannot read URLs."""
        if not self.INLINE_MEDIA:
            return options
        return replace(options, media_url_handler=dict.fromkeys(
            ("image", "audio", "pdf", "video"), "send_base64"))

    def extra_headers(self, options: ClientOptions) -> dict[str, str]:
        """Headers the family adds to every request (lowercase names).

        By default: the Provisioned Throughput / PayGo tier headers from the client options
        `request_type` (`dedicated` | `shared`) and `shared_request_type` (`flex` |
        `priority`); docs/models.md, "Provisioned Throughput and tiers".
        """
        headers: dict[str, str] = {}
        request_type = options.resolved.get("request_type")
        if isinstance(request_type, str) and request_type:
            headers["x-vertex-ai-llm-request-type"] = request_type
        shared = options.resolved.get("shared_request_type")
        if isinstance(shared, str) and shared:
            headers["x-vertex-ai-llm-shared-request-type"] = shared
        return headers

    @abstractmethod
    def resource(self, model: str) -> str:
        """The path below `projects/{p}/locations/{l}/`: `publishers/google/models/{model}`."""

    @abstractmethod
    def method(self, options: ClientOptions, stream: bool) -> str:
        """The last URL segment: `:generateContent`, `:streamRawPredict?alt=sse`, …"""

    @abstractmethod
    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        """The JSON body. Media parts are already resolved (see `runtime.media`)."""

    @abstractmethod
    def parse_response(self, data: Any) -> Completion:
        """A whole (non-streaming) JSON reply."""

    @abstractmethod
    def parse_event(self, event: str | None, data: str) -> Delta | None:
        """One server-sent event (`event` is the SSE event name, if any)."""

    def count_request(self, prompt: RenderedPrompt, options: ClientOptions) -> CountRequest | None:
        """The family's token-count call for this prompt, or None where Vertex has none
        (vdsl then estimates locally)."""
        return None

    def parse_count(self, data: Any) -> int | None:
        """The input-token count from a count reply (None when it holds none)."""
        return None

    def error_message(self, data: Any) -> tuple[str | None, str] | None:
        """(status, message) from an error body of this family, or None if not recognised."""
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(data, list) and data and isinstance(data[0], dict):
            error = data[0].get("error")
        if isinstance(error, dict):
            status = error.get("status") or error.get("type")
            return (str(status) if status else None), str(error.get("message", ""))
        return None
