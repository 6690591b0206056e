"""Path and body builders for the emulator tests (imported by name; conftest puts this folder
on sys.path, as tests/render does for its builders)."""

from __future__ import annotations

import json
from typing import Any

PROJECT = "proj"
REGION = "us-central1"


def base(location: str = REGION, version: str = "v1") -> str:
    return f"/{version}/projects/{PROJECT}/locations/{location}"


def gemini_path(model: str = "gemini-2.5-flash", method: str = "generateContent",
                location: str = REGION, version: str = "v1") -> str:
    return f"{base(location, version)}/publishers/google/models/{model}:{method}"


def claude_path(model: str = "claude-sonnet-4@20250514", method: str = "rawPredict",
                location: str = "us-east5") -> str:
    return f"{base(location)}/publishers/anthropic/models/{model}:{method}"


def partner_path(publisher: str, model: str, method: str = "rawPredict",
                 location: str = REGION) -> str:
    return f"{base(location)}/publishers/{publisher}/models/{model}:{method}"


def openapi_path(location: str = REGION, version: str = "v1beta1") -> str:
    return f"{base(location, version)}/endpoints/openapi/chat/completions"


def gemini_body(text: str = "Why is the sky blue?", **extra: Any) -> dict[str, Any]:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}], **extra}


def claude_body(text: str = "Hello, Claude", **extra: Any) -> dict[str, Any]:
    return {"anthropic_version": "vertex-2023-10-16", "max_tokens": 256,
            "messages": [{"role": "user", "content": text}], **extra}


def sse_data(text: str) -> list[str]:
    """The payloads of every `data:` line of an SSE body."""
    return [line[len("data: "):] for line in text.splitlines() if line.startswith("data: ")]


def sse_events(text: str) -> list[tuple[str | None, Any]]:
    """(event name, parsed data) for each event of an SSE body."""
    out: list[tuple[str | None, Any]] = []
    for block in text.strip().split("\n\n"):
        name, data = None, None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                payload = line[len("data: "):]
                data = payload if payload == "[DONE]" else json.loads(payload)
        out.append((name, data))
    return out
