"""The client modules: one thin typed method per function, for each way of calling it.

    sync_client.py     VdslSyncClient (`b`), VdslStreamClient (`b.stream`)
    async_client.py    VdslAsyncClient, VdslAsyncStreamClient
    request_client.py  VdslRequestClient (`b.request`), VdslStreamRequestClient
    parse_client.py    VdslParseClient (`b.parse`), VdslParseStreamClient (`b.parse_stream`)

Each method names its function and passes its arguments to `ClientBase` (vdsl.codegen.client),
which does the work; types are imported for type checkers only, so importing a client does
not import a single model. The sub-clients' modules are imported when first used.

Methods are named after the user's functions, and a type checker resolves the names in a
method's signature in its class first: a function called `CallOptions` or `Image` would
shadow the helper of that name. So a helper whose name a method takes is imported as `_Name`,
and a function named like one of the client classes gets a trailing `_`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..ir import FunctionDecl, OptionalType
from .imports import Imports
from .names import identifier, param_names
from .pytypes import Py, TypeMapper
from .typesgen import TypesPlan
from .writer import attr, call, const, docstring, name, sub, used_names

__all__ = ["client_modules"]

_SUPPORT = "vdsl.codegen.client"
_RESERVED_PARAMS = {"self", "baml_options", "vdsl_options", "types", "partial_types"}
_CLIENT_CLASSES = frozenset({
    "VdslSyncClient", "VdslStreamClient", "VdslAsyncClient", "VdslAsyncStreamClient",
    "VdslRequestClient", "VdslStreamRequestClient", "VdslParseClient", "VdslParseStreamClient",
    "VdslBatchClient"})
_PROPERTIES = frozenset({"with_options", "stream", "request", "stream_request", "parse",
                         "parse_stream", "batch"})


@dataclass
class _Fn:
    decl: FunctionDecl
    method: str
    params: list[tuple[str, str, ast.expr, bool]]
    """(declared name, Python name, annotation, has a default)."""
    returns: ast.expr
    partial: ast.expr


class _Module:
    def __init__(self, plan: TypesPlan, functions: list[FunctionDecl]) -> None:
        self.plan = plan
        self.methods = _method_names(functions)
        self.imports = Imports(set(self.methods.values()))
        self.final = self._mapper(False)
        self.partial = self._mapper(True)
        self.call_options = self.imports.use(_SUPPORT, "CallOptions", typing_only=True)

    def _mapper(self, partial: bool) -> TypeMapper:
        module = "partial_types" if partial else "types"

        def ref(kind: str, py_name: str) -> ast.expr:
            if kind == "media":
                return self.imports.use("vdsl.media", py_name, typing_only=True)
            home = module
            if partial and kind == "enum":
                home = "types"
            self.imports.module(".", home, typing_only=True)
            return attr(f"{home}.{py_name}")

        return TypeMapper(self.plan.decls, self.plan.py_names, ref, self.helper, partial=partial)

    def helper(self, ident: str) -> ast.expr:
        module = {"Checked": "vdsl.outputs.models", "StreamState": "vdsl.outputs.models"}
        return self.imports.use(module.get(ident, "typing"), ident, typing_only=True)


def _nullable(mapper: TypeMapper, t: object, py: Py) -> bool:
    return isinstance(t, OptionalType) or py.nullable


def _method_names(functions: list[FunctionDecl]) -> dict[str, str]:
    """Function name → method name: unique, clear of the clients' properties and classes."""
    taken = set(_PROPERTIES | _CLIENT_CLASSES)
    out: dict[str, str] = {}
    for fn in functions:
        method = identifier(fn.name)
        while method in taken:
            method += "_"
        taken.add(method)
        out[fn.name] = method
    return out


