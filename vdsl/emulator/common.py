"""What every family handler shares: the request context, model resolution, reply helpers.

Model resolution lives here because Vertex answers the same 404 for every family: unknown,
retired, wrong publisher, or not served at this location (global / multi-region per catalog).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from ..providers.catalog import ModelInfo
from . import errors
from .faults import Fault
from .fixtures import Answer, FixtureSet, count_tokens, echo_answer
from .reply import Reply, Request
from .routes import Route
from .state import StateStore

__all__ = ["Context", "cap_answer", "count_tokens", "finish_reason", "join_texts",
           "now_rfc3339", "signature", "split_text", "stable_id", "unix_now", "with_thoughts"]

_FINISH = {
    "gemini": {"stop": "STOP", "length": "MAX_TOKENS", "safety": "SAFETY", "tool_use": "STOP"},
    "anthropic": {"stop": "end_turn", "length": "max_tokens", "safety": "refusal",
                  "tool_use": "tool_use"},
    "openai": {"stop": "stop", "length": "length", "safety": "content_filter",
               "tool_use": "tool_calls"},
}


@dataclass
class Context:
    """One Vertex call being answered: its route, request, and the emulator's state."""

    route: Route
    request: Request
    fixtures: FixtureSet
    lookup: Callable[[str], ModelInfo | None]
    check_regions: bool = False
    fixture_fault: Fault | None = None
    """The fault carried by the fixture that answered, applied by the dispatcher."""
    recorded: Callable[[str], Answer] | None = None
    """The cassette the request names (`x-vdsl-cassette`): it alone answers, by model."""
    state: StateStore | None = None
    """The emulator's resources (cached contents a request may name)."""

    @property
    def body(self) -> Any:
        return self.request.json

    def resolve(self, model_id: str, publisher: str | None = None) -> ModelInfo | Reply:
        """The catalog entry Vertex would serve here, or Vertex's 404 reply."""
        info = self.lookup(model_id)
        pub = publisher or self.route.publisher or (info.publisher if info else "google")
        if info is None or info.retired or info.publisher != pub or not self._served(info):
            name = replace(self.route, publisher=pub).model_name(model_id.split("/", 1)[-1])
            return errors.model_not_found(name)
        return info

    def _served(self, info: ModelInfo) -> bool:
        location = self.route.location
        if location is None:
            return info.api_key
        if location == "global":
            return info.global_endpoint
        if location in ("us", "eu"):
            return location in info.multi_region
        return not self.check_regions or location in info.regions

    def answer(self, model_id: str, prompt: str, last_user: str) -> Answer:
        """The fixture reply for this model and prompt, else the deterministic echo (or the
        next recorded reply, when the request names a cassette)."""
        found = self.recorded(model_id) if self.recorded else self.fixtures.match(model_id,
                                                                                 prompt)
        if found is None:
            return echo_answer(model_id, last_user)
        self.fixture_fault = found.fault
        return found


def finish_reason(family: str, finish: str) -> str:
    """A neutral finish (stop/length/safety/tool_use) in the family's words; others verbatim."""
    return _FINISH[family].get(finish, finish)


def cap_answer(answer: Answer, max_tokens: int | None) -> Answer:
    """Cut a reply longer than the request's output limit, as the model would (finish=length)."""
    if not max_tokens or answer.output_tokens() <= max_tokens or "output_tokens" in answer.usage:
        return answer
    text = answer.text[: max_tokens * 4]
    return replace(answer, text=text, finish="length")


def with_thoughts(answer: Answer, last_user: str) -> Answer:
    """A model asked to think always returns thoughts; invent them when the fixture has none."""
    if answer.thoughts:
        return answer
    return replace(answer, thoughts=f"The user asks: {last_user[:200]}")


def split_text(text: str, pieces: int = 3) -> list[str]:
    """Split on word boundaries into at most `pieces` stream deltas (joined = the text)."""
    words = text.split(" ")
    if len(words) < pieces:
        return [text]
    size = -(-len(words) // pieces)
    parts = [" ".join(words[i:i + size]) for i in range(0, len(words), size)]
    return [part + (" " if i < len(parts) - 1 else "") for i, part in enumerate(parts)]


def stable_id(*seeds: Any, length: int = 24) -> str:
    """A deterministic id from the request, so identical runs give identical replies."""
    raw = json.dumps(seeds, sort_keys=True, default=str).encode()
    return base64.b32encode(hashlib.sha256(raw).digest()).decode().lower()[:length]


def signature(text: str) -> str:
    """A stand-in opaque thought signature (base64), stable per text."""
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unix_now() -> int:
    return int(time.time())


def join_texts(texts: list[str]) -> str:
    return "\n".join(t for t in texts if t)

