"""The emulator's request and reply values.

Handlers are functions from a parsed `Request` to a `Reply`; only `server.py` touches sockets.
Keeping replies as data (a body, or a list of stream events) is what lets fault injection cut,
corrupt, delay or reset any reply of any family in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

__all__ = ["Reply", "Request", "json_reply", "sse_event", "sse_reply", "text_reply"]


@dataclass
class Request:
    """One HTTP request as received (headers lower-cased; body raw and, when JSON, parsed)."""

    method: str
    path: str
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    json: Any = None
    json_error: str | None = None
    """Why the body is not JSON (None when it parsed, or when there is no body)."""

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    def param(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    """A response to write: either `body`, or `events` streamed with chunked encoding."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[bytes] | None = None
    """Stream pieces (SSE events, or JSON-array elements with their separators)."""
    stream_tail: bytes = b""
    """Written after the events (the `]` closing a JSON-array stream); never truncated away."""
    close: bool = False
    """Close the connection after this reply (e.g. an unread oversized body)."""

    @property
    def is_stream(self) -> bool:
        return self.events is not None


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    """A JSON reply with Google's content type."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    merged = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    return Reply(status=status, headers=merged, body=body)


def text_reply(text: str, status: int = 200, content_type: str = "text/plain",
               headers: dict[str, str] | None = None) -> Reply:
    merged = {"Content-Type": f"{content_type}; charset=UTF-8", **(headers or {})}
    return Reply(status=status, headers=merged, body=text.encode())


def sse_event(data: Any, event: str | None = None) -> bytes:
    """One SSE event: optional `event:` line, one `data:` line, blank line."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {text}\n\n".encode()


def sse_reply(events: list[bytes], headers: dict[str, str] | None = None) -> Reply:
    """A `text/event-stream` reply."""
    merged = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
              **(headers or {})}
    return Reply(headers=merged, events=events)