def _functions(m: _Module, functions: list[FunctionDecl]) -> list[_Fn]:
    out: list[_Fn] = []
    for fn in functions:
        method = m.methods[fn.name]
        py_params = param_names([p.name for p in fn.params], _RESERVED_PARAMS)
        mapped = [(p, m.final.map(p.type)) if p.type is not None else (p, Py([name("object")]))
                  for p in fn.params]
        optional = [_nullable(m.final, p.type, py) for p, py in mapped]
        # only a trailing run of optional parameters can default to None
        defaults = [all(optional[i:]) for i in range(len(optional))]
        params = [(p.name, py_params[p.name], m.final.render(py), defaults[i])
                  for i, (p, py) in enumerate(mapped)]
        assert fn.return_type is not None
        returns = m.final.render(m.final.map(fn.return_type))
        partial = m.partial.map(fn.return_type).non_null()
        out.append(_Fn(fn, method, params,
                       returns, m.partial.render(partial) if partial.atoms or partial.literals
                       else const(None)))
    return out


def _option(arg: str, call_options: ast.expr) -> ast.arg:
    return ast.arg(arg=arg, annotation=ast.BinOp(left=call_options, op=ast.BitOr(),
                                                 right=const(None)))


def _arguments(fn: _Fn, call_options: ast.expr, *, text_only: bool = False) -> ast.arguments:
    """The function's parameters, then `baml_options` (BAML's name) and `vdsl_options`."""
    if text_only:
        return ast.arguments(posonlyargs=[], args=[ast.arg(arg="self"),
                                                   ast.arg(arg="text", annotation=name("str"))],
                             kwonlyargs=[_option("baml_options", call_options)],
                             kw_defaults=[const(None)],
                             defaults=[])
    args = [ast.arg(arg="self")] + [ast.arg(arg=py, annotation=ann)
                                    for _, py, ann, _ in fn.params]
    defaults: list[ast.expr] = [const(None) for *_, has_default in fn.params if has_default]
    return ast.arguments(posonlyargs=[], args=args,
                         kwonlyargs=[_option("baml_options", call_options),
                                     _option("vdsl_options", call_options)],
                         kw_defaults=[const(None), const(None)], defaults=defaults)


def _args_dict(fn: _Fn) -> ast.Dict:
    return ast.Dict(keys=[const(d) for d, *_ in fn.params],
                    values=[name(py) for _, py, _, _ in fn.params])


def _method(m: _Module, fn: _Fn, returns: ast.expr, value: ast.expr, *, is_async: bool = False,
            text_only: bool = False, doc: str | None = None) -> ast.stmt:
    body: list[ast.stmt] = [docstring(doc)] if doc else []
    body.append(ast.Return(value=value))
    cls = ast.AsyncFunctionDef if is_async else ast.FunctionDef
    return cls(name=fn.method, args=_arguments(fn, m.call_options, text_only=text_only),
               body=body, decorator_list=[], returns=returns)


def _cast(annotation: ast.expr, value: ast.expr) -> ast.expr:
    return call("_cast", const(ast.unparse(annotation)), value)


def _runtime_call(method: str, fn: _Fn, *extra: ast.expr) -> ast.expr:
    return call(f"self.{method}", const(fn.decl.name), _args_dict(fn), name("vdsl_options"),
                name("baml_options"), *extra)


def _fn_doc(fn: _Fn) -> str | None:
    return fn.decl.doc.strip() if fn.decl.doc else None


def _class(name_: str, base: ast.expr, doc: str, body: list[ast.stmt]) -> ast.ClassDef:
    return ast.ClassDef(name=name_, bases=[base], keywords=[],
                        body=[docstring(doc), *body], decorator_list=[])


def _property(prop: str, cls: str, module: str | None, m: _Module) -> ast.FunctionDef:
    returns: ast.expr = name(cls)
    if module is None:
        value: ast.expr = call(cls, attr("self._core"), attr("self._options"))
        body: list[ast.stmt] = [ast.Return(value=value)]
    else:
        returns = m.imports.use(f".{module}", cls, typing_only=True)
        body = [ast.ImportFrom(module=None, names=[ast.alias(name=module, asname="_module")],
                               level=1),
                ast.Return(value=call(f"_module.{cls}", attr("self._core"),
                                      attr("self._options")))]
    return ast.FunctionDef(name=prop, args=ast.arguments(posonlyargs=[], args=[
        ast.arg(arg="self")], kwonlyargs=[], kw_defaults=[], defaults=[]), body=body,
        decorator_list=[name("property")], returns=returns)


