"""Mistral on Vertex: chat (Large, Small, Codestral) and Codestral fill-in-the-middle on
`publishers/mistralai/models/{id}:rawPredict` / `:streamRawPredict` (docs/wire.md, "Mistral").

Chat bodies are the shared chat.completion shape (`openai_compat.chat_body`) with `model`
in the body as well as the URL. Legacy ids carry their version only in the URL
(`mistral-large@2407` → body `mistral-large`), and so do registry suffixes such as
`codestral-2501@001`, so the body's model is always the id without `@…`.

Fill-in-the-middle: a prompt containing `{{ _.suffix() }}` is sent as
`{model, …pass-through…, prompt, suffix, stream?}`: the text before the marker is `prompt`,
the text after it `suffix`. The client option `fim true` says a client is meant for FIM, so
a prompt without the marker is an error instead of a chat call. FIM needs a Codestral model
and a plain prompt (no roles, no media). The reply is the chat envelope, middle text in
`message.content`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import ConfigError
from ..render import RenderedPrompt
from ..render.messages import SUFFIX_MARK, MediaPart
from .openai_compat import ChatCompletionsAdapter, chat_body
from .options import ClientOptions

FIM_OPTION = "fim"
"""Client option marking a Codestral client as fill-in-the-middle only (never sent)."""


class MistralAdapter(ChatCompletionsAdapter):
    family = "mistral"
    publisher = "mistralai"

    def resource(self, model: str) -> str:
        return model if model.startswith("publishers/") else \
            f"publishers/{self.publisher}/models/{model}"

    def method(self, options: ClientOptions, stream: bool) -> str:
        return ":streamRawPredict" if stream else ":rawPredict"

    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        model = body_model(options.model)
        options = _without_fim_option(options)
        if wants_fim(prompt, options):
            return fim_body(model, prompt, options, stream)
        return chat_body(model, prompt, options, stream)


def body_model(model: str) -> str:
    """The body's `model`: the id without a `publishers/…/models/` path or `@version`."""
    return model.rsplit("/", 1)[-1].split("@", 1)[0]


def is_codestral(model: str) -> bool:
    return body_model(model).lower().startswith("codestral")


def has_suffix_mark(prompt: RenderedPrompt) -> bool:
    return any(SUFFIX_MARK in getattr(p, "text", "") for m in prompt.messages for p in m.parts)


def wants_fim(prompt: RenderedPrompt, options: ClientOptions) -> bool:
    """FIM when the prompt has a suffix marker; `fim true` without one is an error."""
    marked = has_suffix_mark(prompt)
    if not marked and options.resolved.get(FIM_OPTION) is True:
        raise ConfigError(f"client `{options.client}` is a fill-in-the-middle client "
                          "(`fim true`) but the prompt has no `{{ _.suffix() }}` marker: put "
                          "it where the code to fill in goes")
    if marked and not is_codestral(options.model):
        raise ConfigError(f"client `{options.client}`: `{{{{ _.suffix() }}}}` asks for "
                          f"fill-in-the-middle, which only Codestral models do, not "
                          f"`{options.model}`")
    return marked


def fim_body(model: str, prompt: RenderedPrompt, options: ClientOptions,
             stream: bool) -> dict[str, Any]:
    before, after = split_fim(prompt, options.client)
    body: dict[str, Any] = {"model": model}
    body.update(options.passthrough)
    body["prompt"] = before
    body["suffix"] = after
    if stream:
        body["stream"] = True
    return body


def split_fim(prompt: RenderedPrompt, client: str) -> tuple[str, str]:
    """(prompt, suffix) around the one marker of a plain prompt."""
    if len(prompt.messages) != 1 or any(isinstance(p, MediaPart)
                                        for p in prompt.messages[0].parts):
        raise ConfigError(f"client `{client}`: a fill-in-the-middle prompt is plain code "
                          "text: no `_.role(...)` markers and no media")
    text = prompt.messages[0].text
    if text.count(SUFFIX_MARK) != 1:
        raise ConfigError(f"client `{client}`: a fill-in-the-middle prompt needs exactly one "
                          f"`{{{{ _.suffix() }}}}` marker, found {text.count(SUFFIX_MARK)}")
    before, after = text.split(SUFFIX_MARK)
    return before, after


def _without_fim_option(options: ClientOptions) -> ClientOptions:
    if FIM_OPTION not in options.passthrough:
        return options
    return replace(options, passthrough={k: v for k, v in options.passthrough.items()
                                         if k != FIM_OPTION})
