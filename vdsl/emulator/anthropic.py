"""Claude on Vertex: rawPredict, streamRawPredict and count-tokens (docs/wire.md, "Claude").

Body errors use Anthropic's envelope (the request got past Vertex); model-not-found and auth
stay google.rpc. The texts follow Anthropic's "field: problem" style; the ones for a missing
`anthropic_version` and for `model` in the body are best guesses (UNVERIFIED in the spec).
"""

from __future__ import annotations

from typing import Any

from ..providers.catalog import ModelInfo
from . import errors
from .common import (
    Context,
    cap_answer,
    count_tokens,
    finish_reason,
    join_texts,
    signature,
    split_text,
    stable_id,
    with_thoughts,
)
from .fixtures import Answer
from .reply import Reply, json_reply, sse_event, sse_reply

__all__ = ["handle"]

VERSION = "vertex-2023-10-16"
THINKING_DOC = ("https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
                "#max-tokens-and-context-window-size")


def handle(ctx: Context) -> Reply:
    """Answer one Claude call (count-tokens is the literal model `count-tokens`)."""
    if ctx.route.model == "count-tokens":
        return _count_tokens(ctx)
    info = ctx.resolve(ctx.route.model or "")
    if isinstance(info, Reply):
        return info
    body = ctx.body
    problem = _not_object(body) or validate(body, info)
    if problem is not None:
        return problem
    prompt, last_user = prompt_texts(body)
    answer = ctx.answer(info.id, prompt, last_user)
    if _thinking_on(body):
        answer = with_thoughts(answer, last_user)
    else:
        answer = Answer(answer.text, None, answer.finish, answer.usage, answer.fault)
    answer = cap_answer(answer, body.get("max_tokens"))
    model = info.id.replace("@", "-")
    msg_id = "msg_vrtx_" + stable_id(info.id, body)
    if ctx.route.streaming or body.get("stream") is True:
        return _stream(answer, prompt, model, msg_id)
    return json_reply(_message(answer, prompt, model, msg_id), headers=_headers())


def _headers() -> dict[str, str]:
    return {"request-id": errors.request_id()}


def _not_object(body: Any) -> Reply | None:
    if isinstance(body, dict):
        return None
    return errors.anthropic_error(400, "Input should be a valid dictionary or object")


def validate(body: dict[str, Any], info: ModelInfo) -> Reply | None:
    """The first rule a Messages body breaks, in Anthropic's envelope; else None."""
    if "model" in body:
        return _invalid("model: Extra inputs are not permitted")
    return (_version(body) or _max_tokens(body, info) or _messages(body)
            or _thinking(body, info))


def _invalid(message: str) -> Reply:
    return errors.anthropic_error(400, message, "invalid_request_error")


def _version(body: dict[str, Any]) -> Reply | None:
    if "anthropic_version" not in body:
        return _invalid("anthropic_version: Field required")
    if body["anthropic_version"] != VERSION:
        return _invalid(f"anthropic_version: Input should be '{VERSION}'")
    return None


def _max_tokens(body: dict[str, Any], info: ModelInfo) -> Reply | None:
    value = body.get("max_tokens")
    if value is None:
        return _invalid("max_tokens: Field required")
    if not isinstance(value, int) or isinstance(value, bool):
        return _invalid("max_tokens: Input should be a valid integer")
    if value < 1:
        return _invalid("max_tokens: Input should be greater than or equal to 1")
    if value > info.max_output_tokens:
        return _invalid(f"max_tokens: {value} > {info.max_output_tokens}, which is the maximum "
                        f"allowed number of output tokens for {info.id.replace('@', '-')}")
    return None


