"""`vdsl check` on test prompts: one that cannot fit the model's context window, one over its
client's `max_input_tokens`, and a context cache's part under the model's minimum.

Each test block's arguments are rendered for every function it lists, with the function's
client, and measured with vdsl's local estimate (`vdsl.tokens.estimate`), so the findings are
warnings. Rendering costs time, so a test is rendered only when it could matter: when its
arguments and the template together hold at least an eighth of the smallest limit in
characters (the estimate never counts more tokens than characters; the margin allows for
templates that repeat an argument), or when a client reads a context cache.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostics
from ..errors import VdslError
from ..ir import FunctionDecl, Program, TestDecl, plain
from ..project import Project
from ..providers.catalog import ModelInfo, lookup
from ..source import SourceFile, Span

__all__ = ["check"]

STRATEGIES = ("fallback", "round-robin", "baml-fallback", "baml-round-robin")
MARGIN = 8


@dataclass(frozen=True)
class _Leaf:
    name: str
    info: ModelInfo
    budget: int | None
    cached: bool


def check(program: Program, sources: Mapping[str, SourceFile], diags: Diagnostics) -> None:
    project: Project | None = None
    for test in program.tests:
        for name, span in test.function_names:
            fn = _function(program, name)
            if fn is None or fn.client is None:
                continue
            leaves = list(_leaves(program, fn.client, set()))
            if not leaves or not _worth_rendering(test, fn, leaves):
                continue
            project = project or Project(program, dict(sources))
            _check_test(project, test, fn, span, leaves, diags)


def _function(program: Program, name: str) -> FunctionDecl | None:
    return next((f for f in program.functions if f.name == name), None)


def _leaves(program: Program, ref: str, seen: set[str]) -> Iterator[_Leaf]:
    if ref in seen:
        return
    seen.add(ref)
    decl = next((c for c in program.clients if c.name == ref), None)
    if decl is None:
        model = ref.split("/", 1)[1] if ref.startswith("vertex-ai/") else ""
        info = lookup(model) if model else None
        if info is not None:
            yield _Leaf(ref, info, None, False)
        return
    options = plain(decl.options) if decl.options is not None else {}
    assert isinstance(options, dict)
    if decl.provider in STRATEGIES:
        for member in options.get("strategy") or []:
            if isinstance(member, str):
                yield from _leaves(program, member, seen)
        return
    info = lookup(str(options.get("model") or ""))
    if decl.provider == "vertex-ai" and info is not None:
        budget = options.get("max_input_tokens")
        yield _Leaf(ref, info, budget if isinstance(budget, int) else None,
                    bool(options.get("cached_content")) and info.cache_min_tokens is not None)


def _limit(leaf: _Leaf) -> int | None:
    limits = [x for x in (leaf.info.context_window, leaf.budget) if x]
    return min(limits) if limits else None


def _worth_rendering(test: TestDecl, fn: FunctionDecl, leaves: list[_Leaf]) -> bool:
    if any(leaf.cached for leaf in leaves):
        return True
    limits = [x for x in map(_limit, leaves) if x]
    if not limits:
        return False
    size = len(str(plain(test.args))) if test.args is not None else 0
    size += len(fn.prompt.value) if fn.prompt is not None else 0
    return size * MARGIN >= min(limits)


def _check_test(project: Project, test: TestDecl, fn: FunctionDecl, span: Span,
                leaves: list[_Leaf], diags: Diagnostics) -> None:
    from ..render import render_prompt  # the renderer only for a test worth rendering
    from ..render.snapshots import test_arguments
    from .estimate import estimate_prompt
    args, base = test_arguments(test, fn)
    for leaf in leaves:
        try:
            prompt = render_prompt(project, fn.name, args, client=leaf.name, base_dir=base)
        except (VdslError, OSError):
            return  # argument mistakes are reported by other checks
        tokens = estimate_prompt(prompt)
        where = f"test `{test.name}`: {fn.name}'s prompt is about {tokens} tokens (vdsl's " \
                "estimate)"
        window = leaf.info.context_window
        if window is not None and tokens > window:
            diags.warning("prompt-over-context-window", f"{where}, more than the {window}-token "
                          f"context window of `{leaf.info.id}` (client `{leaf.name}`)", span,
                          help="shorten the arguments, or pick a model with a larger window")
        if leaf.budget is not None and tokens > leaf.budget:
            diags.warning("prompt-over-budget", f"{where}, more than client `{leaf.name}`'s "
                          f"max_input_tokens {leaf.budget}: the call would not be sent", span)
        if leaf.cached:
            _check_cache_size(prompt, leaf, test, fn, span, diags)


def _check_cache_size(prompt: Any, leaf: _Leaf, test: TestDecl, fn: FunctionDecl, span: Span,
                      diags: Diagnostics) -> None:
    from ..providers.cached import split_prompt
    from .estimate import estimate_prompt
    try:
        head, _ = split_prompt(prompt)
    except VdslError as why:
        diags.warning("cache-below-minimum", f"test `{test.name}`: {fn.name}'s prompt cannot "
                      f"be cached for client `{leaf.name}`: {why}", span)
        return
    tokens = estimate_prompt(head)
    minimum = leaf.info.cache_min_tokens or 0
    if tokens < minimum:
        diags.warning("cache-below-minimum", f"test `{test.name}`: the part of {fn.name}'s "
                      f"prompt a context cache holds is about {tokens} tokens (vdsl's "
                      f"estimate); `{leaf.info.id}` caches at least {minimum}", span,
                      help="put more static content before the `cache_control` marker, or "
                           "call without a cache")
