"""Media URLs before a request is built, by the client's `media_url_handler` (docs/wire.md,
"Media URLs"): keep the URL, add its media type, or fetch it and send base64.

Downloading is `fetcher.py`'s job (http(s) only, public addresses only unless allowed, a size
cap, one deadline); here the media type is sniffed from the bytes when the server does not
say. In a preview nothing is fetched: the part shows a placeholder instead.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import replace

from ..errors import MediaError
from ..media import guess_media_type
from ..providers.options import ClientOptions
from ..render import RenderedPrompt
from ..render.messages import ChatMessage, MediaPart
from .fetcher import shown_url

PDF_TYPE = "application/pdf"
PREVIEW_DATA = "<fetched from the URL when the call is made>"
GOOGLE_URL_PREFIXES = ("gs://", "https://storage.googleapis.com/",
                       "https://storage.cloud.google.com/")

Fetch = Callable[[str], tuple[bytes, str | None]]


def resolve_media(prompt: RenderedPrompt, options: ClientOptions, fetch: Fetch | None,
                  *, requires_media_type: bool = True) -> RenderedPrompt:
    """`prompt` with every URL media part handled as the client's handler says.

    `fetch` is None in previews. `requires_media_type`: the family needs a type with URLs.
    """
    if not any(isinstance(p, MediaPart) and p.url for m in prompt.messages for p in m.parts):
        return prompt
    messages = tuple(
        ChatMessage(m.role, tuple(_resolve(p, options, fetch, requires_media_type)
                                  if isinstance(p, MediaPart) and p.url else p
                                  for p in m.parts), m.allow_duplicate_role)
        for m in prompt.messages)
    return RenderedPrompt(messages, prompt.system_index, prompt.client)


def _resolve(part: MediaPart, options: ClientOptions, fetch: Fetch | None,
             requires_type: bool) -> MediaPart:
    url = part.url or ""
    if part.kind == "pdf" and not part.media_type:
        # a pdf is application/pdf (BAML's pdf values always carry that type)
        part = replace(part, media_type=PDF_TYPE)
    mode = options.media_url_handler.get(part.kind, "send_url")
    if mode == "send_url":
        return _keep_url(part, requires_type, guess=True)
    if mode == "send_base64_unless_google_url" and url.startswith(GOOGLE_URL_PREFIXES):
        return _keep_url(part, requires_type, guess=True)
    if mode == "send_url_add_mime_type" and part.media_type:
        return part
    if url.startswith("gs://"):
        if mode == "send_url_add_mime_type":
            return _keep_url(part, requires_type, guess=True)
        raise MediaError(f"{part.kind} {url}: gs:// URLs cannot be fetched; give a media_type "
                         "or use media_url_handler send_url")
    if fetch is None:
        return replace(part, url=None, base64=PREVIEW_DATA,
                       media_type=part.media_type or guess_media_type(url) or "<sniffed>")
    data, fetched_type = fetch(url)
    media_type = fetched_type or sniff(data) or guess_media_type(url)
    if part.media_type and media_type and _base(part.media_type) != _base(media_type) \
            and mode in ("send_base64", "send_base64_unless_google_url"):
        raise MediaError(f"Requested media of MIME type '{part.media_type}' but fetched "
                         f"'{media_type}' from {shown_url(url)}")
    if not media_type:
        raise MediaError(f"{part.kind} {shown_url(url)}: cannot tell its media type; give a "
                         "media_type")
    return replace(part, url=None, base64=base64.b64encode(data).decode("ascii"),
                   media_type=part.media_type or media_type)


def _keep_url(part: MediaPart, requires_type: bool, guess: bool = False) -> MediaPart:
    """The URL as it is; the media type guessed from its file name where it shows one (BAML
    asks for one instead)."""
    if part.media_type:
        return part
    media_type = guess_media_type(part.url or "") if guess else None
    if media_type is None and part.kind == "video":
        media_type = "video/mp4"
    if media_type is None and requires_type:
        raise MediaError(f"Please specify a media type for this {part.kind} "
                         f"({shown_url(part.url or '')}): "
                         f"Vertex needs one with a URL")
    return replace(part, media_type=media_type)


def _base(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mpeg"), (b"\xff\xfb", "audio/mpeg"), (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"), (b"\x1a\x45\xdf\xa3", "video/webm"),
)


def sniff(data: bytes) -> str | None:
    """The media type from the first bytes, for the common image, audio, pdf and video kinds."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if data[8:12] == b"WEBP" else "audio/wav"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    return None
