"""The request log: what vdsl actually sent, with secrets redacted at the door.

Redaction happens when a request is recorded, not when it is shown, so no code path (the
in-process list, `GET /_emulator/requests`, a failing test's repr) can leak a token or key.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

from .reply import Request

__all__ = ["REDACTED", "LoggedRequest", "RequestLog"]

REDACTED = "<redacted>"
SECRET_HEADERS = {"authorization", "x-goog-api-key", "proxy-authorization", "cookie",
                  "x-api-key", "api-key"}
SECRET_FIELDS = {"key", "assertion", "client_secret", "refresh_token", "access_token",
                 "subject_token", "password"}


@dataclass
class LoggedRequest:
    """One received request. `status` is filled in once the reply is chosen."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    time: float = field(default_factory=time.time)
    status: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _redact_query(query: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: [REDACTED] * len(v) if k in SECRET_FIELDS else v for k, v in query.items()}


def _redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: REDACTED if k in SECRET_HEADERS else v for k, v in headers.items()}


def _body(request: Request) -> Any:
    if request.json is not None:
        return request.json
    if not request.body:
        return None
    if "x-www-form-urlencoded" in (request.header("content-type") or ""):
        text = request.body.decode("utf-8", "replace")
        return _redact_query(parse_qs(text, keep_blank_values=True))
    return request.body[:4096].decode("utf-8", "replace")  # a 4 MiB upload chunk: log its head


def record(request: Request) -> LoggedRequest:
    """A redacted log entry for a request."""
    return LoggedRequest(method=request.method, path=request.path,
                         query=_redact_query(request.query),
                         headers=_redact_headers(request.headers), body=_body(request))


class RequestLog:
    """A bounded, thread-safe list of LoggedRequest (oldest dropped first)."""

    def __init__(self, limit: int = 10_000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, request: Request) -> LoggedRequest:
        entry = record(request)
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
