"""What a call gives back: the typed value plus everything around it."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..providers.base import Usage
from ..providers.grounding import Grounding


@dataclass
class Result:
    """A finished call. `value` is the function's return value; `text` the model's answer as
    received; `thoughts` the reasoning parts the model sent apart (never parsed as the answer).
    """

    value: Any
    text: str
    thoughts: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    client: str = ""
    model: str = ""
    attempts: list[Any] = field(default_factory=list)
    """Every request made for this result (`Attempt`), retries and fallbacks included."""
    cost: float | None = None
    """Estimated USD from the catalog's list prices, when it has them."""
    grounding: Grounding | None = None
    """Gemini grounding (search queries, sources, which source backs which sentence)."""

    def to_dict(self) -> dict[str, Any]:
        return {"value": to_json(self.value), "finish_reason": self.finish_reason,
                "usage": self.usage.to_dict() if self.usage else None,
                "client": self.client, "model": self.model,
                **({"estimated_cost_usd": round(self.cost, 8)} if self.cost is not None else {}),
                **({"thoughts": self.thoughts} if self.thoughts else {}),
                **({"grounding": self.grounding.to_dict()} if self.grounding else {}),
                **({"attempts": [vars(a) for a in self.attempts]}
                   if len(self.attempts) > 1 else {})}


def to_json(value: Any) -> Any:
    """A typed value as JSON data: models dumped by field name, enums by value."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return value


@dataclass
class StreamEvent:
    """One increment of a stream: the new text (and thought) since the last event, the text so
    far, and — for typed functions — the partial value parsed from it."""

    delta: str
    text: str
    thought: str = ""
    partial: Any = None


class Stream:
    """Iterate for events; `result()` gives the final `Result` once the stream is done."""

    def __init__(self, events: Iterator[StreamEvent | Result]) -> None:
        self._events = events
        self._result: Result | None = None

    def __iter__(self) -> Iterator[StreamEvent]:
        for item in self._events:
            if isinstance(item, Result):
                self._result = item
            else:
                yield item

    def result(self) -> Result:
        """The final result; drains the stream first if it was not read to the end."""
        if self._result is None:
            for _ in self:
                pass
        assert self._result is not None
        return self._result

    def close(self) -> None:
        """Stop early and release the connection."""
        close = getattr(self._events, "close", None)
        if close is not None:
            close()


class AsyncStream:
    """`async for` the events; `await result()` for the final `Result`."""

    def __init__(self, events: AsyncIterator[StreamEvent | Result]) -> None:
        self._events = events
        self._result: Result | None = None

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        async for item in self._events:
            if isinstance(item, Result):
                self._result = item
            else:
                yield item

    async def result(self) -> Result:
        if self._result is None:
            async for _ in self:
                pass
        assert self._result is not None
        return self._result

    async def aclose(self) -> None:
        close = getattr(self._events, "aclose", None)
        if close is not None:
            await close()
