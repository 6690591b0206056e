"""Prompts made only of text and arguments, rendered many times without running Jinja.

A batch renders one prompt for every row. Most prompts are fixed text, role switches
(`{{ _.role("user") }}`), `{{ ctx.output_format }}` and `{{ param }}` slots: for those the
rendered text is the same concatenation every time, with only the slots changing, and the
role split is known before any row is read. `StaticPrompt.build` reads the template once
(None when it holds anything else: filters, loops, conditions, macros, `_.role` with
metadata, a name that is not a parameter); `render(args)` checks the arguments with the same
`bind_arguments`, prints each slot with the environment's own `finalize`, and builds the
messages with the same role rules (`roles.py`) — the prompt a full render gives.

A row it does not handle — a value that is not a string, number, boolean, enum or null (media
needs the render's state), text holding vdsl's private marker characters, output over the
render limit — makes `render` return None, and the caller renders that row the full way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from .args import bind_arguments
from .environment import (
    ClientContext,
    OutputFormat,
    PromptContext,
    _source,
    dedent_prompt,
)
from .messages import RenderedPrompt, TextPart
from .prompt import PromptRenderer
from .roles import RoleConfig, RoleMark, _add_text, _Draft, _mark_system, _merge, _remap
from .schema import Schema, T
from .values import EnumValue

__all__ = ["StaticPrompt"]

_PRIVATE = "\ue000"
"""The first character of every vdsl marker (roles, media, suffix): text holding it is
rendered the full way, where the markers mean what they mean."""
_SCALARS = frozenset({str, int, float, bool, type(None), EnumValue})
_SCALAR_KINDS = frozenset({"prim", "lit", "enum"})


@dataclass(frozen=True, slots=True)
class _Slot:
    """`{{ name }}`: a parameter printed as the environment prints it."""

    name: str
    missing: str
    """What the slot prints when an optional argument is left out (an undefined name)."""


_Piece = str | _Slot


class StaticPrompt:
    """A prompt whose output is fixed text, role switches and parameter slots."""

    def __init__(self, prompt: PromptRenderer, segments: list[tuple[RoleMark | None,
                 tuple[_Piece, ...]]], has_roles: bool) -> None:
        self._prompt = prompt
        self._segments = segments
        self._has_roles = has_roles
        env = prompt.renderer.env
        self._finalize: Callable[[Any], Any] = env.finalize or _unchanged
        limits = getattr(env, "limits", None)
        self._max_output: int | None = getattr(limits, "max_output", None)

    @classmethod
    def build(cls, prompt: PromptRenderer) -> StaticPrompt | None:
        """The static form of `prompt`'s template, or None when it is not static."""
        renderer = prompt.renderer
        fn = prompt.fn
        params = {p.name: p for p in fn.params}
        if "_" in params or "ctx" in params:
            return None
        if any(p.type is None or not _scalar(renderer.schema, p.type) for p in fn.params):
            return None
        source, _ = _source(fn.prompt)
        source, _ = dedent_prompt(source)
        try:
            tree = renderer.env.parse(source)
            ctx = PromptContext(renderer.output_format(fn), ClientContext(
                prompt.info.name, prompt.info.provider, prompt.info.roles.default_role,
                prompt.info.roles.allowed_roles))
            pieces = _pieces(tree, renderer.env, ctx, set(params))
        except Exception:  # noqa: BLE001 - whatever fails here is rendered the full way
            return None
        if pieces is None:
            return None
        segments: list[tuple[RoleMark | None, tuple[_Piece, ...]]] = []
        mark: RoleMark | None = None
        current: list[_Piece] = []
        for piece in pieces:
            if isinstance(piece, RoleMark):
                segments.append((mark, _joined(current)))
                mark, current = piece, []
            else:
                current.append(piece)
        segments.append((mark, _joined(current)))
        return cls(prompt, segments, any(isinstance(p, RoleMark) for p in pieces))

    def render(self, args: Mapping[str, Any]) -> RenderedPrompt | None:
        """The prompt for `args` (InvalidArgumentError as a full render raises it), or None
        when this row must be rendered the full way."""
        prompt = self._prompt
        values = bind_arguments(prompt.renderer.schema, prompt.fn, args,
                                base_dir=prompt.base_dir)
        texts: list[tuple[RoleMark | None, str]] = []
        size = 0
        for mark, pieces in self._segments:
            out = []
            for piece in pieces:
                if piece.__class__ is str:
                    out.append(piece)
                    continue
                text = self._print(values, piece)  # type: ignore[arg-type]
                if text is None:
                    return None
                out.append(text)
            text = "".join(out)
            size += len(text)
            texts.append((mark, text))
        if self._max_output is not None and size > self._max_output:
            return None
        built = _messages(texts, self._has_roles, prompt.roles)
        return RenderedPrompt(built.messages, built.system_index, prompt.info.name)

    def _print(self, values: dict[str, Any], slot: _Slot) -> str | None:
        if slot.name not in values:
            return slot.missing
        value = values[slot.name]
        if value.__class__ not in _SCALARS:
            return None
        try:
            text = str(self._finalize(value))
        except Exception:  # noqa: BLE001 - the full render reports it properly
            return None
        return None if _PRIVATE in text else text


