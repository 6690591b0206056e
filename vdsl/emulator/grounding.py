"""Grounding metadata for grounded Gemini requests (a `googleSearch` or `retrieval` tool).

A fixture may give the exact `groundingMetadata` (`reply.grounding`); otherwise the emulator
makes a deterministic one in Vertex's shape: the search query (the last user text), one source
per tool (Google Search sources are `grounding-api-redirect` links, as on Vertex; Vertex AI
Search sources name the data store), a support covering the whole answer, and for Google
Search the `searchEntryPoint` HTML Google asks apps to show. Nothing here is fetched.
"""

from __future__ import annotations

from typing import Any

from .common import stable_id

__all__ = ["grounding_for"]

REDIRECT = "https://vertexaisearch.cloud.google.com/grounding-api-redirect/"


def grounding_for(tools: Any, query: str, answer: str) -> dict[str, Any] | None:
    """The metadata a grounded answer carries, or None when no grounding tool was sent."""
    chunks: list[dict[str, Any]] = []
    searched = False
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict):
            continue
        if "googleSearch" in tool or "google_search" in tool:
            searched = True
            chunks.append({"web": {"uri": REDIRECT + stable_id(query, length=32),
                                   "title": "example.com", "domain": "example.com"}})
        store = _data_store(tool)
        if store:
            chunks.append({"retrievedContext": {
                "uri": f"gs://vdsl-emulator/{store.rsplit('/', 1)[-1]}/doc-1.txt",
                "title": "doc-1", "text": query[:200]}})
    if not chunks:
        return None
    meta: dict[str, Any] = {
        ("webSearchQueries" if searched else "retrievalQueries"): [query[:200]],
        "groundingChunks": chunks,
        "groundingSupports": [{"segment": {"startIndex": 0,
                                           "endIndex": len(answer.encode("utf-8")),
                                           "text": answer},
                               "groundingChunkIndices": list(range(len(chunks))),
                               "confidenceScores": [0.9] * len(chunks)}]}
    if searched:
        meta["searchEntryPoint"] = {"renderedContent": '<div class="vdsl-emulator-search">'
                                                       f"{_escape(query[:100])}</div>"}
    return meta


def _data_store(tool: dict[str, Any]) -> str | None:
    retrieval = tool.get("retrieval")
    search = retrieval.get("vertexAiSearch") if isinstance(retrieval, dict) else None
    if not isinstance(search, dict):
        return None
    name = search.get("datastore") or search.get("engine")
    return name if isinstance(name, str) else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
