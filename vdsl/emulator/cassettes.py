"""Recorded replies, replayed in order: what `vdsl test --record` wrote, served offline.

A request that carries the `x-vdsl-cassette: NAME` header is answered only from the cassette
NAME: its next recorded exchange, in the family's wire format (or the recorded error). It
never falls through to the fixtures or the echo. When the cassette has no exchange left, or
the request goes to another model than the one recorded, the reply is a 409 that says the
cassette is stale, so a changed call is reported instead of silently answered.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .faults import Fault
from .fixtures import Answer, _model_matches

__all__ = ["CASSETTE_HEADER", "STALE_MARK", "CassetteDeck", "Recorded"]

CASSETTE_HEADER = "x-vdsl-cassette"
STALE_MARK = "vdsl cassette"
"""Every stale reply's message starts with this, so a client can tell it from Vertex's 409s."""


@dataclass(frozen=True)
class Recorded:
    """One recorded exchange: the model the request went to, and the reply (an `Answer`
    whose `fault` holds a recorded error status)."""

    model: str
    answer: Answer


class CassetteDeck:
    """Cassettes by name, each with a cursor; safe to use from many server threads."""

    def __init__(self) -> None:
        self._cassettes: dict[str, tuple[list[Recorded], int]] = {}
        self._lock = threading.Lock()

    def load(self, name: str, exchanges: list[Recorded]) -> None:
        """Add (or replace) cassette `name`; its next request gets its first exchange."""
        with self._lock:
            self._cassettes[name] = (list(exchanges), 0)

    def answer(self, name: str, model: str) -> Answer:
        """The reply to the next request of cassette `name`: the recorded one, or a 409 that
        says why the cassette is stale."""
        taken = self._take(name, model)
        if isinstance(taken, str):
            return Answer(text="", fault=Fault(status=409, message=taken))
        return taken.answer

    def _take(self, name: str, model: str) -> Recorded | str:
        with self._lock:
            found = self._cassettes.get(name)
            if found is None:
                return f"{STALE_MARK} `{name}` is not loaded"
            exchanges, cursor = found
            if cursor >= len(exchanges):
                return (f"{STALE_MARK} `{name}` is stale: the call made more requests than the "
                        f"{len(exchanges)} recorded")
            recorded = exchanges[cursor]
            if model and not _model_matches(recorded.model, model):
                return (f"{STALE_MARK} `{name}` is stale: request {cursor + 1} went to model "
                        f"`{model}`, the recording to `{recorded.model}`")
            self._cassettes[name] = (exchanges, cursor + 1)
            return recorded

    def clear(self) -> None:
        with self._lock:
            self._cassettes.clear()

    def __len__(self) -> int:
        return len(self._cassettes)
