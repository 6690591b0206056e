"""OpenAI-style chat: the MaaS `endpoints/openapi/chat/completions` route (Llama, DeepSeek,
Gemini as `google/…`), and the chat.completion shapes Mistral and AI21 reuse (docs/wire.md).

Streams are data-only SSE events ending with `data: [DONE]`. DeepSeek-R1 returns its
reasoning in `reasoning_content` (message, or deltas before the content deltas).
Error bodies on this route are google.rpc; the publishers' native bodies are UNVERIFIED.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..providers.catalog import ModelInfo
from . import errors
from .common import (
    Context,
    cap_answer,
    finish_reason,
    join_texts,
    split_text,
    stable_id,
    unix_now,
    with_thoughts,
)
from .fixtures import Answer
from .reply import Reply, json_reply, sse_event, sse_reply

__all__ = ["ChatReply", "chat_prompt", "check_media", "handle", "render_chat"]


def handle(ctx: Context) -> Reply:
    """Answer one call to the OpenAI-compatible endpoint."""
    body = ctx.body
    if not isinstance(body, dict):
        return errors.invalid_json("Expected a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return errors.google_error(400, "model: Field required. Set `model` to a publisher "
                                        "model such as meta/llama-3.3-70b-instruct-maas.")
    publisher = model.split("/", 1)[0] if "/" in model else None
    info = ctx.resolve(model, publisher=publisher)
    if isinstance(info, Reply):
        return info
    if info.family not in ("openai_compat", "gemini"):
        return errors.google_error(400, f"Model {model} is not supported by the OpenAI-"
                                        "compatible chat completions endpoint.")
    problem = check_messages(body) or check_media(body, info)
    if problem is not None:
        return problem
    prompt, last_user = chat_prompt(body["messages"])
    answer = ctx.answer(info.id, prompt, last_user)
    reasoning = info.thinking and info.family == "openai_compat"
    answer = with_thoughts(answer, last_user) if reasoning else _no_thoughts(answer)
    chat = ChatReply(answer=cap_answer(answer, max_tokens(body)), prompt=prompt, model=model,
                     id="chatcmpl-" + stable_id(model, body, length=32))
    return render_chat(chat, stream=body.get("stream") is True, usage_chunk=_usage_chunk(body))


def _no_thoughts(answer: Answer) -> Answer:
    return Answer(answer.text, None, answer.finish, answer.usage, answer.fault)


def max_tokens(body: dict[str, Any]) -> int | None:
    value = body.get("max_completion_tokens", body.get("max_tokens"))
    return value if isinstance(value, int) else None


def _usage_chunk(body: dict[str, Any]) -> bool:
    options = body.get("stream_options")
    return isinstance(options, dict) and bool(options.get("include_usage"))


def model_body(ctx: Context) -> tuple[ModelInfo, dict[str, Any]] | Reply:
    """The model a rawPredict chat call names and its JSON body with a `model` field, or the
    error Vertex gives (shared by Mistral and AI21)."""
    info = ctx.resolve(ctx.route.model or "")
    if isinstance(info, Reply):
        return info
    body = ctx.body
    if not isinstance(body, dict):
        return errors.invalid_json("Expected a JSON object.")
    if not body.get("model"):
        return errors.google_error(400, "model: Field required")
    return info, body


def chat_reply(ctx: Context, body: dict[str, Any], prompt: str, answer: Answer,
               reply_id: str) -> Reply:
    """A chat.completion (or its stream) for `answer`: thoughts dropped, capped at the body's
    max_tokens."""
    chat = ChatReply(answer=cap_answer(_no_thoughts(answer), max_tokens(body)), prompt=prompt,
                     model=str(body["model"]), id=reply_id)
    return render_chat(chat, stream=ctx.route.streaming or body.get("stream") is True)


def check_messages(body: dict[str, Any]) -> Reply | None:
    """`messages` must be a non-empty list of objects with a known role."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return errors.google_error(400, "messages: Field required (a non-empty list).")
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("system", "user", "assistant", "tool", "developer"):
            return errors.google_error(400, f"messages[{i}].role: Input should be 'system', "
                                            "'user', 'assistant' or 'tool'.")
    return None


def check_media(body: dict[str, Any], info: ModelInfo) -> Reply | None:
    """An image part sent to a text-only model is a 400 (the wording is UNVERIFIED)."""
    if "image" in info.inputs:
        return None
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
                isinstance(p, dict) and p.get("type") == "image_url" for p in content):
            return errors.google_error(400, f"messages[{i}].content: {info.id} does not "
                                            "support image input.")
    return None


def chat_prompt(messages: list[dict[str, Any]]) -> tuple[str, str]:
    """(every message text joined, the last user message's text)."""
    texts, last_user = [], ""
    for message in messages:
        text = _content_text(message.get("content"))
        texts.append(text)
        if message.get("role") == "user":
            last_user = text
    return join_texts(texts), last_user


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return join_texts([str(p.get("text", "")) for p in content
                       if isinstance(p, dict) and p.get("type") == "text"])


@dataclass
class ChatReply:
    """One chat.completion to render, whole or as chunks."""

    answer: Answer
    prompt: str
    model: str
    id: str
    object_name: str = "chat.completion"

    def usage(self) -> dict[str, int]:
        prompt_tokens = self.answer.input_tokens(self.prompt)
        completion = self.answer.output_tokens() + (
            self.answer.thoughts_tokens() if self.answer.thoughts else 0)
        return {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
                "total_tokens": prompt_tokens + completion}


def render_chat(chat: ChatReply, stream: bool, usage_chunk: bool = False) -> Reply:
    """A chat.completion JSON reply, or its chunk stream ending in `data: [DONE]`."""
    if stream:
        return sse_reply(_chunks(chat, usage_chunk))
    message: dict[str, Any] = {"role": "assistant", "content": chat.answer.text}
    if chat.answer.thoughts:
        message["reasoning_content"] = chat.answer.thoughts
    choice = {"index": 0, "message": message, "logprobs": None,
              "finish_reason": finish_reason("openai", chat.answer.finish)}
    return json_reply({"id": chat.id, "object": chat.object_name, "created": unix_now(),
                       "model": chat.model, "choices": [choice], "usage": chat.usage()})


def _chunks(chat: ChatReply, usage_chunk: bool) -> list[bytes]:
    created = unix_now()

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse_event({"id": chat.id, "object": "chat.completion.chunk", "created": created,
                          "model": chat.model, "choices": [choice], **extra})

    events = [chunk({"role": "assistant", "content": ""})]
    if chat.answer.thoughts:
        events += [chunk({"reasoning_content": p}) for p in split_text(chat.answer.thoughts)]
    events += [chunk({"content": piece}) for piece in split_text(chat.answer.text)]
    finish = finish_reason("openai", chat.answer.finish)
    if usage_chunk:
        events.append(chunk({}, finish))
        events.append(sse_event({"id": chat.id, "object": "chat.completion.chunk",
                                 "created": created, "model": chat.model, "choices": [],
                                 "usage": chat.usage()}))
    else:
        events.append(chunk({}, finish, usage=chat.usage()))
    events.append(sse_event("[DONE]"))
    return events


def hex_id(*seeds: Any) -> str:
    """A 32-hex-digit id (Mistral's `cmpl-…` form), stable per request."""
    return hashlib.sha256(repr(seeds).encode()).hexdigest()[:32]
