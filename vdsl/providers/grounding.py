"""Gemini grounding: the `grounding` client option as Vertex tools, and a reply's
`groundingMetadata` as a `Grounding` value (nothing dropped: `raw` keeps all of it).

    grounding google_search
    grounding { google_search true, vertex_ai_search "projects/p/locations/global/collections/default_collection/dataStores/d" }

`google_search` adds `{"googleSearch": {}}`; each Vertex AI Search data store (or engine)
adds `{"retrieval": {"vertexAiSearch": {"datastore" | "engine": NAME}}}`. Replies carry
`candidates[0].groundingMetadata`: the search queries, the sources (`groundingChunks`: web
pages or retrieved documents), and which part of the answer each source supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError

__all__ = ["DATA_STORE", "Grounding", "GroundingSource", "GroundingSupport", "grounding_tools",
           "parse_grounding"]

DATA_STORE = re.compile(r"^projects/[^/\s]+/locations/[^/\s]+(?:/collections/[^/\s]+)?/"
                        r"(?P<kind>dataStores|engines)/[^/\s]+$")
"""A Vertex AI Search data store or engine resource name."""
GROUNDING_KEYS = ("google_search", "vertex_ai_search")


def grounding_tools(value: Any, client: str) -> tuple[dict[str, Any], ...]:
    """The tools a `grounding` option asks for (raises ConfigError for a bad value)."""
    if value is None or value is False:
        return ()
    if value == "google_search":
        return ({"googleSearch": {}},)
    if not isinstance(value, dict):
        raise ConfigError(f"client `{client}`: options.grounding must be `google_search` or a "
                          "map { google_search true, vertex_ai_search \"projects/…\" }")
    unknown = sorted(set(value) - set(GROUNDING_KEYS))
    if unknown:
        raise ConfigError(f"client `{client}`: unknown grounding source `{unknown[0]}` "
                          f"(known: {', '.join(GROUNDING_KEYS)})")
    tools: list[dict[str, Any]] = []
    if value.get("google_search") in (True, "true"):
        tools.append({"googleSearch": {}})
    stores = value.get("vertex_ai_search") or []
    for store in [stores] if isinstance(stores, str) else stores:
        found = DATA_STORE.match(store) if isinstance(store, str) else None
        if found is None:
            raise ConfigError(f"client `{client}`: grounding vertex_ai_search {store!r} is not "
                              "a data store name (projects/P/locations/L/collections/C/"
                              "dataStores/D)")
        key = "engine" if found.group("kind") == "engines" else "datastore"
        tools.append({"retrieval": {"vertexAiSearch": {key: store}}})
    return tuple(tools)


@dataclass(frozen=True)
class GroundingSource:
    """One source the answer was grounded in: a web page or a retrieved document."""

    kind: str
    """`web`, `retrieved_context` or `maps` (the `groundingChunks` entry's own key)."""
    uri: str | None = None
    title: str | None = None
    domain: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class GroundingSupport:
    """A stretch of the answer and the sources (indexes into `sources`) that back it."""

    text: str
    sources: tuple[int, ...]
    confidence: tuple[float, ...] = ()
    start: int | None = None
    end: int | None = None
    part_index: int | None = None


@dataclass(frozen=True)
class Grounding:
    """`groundingMetadata` read: queries, sources, supports; `raw` is the whole of it."""

    queries: tuple[str, ...] = ()
    sources: tuple[GroundingSource, ...] = ()
    supports: tuple[GroundingSupport, ...] = ()
    search_entry_point: str | None = None
    """The HTML Google asks apps to show with Search-grounded answers (`renderedContent`)."""
    raw: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"queries": list(self.queries),
                "sources": [{k: v for k, v in vars(s).items() if v is not None}
                            for s in self.sources],
                "supports": [{k: (list(v) if isinstance(v, tuple) else v)
                              for k, v in vars(s).items() if v not in (None, ())}
                             for s in self.supports],
                **({"search_entry_point": self.search_entry_point}
                   if self.search_entry_point else {}),
                "metadata": self.raw}


def parse_grounding(candidate: Any) -> Grounding | None:
    """The grounding of one Gemini candidate, or None when it has none."""
    meta = candidate.get("groundingMetadata") if isinstance(candidate, dict) else None
    if not isinstance(meta, dict) or not meta:
        return None
    queries = _strings(meta.get("webSearchQueries")) + _strings(meta.get("retrievalQueries"))
    entry = meta.get("searchEntryPoint")
    rendered = entry.get("renderedContent") if isinstance(entry, dict) else None
    return Grounding(
        queries=tuple(queries),
        sources=tuple(s for s in map(_source, _dicts(meta.get("groundingChunks"))) if s),
        supports=tuple(_support(s) for s in _dicts(meta.get("groundingSupports"))),
        search_entry_point=rendered if isinstance(rendered, str) else None, raw=meta)


def _source(chunk: dict[str, Any]) -> GroundingSource | None:
    for key, kind in (("web", "web"), ("retrievedContext", "retrieved_context"),
                      ("maps", "maps")):
        inner = chunk.get(key)
        if isinstance(inner, dict):
            return GroundingSource(kind, _str(inner.get("uri")), _str(inner.get("title")),
                                   _str(inner.get("domain")), _str(inner.get("text")))
    return None


def _support(support: dict[str, Any]) -> GroundingSupport:
    found = support.get("segment")
    segment: dict[str, Any] = found if isinstance(found, dict) else {}
    return GroundingSupport(
        text=_str(segment.get("text")) or "",
        sources=tuple(i for i in support.get("groundingChunkIndices") or ()
                      if isinstance(i, int) and not isinstance(i, bool)),
        confidence=tuple(float(c) for c in support.get("confidenceScores") or ()
                         if isinstance(c, int | float) and not isinstance(c, bool)),
        start=_int(segment.get("startIndex")), end=_int(segment.get("endIndex")),
        part_index=_int(segment.get("partIndex")))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
