"""The `types` and `partial_types` modules: one pydantic model per class, one `str` Enum per
enum, one `TypeAlias` per type alias; and the partial (streaming) form of each.

Declarations come out in dependency order (strongly connected components first, each in
declaration order), so a module only ever imports from modules before it. Big projects are
split into chunk modules behind a facade that imports them on first use; the facade names
every type for type checkers under `TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..ir import ClassDecl, EnumDecl, NamedType, TypeAliasDecl, TypeExpr
from ..ir.graph import strongly_connected
from ..ir.walk import iter_types
from ..render.schema import attr_text, has_attr
from .imports import Imports
from .names import field_names, identifier, type_name
from .pytypes import Py, TypeMapper, is_dynamic
from .writer import attr, call, const, docstring, name, sub

__all__ = ["TypeDecl", "TypesPlan", "plan_types"]

TypeDecl = ClassDecl | EnumDecl | TypeAliasDecl

HELPERS = ("TYPE_CHECKING", "ClassVar", "Literal", "TypeAlias", "Union", "AliasChoices",
           "Field", "TypeAliasType", "VdslModel", "VdslDynamicModel", "VdslEnum", "Checked",
           "StreamState")
_HELPER_MODULES = {
    "TYPE_CHECKING": "typing", "ClassVar": "typing", "Literal": "typing",
    "TypeAlias": "typing", "Union": "typing", "AliasChoices": "pydantic", "Field": "pydantic",
    "TypeAliasType": "typing_extensions", "VdslModel": "vdsl.codegen.models",
    "VdslDynamicModel": "vdsl.codegen.models",
    "VdslEnum": "vdsl.codegen.models", "Checked": "vdsl.codegen.models",
    "StreamState": "vdsl.codegen.models",
}


@dataclass
class TypesPlan:
    decls: dict[str, TypeDecl]
    py_names: dict[str, str]
    chunks: list[list[str]]
    """Declared names per module, in dependency order (one chunk: no facade)."""
    recursive_aliases: set[str] = field(default_factory=set)
    declared: dict[str, str] = field(default_factory=dict)
    """Python name → declared name."""

    def __post_init__(self) -> None:
        self.declared = {p: n for n, p in self.py_names.items()}

    @property
    def chunked(self) -> bool:
        return len(self.chunks) > 1

    def chunk_of(self) -> dict[str, int]:
        return {n: i for i, chunk in enumerate(self.chunks) for n in chunk}


def _refs(t: TypeExpr) -> list[str]:
    return [n.name for n in iter_types(t) if isinstance(n, NamedType)]


def _deps(decl: TypeDecl) -> list[str]:
    if isinstance(decl, ClassDecl):
        return [r for f in decl.fields for r in _refs(f.type)]
    if isinstance(decl, TypeAliasDecl):
        return _refs(decl.type)
    return []


def _sccs(order: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Components with their dependencies first, members stable by `order`."""
    return strongly_connected({name: edges[name] for name in order})


def _within(component: list[str], decls: dict[str, TypeDecl]) -> list[str]:
    """Enums, then classes, then aliases (each alias after the aliases it uses)."""
    aliases = [n for n in component if isinstance(decls[n], TypeAliasDecl)]
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen:
            return
        seen.add(n)
        for dep in _deps(decls[n]):
            if dep in aliases:
                visit(dep)
        ordered.append(n)

    for n in aliases:
        visit(n)
    rank = {EnumDecl: 0, ClassDecl: 1}
    head = sorted((n for n in component if n not in aliases),
                  key=lambda n: rank[type(decls[n])])  # stable: declaration order kept
    return head + ordered


def _alias_cycles(decls: dict[str, TypeDecl]) -> set[str]:
    """Aliases that reach themselves through aliases alone (pydantic needs these as
    `TypeAliasType`; through a class, a model breaks the recursion)."""
    names = [n for n, d in decls.items() if isinstance(d, TypeAliasDecl)]
    edges = {n: [d for d in _deps(decls[n]) if d in decls and isinstance(decls[d],
                                                                          TypeAliasDecl)]
             for n in names}
    return {n for comp in _sccs(names, edges) for n in comp
            if len(comp) > 1 or n in edges[n]}


def plan_types(decls: list[TypeDecl], chunk_size: int) -> TypesPlan:
    by_name = {d.name: d for d in decls}
    order = [d.name for d in decls]
    edges = {n: [d for d in _deps(by_name[n]) if d in by_name] for n in order}
    components = [_within(c, by_name) for c in _sccs(order, edges)]
    chunks: list[list[str]] = [[]]
    for comp in components:
        if chunks[-1] and len(chunks[-1]) + len(comp) > chunk_size:
            chunks.append([])
        chunks[-1].extend(comp)
    py_names = {n: type_name(n) for n in order}
    return TypesPlan(by_name, py_names, chunks, _alias_cycles(by_name))


