"""IR → a typed Python package (`vdsl generate`): file path → text, deterministic.

    vdsl_client/
      __init__.py        `b` (sync or async, per `default_client_mode`), version check
      types.py           pydantic models, enums, type aliases
      partial_types.py   the streaming form of every class
      sync_client.py     async_client.py   request_client.py   parse_client.py
      type_builder.py    TypeBuilder with an accessor per class and enum (per-call types)
      _runtime.py        the package's shared runtime (made on the first call)
      _sources.py        the project's sources, embedded
      py.typed
      _types/, _partial_types/   chunks behind types.py/partial_types.py (big projects)
"""

from __future__ import annotations

import ast
import gc
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .. import __version__
from ..ir import ClassDecl, EnumDecl, TypeAliasDecl
from ..project import Project
from .clientgen import client_modules
from .forked import run_parts
from .tbgen import type_builder_module
from .typesgen import ModuleBuilder, TypeDecl, TypesPlan, facade, plan_types
from .writer import call, const, docstring, name, render, used_names

__all__ = ["GenerateOptions", "generate"]


@dataclass(frozen=True)
class GenerateOptions:
    """How to generate: the package name, which client `b` is, and how many types one
    module holds before the types are split into lazily imported chunks."""

    package: str = "vdsl_client"
    mode: str = "sync"
    chunk_size: int = 250
    version: str = __version__


PARALLEL_FROM = 200
"""Functions from which `parallel=True` builds the clients in a forked process."""


def generate(project: Project, options: GenerateOptions | None = None, *,
             parallel: bool = False) -> dict[str, str]:
    """Every file of the package, keyed by path relative to the package directory.

    `parallel` (what `vdsl generate` passes) builds the client modules of a large project in
    a forked process while this one builds the types (`forked.py`); the files are the same."""
    options = options or GenerateOptions()
    collecting = gc.isenabled()
    gc.disable()  # many small, short-lived AST nodes: the collector would only slow this down
    try:
        return _generate(project, options,
                         parallel and len(project.functions) >= PARALLEL_FROM)
    finally:
        if collecting:
            gc.enable()


def _generate(project: Project, options: GenerateOptions, parallel: bool) -> dict[str, str]:
    decls: list[TypeDecl] = [d for d in project.program.decls
                             if isinstance(d, (ClassDecl, EnumDecl, TypeAliasDecl))]
    plan = plan_types(decls, options.chunk_size)

    def rendered(modules: dict[str, list[ast.stmt]]) -> dict[str, str]:
        return {path: render(body, options.version) for path, body in modules.items()}

    def types_and_the_rest() -> dict[str, str]:
        modules = _types_modules(plan)
        modules["type_builder.py"] = type_builder_module(plan)
        modules["_runtime.py"] = _runtime_module()
        modules["_sources.py"] = _sources_module(project)
        modules["__init__.py"] = _init_module(options)
        return rendered(modules)

    files = run_parts([types_and_the_rest,
                       lambda: rendered(client_modules(plan, project.functions))], parallel)
    files["py.typed"] = ""
    return dict(sorted(files.items()))


def _types_modules(plan: TypesPlan) -> dict[str, list[ast.stmt]]:
    if not plan.chunked:
        names = plan.chunks[0]
        enums = {n: ".types" for n in names if isinstance(plan.decls[n], EnumDecl)}
        return {
            "types.py": _module(plan, names, False, {}, "The project's classes, enums and "
                                "type aliases, as pydantic models, enums and type aliases."),
            "partial_types.py": _module(plan, [n for n in names if n not in enums], True, enums,
                                        "Partial (streaming) forms of the project's classes: "
                                        "fields not seen yet are None, lists and maps "
                                        "empty."),
        }
    where = plan.chunk_of()
    out: dict[str, list[ast.stmt]] = {
        "types.py": [docstring("The project's types (each chunk module is imported when one "
                               "of its names is first used)."), *facade(plan, False, "types")],
        "partial_types.py": [docstring("Partial (streaming) forms of the project's classes "
                                       "(imported when first used)."),
                             *facade(plan, True, "partial_types")],
        "_types/__init__.py": [docstring("Chunks of `types`.")],
        "_partial_types/__init__.py": [docstring("Chunks of `partial_types`.")],
    }
    for i, chunk in enumerate(plan.chunks):
        final_locate = {n: f".t{j:03d}" for n, j in where.items()}
        partial_locate = {n: (f".._types.t{j:03d}" if isinstance(plan.decls[n], EnumDecl)
                              else f".p{j:03d}") for n, j in where.items()}
        out[f"_types/t{i:03d}.py"] = _module(plan, chunk, False, final_locate,
                                             f"Types, chunk {i}.")
        partial_names = [n for n in chunk if not isinstance(plan.decls[n], EnumDecl)]
        out[f"_partial_types/p{i:03d}.py"] = _module(plan, partial_names, True, partial_locate,
                                                     f"Partial types, chunk {i}.")
    return out


