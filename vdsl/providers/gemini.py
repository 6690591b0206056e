"""Gemini on Vertex: `generateContent` / `streamGenerateContent?alt=sse` (docs/wire.md, "Gemini").

The body is what BAML sends (docs/wire.md, "Gemini"): the client's pass-through options
in declaration order, then `system_instruction`, then `contents`. vdsl differs on purpose in
two places: `assistant` is sent as `model` unless `remap_roles` says otherwise (Gemini
rejects `assistant`), and the answer is every non-thought text part joined, with thought
parts kept apart (BAML takes `parts[0]` only).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import BlockedError
from ..render import ChatMessage, RenderedPrompt
from ..render.messages import MediaPart, TextPart
from .base import Adapter, Completion, Delta, Usage
from .options import ClientOptions

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
        body: dict[str, Any] = dict(options.passthrough)
        messages = list(prompt.messages)
        if prompt.system_index is not None:
            system = messages.pop(prompt.system_index)
            body["system_instruction"] = {"parts": [_part(p) for p in system.parts]}
        body["contents"] = [_content(m) for m in messages]
        return body

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
                          data.get("modelVersion"), data)

    def parse_event(self, event: str | None, data: str) -> Delta | None:
        chunk = json.loads(data)
        if not isinstance(chunk, dict):
            return None
        delta = Delta(usage=_usage(chunk))
        candidates = chunk.get("candidates") or []
        if candidates:
            text, thoughts = _texts(candidates[0])
            delta.text = text
            delta.thought = "".join(thoughts)
            delta.finish_reason = candidates[0].get("finishReason")
        elif (chunk.get("promptFeedback") or {}).get("blockReason"):
            raise _no_candidate(chunk)
        return delta


def _content(message: ChatMessage) -> dict[str, Any]:
    return {"role": message.role, "parts": [_part(p) for p in message.parts]}


def _part(part: TextPart | MediaPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        out: dict[str, Any] = {"text": part.text}
    elif part.base64 is not None:
        out = {"inlineData": {"data": part.base64, "mimeType": part.media_type}}
    else:
        out = {"fileData": {"fileUri": part.url, "mimeType": part.media_type}}
    out.update(part.metadata)
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