class ModuleBuilder:
    """Builds one types (or partial types) module: a chunk, or the whole set."""

    def __init__(self, plan: TypesPlan, names: list[str], *, partial: bool,
                 locate: dict[str, str]) -> None:
        self.plan = plan
        self.names = names
        self.partial = partial
        self.locate = locate
        """Declared name → module (relative to this one) that defines it, for the names this
        module uses but does not define."""
        self.local = set(names)
        taken = set(plan.py_names.values())
        self.imports = Imports(taken)
        self.reserved = taken | set(HELPERS)
        self.mapper = TypeMapper(plan.decls, plan.py_names, self._ref, self.helper,
                                 partial=partial)

    def helper(self, ident: str) -> ast.expr:
        return self.imports.use(_HELPER_MODULES[ident], ident)

    def _ref(self, kind: str, py_name: str) -> ast.expr:
        if kind == "media":  # a media field of an input class: pydantic needs the class
            return self.imports.use("vdsl.media", py_name)
        declared = self.plan.declared[py_name]
        if declared not in self.local:
            self.imports.use(self.locate[declared], py_name, local=py_name)
        return name(py_name)

    def build(self) -> list[ast.stmt]:
        body: list[ast.stmt] = []
        defined: set[str] = set()
        for n in self.names:
            decl = self.plan.decls[n]
            if not isinstance(decl, ClassDecl):  # (a class's annotations are never quoted)
                self.mapper.quote = {self.plan.py_names[m] for m in self.names
                                     if m not in defined and m != n} | (
                    {self.plan.py_names[n]} if isinstance(decl, TypeAliasDecl) else set())
            if isinstance(decl, ClassDecl):
                body.append(self.class_def(decl))
            elif isinstance(decl, EnumDecl):
                body.extend(self.enum_def(decl))
            else:
                body.extend(self.alias_def(decl))
            defined.add(n)
        return body

    # ---- classes ------------------------------------------------------------------------
    def class_def(self, decl: ClassDecl) -> ast.ClassDef:
        self.mapper.quote = set()  # annotations are never evaluated at import
        body: list[ast.stmt] = []
        doc = _class_doc(decl, self.partial)
        if doc:
            body.append(docstring(doc))
        attrs = field_names([f.name for f in decl.fields], self.reserved)
        done = any(a.name == "stream.done" and a.block for a in decl.attrs)
        for f in decl.fields:
            py = self.mapper.field(f.type, f.attrs, done=done)
            body.append(self._field(f.name, attrs[f.name], py, f.attrs))
            if f.doc:
                body.append(docstring(f.doc.strip()))
        base = "VdslDynamicModel" if is_dynamic(decl) else "VdslModel"
        return ast.ClassDef(name=self.plan.py_names[decl.name],
                            bases=[self.helper(base)], keywords=[],
                            body=body or [ast.Pass()], decorator_list=[])

    def _field(self, declared: str, py_attr: str, py: Py, attrs: tuple) -> ast.AnnAssign:  # type: ignore[type-arg]
        kwargs: dict[str, ast.expr] = {}
        if py.nullable:
            kwargs["default"] = const(None)
        alias = attr_text(attrs, "alias")
        if py_attr != declared or alias:
            choices = [declared] + ([alias] if alias and alias != declared else [])
            kwargs["validation_alias"] = (call(self.helper("AliasChoices"),
                                               *[const(c) for c in choices])
                                          if len(choices) > 1 else const(declared))
        if py_attr != declared:
            kwargs["serialization_alias"] = const(declared)
        description = attr_text(attrs, "description")
        if description:
            kwargs["description"] = const(description.strip())
        value: ast.expr | None
        if list(kwargs) == ["default"]:
            value = const(None)
        elif kwargs:
            value = call(self.helper("Field"), **kwargs)
        else:
            value = None
        return ast.AnnAssign(target=ast.Name(id=py_attr, ctx=ast.Store()),
                             annotation=self.mapper.render(py), value=value, simple=1)

    # ---- enums --------------------------------------------------------------------------
    def enum_def(self, decl: EnumDecl) -> list[ast.stmt]:
        if self.partial:  # partials use the enums themselves
            return []
        body: list[ast.stmt] = []
        doc = _join(decl.doc, attr_text(decl.attrs, "description", block=True))
        if doc:
            body.append(docstring(doc))
        values = [v for v in decl.values if not has_attr(v.attrs, "skip")]
        aliases = {a: v.name for v in values if (a := attr_text(v.attrs, "alias"))}
        if aliases:
            annotation = sub(self.helper("ClassVar"), sub(name("dict"), name("str"), name("str")))
            body.append(ast.AnnAssign(
                target=ast.Name(id="__vdsl_aliases__", ctx=ast.Store()), annotation=annotation,
                value=ast.Dict(keys=[const(k) for k in aliases],
                               values=[const(v) for v in aliases.values()]), simple=1))
        used: set[str] = set()
        for v in values:
            member = identifier(v.name)
            while member in used:
                member += "_"
            used.add(member)
            body.append(ast.Assign(targets=[ast.Name(id=member, ctx=ast.Store())],
                                   value=const(v.name)))
            alias = attr_text(v.attrs, "alias")
            text = _join(v.doc, attr_text(v.attrs, "description"),
                         f"Written `{alias}` in prompts." if alias else None)
            if text:
                body.append(docstring(text))
        return [ast.ClassDef(name=self.plan.py_names[decl.name],
                             bases=[self.helper("VdslEnum")], keywords=[],
                             body=body or [ast.Pass()], decorator_list=[])]

    # ---- aliases ------------------------------------------------------------------------
    def alias_def(self, decl: TypeAliasDecl) -> list[ast.stmt]:
        py_name = self.plan.py_names[decl.name]
        value = self.mapper.render(self.mapper.map(decl.type), runtime=True)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            value = sub(self.helper("Union"), value)  # a bare forward reference
        plain = ast.AnnAssign(target=ast.Name(id=py_name, ctx=ast.Store()),
                              annotation=self.helper("TypeAlias"), value=value, simple=1)
        stmts: list[ast.stmt] = []
        if decl.name not in self.plan.recursive_aliases:
            stmts.append(plain)
        else:
            runtime = ast.Assign(targets=[ast.Name(id=py_name, ctx=ast.Store())],
                                 value=call(self.helper("TypeAliasType"), const(py_name),
                                            value))
            stmts.append(ast.If(test=self.helper("TYPE_CHECKING"), body=[plain],
                                orelse=[runtime]))
        if decl.doc:
            stmts.append(docstring(decl.doc.strip()))
        return stmts


