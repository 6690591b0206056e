"""AI21 Jamba on Vertex: chat on `publishers/ai21/models/{id}:rawPredict` /
`:streamRawPredict` (docs/wire.md, "AI21 Jamba").

The body and replies are the shared chat.completion shapes (`openai_compat`), with `model`
in the body equal to the URL id, version suffix included (`jamba-1.5-mini@001`), as litellm
sends it. Streams are data-only events ending in `data: [DONE]` (UNVERIFIED on Vertex).
"""

from __future__ import annotations

from typing import Any

from ..render import RenderedPrompt
from .openai_compat import ChatCompletionsAdapter, chat_body
from .options import ClientOptions


class Ai21Adapter(ChatCompletionsAdapter):
    family = "ai21"

    def resource(self, model: str) -> str:
        return model if model.startswith("publishers/") else f"publishers/ai21/models/{model}"

    def method(self, options: ClientOptions, stream: bool) -> str:
        return ":streamRawPredict" if stream else ":rawPredict"

    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        return chat_body(options.model.rsplit("/", 1)[-1], prompt, options, stream)
