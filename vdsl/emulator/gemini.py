"""Gemini replies: generateContent, streamGenerateContent (SSE and JSON array), countTokens.

Shapes follow docs/wire.md, "Gemini": candidates with `role: model` parts (thought parts
flagged `thought: true`, only when `includeThoughts` is set, as on Vertex), `finishReason` on
the last chunk, full `usageMetadata` on the last chunk and only `trafficType` before it.
The same handler serves Llama's Gemini-style route (`publishers/meta/models/…:generateContent`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from . import errors
from .caching import CachedPrompt, use_cache
from .common import (
    Context,
    cap_answer,
    count_tokens,
    finish_reason,
    join_texts,
    now_rfc3339,
    signature,
    split_text,
    stable_id,
    with_thoughts,
)
from .fixtures import Answer
from .gemini_checks import normalize, validate
from .grounding import grounding_for
from .reply import Reply, json_reply, sse_event, sse_reply

__all__ = ["handle"]


def handle(ctx: Context) -> Reply:
    """Answer one Gemini-format call."""
    info = ctx.resolve(ctx.route.model or "")
    if isinstance(info, Reply):
        return info
    if not isinstance(ctx.body, dict):
        return errors.invalid_json("Expected a JSON object.")
    body = normalize(ctx.body)
    problem = validate(body, info, ctx.route.version)
    if problem is not None:
        return problem
    cached = use_cache(ctx.state, body, info.id, info.base_id) \
        if body.get("cachedContent") else None
    if isinstance(cached, Reply):
        return cached
    full = _with_cache(body, cached)
    prompt, last_user = prompt_texts(full)
    if ctx.route.method == "countTokens":
        return json_reply(_count(prompt))
    if ctx.route.method == "computeTokens":
        return json_reply(_compute(prompt))
    config = body.get("generationConfig") or {}
    answer = ctx.answer(info.id, prompt, last_user)
    if _show_thoughts(config):
        answer = with_thoughts(answer, last_user)
    answer = cap_answer(answer, config.get("maxOutputTokens"))
    meta = _Meta(model=info.base_id, prompt=prompt, thoughts=_show_thoughts(config),
                 traffic=_traffic(ctx), response_id=stable_id(info.id, body, length=22))
    meta.cached_tokens = cached.tokens if cached is not None else 0
    meta.grounding = answer.grounding or grounding_for(full.get("tools"), last_user,
                                                       answer.text)
    if ctx.route.method == "generateContent":
        return json_reply(_response(answer, meta, _parts(answer, meta), final=True))
    return _stream(ctx, answer, meta)


class _Meta:
    """What every chunk of one reply repeats."""

    def __init__(self, model: str, prompt: str, thoughts: bool, traffic: str,
                 response_id: str) -> None:
        self.model, self.prompt, self.thoughts = model, prompt, thoughts
        self.traffic, self.response_id = traffic, response_id
        self.created = now_rfc3339()
        self.cached_tokens = 0
        self.grounding: dict[str, Any] | None = None


def _with_cache(body: dict[str, Any], cached: CachedPrompt | None) -> dict[str, Any]:
    """The request as the model sees it: the cache's part first, then the call's."""
    if cached is None:
        return body
    contents = [*(cached.content.get("contents") or []), *(body.get("contents") or [])]
    return {**body, **normalize(dict(cached.content)), "contents": contents}


def prompt_texts(body: dict[str, Any]) -> tuple[str, str]:
    """(every text of the request joined, the last user turn's text)."""
    system = _texts((body.get("systemInstruction") or {}).get("parts"))
    turns = [(c.get("role", "user"), _texts(c.get("parts"))) for c in body.get("contents") or []]
    last_user = next((text for role, text in reversed(turns) if role == "user"), "")
    return join_texts([system, *(text for _, text in turns)]), last_user


def _texts(parts: Any) -> str:
    if not isinstance(parts, list):
        return ""
    return join_texts([str(p.get("text", "")) for p in parts if isinstance(p, dict)])


def _show_thoughts(config: dict[str, Any]) -> bool:
    return bool((config.get("thinkingConfig") or {}).get("includeThoughts"))


def _traffic(ctx: Context) -> str:
    kind = (ctx.request.header("x-vertex-ai-llm-request-type") or "").lower()
    if kind == "dedicated":
        return "PROVISIONED_THROUGHPUT"
    flex = (ctx.request.header("x-vertex-ai-llm-shared-request-type") or "").lower()
    return {"flex": "ON_DEMAND_FLEX", "priority": "ON_DEMAND_PRIORITY"}.get(flex, "ON_DEMAND")


def _parts(answer: Answer, meta: _Meta) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    if answer.thoughts and meta.thoughts:
        parts.append({"text": answer.thoughts, "thought": True})
    text_part: dict[str, Any] = {"text": answer.text}
    if answer.thoughts:
        text_part["thoughtSignature"] = signature(answer.thoughts)
    parts.append(text_part)
    return parts


def _usage(answer: Answer, meta: _Meta) -> dict[str, Any]:
    prompt_tokens = answer.input_tokens(meta.prompt)
    output, thoughts = answer.output_tokens(), answer.thoughts_tokens()
    usage: dict[str, Any] = {"promptTokenCount": prompt_tokens, "candidatesTokenCount": output}
    if thoughts:
        usage["thoughtsTokenCount"] = thoughts
    if meta.cached_tokens:
        cached = min(meta.cached_tokens, prompt_tokens)
        usage["cachedContentTokenCount"] = cached
        usage["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": cached}]
    usage.update({
        "totalTokenCount": prompt_tokens + output + thoughts, "trafficType": meta.traffic,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt_tokens}],
        "candidatesTokensDetails": [{"modality": "TEXT", "tokenCount": output}],
    })
    return usage


