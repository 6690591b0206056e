"""Claude on Vertex: `rawPredict` / `streamRawPredict` with Anthropic's Messages body
(docs/wire.md, "Claude").

The body is what BAML sends (docs/wire.md, "Claude"): the client's
pass-through options in declaration order, then `anthropic_version`, then `max_tokens` when
the client sets none, then `system` as text blocks, then `messages`; a stream adds
`"stream": true`. There is no `model` field: Vertex takes it from the URL. vdsl differs on
purpose where BAML's requests fail or lose data:

- `anthropic_version` defaults to `vertex-2023-10-16` (BAML sends `2023-06-01`, which
  Vertex rejects) and `max_tokens` to the catalog's default for the model (4096 if unknown);
- media goes as base64 blocks (`INLINE_MEDIA`: the runtime fetches URLs first, since Vertex
  rejects URL sources); a PDF is a `document` block;
- role metadata the client allows (`cache_control`) is copied onto each block;
- the answer is every text block joined, with `thinking` blocks kept apart as thoughts
  (BAML keeps only the first text block).
"""

from __future__ import annotations

from typing import Any

from .. import jsontext
from ..errors import BlockedError, ConfigError, MediaError, VertexError
from ..render import ChatMessage, RenderedPrompt
from ..render.messages import MediaPart, TextPart
from .base import Adapter, Completion, CountRequest, Delta, Usage
from .catalog import lookup
from .options import ClientOptions

DEFAULT_VERSION = "vertex-2023-10-16"
COUNT_FIELDS = ("anthropic_version", "system", "messages", "tools", "tool_choice", "thinking")
"""The Messages fields the count-tokens route takes."""
FALLBACK_MAX_TOKENS = 4096
"""BAML's default, for Claude models the catalog does not know."""
_BLOCK_KINDS = {"image": "image", "pdf": "document"}
_ERROR_STATUS = {
    "invalid_request_error": 400, "authentication_error": 401, "billing_error": 402,
    "permission_error": 403, "not_found_error": 404, "request_too_large": 413,
    "rate_limit_error": 429, "api_error": 500, "timeout_error": 504,
    "overloaded_error": 529,
}
"""Anthropic error types → the HTTP status Anthropic gives them (for in-stream errors)."""


class AnthropicAdapter(Adapter):
    family = "anthropic"
    INLINE_MEDIA = True

    def resource(self, model: str) -> str:
        return model if model.startswith("publishers/") else \
            f"publishers/anthropic/models/{model}"

    def method(self, options: ClientOptions, stream: bool) -> str:
        return ":streamRawPredict" if stream else ":rawPredict"

    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = dict(options.passthrough)
        body["anthropic_version"] = options.anthropic_version or DEFAULT_VERSION
        if "max_tokens" not in body:
            body["max_tokens"] = default_max_tokens(options.model)
        messages = list(prompt.messages)
        if prompt.system_index is not None:
            body["system"] = _system(messages.pop(prompt.system_index))
        body["messages"] = [{"role": m.role, "content": [_block(p) for p in m.parts]}
                            for m in messages]
        if stream:
            body["stream"] = True
        return body

    def count_request(self, prompt: RenderedPrompt, options: ClientOptions) -> CountRequest:
        """`count-tokens:rawPredict`: the Messages body with `model` (docs/wire.md, "Claude"),
        without the fields a count does not take (`max_tokens`, sampling, `stream`)."""
        full = self.body(prompt, options, stream=False)
        body = {k: v for k, v in full.items() if k in COUNT_FIELDS}
        body["model"] = options.model.split("/")[-1]
        return CountRequest("publishers/anthropic/models/count-tokens", ":rawPredict", body,
                            "count-tokens")

    def parse_count(self, data: Any) -> int | None:
        tokens = data.get("input_tokens") if isinstance(data, dict) else None
        return tokens if isinstance(tokens, int) else None

    def parse_response(self, data: Any) -> Completion:
        if not isinstance(data, dict) or not isinstance(data.get("content"), list):
            raise BlockedError("NO_CONTENT", "Claude returned no content blocks")
        text, thoughts = _texts(data["content"])
        finish = data.get("stop_reason")
        if not text and finish == "refusal":
            raise BlockedError("refusal", "Claude refused to answer (stop_reason refusal)")
        return Completion(text, thoughts, finish, usage(data.get("usage")), data.get("model"),
                          data)

    def parse_event(self, event: str | None, data: str) -> Delta | None:
        chunk = jsontext.loads(data)
        if not isinstance(chunk, dict):
            return None
        kind = chunk.get("type") or event
        handler = _EVENTS.get(str(kind))
        return handler(chunk) if handler else None


