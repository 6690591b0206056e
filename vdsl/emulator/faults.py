"""Fault injection: what can go wrong, and how a test asks for it.

A `Fault` can come from (first wins): the in-process script queue (`Emulator.script`), the
`x-vdsl-fault` request header, the `vdsl_fault` query parameter, or the matching fixture.
The header and query use one grammar, `key[=value]` items separated by `;`:

    x-vdsl-fault: status=429; retry_after=2; array
    x-vdsl-fault: delay=0.2; chunk_delay=0.05; truncate
    x-vdsl-fault: {"status": 503, "message": "overloaded"}      (a JSON object also works)

Keys (see docs/emulator.md for the full table): status, message, array, envelope, retry_after,
delay, chunk_delay, reset, truncate, malformed, html404, stream_error, stream_error_after.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, fields, replace
from typing import Any

from . import errors
from .reply import Reply

__all__ = ["Fault", "FaultError", "FaultScript", "apply_content", "parse_fault"]


class FaultError(ValueError):
    """A fault spec that does not parse; the emulator answers it with a 400."""


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour. Fields left at their defaults inject nothing."""

    status: int | None = None
    """Answer with this HTTP status and Vertex's error body instead of a reply."""
    message: str | None = None
    """Error message (defaults to Vertex's text for the status; the quota text for 429)."""
    array: bool = False
    """Wrap the error body in a one-element JSON array, as Vertex sometimes does."""
    envelope: str | None = None
    """`google` or `anthropic`; default google (Anthropic for Claude body errors)."""
    retry_after: float | None = None
    """Add a `Retry-After` header (seconds)."""
    delay: float = 0.0
    """Seconds to wait before the first byte of the response."""
    chunk_delay: float = 0.0
    """Seconds to wait between stream events."""
    reset: int | None = None
    """Reset the TCP connection (RST) after this many stream events / body bytes (-1: half)."""
    truncate: int = 0
    """Drop this many final stream events, then end the response normally."""
    malformed: int | None = None
    """Corrupt this stream event (index; -1 for the middle one) or the body."""
    html404: bool = False
    """Answer with Google's HTML 404 page, as a wrong host or path does."""
    stream_error: int | None = None
    """Send an in-stream error with this code after `stream_error_after` events."""
    stream_error_after: int = 1

    @property
    def is_empty(self) -> bool:
        return self == Fault()

    def merged(self, override: Fault | None) -> Fault:
        """This fault with every non-default field of `override` taking precedence."""
        if override is None:
            return self
        changes = {f.name: getattr(override, f.name) for f in fields(Fault)
                   if getattr(override, f.name) != f.default}
        return replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Fault:
        """Build from a dict (fixture files, JSON header form); unknown keys are an error."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, raw in data.items():
            name = key.replace("-", "_")
            if name not in known:
                raise FaultError(f"unknown fault key {key!r}; known: {', '.join(known)}")
            values[name] = _coerce(name, raw)
        return cls(**values)


_INT = {"status", "reset", "truncate", "malformed", "stream_error", "stream_error_after"}
_FLOAT = {"retry_after", "delay", "chunk_delay"}
_BOOL = {"array", "html404"}
_FLAG_DEFAULTS: dict[str, Any] = {"reset": -1, "truncate": 1, "malformed": -1,
                                  "array": True, "html404": True, "stream_error": 500}


def _coerce(name: str, raw: Any) -> Any:
    if raw is True and name in _FLAG_DEFAULTS:
        return _FLAG_DEFAULTS[name]
    if raw is False or raw is None:
        return next(f.default for f in fields(Fault) if f.name == name)
    try:
        if name in _INT:
            return int(raw)
        if name in _FLOAT:
            return float(raw)
        if name in _BOOL:
            return str(raw).lower() not in ("0", "false", "no", "off")
    except (TypeError, ValueError):
        raise FaultError(f"fault key {name!r} needs a number, got {raw!r}") from None
    return str(raw)


def parse_fault(spec: str | dict[str, Any] | Fault | int | None) -> Fault | None:
    """Parse the header/query grammar, a JSON object, a dict, or a bare status code."""
    if spec is None or isinstance(spec, Fault):
        return spec
    if isinstance(spec, int):
        return Fault(status=spec)
    if isinstance(spec, dict):
        return Fault.from_mapping(spec)
    text = spec.strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise FaultError(f"fault JSON does not parse: {exc}") from None
        return Fault.from_mapping(data)
    if text.isdigit():
        return Fault(status=int(text))
    return Fault.from_mapping(dict(_items(text)))


def _items(text: str) -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        items.append((key.strip(), value.strip() if sep else True))
    return items


class FaultScript:
    """A queue of faults for the next requests, in order (None = answer normally).

    Chaos tests use it to assert exact sequences ("503, 503, then OK") without headers.
    """

    def __init__(self) -> None:
        self._queue: deque[Fault | None] = deque()
        self._lock = threading.Lock()

    def extend(self, items: list[Any]) -> None:
        parsed = [parse_fault(item) for item in items]
        with self._lock:
            self._queue.extend(parsed)

    def take(self) -> tuple[bool, Fault | None]:
        """(True, fault) when a scripted entry was consumed; (False, None) when empty."""
        with self._lock:
            if not self._queue:
                return False, None
            return True, self._queue.popleft()

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def __len__(self) -> int:
        return len(self._queue)


def apply_content(reply: Reply, fault: Fault, family: str) -> Reply:
    """Apply the faults that change the data (malformed, truncate, stream_error).

    Timing and transport faults (delay, chunk_delay, reset) are the server's job.
    """
    if not reply.is_stream:
        if fault.malformed is not None:
            return replace(reply, body=reply.body[: len(reply.body) // 2])
        return reply
    events = list(reply.events or [])
    if fault.malformed is not None and events:
        index = len(events) // 2 if fault.malformed < 0 else min(fault.malformed, len(events) - 1)
        events[index] = _corrupt(events[index])
    if fault.stream_error is not None:
        kind = _stream_kind(reply, family)
        message = fault.message or errors.default_message(fault.stream_error)
        chunk = errors.stream_error_chunk(kind, fault.stream_error, message)
        events = [*events[: fault.stream_error_after], chunk]
    elif fault.truncate:
        events = events[: max(0, len(events) - fault.truncate)]
    return replace(reply, events=events)


def _stream_kind(reply: Reply, family: str) -> str:
    if "event-stream" not in reply.headers.get("Content-Type", ""):
        return "json-array"
    return {"anthropic": "anthropic", "gemini": "gemini-sse"}.get(family, "sse")


def _corrupt(event: bytes) -> bytes:
    """Cut the JSON of an event in half, keeping its framing (what a broken proxy does)."""
    head, sep, data = event.partition(b"data: ")
    if not sep:
        return event[: max(1, len(event) // 2)]
    payload = data.rstrip(b"\n")
    return head + sep + payload[: max(1, len(payload) // 2)] + b"\n\n"
