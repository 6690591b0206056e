"""The sandboxed Jinja environment and the per-project cache of compiled templates.

One `Renderer` per `Project` (made lazily by `renderer_for`) owns one `BudgetedSandbox`:
templates cannot reach Python internals, files or the network. Each function prompt and each
`template_string` is compiled once, the first time it is rendered, and reused.

Undefined variables follow minijinja's default (what BAML uses): `{{ missing }}` renders as
empty text, while `{{ missing.attr }}` is an error. Jinja2's default `Undefined` behaves the
same way; `vdsl check` warns about such names at compile time (`undefined-prompt-variable`).

Globals, as in BAML: `_.role(name, **metadata)` / `_.chat(...)`, `ctx.output_format`,
`ctx.client.name` / `.provider`, each enum type (`Color.RED`), each template_string as a
function.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import Template, Undefined

from ..ir import EnumDecl, FunctionDecl, RawString, StringValue, TemplateStringDecl
from ..project import Project
from .budget import RenderLimits
from .messages import SUFFIX_MARK
from .output_format import OutputFormatContent, parse_options
from .roles import RoleMark
from .sandbox import STEP_COSTS, BudgetedSandbox
from .schema import Schema, attr_text
from .values import CURRENT, EnumType, EnumValue, to_json_data

__all__ = ["ClientContext", "OutputFormat", "PromptContext", "Renderer", "renderer_for"]

_NAME_PREFIX = "vdsl:"


def make_environment(limits: RenderLimits | None = None) -> BudgetedSandbox:
    """A budgeted sandbox with BAML's defaults: no autoescape, minijinja-style value printing."""
    # BAML's minijinja trims the newline after a block tag and the indentation before it
    # (checked against baml-py 0.226.3): `{% for %}` lines leave no blank lines behind.
    return BudgetedSandbox(limits, filters={"tojson": _tojson}, autoescape=False,
                           undefined=Undefined, keep_trailing_newline=False, trim_blocks=True,
                           lstrip_blocks=True)


def _tojson(value: Any, indent: int | None = None) -> str:
    """minijinja's `tojson`: compact (`{"a":1}`), or pretty with `indent`; no HTML escaping,
    non-ASCII kept; class instances as their fields."""
    if indent:
        return json.dumps(value, indent=indent, ensure_ascii=False, default=to_json_data)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=to_json_data)


class OutputFormat:
    """`ctx.output_format`: prints the default schema text, or call it with BAML's options."""

    __slots__ = ("_cache", "_content")

    def __init__(self, content: OutputFormatContent) -> None:
        self._content = content
        self._cache: dict[str, str] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        key = repr(sorted(kwargs.items())) if not args else ""
        if key and key in self._cache:
            return self._cache[key]
        text = self._content.render(parse_options(args, kwargs)) or ""
        if key:
            self._cache[key] = text
        return text

    def __str__(self) -> str:
        return self()


@dataclass(frozen=True, slots=True)
class ClientContext:
    """`ctx.client`: the leaf client the prompt is rendered for."""

    name: str
    provider: str
    default_role: str
    allowed_roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PromptContext:
    """`ctx` in a template."""

    output_format: OutputFormat
    client: ClientContext


class _RoleHelper:
    """The `_` global: `_.role("user", cache_control={...})`; `_.chat` is the same function."""

    __slots__ = ()

    def role(self, *args: Any, **kwargs: Any) -> str:
        state = CURRENT.get()
        if state is None:
            raise RuntimeError("_.role() used outside a render")
        if len(args) > 1:
            raise TypeError("role() takes one role name")
        named = kwargs.pop("role", None)
        if args and named is not None:
            raise TypeError(f"role() called with two roles: '{named}' and '{args[0]}'")
        role = args[0] if args else named
        if role is None:
            raise TypeError("role() called without role. Try role('role') or role(role='role').")
        dupe = bool(kwargs.pop("__baml_allow_dupe_role__", False))
        return state.role_marker(RoleMark(str(role), _plain(kwargs), dupe))

    chat = role

    def suffix(self) -> str:
        """Codestral fill-in-the-middle: the prompt after this point is the `suffix`."""
        return SUFFIX_MARK


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, EnumValue):
        return value.value
    return value


class TemplateStringFunction:
    """A `template_string` called from a template. Like a minijinja macro: missing arguments
    are undefined (render empty), extra ones are an error."""

    __slots__ = ("_decl", "_renderer")

    def __init__(self, renderer: Renderer, decl: TemplateStringDecl) -> None:
        self._renderer = renderer
        self._decl = decl

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        names = [p.name for p in self._decl.params]
        if len(args) > len(names) or any(k not in names for k in kwargs):
            raise TypeError(f"template_string {self._decl.name} takes {len(names)} "
                            f"argument{'s' * (len(names) != 1)} ({', '.join(names)}), "
                            f"got {len(args) + len(kwargs)}")
        bound = dict(zip(names, args, strict=False))
        bound.update(kwargs)
        state = CURRENT.get()
        ctx = state.ctx if state else None
        return self._renderer.template_string(self._decl).render(ctx=ctx, **bound)


