"""Mistral OCR on Vertex: one document in, markdown per page out (docs/wire.md, "Mistral OCR").

A function calls OCR by taking a `pdf` or `image` parameter and placing it in its prompt
(`{{ document }}`) with a client whose model is `mistral-ocr-2505`. The prompt's text is not
sent (OCR takes no instructions); the body is

    {"model": "mistral-ocr-2505", "document": {"type": "document_url",
     "document_url": "data:application/pdf;base64,…"}, …pass-through options…}

(`image_url` for images). Vertex OCR has no internet access, so the document always goes as
a base64 `data:` URI (`INLINE_MEDIA`: the runtime fetches URLs first). OCR does not stream.

The reply's text is every page's markdown joined by blank lines, for a `string` return type;
`Completion.structured` holds the whole reply, so a class with a `pages` field (each page a
class with `index` and `markdown`) receives the pages. Usage counts pages, not tokens.
"""

from __future__ import annotations

from typing import Any

from ..errors import BlockedError, MediaError
from ..render import RenderedPrompt
from ..render.messages import MediaPart
from .base import Adapter, Completion, Delta, Usage
from .mistral import body_model
from .openai_compat import media_url, native_error
from .options import ClientOptions

_DOCUMENT_TYPES = {"pdf": "document_url", "image": "image_url"}


class MistralOcrAdapter(Adapter):
    family = "mistral_ocr"
    SUPPORTS_STREAMING = False
    INLINE_MEDIA = True

    def resource(self, model: str) -> str:
        return model if model.startswith("publishers/") else \
            f"publishers/mistralai/models/{model}"

    def method(self, options: ClientOptions, stream: bool) -> str:
        return ":rawPredict"  # OCR has no streaming route; a stream call gets one reply

    def body(self, prompt: RenderedPrompt, options: ClientOptions, stream: bool) -> dict[str, Any]:
        part = document_part(prompt, options.client)
        kind = _DOCUMENT_TYPES[part.kind]
        body: dict[str, Any] = {"model": body_model(options.model),
                                "document": {"type": kind, kind: _data_uri(part, options)}}
        body.update(options.passthrough)
        return body

    def parse_response(self, data: Any) -> Completion:
        pages = data.get("pages") if isinstance(data, dict) else None
        if not isinstance(pages, list):
            raise BlockedError("NO_PAGES", "Mistral OCR returned no pages")
        text = "\n\n".join(str(p.get("markdown", "")) for p in pages if isinstance(p, dict))
        info = data.get("usage_info") or {}
        count = info.get("pages_processed") if isinstance(info, dict) else None
        return Completion(text, [], "stop", Usage(pages=count if isinstance(count, int)
                                                  else len(pages)),
                          data.get("model"), data, structured=data)

    def parse_event(self, event: str | None, data: str) -> Delta | None:
        raise ValueError("Mistral OCR does not stream")

    def error_message(self, data: Any) -> tuple[str | None, str] | None:
        return super().error_message(data) or native_error(data)


def document_part(prompt: RenderedPrompt, client: str) -> MediaPart:
    """The one pdf or image in the prompt; OCR without exactly one is a clear error."""
    parts = [p for m in prompt.messages for p in m.parts if isinstance(p, MediaPart)]
    documents = [p for p in parts if p.kind in _DOCUMENT_TYPES]
    if len(documents) != 1 or len(parts) != 1:
        found = ", ".join(p.kind for p in parts) or "none"
        raise MediaError(f"client `{client}`: Mistral OCR reads exactly one document: put one "
                         f"`pdf` or `image` argument in the prompt (`{{{{ document }}}}`); "
                         f"found: {found}")
    return documents[0]


def _data_uri(part: MediaPart, options: ClientOptions) -> str:
    if part.base64 is None:
        raise MediaError(f"client `{options.client}`: Vertex AI OCR reads only base64 data "
                         f"(it has no internet access), and {part.url} was not downloaded")
    return media_url(part)