def _response(answer: Answer, meta: _Meta, parts: list[dict[str, Any]],
              final: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}}
    if final:
        candidate["finishReason"] = finish_reason("gemini", answer.finish)
        if meta.grounding:
            candidate["groundingMetadata"] = meta.grounding
    usage = _usage(answer, meta) if final else {"trafficType": meta.traffic}
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": meta.model,
            "createTime": meta.created, "responseId": meta.response_id}


def _chunks(answer: Answer, meta: _Meta) -> list[dict[str, Any]]:
    """The stream's response objects: thought part first, text in pieces, finish on the last."""
    groups: list[list[dict[str, Any]]] = []
    if answer.thoughts and meta.thoughts:
        groups.append([{"text": answer.thoughts, "thought": True}])
    for piece in split_text(answer.text):
        groups.append([{"text": piece}])
    if answer.thoughts:
        groups[-1][-1]["thoughtSignature"] = signature(answer.thoughts)
    last = len(groups) - 1
    return [_response(answer, meta, parts, final=i == last) for i, parts in enumerate(groups)]


def _stream(ctx: Context, answer: Answer, meta: _Meta) -> Reply:
    chunks = _chunks(answer, meta)
    if ctx.request.param("alt") == "sse":
        return sse_reply([sse_event(chunk) for chunk in chunks])
    # Without alt=sse Vertex streams one JSON array, element by element.
    pieces = [("[" if i == 0 else ",\r\n") + json.dumps(chunk) for i, chunk in enumerate(chunks)]
    return Reply(headers={"Content-Type": "application/json; charset=UTF-8"},
                 events=[p.encode() for p in pieces], stream_tail=b"]")


def _count(prompt: str) -> dict[str, Any]:
    tokens = count_tokens(prompt)
    return {"totalTokens": tokens, "totalBillableCharacters": len(prompt.replace(" ", "")),
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}]}


def _compute(prompt: str) -> dict[str, Any]:
    pieces = [prompt[i:i + 4] for i in range(0, len(prompt), 4)]
    return {"tokensInfo": [{"tokens": [base64.b64encode(p.encode()).decode() for p in pieces],
                            "tokenIds": [str(sum(p.encode())) for p in pieces],
                            "role": "user"}]}
