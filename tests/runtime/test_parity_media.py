"""Media URL handling details measured against BAML (baml-py 0.226.3; docs/wire.md, "Media URLs"):
a pdf always has the type application/pdf, and both fetching handlers refuse a download whose
type contradicts the one given."""

from __future__ import annotations

import base64

import pytest

from vdsl.errors import MediaError
from vdsl.providers.options import resolve_options
from vdsl.render import RenderedPrompt
from vdsl.render.messages import ChatMessage, MediaPart
from vdsl.runtime.media import resolve_media

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


def _options(handler: str | None):
    options = {"model": "gemini-2.5-flash", "location": "us-central1", "project_id": "p"}
    if handler:
        options["media_url_handler"] = {"image": handler, "pdf": handler}
    return resolve_options("C", options, {})


def _resolve(part: MediaPart, handler: str | None, served: bytes = PNG,
             served_type: str | None = None) -> tuple[MediaPart, list[str]]:
    fetched: list[str] = []

    def fetch(url: str) -> tuple[bytes, str | None]:
        fetched.append(url)
        return served, served_type

    prompt = RenderedPrompt((ChatMessage("user", (part,)),), None, None)
    out = resolve_media(prompt, _options(handler), fetch)
    (resolved,) = out.messages[0].parts
    return resolved, fetched


@pytest.mark.parametrize("url", ["https://example.test/report", "gs://bucket/report"])
def test_a_pdf_url_without_a_type_is_kept_as_application_pdf(url: str) -> None:
    for handler in (None, "send_url", "send_url_add_mime_type"):
        part, fetched = _resolve(MediaPart("pdf", url=url), handler)
        assert (part.url, part.media_type, fetched) == (url, "application/pdf", [])


def test_a_fetched_pdf_keeps_application_pdf() -> None:
    part, _ = _resolve(MediaPart("pdf", url="https://example.test/doc.pdf"), "send_base64",
                    served=b"%PDF-1.4\n", served_type="application/pdf")
    assert (part.url, part.media_type) == (None, "application/pdf")
    assert base64.b64decode(part.base64 or "") == b"%PDF-1.4\n"


def test_a_pdf_url_serving_something_else_is_refused_when_fetched() -> None:
    with pytest.raises(MediaError, match="Requested media of MIME type 'application/pdf' "
                                         "but fetched 'image/png'"):
        _resolve(MediaPart("pdf", url="https://example.test/x"), "send_base64",
                 served_type="image/png")


def test_send_base64_unless_google_url_refuses_a_type_mismatch_too() -> None:
    with pytest.raises(MediaError, match="Requested media of MIME type 'image/jpeg' but "
                                         "fetched 'image/png'"):
        _resolve(MediaPart("image", url="https://example.test/cat.png",
                           media_type="image/jpeg"), "send_base64_unless_google_url",
                 served_type="image/png")


def test_send_base64_unless_google_url_keeps_google_urls() -> None:
    part, fetched = _resolve(MediaPart("image", url="gs://bucket/cat.png",
                                       media_type="image/jpeg"), "send_base64_unless_google_url")
    assert (part.url, part.media_type, fetched) == ("gs://bucket/cat.png", "image/jpeg", [])
