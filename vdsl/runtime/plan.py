"""Which client to try next, and how long to wait first: `retry_policy`, `fallback` and
`round-robin` exactly as BAML runs them (README, "Retries, fallbacks, round-robin").

A client's plan is a tree. A client with a retry policy repeats its whole subtree
`max_retries + 1` times (retries are expanded statically), sleeping after each failed pass but
the last. A fallback tries its children in order. A round-robin picks one child per pass from
an index shared by the whole runtime, which moves on every pick, so retries rotate.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..ir import BoolValue, ClientDecl, MapValue, NumberValue, RetryPolicyDecl, StringValue, plain
from ..project import Project

STRATEGIES = {"fallback": "fallback", "baml-fallback": "fallback",
              "round-robin": "round-robin", "baml-round-robin": "round-robin"}


@dataclass(frozen=True)
class Backoff:
    """The sleep after failed pass `n` (0-based). Exponential: delay × multiplierⁿ⁺¹ (BAML's
    first wait is already multiplied), capped; `jitter` spreads each wait by ±that fraction."""

    max_retries: int = 0
    delay_ms: float = 200
    multiplier: float = 1.0
    max_delay_ms: float | None = None
    jitter: float = 0.0

    def delay(self, failed_pass: int, rng: random.Random | None = None) -> float:
        ms = self.delay_ms * self.multiplier ** (failed_pass + 1) if self.multiplier != 1.0 \
            else self.delay_ms
        if self.max_delay_ms is not None:
            ms = min(ms, self.max_delay_ms)
        if self.jitter:
            ms *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(0.0, ms) / 1000

    @property
    def cap_seconds(self) -> float:
        return (self.max_delay_ms if self.max_delay_ms is not None else 10_000) / 1000


NO_RETRY = Backoff()


@dataclass
class Node:
    name: str
    backoff: Backoff = NO_RETRY
    children: list[Node] = field(default_factory=list)
    kind: str = "leaf"  # leaf | fallback | round-robin
    start: int | None = None
    total_timeout_ms: int | None = None
    retry_parse: bool = False
    """`retry_on_parse_error true` on this client: a reply that does not parse moves on."""


@dataclass(frozen=True)
class Step:
    """One attempt: the leaf client to call and the seconds to wait before calling it."""

    client: str
    wait: float


class RoundRobin:
    """The shared rotating indexes of one runtime, safe across threads and tasks."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, itertools.count[int]] = {}
        self._rng = random.Random(seed)

    def pick(self, node: Node) -> Node:
        with self._lock:
            counter = self._next.get(node.name)
            if counter is None:
                first = node.start if node.start is not None else self._rng.randrange(
                    len(node.children))
                counter = self._next[node.name] = itertools.count(first)
            index = next(counter)
        return node.children[index % len(node.children)]


def build(project: Project, ref: str, _seen: tuple[str, ...] = ()) -> Node:
    """The plan for client `ref` (a name or a `vertex-ai/model` shorthand)."""
    decl = project.find(ref)
    if not isinstance(decl, ClientDecl):
        return Node(ref)  # a shorthand: a leaf with no retry policy
    if ref in _seen:
        raise ConfigError(f"client `{ref}` is part of a strategy cycle")
    backoff = _backoff(project, decl)
    options = decl.options or MapValue(decl.span, ())
    flag = options.get("retry_on_parse_error")
    retry_parse = isinstance(flag, BoolValue) and flag.value
    kind = STRATEGIES.get(decl.provider or "")
    if kind is None:
        return Node(ref, backoff, retry_parse=retry_parse)
    strategy = options.get("strategy")
    names = [v.value for v in getattr(strategy, "items", ()) if isinstance(v, StringValue)]
    start = options.get("start")
    http = plain(options.get("http") or MapValue(decl.span, ()))
    total = http.get("total_timeout_ms") if isinstance(http, dict) else None
    return Node(ref, backoff, [build(project, n, _seen + (ref,)) for n in names], kind,
                start.value if isinstance(start, NumberValue) and isinstance(start.value, int)
                else None, int(total) if isinstance(total, (int, float)) and total > 0 else None,
                retry_parse)


def _backoff(project: Project, client: ClientDecl) -> Backoff:
    name = client.retry_policy
    policy = project.find(name) if name else None
    if not isinstance(policy, RetryPolicyDecl):
        return NO_RETRY
    retries = policy.get("max_retries")
    strategy = plain(policy.get("strategy") or MapValue(policy.span, ()))
    options = plain(policy.get("options") or MapValue(policy.span, ()))
    assert isinstance(strategy, dict) and isinstance(options, dict)
    exponential = strategy.get("type") == "exponential_backoff"
    return Backoff(
        max_retries=retries.value if isinstance(retries, NumberValue) else 0,  # type: ignore[arg-type]
        delay_ms=float(strategy.get("delay_ms", 200)),
        multiplier=float(strategy.get("multiplier", 1.5)) if exponential else 1.0,
        max_delay_ms=float(strategy.get("max_delay_ms", 10_000)) if exponential else None,
        jitter=float(options.get("jitter", 0.0)))


def steps(node: Node, rotation: RoundRobin, rng: random.Random | None = None
          ) -> Iterator[Step]:
    """Every attempt of `node`'s plan, in order. The caller stops early on success."""
    pending_wait = 0.0
    for failed_pass in range(node.backoff.max_retries + 1):
        for step in _one_pass(node, rotation, rng):
            yield Step(step.client, step.wait + pending_wait)
            pending_wait = 0.0
        pending_wait = node.backoff.delay(failed_pass, rng) \
            if failed_pass < node.backoff.max_retries else 0.0


def _one_pass(node: Node, rotation: RoundRobin, rng: random.Random | None) -> Iterator[Step]:
    if node.kind == "leaf":
        yield Step(node.name, 0.0)
    elif node.kind == "fallback":
        for child in node.children:
            yield from steps(child, rotation, rng)
    else:
        yield from steps(rotation.pick(node), rotation, rng)


def total_timeout(node: Node) -> int | None:
    """The outermost `http { total_timeout_ms }` of a strategy client."""
    return node.total_timeout_ms


def describe(node: Node) -> dict[str, Any]:
    """The plan as data (for debugging and docs)."""
    return {"client": node.name, "kind": node.kind, "retries": node.backoff.max_retries,
            "children": [describe(c) for c in node.children]}
