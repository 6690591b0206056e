"""Media values passed to functions: `Image`, `Audio`, `Pdf` and `Video`.

A media value is either a URL (fetched later, by the adapter, if the provider needs bytes) or
base64 data with a media type. `from_file` reads and encodes the file at once, so a missing
file is reported where the value is built, not deep inside a request.

    >>> Image.from_url("https://example.com/cat.png")
    Image(url='https://example.com/cat.png', media_type=None)
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

from .errors import MediaError

__all__ = ["Audio", "Image", "Media", "Pdf", "Video", "media_class"]

M = TypeVar("M", bound="Media")

# Types `mimetypes` misses or gets wrong on some platforms.
_EXTRA_TYPES = {
    ".webp": "image/webp", ".heic": "image/heic", ".heif": "image/heif", ".avif": "image/avif",
    ".mp3": "audio/mpeg", ".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg",
    ".m4a": "audio/mp4", ".aac": "audio/aac", ".pdf": "application/pdf", ".mp4": "video/mp4",
    ".mov": "video/quicktime", ".webm": "video/webm", ".mkv": "video/x-matroska",
}


def guess_media_type(name: str) -> str | None:
    """The media type implied by a file name or URL path, or None."""
    path = name.split("?", 1)[0].split("#", 1)[0]
    suffix = Path(path).suffix.lower()
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path, strict=False)
    return guessed


@dataclass(frozen=True, slots=True, repr=False)
class Media:
    """An immutable media value: exactly one of `url` or `base64`, plus an optional media type."""

    url: str | None = None
    base64: str | None = None
    media_type: str | None = None

    kind: ClassVar[str] = "media"

    def __post_init__(self) -> None:
        if (self.url is None) == (self.base64 is None):
            raise MediaError(f"{self.kind} needs exactly one of a url or base64 data")

    @classmethod
    def from_url(cls, url: str, media_type: str | None = None) -> Self:
        """A value sent by reference. Like BAML, the media type stays unset unless given: the
        adapter decides whether to fetch the URL to learn it (`media_url_handler`)."""
        if not isinstance(url, str) or not url:
            raise MediaError(f"{cls.kind} url must be a non-empty string")
        return cls(url=url, media_type=media_type)

    @classmethod
    def from_base64(cls, data: str, media_type: str) -> Self:
        """A value sent inline; `data` is checked to be valid base64."""
        if not isinstance(data, str):
            raise MediaError(f"{cls.kind} base64 data must be a string")
        try:
            base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MediaError(f"{cls.kind} base64 data is not valid base64: {exc}") from None
        if not media_type:
            raise MediaError(f"{cls.kind} base64 data needs a media_type (e.g. "
                             f"{_EXAMPLE_TYPES.get(cls.kind, 'image/png')!r})")
        return cls(base64=data, media_type=media_type)

    @classmethod
    def from_file(cls, path: str | Path, media_type: str | None = None) -> Self:
        """Read and base64-encode a local file now; its media type is guessed from the name."""
        file = Path(path)
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise MediaError(f"{cls.kind} file not found: {file}") from None
        except OSError as exc:
            raise MediaError(f"cannot read {cls.kind} file {file}: {exc.strerror}") from None
        kind_type = media_type or guess_media_type(file.name)
        if not kind_type:
            raise MediaError(f"cannot tell the media type of {file}; pass media_type")
        return cls(base64=base64.b64encode(data).decode("ascii"), media_type=kind_type)

    def to_dict(self) -> dict[str, str]:
        """`{"url"|"base64": …, "media_type"?: …}`: the JSON shape used by `vdsl render`."""
        out: dict[str, str] = {}
        if self.url is not None:
            out["url"] = self.url
        if self.base64 is not None:
            out["base64"] = self.base64
        if self.media_type:
            out["media_type"] = self.media_type
        return out

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A generated pydantic model can hold a media field: a value of this class, or the
        `{"url"}` / `{"base64", "media_type"}` shapes; it dumps to that shape as JSON."""
        from pydantic_core import core_schema
        return core_schema.no_info_plain_validator_function(
            cls._coerce, serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: value.to_dict(), when_used="json"))

    @classmethod
    def _coerce(cls, value: Any) -> Self:
        if isinstance(value, cls):
            return value
        if isinstance(value, dict) and set(value) - {"media_type"} in ({"url"}, {"base64"}):
            try:
                if "url" in value:
                    return cls.from_url(value["url"], value.get("media_type"))
                return cls.from_base64(value["base64"], value.get("media_type") or "")
            except MediaError as exc:  # pydantic reports ValueErrors as validation errors
                raise ValueError(str(exc)) from None
        raise ValueError(f"expected {cls.kind} (a {cls.__name__}, {{url}} or "
                         "{base64, media_type})")

    def __repr__(self) -> str:
        name = type(self).__name__
        if self.url is not None:
            return f"{name}(url={self.url!r}, media_type={self.media_type!r})"
        data = self.base64 or ""
        shown = data if len(data) <= 24 else f"{data[:16]}…({len(data)} chars)"
        return f"{name}(base64={shown!r}, media_type={self.media_type!r})"


_EXAMPLE_TYPES = {"image": "image/png", "audio": "audio/mpeg", "pdf": "application/pdf",
                  "video": "video/mp4"}


class Image(Media):
    """An `image` argument."""
    __slots__ = ()
    kind = "image"


class Audio(Media):
    """An `audio` argument."""
    __slots__ = ()
    kind = "audio"


class Pdf(Media):
    """A `pdf` argument."""
    __slots__ = ()
    kind = "pdf"


class Video(Media):
    """A `video` argument."""
    __slots__ = ()
    kind = "video"


_BY_KIND: dict[str, type[Media]] = {"image": Image, "audio": Audio, "pdf": Pdf, "video": Video}


def media_class(kind: str) -> type[Media]:
    """The value class for a media type name (`image`, `audio`, `pdf`, `video`)."""
    return _BY_KIND[kind]
