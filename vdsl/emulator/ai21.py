"""AI21 Jamba on Vertex: OpenAI-style chat on rawPredict / streamRawPredict (VERTEX_WIRE.md §6).

The body carries `model` (litellm sends the URL id, `jamba-1.5-mini@001`, there too). Replies
are chat.completion objects; streams end with `data: [DONE]` (UNVERIFIED on Vertex, but it is
what AI21's own API does).
"""

from __future__ import annotations

from . import errors
from .common import Context, cap_answer, stable_id
from .fixtures import Answer
from .openai_compat import (
    ChatReply,
    chat_prompt,
    check_media,
    check_messages,
    max_tokens,
    render_chat,
)
from .reply import Reply

__all__ = ["handle"]


def handle(ctx: Context) -> Reply:
    """Answer one Jamba call."""
    info = ctx.resolve(ctx.route.model or "")
    if isinstance(info, Reply):
        return info
    body = ctx.body
    if not isinstance(body, dict):
        return errors.invalid_json("Expected a JSON object.")
    if not body.get("model"):
        return errors.google_error(400, "model: Field required")
    problem = check_messages(body) or check_media(body, info)
    if problem is not None:
        return problem
    prompt, last_user = chat_prompt(body["messages"])
    found = ctx.answer(info.id, prompt, last_user)
    answer = Answer(found.text, None, found.finish, found.usage, found.fault)
    chat = ChatReply(answer=cap_answer(answer, max_tokens(body)), prompt=prompt,
                     model=str(body["model"]), id="chatcmpl-" + stable_id(info.id, body))
    return render_chat(chat, stream=ctx.route.streaming or body.get("stream") is True)