def default_max_tokens(model: str) -> int:
    """The catalog's default output limit for `model`, else BAML's 4096."""
    info = lookup(model)
    return info.default_max_tokens if info is not None else FALLBACK_MAX_TOKENS


def _system(message: ChatMessage) -> list[dict[str, Any]]:
    if any(isinstance(p, MediaPart) for p in message.parts):
        raise ConfigError("Claude takes images and PDFs only in user or assistant turns, not "
                          "in the system prompt; move the media below a `_.role(\"user\")`")
    return [_block(p) for p in message.parts]


def _block(part: TextPart | MediaPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        out: dict[str, Any] = {"type": "text", "text": part.text}
    else:
        kind = _BLOCK_KINDS.get(part.kind)
        if kind is None:
            raise MediaError(f"Claude on Vertex cannot take {part.kind} input; it accepts "
                             "images and PDFs")
        out = {"type": kind, "source": _source(part)}
    out.update(part.metadata)
    return out


def _source(part: MediaPart) -> dict[str, Any]:
    if part.base64 is not None:
        return {"type": "base64", "media_type": part.media_type, "data": part.base64}
    # Only reached when the runtime did not inline the URL; Vertex answers 400 for it.
    return {"type": "url", "url": part.url}


def _texts(blocks: list[Any]) -> tuple[str, list[str]]:
    answer = [b["text"] for b in blocks
              if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)]
    thoughts = [b["thinking"] for b in blocks
                if isinstance(b, dict) and b.get("type") == "thinking" and b.get("thinking")]
    return "".join(answer), thoughts


def usage(data: Any) -> Usage | None:
    """Anthropic usage → Usage. `input_tokens` there excludes cache reads and writes, so the
    prompt total adds them back; thinking is inside `output_tokens`. Fields a report leaves
    out stay None, so piecemeal stream reports merge (`Usage.merged`)."""
    if not isinstance(data, dict):
        return None
    counts = [data.get(k) for k in ("input_tokens", "cache_creation_input_tokens",
                                    "cache_read_input_tokens")]
    known = [c for c in counts if isinstance(c, int)]
    prompt = sum(known) if isinstance(counts[0], int) else None
    output = data.get("output_tokens")
    total = prompt + output if prompt is not None and isinstance(output, int) else None
    cached = counts[2] if isinstance(counts[2], int) else None
    return Usage(prompt, output if isinstance(output, int) else None, None, cached, total)


def _message_start(chunk: dict[str, Any]) -> Delta:
    message = chunk.get("message") or {}
    found = usage(message.get("usage"))
    if found is not None and found.input_tokens is not None:
        found.output_tokens = found.total_tokens = None  # the start's output count is a stub
    return Delta(usage=found)


def _block_start(chunk: dict[str, Any]) -> Delta | None:
    block = chunk.get("content_block") or {}
    if block.get("type") == "text" and block.get("text"):
        return Delta(text=block["text"])
    if block.get("type") == "thinking" and block.get("thinking"):
        return Delta(thought=block["thinking"])
    return None


def _block_delta(chunk: dict[str, Any]) -> Delta | None:
    delta = chunk.get("delta") or {}
    if delta.get("type") == "text_delta":
        return Delta(text=str(delta.get("text", "")))
    if delta.get("type") == "thinking_delta":
        return Delta(thought=str(delta.get("thinking", "")))
    return None  # signature_delta, input_json_delta, citations_delta


def _message_delta(chunk: dict[str, Any]) -> Delta:
    delta = chunk.get("delta") or {}
    return Delta(finish_reason=delta.get("stop_reason"), usage=usage(chunk.get("usage")))


def _error(chunk: dict[str, Any]) -> Delta:
    error = chunk.get("error") or {}
    kind = str(error.get("type") or "api_error")
    raise VertexError(_ERROR_STATUS.get(kind, 500), kind,
                      str(error.get("message") or "Claude sent an error in the stream"),
                      hint="the model failed mid-stream; a retry_policy retries it"
                      if kind in ("overloaded_error", "api_error", "rate_limit_error") else "")


_EVENTS = {"message_start": _message_start, "content_block_start": _block_start,
           "content_block_delta": _block_delta, "message_delta": _message_delta,
           "error": _error}