def _messages(body: dict[str, Any]) -> Reply | None:
    messages = body.get("messages")
    if messages is None:
        return _invalid("messages: Field required")
    if not isinstance(messages, list) or not messages:
        return _invalid("messages: at least one message is required")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return _invalid(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        problem = _blocks(i, message.get("content"))
        if problem is not None:
            return problem
    return None


def _blocks(i: int, content: Any) -> Reply | None:
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return _invalid(f"messages.{i}.content: Input should be a valid list")
    for j, block in enumerate(content):
        kind = block.get("type") if isinstance(block, dict) else None
        source = block.get("source") if isinstance(block, dict) else None
        if kind in ("image", "document") and isinstance(source, dict) \
                and source.get("type") == "url":
            return _invalid(f"messages.{i}.content.{j}.{kind}.source.base64.data: "
                            "URL sources are not supported")
    return None


def _thinking(body: dict[str, Any], info: ModelInfo) -> Reply | None:
    thinking = body.get("thinking")
    if not isinstance(thinking, dict) or thinking.get("type") in (None, "disabled"):
        return None
    if not info.thinking:
        return _invalid(f"thinking: {info.id.replace('@', '-')} does not support thinking")
    if thinking.get("type") != "enabled":
        return None
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int) or budget < 1024:
        return _invalid("thinking.enabled.budget_tokens: Input should be greater than or "
                        "equal to 1024")
    if budget >= body["max_tokens"]:
        return _invalid("max_tokens: `max_tokens` must be greater than "
                        f"`thinking.budget_tokens`. Please consult our documentation at "
                        f"{THINKING_DOC}")
    return None


def _thinking_on(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def prompt_texts(body: dict[str, Any]) -> tuple[str, str]:
    """(system + every message text joined, the last user message's text)."""
    system = body.get("system")
    texts = [system if isinstance(system, str) else _block_texts(system)]
    last_user = ""
    for message in body.get("messages") or []:
        text = _block_texts(message.get("content"))
        texts.append(text)
        if message.get("role") == "user":
            last_user = text
    return join_texts(texts), last_user


def _block_texts(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return join_texts([str(b.get("text", "")) for b in content
                       if isinstance(b, dict) and b.get("type") == "text"])


def _usage(answer: Answer, prompt: str, output: int) -> dict[str, Any]:
    return {"input_tokens": answer.input_tokens(prompt), "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
            "output_tokens": output}


def _output_tokens(answer: Answer) -> int:
    return answer.output_tokens() + (answer.thoughts_tokens() if answer.thoughts else 0)


def _message(answer: Answer, prompt: str, model: str, msg_id: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if answer.thoughts:
        content.append({"type": "thinking", "thinking": answer.thoughts,
                        "signature": signature(answer.thoughts)})
    content.append({"type": "text", "text": answer.text})
    return {"model": model, "id": msg_id, "type": "message", "role": "assistant",
            "content": content, "stop_reason": finish_reason("anthropic", answer.finish),
            "stop_sequence": None, "usage": _usage(answer, prompt, _output_tokens(answer))}


def _stream(answer: Answer, prompt: str, model: str, msg_id: str) -> Reply:
    start: dict[str, Any] = {"id": msg_id, "type": "message", "role": "assistant", "model": model,
                             "content": [], "stop_reason": None, "stop_sequence": None,
                             "usage": _usage(answer, prompt, 1)}
    events = [_event("message_start", message=start), _event("ping")]
    index = 0
    if answer.thoughts:
        events += _block(index, {"type": "thinking", "thinking": "", "signature": ""},
                         [{"type": "thinking_delta", "thinking": piece}
                          for piece in split_text(answer.thoughts)]
                         + [{"type": "signature_delta", "signature": signature(answer.thoughts)}])
        index += 1
    events += _block(index, {"type": "text", "text": ""},
                     [{"type": "text_delta", "text": piece} for piece in split_text(answer.text)])
    events.append(_event("message_delta", delta={
        "stop_reason": finish_reason("anthropic", answer.finish), "stop_sequence": None},
        usage={"output_tokens": _output_tokens(answer)}))
    events.append(_event("message_stop"))
    return sse_reply(events, headers=_headers())


def _block(index: int, start: dict[str, Any], deltas: list[dict[str, Any]]) -> list[bytes]:
    return [_event("content_block_start", index=index, content_block=start),
            *(_event("content_block_delta", index=index, delta=d) for d in deltas),
            _event("content_block_stop", index=index)]


def _event(kind: str, **fields: Any) -> bytes:
    return sse_event({"type": kind, **fields}, event=kind)


def _count_tokens(ctx: Context) -> Reply:
    body = ctx.body
    problem = _not_object(body)
    if problem is not None:
        return problem
    if not body.get("model"):
        return _invalid("model: Field required")
    info = ctx.resolve(str(body["model"]), publisher="anthropic")
    if isinstance(info, Reply):
        return info
    problem = _version(body) or _messages(body)
    if problem is not None:
        return problem
    prompt, _ = prompt_texts(body)
    return json_reply({"input_tokens": max(1, count_tokens(prompt))}, headers=_headers())