STEP_COSTS[TemplateStringFunction] = 20  # a call renders a whole template


class Renderer:
    """Everything rendering needs for one project, built once and reused across calls."""

    def __init__(self, project: Project, limits: RenderLimits | None = None) -> None:
        self.project = project
        self.schema = Schema(project)
        self.env = make_environment(limits or RenderLimits.from_env())
        self.locations: dict[str, tuple[str, int]] = {}
        """Jinja template name → (file, file line of template line 1), for error messages."""
        self._templates: dict[str, Template] = {}
        self._formats: dict[str, OutputFormat] = {}
        self._lock = threading.Lock()
        self.env.globals.update(self._globals())

    def _globals(self) -> dict[str, Any]:
        out: dict[str, Any] = {"_": _RoleHelper()}
        for enum in self.project.program.enums:
            out[enum.name] = _enum_type(enum)
        for ts in self.project.program.template_strings:
            out[ts.name] = TemplateStringFunction(self, ts)
        return out

    def prompt_template(self, fn: FunctionDecl) -> Template:
        """The compiled prompt of `fn`."""
        key = f"{_NAME_PREFIX}function:{fn.name}"
        template = self._templates.get(key)
        if template is None:
            prompt = fn.prompt
            source, first_line = _source(prompt)
            source, trimmed = dedent_prompt(source)
            template = self._compile(key, source, fn.span.file if prompt is None
                                     else prompt.span.file, first_line + trimmed)
        return template

    def template_string(self, decl: TemplateStringDecl) -> Template:
        key = f"{_NAME_PREFIX}template_string:{decl.name}"
        template = self._templates.get(key)
        if template is None:
            source, first_line = _source(decl.template)
            span = decl.template.span if decl.template else decl.span
            template = self._compile(key, source, span.file, first_line)
        return template

    def _compile(self, key: str, source: str, file: str, first_line: int) -> Template:
        with self._lock:
            if key not in self._templates:
                code = self.env.compile(source, name=key, filename=key)
                self._templates[key] = self.env.template_class.from_code(
                    self.env, code, self.env.make_globals(None), None)
                self.locations[key] = (file, first_line)
            return self._templates[key]

    def output_format(self, fn: FunctionDecl) -> OutputFormat:
        fmt = self._formats.get(fn.name)
        if fmt is None:
            assert fn.return_type is not None
            content = OutputFormatContent.build(self.schema, fn.return_type)
            fmt = self._formats.setdefault(fn.name, OutputFormat(content))
        return fmt

    def template_line(self, tb: TracebackType | None) -> tuple[str, int] | None:
        """The innermost prompt line in a traceback, as (file, line)."""
        found = None
        while tb is not None:
            name = tb.tb_frame.f_code.co_filename
            if name in self.locations:
                file, first = self.locations[name]
                found = (file, first + tb.tb_lineno - 1)
            tb = tb.tb_next
        return found


def _source(value: StringValue | RawString | None) -> tuple[str, int]:
    if value is None:
        return "", 1
    if isinstance(value, RawString):
        return value.value, value.first_line
    return value.value.strip(), value.span.line


# Rust's `char::is_whitespace` (Unicode White_Space): what BAML's dedent and trim count.
_WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
               "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def dedent_prompt(source: str) -> tuple[str, int]:
    """BAML's pass over a function prompt before rendering: remove from every line as many
    characters as the least-indented non-blank line starts with (a tab counts as one, mixed
    tabs and spaces are not compared), then trim the whole text. Template strings are not
    dedented again. Returns (text, lines trimmed at the start)."""
    lines = source.split("\n")
    width = min((len(line) - len(line.lstrip(_WHITESPACE)) for line in lines
                 if line.strip(_WHITESPACE)), default=0)
    text = "\n".join(line[width:] for line in lines) if width else source
    body = text.lstrip(_WHITESPACE)
    return body.rstrip(_WHITESPACE), text[:len(text) - len(body)].count("\n")


def _enum_type(decl: EnumDecl) -> EnumType:
    values = {v.name: EnumValue(v.name, decl.name, attr_text(v.attrs, "alias"))
              for v in decl.values}
    return EnumType(decl.name, values)


def renderer_for(project: Project) -> Renderer:
    """The project's renderer, created on first use and kept on the project itself (so it
    lives and dies with it)."""
    renderer = project.__dict__.get("_vdsl_renderer")
    if renderer is None:
        renderer = Renderer(project)
        project.__dict__["_vdsl_renderer"] = renderer
    return renderer  # type: ignore[no-any-return]