def _properties(m: _Module, stream_cls: str) -> list[ast.stmt]:
    return [_property("stream", stream_cls, None, m),
            _property("request", "VdslRequestClient", "request_client", m),
            _property("stream_request", "VdslStreamRequestClient", "request_client", m),
            _property("parse", "VdslParseClient", "parse_client", m),
            _property("parse_stream", "VdslParseStreamClient", "parse_client", m),
            _property("batch", "VdslBatchClient", "batch_client", m)]


def _base(m: _Module) -> ast.expr:
    return m.imports.use(_SUPPORT, "ClientBase")


def _finish(m: _Module, doc: str, body: Sequence[ast.stmt]) -> list[ast.stmt]:
    return [docstring(doc), *m.imports.statements(used_names(body)), *body]


def _sync_module(plan: TypesPlan, functions: list[FunctionDecl]) -> list[ast.stmt]:
    m = _Module(plan, functions)
    fns = _functions(m, functions)
    m.imports.use("typing", "cast", local="_cast")
    stream_type = m.imports.use(_SUPPORT, "SyncStream", typing_only=True)
    calls = [_method(m, f, f.returns, _cast(f.returns, _runtime_call("_call", f)), doc=_fn_doc(f))
             for f in fns]
    streams = [_method(m, f, sub(stream_type, f.partial, f.returns), _runtime_call("_stream", f))
               for f in fns]
    base = _base(m)
    m.imports.use("._runtime", "core")
    body = [
        _class("VdslSyncClient", base, "Calls each function and returns its typed value.",
               _properties(m, "VdslStreamClient") + calls),
        _class("VdslStreamClient", base, "Streams each function: partial values, then the "
               "final one.", streams),
        ast.Assign(targets=[ast.Name(id="b", ctx=ast.Store())],
                   value=call("VdslSyncClient", name("core"))),
    ]
    return _finish(m, "The synchronous client: `b.Fn(...)`, `b.stream.Fn(...)`, "
                      "`b.request.Fn(...)`, `b.parse.Fn(text)`.", body)


def _async_module(plan: TypesPlan, functions: list[FunctionDecl]) -> list[ast.stmt]:
    m = _Module(plan, functions)
    fns = _functions(m, functions)
    m.imports.use("typing", "cast", local="_cast")
    stream_type = m.imports.use(_SUPPORT, "AsyncStream", typing_only=True)
    calls = [_method(m, f, f.returns, _cast(f.returns, ast.Await(value=_runtime_call("_acall", f))),
                     is_async=True, doc=_fn_doc(f)) for f in fns]
    streams = [_method(m, f, sub(stream_type, f.partial, f.returns), _runtime_call("_astream", f))
               for f in fns]
    base = _base(m)
    m.imports.use("._runtime", "core")
    body = [
        _class("VdslAsyncClient", base, "Calls each function with `await` and returns its "
               "typed value.", _properties(m, "VdslAsyncStreamClient") + calls),
        _class("VdslAsyncStreamClient", base, "Streams each function (`async for`): partial "
               "values, then the final one.", streams),
        ast.Assign(targets=[ast.Name(id="b", ctx=ast.Store())],
                   value=call("VdslAsyncClient", name("core"))),
    ]
    return _finish(m, "The asynchronous client: `await b.Fn(...)`, `b.stream.Fn(...)` "
                      "(`async for`).", body)


def _request_module(plan: TypesPlan, functions: list[FunctionDecl]) -> list[ast.stmt]:
    m = _Module(plan, functions)
    fns = _functions(m, functions)
    request = m.imports.use("vdsl.providers.base", "HttpRequest", typing_only=True)
    methods = [_method(m, f, request, _runtime_call("_request", f)) for f in fns]
    stream_flag = ast.AnnAssign(
        target=ast.Name(id="_stream_requests", ctx=ast.Store()),
        annotation=sub(m.imports.use("typing", "ClassVar"), name("bool")), value=const(True),
        simple=1)
    body = [
        _class("VdslRequestClient", _base(m), "The HTTP request each function would send, "
               "built offline (no credentials, no network; secrets redacted by `.redacted()`).",
               methods),
        _class("VdslStreamRequestClient", name("VdslRequestClient"), "The streaming "
               "request each function would send.", [stream_flag]),
    ]
    return _finish(m, "Request previews: `b.request.Fn(...)`, `b.stream_request.Fn(...)`.",
                   body)