def _unchanged(value: Any) -> Any:
    return value


def _messages(texts: list[tuple[RoleMark | None, str]], has_roles: bool,
              config: RoleConfig) -> RenderedPrompt:
    """What `roles.build_prompt` makes of the same text without media: the text between
    role switches, each piece stripped, an empty one dropped; without any role switch, one
    message with the text exactly as rendered."""
    if not has_roles:
        drafts = [_Draft(config.default_role, [TextPart(texts[0][1])], False)]
    else:
        drafts = []
        for mark, text in texts:
            parts: list[Any] = []
            _add_text(parts, text, mark, config)
            if parts:
                role = mark.role if mark else config.default_role
                if role not in config.allowed_roles:
                    role = config.default_role
                drafts.append(_Draft(role, parts, bool(mark and mark.allow_duplicate)))
    return _mark_system(_remap(_merge(drafts), config))


def _joined(pieces: list[_Piece]) -> tuple[_Piece, ...]:
    """Adjacent text pieces joined into one."""
    out: list[_Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + piece
        elif piece != "":
            out.append(piece)
    return tuple(out)


def _scalar(schema: Schema, type_expr: Any) -> bool:
    """Whether every value of the type prints without render state (no media, no class)."""
    resolved: T = schema.resolve(type_expr)
    if resolved.kind == "union":
        return all(a.kind in _SCALAR_KINDS for a in resolved.args)
    return resolved.kind in _SCALAR_KINDS


def _pieces(tree: nodes.Template, env: Any, ctx: PromptContext,
            params: set[str]) -> list[_Piece | RoleMark] | None:
    out: list[_Piece | RoleMark] = []
    for statement in tree.body:
        if not isinstance(statement, nodes.Output):
            return None
        for node in statement.nodes:
            piece = _piece(node, env, ctx, params)
            if piece is None or (isinstance(piece, str) and _PRIVATE in piece):
                return None
            out.append(piece)
    return out


def _piece(node: nodes.Node, env: Any, ctx: PromptContext,
           params: set[str]) -> _Piece | RoleMark | None:
    if isinstance(node, nodes.TemplateData):
        return str(node.data)
    if isinstance(node, nodes.Const):
        return str(env.finalize(node.value))
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in params:
        return _Slot(node.name, str(env.finalize(env.undefined(name=node.name))))
    if isinstance(node, nodes.Call):
        return _role(node)
    if isinstance(node, nodes.Getattr):
        return _context_text(node, env, ctx)
    return None


def _role(node: nodes.Call) -> RoleMark | None:
    """`_.role("user")` / `_.chat("user")` with one constant name and nothing else."""
    target = node.node
    if not (isinstance(target, nodes.Getattr) and target.attr in ("role", "chat")
            and isinstance(target.node, nodes.Name) and target.node.name == "_"):
        return None
    if node.kwargs or node.dyn_args or node.dyn_kwargs or len(node.args) != 1:
        return None
    name = node.args[0]
    if not isinstance(name, nodes.Const) or not isinstance(name.value, str):
        return None
    return RoleMark(name.value, {}, False)


def _context_text(node: nodes.Getattr, env: Any, ctx: PromptContext) -> str | None:
    """`ctx.output_format`, `ctx.client.name`…: the same text every render."""
    path: list[str] = []
    current: nodes.Node = node
    while isinstance(current, nodes.Getattr):
        path.append(current.attr)
        current = current.node
    if not (isinstance(current, nodes.Name) and current.name == "ctx"):
        return None
    value: Any = ctx
    for attr in reversed(path):
        if attr.startswith("_"):
            return None
        value = env.getattr(value, attr)
    if isinstance(value, env.undefined) or (callable(value) and
                                            not isinstance(value, OutputFormat)):
        return None  # a method prints as its repr, which names a per-render object
    return str(env.finalize(value))
