"""Compile-time checks of prompt templates (function prompts and template_strings).

* `jinja-syntax` (error): the template does not parse; reported at the file line.
* `undefined-prompt-variable` (warning): a name that is neither a parameter nor a global
  (`ctx`, `_`, enums, template_strings, Jinja's own), with "did you mean".
* `template-string-arity` (warning, as in BAML): a template_string called with too many or
  unknown arguments (missing ones render as empty).
* `output-format-option` (error): `ctx.output_format(...)` with a positional argument, a
  misspelt option or a constant of the wrong kind; every render would fail.
* attributes of globals and class parameters, enum comparisons: template_types.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from ..ir import Param, RawString, StringValue, TemplateStringDecl
from ..source import Span
from .context import Context
from .prompt_scan import SCANNED_GLOBALS, scan

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment

__all__ = ["check"]

OUTPUT_FORMAT_OPTIONS = ("prefix", "or_splitter", "enum_value_prefix", "always_hoist_enums",
                         "hoisted_class_prefix", "hoist_classes", "map_style",
                         "quote_class_fields")
_OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "prefix": (str, type(None)), "enum_value_prefix": (str, type(None)),
    "hoisted_class_prefix": (str, type(None)), "or_splitter": (str,),
    "always_hoist_enums": (bool,), "quote_class_fields": (bool,),
    "hoist_classes": (bool, str, list, tuple), "map_style": (str,),
}
_JINJA_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop",
                            "true", "false", "none", "True", "False", "None", "null"})


@lru_cache(maxsize=1)
def jinja_env() -> SandboxedEnvironment:
    """The environment templates are checked with. Jinja is imported only for a template the
    scan cannot read (`prompt_scan`) and for `{{ … }}` in attributes. `nesting_limit()` refuses a
    template nested deeper than Jinja's parser and Python's compiler can take."""
    from jinja2.sandbox import SandboxedEnvironment

    from ..jinja_limits import nesting_limit
    return SandboxedEnvironment(autoescape=False, extensions=[nesting_limit()])


def check(ctx: Context) -> None:
    known = set(_JINJA_GLOBALS) | {"ctx", "_"} | {e.name for e in ctx.program.enums}
    known |= set(ctx.template_strings)
    for fn in ctx.program.functions:
        prompt = fn.prompt
        if prompt is not None:
            _check_template(ctx, f"function {fn.name}", prompt, fn.params, known)
    for ts in ctx.program.template_strings:
        if ts.template is not None:
            _check_template(ctx, f"template_string {ts.name}", ts.template, ts.params, known)


def _check_template(ctx: Context, owner: str, value: StringValue, params: tuple[Param, ...],
                    known: set[str]) -> None:
    source, first_line = _source(value)
    where = _Where(ctx, value, first_line)
    names = {p.name for p in params}
    scanned = scan(source) if not names & SCANNED_GLOBALS else None
    if scanned is not None:  # a simple template: nothing for Jinja's checks to find
        _report_undefined(ctx, owner, scanned, names, known, where)
        return
    from jinja2 import TemplateSyntaxError, nodes
    try:
        ast = jinja_env().parse(source)
    except TemplateSyntaxError as exc:
        ctx.diags.error("jinja-syntax", f"Error parsing jinja template: syntax error: "
                        f"{exc.message}", where.line(exc.lineno), label="in this prompt line")
        return
    _report_undefined(ctx, owner, _loaded_names(ast), names, known, where)
    from .template_types import check_types
    check_types(ctx, ast, {p.name: p.type for p in params if p.type is not None}, where.find)
    for call in ast.find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name) and target.name in ctx.template_strings:
            _check_arity(ctx, ctx.template_strings[target.name], call, where)
        elif (isinstance(target, nodes.Getattr) and target.attr == "output_format"
              and isinstance(target.node, nodes.Name) and target.node.name == "ctx"):
            _check_output_format(ctx, call, where)


def _report_undefined(ctx: Context, owner: str, loaded: dict[str, int], names: set[str],
                      known: set[str], where: _Where) -> None:
    for name in sorted(set(loaded) - names - known):
        _undefined(ctx, owner, name, where.line(loaded[name]), names | known)


class _Where:
    """Maps template line numbers to file spans."""

    def __init__(self, ctx: Context, value: StringValue, first_line: int) -> None:
        self.ctx = ctx
        self.value = value
        self.first_line = first_line

    def line(self, lineno: int | None) -> Span:
        source = self.ctx.sources.get(self.value.span.file)
        if source is None:
            return self.value.span
        return source.line_span(self.first_line + (lineno or 1) - 1)

    def find(self, lineno: int | None, needle: str) -> Span:
        """The first `needle` on the template line, or the whole line."""
        line = self.line(lineno)
        source = self.ctx.sources.get(self.value.span.file)
        at = source.text.find(needle, line.start, line.end) if source and needle else -1
        return line if source is None or at == -1 else source.span(at, at + len(needle))


def _source(value: StringValue) -> tuple[str, int]:
    if isinstance(value, RawString):
        return value.value, value.first_line
    return value.value.strip(), value.span.line


def _loaded_names(ast: nodes.Template) -> dict[str, int]:
    """Names read but never assigned anywhere in the template, with their first line.

    A flat walk instead of `jinja2.meta.find_undeclared_variables`, which runs the code
    generator's scope analysis and costs most of `vdsl check` on large projects; ignoring
    scopes only matters for a name both assigned and read outside its scope.
    """
    from jinja2 import nodes
    loaded: dict[str, int] = {}
    stored: set[str] = set()
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load":
            if node.name not in loaded or node.lineno < loaded[node.name]:
                loaded[node.name] = node.lineno
        else:
            stored.add(node.name)
    for macro in ast.find_all(nodes.Macro):
        stored.add(macro.name)
    return {name: line for name, line in loaded.items() if name not in stored}


def _undefined(ctx: Context, owner: str, name: str, span: Span, candidates: Iterable[str]) -> None:
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    ctx.diags.warning(
        "undefined-prompt-variable",
        f"`{name}` is not a parameter of {owner} or a known global; it renders as empty text",
        span, label="not defined", help=f"did you mean `{close[0]}`?" if close else None)


def _check_arity(ctx: Context, decl: TemplateStringDecl, call: nodes.Call, where: _Where) -> None:
    names = [p.name for p in decl.params]
    unknown = [kw.key for kw in call.kwargs if kw.key not in names]
    given = len(call.args) + len(call.kwargs)
    if unknown or len(call.args) > len(names) or given != len(names):
        expected = f"{len(names)} argument{'s' * (len(names) != 1)}"
        detail = f"unknown argument `{unknown[0]}`" if unknown else f"got {given}"
        ctx.diags.warning("template-string-arity",
                          f"template_string {decl.name} takes {expected} "
                          f"({', '.join(names) or 'none'}); {detail}",
                          where.line(call.lineno), label="called here")


def _check_output_format(ctx: Context, call: nodes.Call, where: _Where) -> None:
    span = where.line(call.lineno)
    allowed = ", ".join(OUTPUT_FORMAT_OPTIONS)
    if call.args or call.dyn_args is not None:
        ctx.diags.error("output-format-option",
                        "ctx.output_format() takes keyword arguments only", span,
                        help=f"allowed options: {allowed}")
    for kw in call.kwargs:
        if kw.key not in OUTPUT_FORMAT_OPTIONS:
            close = difflib.get_close_matches(kw.key, OUTPUT_FORMAT_OPTIONS, n=1, cutoff=0.5)
            ctx.diags.error("output-format-option",
                            f"ctx.output_format() has no option `{kw.key}`", span,
                            label="unknown option",
                            help=(f"did you mean `{close[0]}`? " if close else "")
                            + f"allowed options: {allowed}")
        elif _is_literal(kw.value):
            _check_option_value(ctx, kw, span)


def _is_literal(node: nodes.Expr) -> bool:
    """A constant or a list of constants: its value is known without running anything."""
    from jinja2 import nodes
    if isinstance(node, nodes.List):
        return all(isinstance(item, nodes.Const) for item in node.items)
    return isinstance(node, nodes.Const)


def _check_option_value(ctx: Context, kw: nodes.Keyword, span: Span) -> None:
    value = kw.value.as_const()
    ok = isinstance(value, _OPTION_TYPES[kw.key])
    if kw.key == "map_style":
        ok = value in ("angle", "object")
    elif kw.key == "hoist_classes" and isinstance(value, str):
        ok = value == "auto"
    if not ok:
        ctx.diags.error("output-format-option",
                        f"invalid value {value!r} for ctx.output_format option `{kw.key}`", span)