def _parse_module(plan: TypesPlan, functions: list[FunctionDecl]) -> list[ast.stmt]:
    m = _Module(plan, functions)
    fns = _functions(m, functions)
    m.imports.use("typing", "cast", local="_cast")
    final = [_method(m, f, f.returns, _cast(f.returns, call(
        "self._parse", const(f.decl.name), name("text"), const(False), name("baml_options"))),
        text_only=True) for f in fns]
    partial = []
    for f in fns:
        returns = ast.BinOp(left=f.partial, op=ast.BitOr(), right=const(None))
        value = call("self._parse", const(f.decl.name), name("text"), const(True),
                     name("baml_options"))
        partial.append(_method(m, f, returns, _cast(returns, value), text_only=True))
    body = [
        _class("VdslParseClient", _base(m), "Reads a reply text as each function's return type.",
               final),
        _class("VdslParseStreamClient", _base(m), "Reads a partial reply (a streamed prefix) "
               "as each function's partial type.", partial),
    ]
    return _finish(m, "Parsing replies: `b.parse.Fn(text)`, `b.parse_stream.Fn(text)`.",
                   body)


def _batch_arguments(fn: _Fn, rows: ast.expr, call_options: ast.expr) -> ast.arguments:
    options = ast.arg(arg="vdsl_options",
                      annotation=ast.BinOp(left=call_options, op=ast.BitOr(),
                                           right=const(None)))
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg="self"),
                                               ast.arg(arg="rows", annotation=rows)],
                         kwonlyargs=[ast.arg(arg="dest", annotation=name("str")), options],
                         kw_defaults=[None, const(None)], defaults=[])


def _batch_module(plan: TypesPlan, functions: list[FunctionDecl]) -> list[ast.stmt]:
    m = _Module(plan, functions)
    fns = _functions(m, functions)
    job = m.imports.use(_SUPPORT, "TypedBatchJob", typing_only=True)
    iterable = m.imports.use("collections.abc", "Iterable", typing_only=True)
    mapping = m.imports.use("collections.abc", "Mapping", typing_only=True)
    path_like = m.imports.use("os", "PathLike", typing_only=True)
    rows = ast.BinOp(left=ast.BinOp(left=sub(iterable, sub(mapping, ast.Tuple(
        elts=[name("str"), name("object")], ctx=ast.Load()))), op=ast.BitOr(),
        right=name("str")), op=ast.BitOr(), right=sub(path_like, name("str")))
    methods: list[ast.stmt] = []
    for f in fns:
        value = call("self._batch", const(f.decl.name), name("rows"), name("dest"),
                     name("vdsl_options"))
        methods.append(ast.FunctionDef(
            name=f.method, args=_batch_arguments(f, rows, m.call_options), decorator_list=[],
            returns=sub(job, f.returns), body=[ast.Return(value=value)]))
    body = [_class("VdslBatchClient", _base(m), "Runs each function over many rows as a "
                   "Vertex AI batch prediction job; `results()` are typed.", methods)]
    return _finish(m, "Batch jobs: `b.batch.Fn(rows, dest=\"gs://bucket/prefix\")`.", body)


def client_modules(plan: TypesPlan, functions: list[FunctionDecl]
                   ) -> dict[str, list[ast.stmt]]:
    builders: dict[str, Callable[[TypesPlan, list[FunctionDecl]], list[ast.stmt]]] = {
        "sync_client.py": _sync_module, "async_client.py": _async_module,
        "request_client.py": _request_module, "parse_client.py": _parse_module,
        "batch_client.py": _batch_module,
    }
    return {path: build(plan, functions) for path, build in builders.items()}

