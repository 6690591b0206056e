"""OpenAI-style chat: Llama, DeepSeek and other MaaS models on Vertex's
`endpoints/openapi/chat/completions` route (docs/wire.md, "OpenAI-compatible MaaS"), plus the message encoding,
reply parsing and error reading that Mistral and AI21 share (their rawPredict bodies and
replies are the same chat.completion shapes).

Body: `{model, …pass-through options in order…, messages, stream?}`. `model` is the
publisher-qualified id (`meta/llama-3.3-70b-instruct-maas`); an id written without its
`meta/` prefix gets it from the catalog or the `publisher` option. A message whose parts are
all text is sent as one string (parts joined by blank lines); one with media as a list of
`text` and `image_url` parts. DeepSeek's `reasoning_content` is kept apart as thoughts.
Streams end with `data: [DONE]`; usage is asked for with `stream_options.include_usage`.
"""

from __future__ import annotations

from typing import Any

from .. import jsontext
from ..errors import BlockedError, MediaError, VertexError
from ..render import ChatMessage, RenderedPrompt
from ..render.messages import MediaPart, TextPart
from .base import Adapter, Completion, Delta, Usage
from .catalog import lookup
from .options import ClientOptions

DONE = "[DONE]"


class ChatCompletionsAdapter(Adapter):
    """Families whose replies are OpenAI chat completions (MaaS, Mistral, AI21): they differ
    only in where they are sent and how the body names the model."""

    def parse_response(self, data: Any) -> Completion:
        return parse_chat(data)

    def parse_event(self, event: str | None, data: str) -> Delta | None:
        return parse_chunk(data)

    def error_message(self, data: Any) -> tuple[str | None, str] | None:
        return super().error_message(data) or native_error(data)


class OpenAICompatAdapter(ChatCompletionsAdapter):
    family = "openai_compat"

    def resource(self, model: str) -> str:
        return "endpoints/openapi"

    def method(self, options: ClientOptions, stream: bool) -> str:
        return "/chat/completions"

    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        body = chat_body(body_model(options), prompt, options, stream)
        if stream and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}
        return body



def body_model(options: ClientOptions) -> str:
    """The body's `model`: `publisher/id` as the MaaS endpoint wants it."""
    model = options.model
    if "/" in model:
        return model
    info = lookup(model)
    if info is not None and "/" in info.id:
        return info.id
    publisher = options.resolved.get("publisher")
    return f"{publisher}/{model}" if isinstance(publisher, str) and publisher else model


def chat_body(model: str, prompt: RenderedPrompt, options: ClientOptions,
              stream: bool) -> dict[str, Any]:
    """`{model, …pass-through…, messages, stream?}`, shared by every chat.completion family."""
    body: dict[str, Any] = {"model": model}
    body.update(options.passthrough)
    body["messages"] = [chat_message(m) for m in prompt.messages]
    if stream:
        body["stream"] = True
    return body


def chat_message(message: ChatMessage) -> dict[str, Any]:
    if all(isinstance(p, TextPart) for p in message.parts):
        return {"role": message.role, "content": message.text}
    return {"role": message.role, "content": [_part(p) for p in message.parts]}


def _part(part: TextPart | MediaPart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if part.kind != "image":
        raise MediaError(f"OpenAI-style chat on Vertex takes images only, not {part.kind}")
    return {"type": "image_url", "image_url": {"url": media_url(part)}}


def media_url(part: MediaPart) -> str:
    """The part as a URL: its own, or a base64 `data:` URI."""
    if part.base64 is not None:
        return f"data:{part.media_type};base64,{part.base64}"
    return part.url or ""


def parse_chat(data: Any) -> Completion:
    """A chat.completion object → Completion (first choice; reasoning kept apart)."""
    choices = data.get("choices") if isinstance(data, dict) else None
    if not choices or not isinstance(choices[0], dict):
        raise BlockedError("NO_CHOICES", "the model returned no choices")
    choice = choices[0]
    message = choice.get("message") or {}
    text = _content(message.get("content"))
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    thoughts = [reasoning] if isinstance(reasoning, str) and reasoning else []
    return Completion(text, thoughts, choice.get("finish_reason"), usage(data.get("usage")),
                      data.get("model"), data)


def parse_chunk(data: str) -> Delta | None:
    """One `data:` event of a chat.completion.chunk stream; `[DONE]` ends it."""
    if data.strip() == DONE:
        return None
    chunk = jsontext.loads(data)
    if not isinstance(chunk, dict):
        return None
    if "error" in chunk or chunk.get("object") == "error":
        status, message = native_error(chunk) or (None, data[:300])
        raise VertexError(500, status, message, hint="the model failed mid-stream")
    out = Delta(usage=usage(chunk.get("usage")))
    choices = chunk.get("choices") or []
    if choices and isinstance(choices[0], dict):
        delta = choices[0].get("delta") or {}
        out.text = _content(delta.get("content"))
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        out.thought = reasoning if isinstance(reasoning, str) else ""
        out.finish_reason = choices[0].get("finish_reason")
    return out


def _content(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Mistral may answer in chunks
        return "".join(str(c.get("text", "")) for c in content
                       if isinstance(c, dict) and c.get("type") == "text")
    return ""


def usage(data: Any) -> Usage | None:
    """OpenAI usage → Usage. Reasoning tokens, when reported, are split out of the output."""
    if not isinstance(data, dict):
        return None
    output = data.get("completion_tokens")
    details = data.get("completion_tokens_details") or {}
    thinking = details.get("reasoning_tokens") if isinstance(details, dict) else None
    if isinstance(thinking, int) and isinstance(output, int):
        output -= thinking
    cached = (data.get("prompt_tokens_details") or {}).get("cached_tokens")
    return Usage(data.get("prompt_tokens"), output,
                 thinking if isinstance(thinking, int) else None,
                 cached if isinstance(cached, int) else None, data.get("total_tokens"))


def native_error(data: Any) -> tuple[str | None, str] | None:
    """(type, message) from the bodies OpenAI-style servers use: `{"error": {…}}`,
    `{"object": "error", "message": …}`, `{"message": …}` or FastAPI's `{"detail": …}`."""
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        data = error
    elif isinstance(error, str):
        return None, error
    message, detail = data.get("message"), data.get("detail")
    kind = data.get("type") or data.get("code") or data.get("status")
    if isinstance(message, str) and message:
        return (str(kind) if kind else None), message
    if isinstance(detail, str):
        return (str(kind) if kind else None), detail
    if isinstance(detail, list) and detail:
        return "invalid_request_error", "; ".join(_violation(d) for d in detail)
    return None


def _violation(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(p) for p in item.get("loc") or ())
    return f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", ""))
