"""AI21 Jamba on Vertex: OpenAI-style chat on rawPredict / streamRawPredict (docs/wire.md, "AI21 Jamba").

The body carries `model` (litellm sends the URL id, `jamba-1.5-mini@001`, there too). Replies
are chat.completion objects; streams end with `data: [DONE]` (UNVERIFIED on Vertex, but it is
what AI21's own API does).
"""

from __future__ import annotations

from .common import Context, stable_id
from .openai_compat import (
    chat_prompt,
    chat_reply,
    check_media,
    check_messages,
    model_body,
)
from .reply import Reply

__all__ = ["handle"]


def handle(ctx: Context) -> Reply:
    """Answer one Jamba call."""
    found = model_body(ctx)
    if isinstance(found, Reply):
        return found
    info, body = found
    problem = check_messages(body) or check_media(body, info)
    if problem is not None:
        return problem
    prompt, last_user = chat_prompt(body["messages"])
    return chat_reply(ctx, body, prompt, ctx.answer(info.id, prompt, last_user),
                      "chatcmpl-" + stable_id(info.id, body))
