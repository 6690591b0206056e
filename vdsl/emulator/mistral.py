"""Mistral on Vertex: chat, Codestral fill-in-the-middle, and OCR on one rawPredict route.

The body picks the operation (docs/wire.md, "Mistral"): `document` is OCR, `prompt`
without `messages` is FIM, `messages` is chat. Chat and FIM answer with the chat.completion
envelope (FIM's middle text in `message.content`); OCR answers pages of markdown and never
streams. Vertex OCR has no internet access, so only base64 `data:` URIs are accepted.
"""

from __future__ import annotations

import base64
from typing import Any

from ..providers.catalog import ModelInfo
from . import errors
from .common import Context
from .fixtures import Answer
from .openai_compat import (
    chat_prompt,
    chat_reply,
    check_media,
    check_messages,
    hex_id,
    model_body,
)
from .reply import Reply, json_reply

__all__ = ["handle"]


def handle(ctx: Context) -> Reply:
    """Answer one Mistral rawPredict / streamRawPredict call."""
    found = model_body(ctx)
    if isinstance(found, Reply):
        return found
    info, body = found
    if "document" in body:
        return _ocr(ctx, info, body)
    if info.family == "mistral_ocr":
        return errors.google_error(400, f"{info.id} only accepts OCR requests (a `document`).")
    if "prompt" in body and "messages" not in body:
        return _fim(ctx, info, body)
    problem = check_messages(body) or check_media(body, info)
    if problem is not None:
        return problem
    prompt, last_user = chat_prompt(body["messages"])
    return _chat(ctx, info, body, prompt, ctx.answer(info.id, prompt, last_user))


def _chat(ctx: Context, info: ModelInfo, body: dict[str, Any], prompt: str,
          answer: Answer) -> Reply:
    return chat_reply(ctx, body, prompt, answer, "cmpl-" + hex_id(info.id, body))


def _fim(ctx: Context, info: ModelInfo, body: dict[str, Any]) -> Reply:
    if not info.id.startswith("codestral"):
        return errors.google_error(400, f"Fill-in-the-middle is not supported by {info.id}; "
                                        "use a Codestral model.")
    prompt = str(body.get("prompt") or "")
    suffix = str(body.get("suffix") or "")
    full = f"{prompt}\n{suffix}" if suffix else prompt
    found = ctx.fixtures.match(info.id, full)
    if found is not None:
        ctx.fixture_fault = found.fault
    answer = found or Answer(text=f"# [{info.id}] fill-in-the-middle")
    return _chat(ctx, info, body, full, answer)


def _ocr(ctx: Context, info: ModelInfo, body: dict[str, Any]) -> Reply:
    if info.family != "mistral_ocr":
        return errors.google_error(400, f"{info.id} does not support OCR; use mistral-ocr-2505.")
    if ctx.route.streaming:
        return errors.google_error(400, "OCR does not support streaming; use :rawPredict.")
    document = body["document"]
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in ("document_url", "image_url"):
        return errors.google_error(400, "document.type: Input should be 'document_url' or "
                                        "'image_url'")
    url = str(document.get(kind) or "")
    if not url.startswith("data:"):
        return errors.google_error(400, f"document.{kind}: Vertex AI OCR accepts only base64 "
                                        "data: URIs (it has no internet access)")
    mime, size = _data_uri(url)
    found = ctx.fixtures.match(info.id, f"{kind} {mime}")
    if found is not None:
        ctx.fixture_fault = found.fault
    markdown = found.text if found else f"# [{info.id}] OCR of a {mime} document ({size} bytes)"
    pages = body.get("pages")
    if not isinstance(pages, list):
        pages = [0]
    return json_reply(_ocr_payload(info.id, markdown, pages, size, body))


def _data_uri(url: str) -> tuple[str, int]:
    header, _, data = url.partition(",")
    mime = header.removeprefix("data:").split(";", 1)[0] or "application/octet-stream"
    try:
        size = len(base64.b64decode(data, validate=False))
    except ValueError:
        size = len(data)
    return mime, size


def _ocr_payload(model: str, markdown: str, pages: list[Any], size: int,
                 body: dict[str, Any]) -> dict[str, Any]:
    dims = {"dpi": 200, "height": 2339, "width": 1653}
    page_list = [{"index": int(p), "markdown": markdown, "images": [], "dimensions": dims}
                 for p in pages]
    return {"pages": page_list, "model": str(body.get("model") or model),
            "document_annotation": None,
            "usage_info": {"pages_processed": len(page_list), "doc_size_bytes": size}}

