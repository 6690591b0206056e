"""`type_builder.py`: a `TypeBuilder` with a typed accessor per class and enum (BAML's).

    from vdsl_client.type_builder import TypeBuilder
    tb = TypeBuilder()
    tb.Resume.add_property("email", tb.string().optional())   # Resume is @@dynamic
    tb.Resume.props.name.description("Full name")              # a declared property
    tb.Category.values.SPAM.skip()                             # Category is @@dynamic
    tb.Address.type()                                          # other classes: refer to them
    b.ExtractResume(text, baml_options={"tb": tb})

`@@dynamic` classes and enums get a builder subclass whose `props`/`values` name each
declared member, so a type checker catches a typo; the others get a viewer (no mutators).
"""

from __future__ import annotations

import ast

from ..ir import ClassDecl, EnumDecl
from .names import identifier, param_names
from .pytypes import is_dynamic
from .typesgen import TypesPlan
from .writer import call, const, docstring, name, used_names

__all__ = ["type_builder_module"]

_IMPORTED = ("ClassBuilder", "ClassProperties", "ClassPropertyBuilder", "ClassViewer",
             "EnumBuilder", "EnumValueBuilder", "EnumValues", "EnumViewer")


def _self_arg() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg="self")], kwonlyargs=[],
                         kw_defaults=[], defaults=[])


def _getter(prop: str, returns: str, value: ast.expr) -> ast.FunctionDef:
    return ast.FunctionDef(name=prop, args=_self_arg(), body=[ast.Return(value=value)],
                           decorator_list=[name("property")], returns=name(returns))


def _class(cls: str, base: str, doc: str, body: list[ast.stmt]) -> ast.ClassDef:
    return ast.ClassDef(name=cls, bases=[name(base)], keywords=[],
                        body=[docstring(doc), *body], decorator_list=[])


class _Names:
    """Module-level names, unique: helpers are named after types (`ResumeBuilder`), and must
    differ from every type's name too (those are the TypeBuilder's accessors, which the
    annotations in its body would otherwise find first)."""

    def __init__(self, types: set[str]) -> None:
        self.taken = {"TypeBuilder", "FieldType", "core", "annotations", "_TypeBuilder",
                      *(f"_{n}" for n in _IMPORTED), *types}

    def new(self, wanted: str) -> str:
        while wanted in self.taken:
            wanted += "_"
        self.taken.add(wanted)
        return wanted


def _members(names: list[str]) -> dict[str, str]:
    """Declared member → attribute: a unique identifier (keywords get a `_`)."""
    return param_names(names, set())


def _dynamic_class(decl: ClassDecl, py: str, names: _Names) -> tuple[str, list[ast.stmt]]:
    builder, props = names.new(f"{py}Builder"), names.new(f"{py}Properties")
    members: list[ast.stmt] = [
        _getter(attr, "_ClassPropertyBuilder", call("self._property", const(field)))
        for field, attr in _members([f.name for f in decl.fields]).items()]
    return builder, [
        _class(builder, "_ClassBuilder", f"`{decl.name}` (@@dynamic): add and describe "
               "properties.", [_getter("props", props, call(props, name("self._tb"),
                                                                 const(decl.name)))]),
        _class(props, "_ClassProperties", f"The declared properties of `{decl.name}`.",
               members or [ast.Pass()]),
    ]


def _dynamic_enum(decl: EnumDecl, py: str, names: _Names) -> tuple[str, list[ast.stmt]]:
    builder, values = names.new(f"{py}Builder"), names.new(f"{py}Values")
    members: list[ast.stmt] = [
        _getter(attr, "_EnumValueBuilder", call("self._value", const(value)))
        for value, attr in _members([v.name for v in decl.values]).items()]
    return builder, [
        _class(builder, "_EnumBuilder", f"`{decl.name}` (@@dynamic): add and describe values.",
               [_getter("values", values, call(values, name("self._tb"), const(decl.name)))]),
        _class(values, "_EnumValues", f"The declared values of `{decl.name}`.",
               members or [ast.Pass()]),
    ]


def type_builder_module(plan: TypesPlan) -> list[ast.stmt]:
    names = _Names(set(plan.py_names.values()))
    accessors: list[ast.stmt] = []
    helpers: list[ast.stmt] = []
    for declared, decl in plan.decls.items():
        if not isinstance(decl, (ClassDecl, EnumDecl)):
            continue
        py = plan.py_names[declared]
        if is_dynamic(decl):
            returns, more = (_dynamic_class(decl, py, names) if isinstance(decl, ClassDecl)
                             else _dynamic_enum(decl, py, names))
            helpers.extend(more)
        else:
            returns = "_ClassViewer" if isinstance(decl, ClassDecl) else "_EnumViewer"
        accessors.append(_getter(identifier(py), returns,
                                 call(returns, name("self"), const(declared))))
    init = ast.FunctionDef(name="__init__", args=_self_arg(), body=[ast.Expr(
        value=call("super().__init__", name("core.project")))], decorator_list=[],
        returns=const(None))
    top = _class("TypeBuilder", "_TypeBuilder", "Types added for one call (pass it as "
                 "`baml_options={\"tb\": tb}`), with an accessor per class and enum.",
                 [init, *accessors])
    doc = docstring("A TypeBuilder for this project: `tb = TypeBuilder()`, then "
                    "`tb.<Class>.add_property(...)` on @@dynamic classes, "
                    "`tb.<Enum>.add_value(...)` on @@dynamic enums.")
    exports = ast.Assign(targets=[ast.Name(id="__all__", ctx=ast.Store())],
                         value=ast.List(elts=[const("FieldType"), const("TypeBuilder")],
                                        ctx=ast.Load()))
    return [doc, *_imports(used_names([top, *helpers])), top, *helpers, exports]


def _imports(used: set[str]) -> list[ast.stmt]:
    wanted = [n for n in (*_IMPORTED, "TypeBuilder") if f"_{n}" in used]
    return [
        ast.ImportFrom(module="__future__", names=[ast.alias(name="annotations")], level=0),
        ast.ImportFrom(module="vdsl.typebuilder", names=[
            ast.alias(name=n, asname=f"_{n}") for n in wanted], level=0),
        ast.ImportFrom(module="vdsl.typebuilder", names=[ast.alias(name="FieldType")],
                       level=0),
        ast.ImportFrom(module="_runtime", names=[ast.alias(name="core")], level=1),
    ]
