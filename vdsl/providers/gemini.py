"""Gemini on Vertex: `generateContent` / `streamGenerateContent?alt=sse` (docs/wire.md, "Gemini").

The body is what BAML sends (docs/wire.md, "Gemini"): the client's pass-through options
in declaration order, then `system_instruction`, then `contents`. vdsl differs on purpose in
two places: `assistant` is sent as `model` unless `remap_roles` says otherwise (Gemini
rejects `assistant`), and the answer is every non-thought text part joined, with thought
parts kept apart (BAML takes `parts[0]` only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from .. import jsontext
from ..errors import BlockedError
from ..render import ChatMessage, RenderedPrompt
from ..render.messages import MediaPart, TextPart
from .base import Adapter, Completion, CountRequest, Delta, Usage
from .cached import CACHE_MARK, split_prompt
from .grounding import parse_grounding
from .options import ClientOptions

IN_CACHE = frozenset({"systemInstruction", "tools", "toolConfig"})
"""What Vertex takes only inside a context cache once a call names one."""
COUNT_FIELDS = frozenset({"contents", "systemInstruction", "tools", "generationConfig"})
"""The fields of a generateContent body that countTokens also takes."""
BLOCKING_FINISH = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT",
                             "SPII", "IMAGE_SAFETY", "MODEL_ARMOR"})


class GeminiAdapter(Adapter):
    family = "gemini"
    DEFAULT_REMAP: ClassVar[Mapping[str, str]] = {"assistant": "model"}
    SUPPORTS_API_KEY = True

    def resource(self, model: str) -> str:
        return model if model.startswith("publishers/") else f"publishers/google/models/{model}"

    def method(self, options: ClientOptions, stream: bool) -> str:
        return ":streamGenerateContent?alt=sse" if stream else ":generateContent"

    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        if options.cached_content:
            return self._cached_body(prompt, options)
        body: dict[str, Any] = dict(options.passthrough)
        _add_tools(body, options.grounding)
        _add_output_schema(body, options.output_schema)
        messages = list(prompt.messages)
        if prompt.system_index is not None:
            system = messages.pop(prompt.system_index)
            body["system_instruction"] = {"parts": [_part(p) for p in system.parts]}
        body["contents"] = [_content(m) for m in messages]
        return body

    def _cached_body(self, prompt: RenderedPrompt, options: ClientOptions) -> dict[str, Any]:
        """A call that reads its leading part from a context cache: the system instruction,
        tools and tool config live in the cache (Vertex refuses them beside `cachedContent`);
        only the rest of the prompt is sent."""
        _, rest = split_prompt(prompt)
        body = {k: v for k, v in options.passthrough.items() if _camel(k) not in IN_CACHE}
        _add_output_schema(body, options.output_schema)
        body["cachedContent"] = options.cached_content
        body["contents"] = [_content(m) for m in rest.messages]
        return body

    def cache_fields(self, prompt: RenderedPrompt, options: ClientOptions) -> dict[str, Any]:
        """What a context cache for this prompt holds (the `CachedContent` body without
        model, display name and expiry): the leading part, the tools and the tool config."""
        head, _ = split_prompt(prompt)
        fields: dict[str, Any] = {}
        messages = list(head.messages)
        if head.system_index is not None:
            system = messages.pop(head.system_index)
            fields["systemInstruction"] = {"parts": [_part(p) for p in system.parts]}
        if messages:
            fields["contents"] = [_content(m) for m in messages]
        tools: dict[str, Any] = {}
        _add_tools(tools, options.grounding)
        for key, value in options.passthrough.items():
            if _camel(key) in ("tools", "toolConfig"):
                tools[_camel(key)] = value if _camel(key) == "toolConfig" else \
                    [*value, *tools.get("tools", [])] if isinstance(value, list) else value
        fields.update(tools)
        return fields

    def count_request(self, prompt: RenderedPrompt, options: ClientOptions) -> CountRequest:
        """`:countTokens` takes the prompt, system instruction, tools and generation config
        of a call (Vertex's countTokens), nothing else (safety settings would be refused)."""
        full = self.body(prompt, replace(options, cached_content=None), stream=False)
        body = {k: v for k, v in full.items() if _camel(k) in COUNT_FIELDS}
        return CountRequest(self.resource(options.model), ":countTokens", body, options.model)

    def parse_count(self, data: Any) -> int | None:
        total = data.get("totalTokens") if isinstance(data, dict) else None
        return total if isinstance(total, int) else None

    def parse_response(self, data: Any) -> Completion:
        candidates = data.get("candidates") if isinstance(data, dict) else None
        if not candidates:
            raise _no_candidate(data)
        candidate = candidates[0]
        text, thoughts = _texts(candidate)
        finish = candidate.get("finishReason")
        if not text and not thoughts and finish in BLOCKING_FINISH:
            raise BlockedError(finish, f"Gemini returned no text: the reply was blocked "
                               f"(finishReason {finish})")
        return Completion(text, [t for t in thoughts if t], finish, _usage(data),
                          data.get("modelVersion"), data, grounding=parse_grounding(candidate))

    def parse_event(self, event: str | None, data: str) -> Delta | None:
        chunk = jsontext.loads(data)
        if not isinstance(chunk, dict):
            return None
        delta = Delta(usage=_usage(chunk))
        candidates = chunk.get("candidates") or []
        if candidates:
            text, thoughts = _texts(candidates[0])
            delta.text = text
            delta.thought = "".join(thoughts)
            delta.finish_reason = candidates[0].get("finishReason")
            delta.grounding = parse_grounding(candidates[0])
        elif (chunk.get("promptFeedback") or {}).get("blockReason"):
            raise _no_candidate(chunk)
        return delta


def _camel(key: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)


def _add_tools(body: dict[str, Any], tools: tuple[dict[str, Any], ...]) -> None:
    """Grounding tools go after any `tools` the client passes through."""
    if not tools:
        return
    key = next((k for k in body if _camel(k) == "tools"), "tools")
    existing = body.get(key)
    body[key] = [*(existing if isinstance(existing, list) else []), *tools]


def _add_output_schema(body: dict[str, Any], schema: dict[str, Any] | None) -> None:
    """Structured output: JSON replies that follow the function's return type."""
    if schema is None:
        return
    key = next((k for k in body if _camel(k) == "generationConfig"), "generationConfig")
    config = dict(body.get(key) or {})
    config["responseMimeType"] = "application/json"
    config["responseJsonSchema"] = schema
    body[key] = config


def _content(message: ChatMessage) -> dict[str, Any]:
    return {"role": message.role, "parts": [_part(p) for p in message.parts]}


def _part(part: TextPart | MediaPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        out: dict[str, Any] = {"text": part.text}
    elif part.base64 is not None:
        out = {"inlineData": {"data": part.base64, "mimeType": part.media_type}}
    else:
        out = {"fileData": {"fileUri": part.url, "mimeType": part.media_type}}
    out.update((k, v) for k, v in part.metadata.items() if k != CACHE_MARK)
    return out


def _texts(candidate: dict[str, Any]) -> tuple[str, list[str]]:
    parts = (candidate.get("content") or {}).get("parts") or []
    answer = [p["text"] for p in parts if isinstance(p.get("text"), str) and not p.get("thought")]
    thoughts = [p["text"] for p in parts if isinstance(p.get("text"), str) and p.get("thought")]
    return "".join(answer), thoughts


def _usage(data: dict[str, Any]) -> Usage | None:
    meta = data.get("usageMetadata")
    if not isinstance(meta, dict):
        return None
    return Usage(meta.get("promptTokenCount"), meta.get("candidatesTokenCount"),
                 meta.get("thoughtsTokenCount"), meta.get("cachedContentTokenCount"),
                 meta.get("totalTokenCount"))


def _no_candidate(data: Any) -> BlockedError:
    feedback = (data.get("promptFeedback") or {}) if isinstance(data, dict) else {}
    reason = feedback.get("blockReason")
    if reason:
        detail = feedback.get("blockReasonMessage") or ""
        return BlockedError(reason, f"Gemini blocked the prompt (blockReason {reason})"
                            + (f": {detail}" if detail else ""))
    return BlockedError("NO_CANDIDATES", "Gemini returned no candidates")
