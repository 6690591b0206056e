"""Names BAML refuses when the project has a `python/pydantic` generator (see docs/language.md, "Names"):
a field named like a Python keyword, a field named exactly like its type, an enum value `None`.
vdsl's generated client renames them (the wire name stays), so these are warnings that the
same file would not pass `baml-cli`."""

from __future__ import annotations

import keyword

from ..ir import ClassDecl, EnumDecl, NamedType, StringValue, TypeExpr
from ..ir.walk import iter_types
from .context import Context
from .keywords import FIELD_KEYWORDS


def check(ctx: Context) -> None:
    if not any(isinstance(g.get("output_type"), StringValue)
               and g.get("output_type").value.startswith("python/pydantic")  # type: ignore[union-attr]
               for g in ctx.program.generators):
        return
    for decl in ctx.program.decls:
        if isinstance(decl, ClassDecl):
            for field in decl.fields:
                reason = _field_problem(field.name, field.type)
                if reason:
                    ctx.diags.warning("python-reserved-name",
                                      f"field `{field.name}` {reason}; baml-cli rejects it with a "
                                      "python/pydantic generator", field.name_span,
                                      help="vdsl's client renames it (the wire name is kept); "
                                           "rename it to keep the file valid for BAML")
        elif isinstance(decl, EnumDecl):
            for value in decl.values:
                if value.name == "None":
                    ctx.diags.warning("python-reserved-name",
                                      "enum value `None` is a Python keyword; baml-cli rejects it "
                                      "with a python/pydantic generator", value.span,
                                      help="rename it, e.g. `NONE` with @alias(\"None\")")


def _field_problem(name: str, type_: TypeExpr) -> str | None:
    if name in FIELD_KEYWORDS:
        return None  # an error already (names.py): the name is refused whatever the generator
    if keyword.iskeyword(name):  # hard keywords only: `type`, `match` are fine
        return "is a Python keyword"
    if any(isinstance(t, NamedType) and t.name == name for t in iter_types(type_)):
        return "has the same name as its type"
    return None
