"""`render_prompt`: a function plus arguments → the messages every adapter consumes."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError, RenderError, VdslError
from ..ir import FunctionDecl
from ..project import Project
from .args import bind_arguments
from .budget import Budget, RenderLimits
from .clients import ClientInfo, client_info
from .environment import ClientContext, PromptContext, Renderer, renderer_for
from .messages import SUFFIX_MARK, RenderedPrompt
from .roles import RoleConfig, build_prompt
from .values import CURRENT, RenderState

__all__ = ["PromptRenderer", "find_function", "render_prompt", "set_render_limits"]


def find_function(project: Project, name: str) -> FunctionDecl:
    """The function named `name`, or InvalidArgumentError with the known names."""
    if not isinstance(name, str):
        raise InvalidArgumentError(f"a function name is a string, got {type(name).__name__}")
    try:
        return project.function(name)
    except KeyError:
        names = sorted(f.name for f in project.functions)
        hint = _closest(name, names)
        raise InvalidArgumentError(
            f"unknown function `{name}`" + (f"; did you mean `{hint}`?" if hint else "")
            + (f" (functions: {', '.join(names)})" if names else " (no functions declared)")
        ) from None


def _closest(name: str, names: list[str]) -> str | None:
    import difflib
    matches = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return matches[0] if matches else None


def render_prompt(project: Project, function_name: str, args: Mapping[str, Any], *,
                  client: str | None = None, base_dir: str | Path | None = None,
                  default_remap: Mapping[str, str] | None = None) -> RenderedPrompt:
    """Render `function_name` with `args` for its client (or `client`), exactly as BAML would.

    `base_dir` resolves relative `{"file": …}` media arguments. `default_remap` is the
    adapter's role renames (Gemini: assistant → model) under the client's own. Raises InvalidArgumentError for
    a bad function, client or argument, RenderError when the template fails (with file:line),
    MediaError when a media file cannot be read.
    """
    key = (function_name, client, None if base_dir is None else str(base_dir),
           tuple(sorted(default_remap.items())) if default_remap else ())
    cache: dict[tuple[object, ...], PromptRenderer] = project.__dict__.setdefault(
        "_vdsl_prompts", {})  # kept on the project, as its renderer is
    renderer = cache.get(key)
    if renderer is None:
        if len(cache) >= 1024:
            cache.clear()
        renderer = cache[key] = PromptRenderer(project, function_name, client=client,
                                                base_dir=base_dir, default_remap=default_remap)
    return renderer.render(args)


class PromptRenderer:
    """One function rendered for one client, many times (batch rows): the function, client
    and role rules are looked up once, each `render(args)` does only the per-call work."""

    def __init__(self, project: Project, function_name: str, *, client: str | None = None,
                 base_dir: str | Path | None = None,
                 default_remap: Mapping[str, str] | None = None) -> None:
        self.renderer = renderer_for(project)
        self.fn = find_function(project, function_name)
        ref = client or self.fn.client
        if ref is None:
            raise InvalidArgumentError(f"{self.fn.name}: function has no client")
        self.info = client_info(project, ref)
        self.roles = self.info.roles if default_remap is None else RoleConfig.from_options(
            self.info.options, default_remap)
        self.base_dir = Path(base_dir) if base_dir is not None else None

    def render(self, args: Mapping[str, Any]) -> RenderedPrompt:
        values = bind_arguments(self.renderer.schema, self.fn, args, base_dir=self.base_dir)
        text, state = _run(self.renderer, self.fn, values, self.info)
        if SUFFIX_MARK in text:
            _check_fim(self.fn, self.info)
        prompt = build_prompt(text, state.roles, state.media, self.roles, state.nonce)
        return RenderedPrompt(prompt.messages, prompt.system_index, self.info.name)


def set_render_limits(project: Project, limits: RenderLimits) -> None:
    """Render `project`'s prompts under `limits` from now on (the default comes from the
    `VDSL_RENDER_*` environment variables; see `RenderLimits`)."""
    renderer_for(project).env.limits = limits


def _check_fim(fn: FunctionDecl, info: ClientInfo) -> None:
    """A `{{ _.suffix() }}` prompt goes to a fill-in-the-middle model only: any other model
    would get the gap marker in its text (`vdsl check` catches the function's own client;
    this catches a `client=` override)."""
    from ..providers.catalog import does_fim
    model = info.options.get("model")
    if info.provider == "vertex-ai" and isinstance(model, str) and not does_fim(model):
        raise InvalidArgumentError(
            f"{fn.name}'s prompt uses `{{{{ _.suffix() }}}}` (fill-in-the-middle), which "
            f"client `{info.name}` (`{model}`) does not do; use a Codestral client")


def _run(renderer: Renderer, fn: FunctionDecl, values: dict[str, Any],
         info: ClientInfo) -> tuple[str, RenderState]:
    ctx = PromptContext(renderer.output_format(fn), ClientContext(
        info.name, info.provider, info.roles.default_role, info.roles.allowed_roles))
    state = RenderState(ctx=ctx, budget=Budget(renderer.env.limits))
    token = CURRENT.set(state)
    try:
        template = renderer.prompt_template(fn)
        return template.render({"ctx": ctx, **values}), state
    except VdslError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a template raises is the user's template
        raise _render_error(renderer, fn, exc) from None
    finally:
        CURRENT.reset(token)


def _render_error(renderer: Renderer, fn: FunctionDecl, exc: Exception) -> RenderError:
    where = renderer.template_line(exc.__traceback__ or sys.exc_info()[2])
    if where is None and getattr(exc, "lineno", None):
        file, first = renderer.locations.get(f"vdsl:function:{fn.name}", (fn.span.file, 1))
        where = (file, first + exc.lineno - 1)  # type: ignore[attr-defined]
    location = f" at {where[0]}:{where[1]}" if where else ""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return RenderError(f"{fn.name}: prompt failed{location}: {message}")