def _module(plan: TypesPlan, names: list[str], partial: bool, locate: dict[str, str],
            doc: str) -> list[ast.stmt]:
    builder = ModuleBuilder(plan, names, partial=partial, locate=locate)
    body = builder.build()
    return [docstring(doc), *builder.imports.statements(used_names(body)), *body]


def _runtime_module() -> list[ast.stmt]:
    return [
        docstring("The runtime every client of this package shares, created on the first "
                  "call.\n\nSet `core.runtime_options` (endpoint, auth, max_in_flight, …) "
                  "before the first call to configure it."),
        ast.ImportFrom(module="__future__", names=[ast.alias(name="annotations")], level=0),
        ast.ImportFrom(module="vdsl.codegen.client", names=[ast.alias(name="Core")], level=0),
        ast.Assign(targets=[ast.Name(id="core", ctx=ast.Store())],
                   value=call("Core", name("__name__"))),
    ]


def _source_paths(project: Project) -> dict[str, str]:
    root = project.root
    base = root if root and os.path.isdir(root) else os.path.dirname(root or "")
    out: dict[str, str] = {}
    for path, source in project.sources.items():
        rel = os.path.relpath(path, base) if base else os.path.basename(path)
        out[rel.replace(os.sep, "/")] = source.text
    return dict(sorted(out.items()))


def _sources_module(project: Project) -> list[ast.stmt]:
    files = _source_paths(project)
    body: list[ast.stmt] = [
        docstring("The project's sources, embedded: the package runs without them."),
        _dict_constant("FILES", files, "str"),
    ]
    policy = project.policy
    if policy is not None:  # the endpoint policy travels with the package and is enforced
        body.append(_dict_constant("POLICY", {
            "forbid_global": policy.forbid_global, "allowed_locations": policy.allowed_locations,
            "allowed_publishers": policy.allowed_publishers, "source": policy.source}, "object"))
    return body


def _dict_constant(target: str, values: Mapping[str, object], value_type: str) -> ast.stmt:
    return ast.AnnAssign(target=ast.Name(id=target, ctx=ast.Store()),
                         annotation=ast.Subscript(value=name("dict"), slice=ast.Tuple(
                             elts=[name("str"), name(value_type)], ctx=ast.Load()),
                             ctx=ast.Load()),
                         value=ast.Dict(keys=[const(k) for k in values],
                                        values=[const(v) for v in values.values()]), simple=1)


def _init_module(options: GenerateOptions) -> list[ast.stmt]:
    client, cls = (("async_client", "VdslAsyncClient") if options.mode == "async"
                   else ("sync_client", "VdslSyncClient"))
    call_line = "await b.Fn(...)" if options.mode == "async" else "b.Fn(...)"
    doc = (f"Typed client for a vdsl project (generated by `vdsl generate`).\n\n"
           f"    from {options.package} import b, types\n\n"
           f"    value = {call_line}           # a typed value\n"
           f"    for partial in b.stream.Fn(...): ...\n\n"
           f"`{options.package}.sync_client.b` and `{options.package}.async_client.b` are "
           f"the sync and async clients; `b` here is the {options.mode} one.")

    def import_from(module: str, *names: str) -> ast.ImportFrom:
        return ast.ImportFrom(module=module.lstrip(".") or None,
                              names=[ast.alias(name=n) for n in names],
                              level=len(module) - len(module.lstrip(".")))

    lazy = ast.parse(
        "if TYPE_CHECKING:\n"
        "    from . import partial_types, types\n\n"
        "def __getattr__(name: str) -> object:\n"
        "    if name in ('types', 'partial_types'):\n"
        "        return importlib.import_module(f'{__name__}.{name}')\n"
        "    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')\n").body
    return [
        docstring(doc),
        ast.ImportFrom(module="__future__", names=[ast.alias(name="annotations")], level=0),
        ast.Import(names=[ast.alias(name="importlib")]),
        ast.ImportFrom(module="typing", names=[ast.alias(name="TYPE_CHECKING")], level=0),
        ast.ImportFrom(module="vdsl.codegen.client",
                       names=[ast.alias(name="check_version", asname="_check_version")],
                       level=0),
        ast.Expr(value=call("_check_version", const(options.version), name("__name__"))),
        import_from(f".{client}", cls, "b"),
        *lazy,
        ast.Assign(targets=[ast.Name(id="__all__", ctx=ast.Store())],
                   value=ast.List(elts=[const(cls), const("b"), const("partial_types"),
                                        const("types")], ctx=ast.Load())),
    ]
