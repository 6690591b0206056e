"""Counting a prompt's input tokens: Vertex's count endpoint where the family has one
(Gemini `countTokens`, Claude `count-tokens:rawPredict`), else vdsl's local estimate.

Counts are kept per runtime by the exact count request, so a retried call, or a fallback that
reaches the same model with the same prompt, asks Vertex once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import BudgetError, StreamError
from ..providers.catalog import lookup
from ..providers.endpoints import build_url
from ..render import RenderedPrompt
from ..tokens.estimate import estimate_prompt
from .calls import NeedsThread
from .platform import Target, send_json

if TYPE_CHECKING:
    from .runtime import Runtime

__all__ = ["ENDPOINT", "ESTIMATE", "check_budget", "count_prompt"]

ENDPOINT, ESTIMATE = "endpoint", "estimate"


def count_prompt(rt: Runtime, where: Target, prompt: RenderedPrompt, *,
                 blocking: bool = True) -> tuple[int, str]:
    """(input tokens, how they were counted). Without `blocking`, a count that would need
    Vertex and is not known yet raises `NeedsThread`."""
    request = where.adapter.count_request(prompt, where.options)
    info = lookup(where.options.model)
    if request is None or (info is not None and not info.count_tokens):
        return estimate_prompt(prompt), ESTIMATE
    digest = hashlib.sha256(json.dumps(request.body, sort_keys=True).encode()).hexdigest()
    key = ("count", where.client, where.options.model, digest)
    if key in rt._memo:
        return rt._memo[key], ENDPOINT
    if not blocking:
        raise NeedsThread("count tokens")
    url = build_url(replace(where.options, model=request.model), resource=request.resource,
                    rpc=request.rpc, project=where.project, express=where.express,
                    override=where.override)
    data = send_json(rt, where, "POST", url, request.body)
    tokens = where.adapter.parse_count(data)
    if tokens is None:
        site = where.site(url)
        raise StreamError(f"client `{where.client}`: the token count reply holds no count",
                          partial_text=json.dumps(data)[:200], **site.where())
    rt._memo[key] = tokens
    return tokens, ENDPOINT


def check_budget(rt: Runtime, where: Target, prompt: RenderedPrompt, *, blocking: bool) -> None:
    """Raise `BudgetError` when the prompt has more input tokens than `max_input_tokens`."""
    limit = where.options.max_input_tokens
    if limit is None:
        return
    tokens, method = count_prompt(rt, where, prompt, blocking=blocking)
    if tokens > limit:
        how = "counted by Vertex" if method == ENDPOINT else "by vdsl's estimate"
        raise BudgetError(f"client `{where.client}`: not sent: the prompt has {tokens} input "
                          f"tokens ({how}), more than its max_input_tokens {limit}",
                          tokens=tokens, limit=limit, method=method)