def _join(*parts: str | None) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _class_doc(decl: ClassDecl, partial: bool) -> str:
    text = _join(decl.doc, attr_text(decl.attrs, "description", block=True))
    if partial:
        done = any(a.name == "stream.done" and a.block for a in decl.attrs)
        lead = (f"`{decl.name}` in a stream: it arrives only complete (`@@stream.done`)."
                if done else
                f"`{decl.name}` while it streams: fields fill in as the reply arrives.")
        return _join(lead, text)
    return text


def facade(plan: TypesPlan, partial: bool, module_path: str) -> list[ast.stmt]:
    """`types.py` for a chunked project: names for type checkers, imports on first use."""
    imports = Imports(set())
    where: dict[str, str] = {}
    typing_names: dict[str, list[str]] = {}
    for i, chunk in enumerate(plan.chunks):
        for n in chunk:
            decl = plan.decls[n]
            home = (f"._types.t{i:03d}" if partial is False or isinstance(decl, EnumDecl)
                    else f"._partial_types.p{i:03d}")
            where[plan.py_names[n]] = home
            typing_names.setdefault(home, []).append(plan.py_names[n])
    for module, names in typing_names.items():
        for n in names:
            imports.use(module, n, typing_only=True, local=n)
    getattr_fn = ast.parse(
        "def __getattr__(name: str) -> object:\n"
        "    return load_lazily(__name__, _WHERE, name)\n").body[0]
    imports.use("vdsl.codegen.client", "load_lazily")
    names = sorted(where)
    return [
        *imports.statements(None),
        ast.Assign(targets=[ast.Name(id="__all__", ctx=ast.Store())],
                   value=ast.List(elts=[const(n) for n in names], ctx=ast.Load())),
        ast.AnnAssign(target=ast.Name(id="_WHERE", ctx=ast.Store()),
                      annotation=sub(name("dict"), name("str"), name("str")),
                      value=ast.Dict(keys=[const(n) for n in names],
                                     values=[const(where[n]) for n in names]), simple=1),
        getattr_fn,
    ]


__all__ += ["ModuleBuilder", "attr", "facade"]
