"""`ctx.output_format`: the schema instructions BAML writes into a prompt, byte for byte.

Follows `jinja-runtime/src/output_format/types.rs` (docs/rendering.md): collect the enums and
classes reachable from the return type (same depth-first order as BAML, which decides the order
of hoisted blocks), decide what to hoist (recursive classes always; enums with more than 6
values, a description, or `always_hoist_enums`), then print hoisted enums, hoisted classes,
recursive aliases, the prefix and the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Undefined

from ..ir import ClassDecl, EnumDecl, TypeExpr
from .schema import Schema, T, attr_text, has_attr, literal_text

__all__ = [
    "OPTION_NAMES",
    "OutputFormatContent",
    "OutputFormatError",
    "RenderOptions",
    "parse_options",
    "render_output_format",
]

INLINE_ENUM_MAX_VALUES = 6
OPTION_NAMES = ("prefix", "or_splitter", "enum_value_prefix", "always_hoist_enums",
                "hoisted_class_prefix", "hoist_classes", "map_style", "quote_class_fields")
AUTO: Any = object()
"""An option left unset (BAML's `RenderSetting::Auto`); None means "set to null"."""


class OutputFormatError(Exception):
    """Bad `ctx.output_format(...)` arguments or an output type that cannot be described."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    prefix: Any = AUTO
    or_splitter: str = " or "
    enum_value_prefix: Any = AUTO
    always_hoist_enums: bool = False
    hoisted_class_prefix: Any = AUTO
    hoist_classes: bool | tuple[str, ...] = False
    """True: every class; False: recursive classes only; a tuple: those classes too."""
    map_style: str = "angle"
    quote_class_fields: bool = False


def parse_options(args: tuple[Any, ...], kwargs: dict[str, Any]) -> RenderOptions:
    """Check `ctx.output_format(...)` arguments the way BAML does, with clearer messages."""
    if args:
        raise OutputFormatError("ctx.output_format() takes keyword arguments only; allowed: "
                                + ", ".join(OPTION_NAMES))
    # `prefix=null`, as BAML's docs write it, is an undefined name that minijinja reads as none.
    kwargs = {k: None if isinstance(v, Undefined) else v for k, v in kwargs.items()}
    unknown = [k for k in kwargs if k not in OPTION_NAMES]
    if unknown:
        raise OutputFormatError(f"ctx.output_format() got an unexpected keyword argument "
                                f"{unknown[0]!r}; allowed: " + ", ".join(OPTION_NAMES))
    opts: dict[str, Any] = {}
    for name in ("prefix", "enum_value_prefix", "hoisted_class_prefix"):
        if name in kwargs:
            opts[name] = _check(name, kwargs[name], (str, type(None)), "string | null")
    if "or_splitter" in kwargs:
        opts["or_splitter"] = _check("or_splitter", kwargs["or_splitter"], (str,), "string")
    for name in ("always_hoist_enums", "quote_class_fields"):
        if name in kwargs:
            opts[name] = _check(name, kwargs[name], (bool,), "bool")
    if "map_style" in kwargs:
        if kwargs["map_style"] not in ("angle", "object"):
            raise OutputFormatError("Invalid value for map_style (expected one of angle, object)")
        opts["map_style"] = kwargs["map_style"]
    if "hoist_classes" in kwargs:
        opts["hoist_classes"] = _hoist_option(kwargs["hoist_classes"])
    return RenderOptions(**opts)


def _check(name: str, value: Any, types: tuple[type, ...], expected: str) -> Any:
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        raise OutputFormatError(f"Invalid value for {name} (expected {expected}): "
                                f"got {value!r}")
    return value


def _hoist_option(value: Any) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if value == "auto":
        return False
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise OutputFormatError('Invalid value for hoist_classes (expected one of bool | "auto" | '
                            f"string[]): got {value!r}")


# ---- collected models ------------------------------------------------------------------

@dataclass(slots=True)
class EnumModel:
    name: str
    rendered: str
    values: list[tuple[str, str | None]]  # (rendered name, description)


@dataclass(slots=True)
class ClassModel:
    name: str
    description: str | None
    fields: list[tuple[str, T, str | None]]  # (rendered name, type, description)


@dataclass(slots=True)
class OutputFormatContent:
    """What BAML's `OutputFormatContent` holds: the target type and everything it reaches."""

    target: T
    enums: dict[str, EnumModel] = field(default_factory=dict)
    classes: dict[str, ClassModel] = field(default_factory=dict)
    recursive_classes: list[str] = field(default_factory=list)
    recursive_aliases: dict[str, T] = field(default_factory=dict)

    @classmethod
    def build(cls, schema: Schema, return_type: TypeExpr) -> OutputFormatContent:
        content = cls(schema.resolve(return_type))
        _collect(content, schema)
        return content

    def render(self, options: RenderOptions = RenderOptions()) -> str | None:
        return _Renderer(self, options).render()


def _collect(content: OutputFormatContent, schema: Schema) -> None:
    """BAML's `relevant_data_models`: a depth-first walk with an explicit stack."""
    checked: set[str] = set()
    stack = [content.target]
    while stack:
        t = stack.pop()
        key = t.key
        if t.kind == "enum" and key not in checked:
            checked.add(key)
            content.enums[t.name] = _enum_model(schema, t.name)
        elif t.kind == "list":
            if t.args[0].key not in checked:
                stack.append(t.args[0])
        elif t.kind in ("map", "union", "tuple") and key not in checked:
            checked.add(key)
            stack.extend(a for a in t.args if a.key not in checked)
        elif t.kind == "class" and key not in checked:
            checked.add(key)
            model = _class_model(schema, t.name)
            stack.extend(ft for _, ft, _ in model.fields if ft.key not in checked)
            for cycle in schema.class_cycles:
                if t.name in cycle:
                    content.recursive_classes.extend(
                        c for c in cycle if c not in content.recursive_classes)
            content.classes[t.name] = model
        elif t.kind == "ralias":
            for alias in schema.alias_cycle(t.name):
                if alias not in content.recursive_aliases:
                    content.recursive_aliases[alias] = schema.alias_target(alias)
                    stack.append(content.recursive_aliases[alias])


def _enum_model(schema: Schema, name: str) -> EnumModel:
    decl = schema.project.find(name)
    assert isinstance(decl, EnumDecl)
    values = [(attr_text(v.attrs, "alias") or v.name, attr_text(v.attrs, "description"))
              for v in decl.values if not has_attr(v.attrs, "skip")]
    return EnumModel(name, attr_text(decl.attrs, "alias", block=True) or name, values)


def _class_model(schema: Schema, name: str) -> ClassModel:
    decl = schema.project.find(name)
    assert isinstance(decl, ClassDecl)
    fields = [(attr_text(f.attrs, "alias") or f.name, schema.resolve(f.type),
               attr_text(f.attrs, "description") or attr_text(f.type.attrs, "description"))
              for f in decl.fields if not has_attr(f.attrs, "skip")]
    return ClassModel(name, attr_text(decl.attrs, "description", block=True), fields)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" and word else "a"


class _Renderer:
    def __init__(self, content: OutputFormatContent, options: RenderOptions) -> None:
        self.c = content
        self.o = options
        self.hoisted_enums = [name for name, e in content.enums.items()
                              if len(e.values) > INLINE_ENUM_MAX_VALUES
                              or any(d is not None for _, d in e.values)
                              or options.always_hoist_enums]
        self.hoisted_classes = list(content.recursive_classes)
        self._hoist_requested()

    def _hoist_requested(self) -> None:
        wanted = self.o.hoist_classes
        if wanted is True:
            names: list[str] = list(self.c.classes)
        elif wanted is False:
            return
        else:
            missing = [n for n in wanted if n not in self.c.classes]
            if missing:
                what = ("class", "it does") if len(missing) == 1 else ("classes", "they do")
                raise OutputFormatError(
                    f"Cannot hoist {what[0]} " + ", ".join(f'"{m}"' for m in missing)
                    + f" because {what[1]} not exist")
            names = list(wanted)
        self.hoisted_classes += [n for n in names if n not in self.hoisted_classes]

    # ---- pieces -------------------------------------------------------------------------
    def _type_word(self) -> str:
        p = self.o.hoisted_class_prefix
        return p if isinstance(p, str) and p else "schema"

    def prefix(self) -> str | None:
        if self.o.prefix is not AUTO:
            return self.o.prefix  # type: ignore[no-any-return]
        t = self.c.target
        if t.kind == "prim":
            if t.name == "null":  # BAML treats a bare `null` as a union with no other member
                return "Answer ONLY with null:\n"
            return None if t.name == "string" else f"Answer as {_article(t.name)} "
        if t.kind == "lit":
            return "Answer using this specific value:\n"
        if t.kind == "enum":
            return "Answer with any of the categories:\n"
        if t.kind == "class":
            end = " " if t.name in self.hoisted_classes else "\n"
            return f"Answer in JSON using this {self._type_word()}:{end}"
        if t.kind == "ralias":
            return f"Answer in JSON using this {self._type_word()}: "
        if t.kind == "list":
            return "Answer with a JSON Array using this schema:\n"
        if t.kind == "union":
            non_null = t.non_null
            if not non_null:
                return "Answer ONLY with null:\n"
            if len(non_null) == 1 and len(t.args) == 2:
                return "Answer in JSON using this schema:\n"
            return "Answer in JSON using any of these schemas:\n"
        if t.kind == "map":
            return "Answer in JSON using this schema:\n"
        return None

    def enum_block(self, e: EnumModel) -> str:
        p = self.o.enum_value_prefix
        lead = "- " if p is AUTO else (p or "")
        lines = [f"{e.rendered}\n----"]
        for name, desc in e.values:
            text = name if desc is None else f"{name}: {desc.replace(chr(10), chr(10) + '  ')}"
            lines.append(f"{lead}{text}")
        return "\n".join(lines)

    def class_body(self, m: ClassModel) -> str:
        out = ["{\n"]
        desc = (m.description or "").strip()
        if desc:
            out += [f"  // {line}\n" for line in desc.splitlines()] + ["\n"]
        for name, ft, fdesc in m.fields:
            if fdesc is not None:
                out.append("  // " + fdesc.replace("\n", "\n  // ") + "\n")
            shown = f'"{name}"' if self.o.quote_class_fields else name
            out.append(f"  {shown}: {self.maybe_hoisted(ft).replace(chr(10), chr(10) + '  ')},\n")
        out.append("}")
        return "".join(out)

    def maybe_hoisted(self, t: T) -> str:
        if t.kind == "class" and t.name in self.hoisted_classes:
            return t.name
        return self.inner(t)

    def inner(self, t: T) -> str:
        kind = t.kind
        if kind == "prim":
            return t.name
        if kind == "lit":
            return literal_text(t.value)
        if kind == "enum":
            e = self.c.enums[t.name]
            if t.name in self.hoisted_enums:
                return e.rendered
            return self.o.or_splitter.join(f"'{n}'" for n, _ in e.values)
        if kind == "class":
            return self.class_body(self.c.classes[t.name])
        if kind == "ralias":
            return t.name
        if kind == "list":
            return self.list_type(t.args[0])
        if kind == "union":
            return self.o.or_splitter.join(self.maybe_hoisted(a) for a in t.args)
        if kind == "map":
            k, v = (self.maybe_hoisted(a) for a in t.args)
            return f"map<{k}, {v}>" if self.o.map_style == "angle" else f"{{{k}: {v}}}"
        if kind == "media":
            raise OutputFormatError(f"type '{t.name}' is not supported in outputs")
        raise OutputFormatError("Tuple type is not supported in outputs")

    def list_type(self, item: T) -> str:
        hoisted = ((item.kind == "class" and item.name in self.hoisted_classes)
                   or (item.kind == "ralias" and item.name in self.c.recursive_aliases))
        text = self.maybe_hoisted(item)
        if item.kind == "prim":
            multiline = False
        elif item.kind == "enum":
            multiline = len(text) > 15
        elif item.kind == "union":
            multiline = all(a.kind != "prim" for a in item.args)
        else:
            multiline = True
        if not hoisted and multiline:
            return "[\n  " + text.replace("\n", "\n  ") + "\n]"
        return f"({text})[]" if item.kind == "union" else f"{text}[]"

    # ---- whole --------------------------------------------------------------------------
    def render(self) -> str | None:
        target = self.c.target
        prefix = self.prefix()
        target_hoisted_enum = target.kind == "enum" and target.name in self.hoisted_enums
        if target.kind == "prim" and target.name == "string" and prefix is None:
            message: str | None = None
        elif target.kind == "enum":
            message = None if target_hoisted_enum else self.enum_block(self.c.enums[target.name])
        elif target.kind == "class" and target.name in self.hoisted_classes:
            message = target.name
        else:
            message = self.inner(target)
        out = []
        enums = []
        for name in self.hoisted_enums:
            block = self.enum_block(self.c.enums[name])
            enums.append(f"{prefix}{block}" if target_hoisted_enum and name == target.name
                         and prefix is not None else block)
        if enums:
            out.append("\n\n".join(enums) + ("" if target_hoisted_enum else "\n\n"))
        word = self.o.hoisted_class_prefix
        lead = f"{word} " if isinstance(word, str) and word else ""
        classes = [f"{lead}{name} {self.inner(T('class', name))}" for name in self.hoisted_classes]
        if classes:
            out.append("\n\n".join(classes) + "\n\n")
        aliases = [f"{lead}{name} = {self.inner(body)}"
                   for name, body in self.c.recursive_aliases.items()]
        if aliases:
            out.append("\n".join(aliases) + "\n\n")
        if prefix is not None and not target_hoisted_enum:
            out.append(prefix)
        if message is not None:
            out.append(message)
        text = "".join(out).rstrip("\n")
        return text or None


def render_output_format(schema: Schema, return_type: TypeExpr, **options: Any) -> str:
    """The text `{{ ctx.output_format(**options) }}` produces for `return_type` ("" if none)."""
    content = OutputFormatContent.build(schema, return_type)
    return content.render(parse_options((), options)) or ""
