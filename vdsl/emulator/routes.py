"""The Vertex path grammar (docs/wire.md, "Common to all families") → which family handles a request.

Any project and location are accepted; whether the model exists *there* is the family
handler's question (it consults the catalog), exactly as Vertex answers 404 per location.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Route", "match_route"]

_VER = r"/(?P<version>v1|v1beta1)"
_LOC = r"/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
_MODEL = r"/publishers/(?P<publisher>[^/]+)/models/(?P<model>[^/:]+)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("gemini", re.compile(
        _VER + _LOC + _MODEL
        + r":(?P<method>generateContent|streamGenerateContent|countTokens|computeTokens)$")),
    ("gemini", re.compile(
        _VER + r"/publishers/(?P<publisher>google)/models/(?P<model>[^/:]+)"
        + r":(?P<method>generateContent|streamGenerateContent|countTokens)$")),
    ("partner", re.compile(_VER + _LOC + _MODEL + r":(?P<method>rawPredict|streamRawPredict)$")),
    ("openapi", re.compile(_VER + _LOC + r"/endpoints/openapi/chat/completions$")),
)


@dataclass(frozen=True)
class Route:
    """A matched Vertex route."""

    family: str
    """Handler: gemini, anthropic, mistral, ai21 or openapi (rawPredict splits by publisher)."""
    version: str
    method: str
    project: str | None = None
    location: str | None = None
    publisher: str | None = None
    model: str | None = None

    @property
    def express(self) -> bool:
        """Project-less Gemini route: API key only (docs/auth.md, express mode)."""
        return self.project is None

    @property
    def streaming(self) -> bool:
        return self.method in ("streamGenerateContent", "streamRawPredict")

    def model_name(self, model: str | None = None) -> str:
        """`projects/p/locations/l/publishers/x/models/m`, as Vertex quotes it in errors."""
        base = f"publishers/{self.publisher}/models/{model or self.model}"
        if self.express:
            return base
        return f"projects/{self.project}/locations/{self.location}/{base}"


_PARTNER_FAMILIES = {"anthropic": "anthropic", "mistralai": "mistral", "ai21": "ai21"}


def match_route(path: str) -> Route | None:
    """The route for a URL path (no query), or None when no Vertex API owns it."""
    for family, pattern in _PATTERNS:
        found = pattern.match(path)
        if found is None:
            continue
        groups = found.groupdict()
        if family == "partner":
            family = _PARTNER_FAMILIES.get(groups["publisher"], "unknown_publisher")
        return Route(family=family, version=groups["version"],
                     method=groups.get("method") or "chatCompletions",
                     project=groups.get("project"), location=groups.get("location"),
                     publisher=groups.get("publisher"), model=groups.get("model"))
    return None
