"""vdsl's requests for a prepared real-world project (the same cases as `baml_side.py`).

Built the way a call builds them (media fetched from the loopback server, the project from
the client's options), not the offline preview. Test blocks get their arguments as `vdsl
render --test` / `vdsl run --test` read them: the test's `args`, its `type_builder`, media
paths relative to the test's file.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parity_helpers import _vdsl_value

from vdsl.runtime import MediaPolicy

# the media the harness serves lives on 127.0.0.1, which downloads refuse unless allowed
LOOPBACK_MEDIA = MediaPolicy(allow=("loopback",))


def _error(exc: BaseException) -> dict[str, str]:
    return {"error": f"{type(exc).__name__}: {exc}"}


def _request(rt: Any, fn: str, args: dict[str, Any], env: dict[str, str],
             stream: bool) -> dict[str, Any]:
    call = rt._prepare(fn, args, None, env, None, stream=stream)
    r = call.request
    url, headers = r.sendable()  # what goes on the wire, secrets included
    return {"method": r.method, "url": url, "headers": headers, "body": r.body}


def _test_case(project: Any, case: dict[str, Any], env: dict[str, str],
               runtimes: dict[str, Any]) -> dict[str, Any]:
    """The test's request; with `null_as_text`, also the request vdsl would send if it read
    the test's `null`s as BAML does (the text "null" wherever a string is accepted)."""
    from vdsl.render.snapshots import test_arguments
    from vdsl.runtime import Runtime
    from vdsl.typebuilder import project_for_test
    test = project.test(case["test"], case["fn"])
    fn = project.function(case["fn"])
    args, base = test_arguments(test, fn)
    if test.name not in runtimes:
        runtimes[test.name] = Runtime(project_for_test(project, test), env=env, base_dir=base,
                                      media=LOOPBACK_MEDIA)
    env_case = {"PARITY_CASE": case["header"]}
    out = _request(runtimes[test.name], case["fn"], args, env_case, True)
    types = {p.name: p.type for p in fn.params}
    texted = type(args)({k: null_as_text(project, v, types.get(k)) for k, v in args.items()})
    if texted != args:
        try:
            out["null_as_text"] = _request(runtimes[test.name], case["fn"], texted, env_case, True)
        except Exception as exc:  # noqa: BLE001 - then the allowance does not apply
            out["null_as_text"] = _error(exc)
    return out


def _accepts_string(project: Any, ty: Any, seen: frozenset[str] = frozenset()) -> bool:
    from vdsl.ir import nodes
    from vdsl.ir import types as t
    if isinstance(ty, t.Primitive):
        return ty.name == "string"
    if isinstance(ty, t.OptionalType):
        return _accepts_string(project, ty.inner, seen)
    if isinstance(ty, t.UnionType):
        return any(_accepts_string(project, m, seen) for m in ty.members)
    if isinstance(ty, t.NamedType) and ty.name not in seen:
        decl = project.find(ty.name)
        if isinstance(decl, nodes.TypeAliasDecl):
            return _accepts_string(project, decl.type, seen | {ty.name})
    return False


def null_as_text(project: Any, value: Any, ty: Any) -> Any:
    """`value` with each null that stands where a string is accepted replaced by "null"."""
    from vdsl.ir import nodes
    from vdsl.ir import types as t
    while isinstance(ty, (t.OptionalType, t.NamedType)):
        if value is None:
            return "null" if _accepts_string(project, ty) else None
        if isinstance(ty, t.OptionalType):
            ty = ty.inner
            continue
        decl = project.find(ty.name)
        if isinstance(decl, nodes.TypeAliasDecl):
            ty = decl.type
            continue
        if isinstance(decl, nodes.ClassDecl) and isinstance(value, dict):
            fields = {f.name: f.type for f in decl.fields}
            return {k: null_as_text(project, v, fields.get(k)) for k, v in value.items()}
        return value
    if value is None:
        return "null" if ty is not None and _accepts_string(project, ty) else None
    if isinstance(ty, t.ListType) and isinstance(value, list):
        return [null_as_text(project, v, ty.item) for v in value]
    if isinstance(ty, t.MapType) and isinstance(value, dict):
        return {k: null_as_text(project, v, ty.value) for k, v in value.items()}
    return value


def requests(project_dir: Path, server: str) -> dict[str, Any]:
    """case id → request (or `{"error"}`), or `{"$load_error": text}` if vdsl refuses."""
    import vdsl
    from vdsl.runtime import Runtime
    spec = json.loads((project_dir / "cases.json").read_text())
    env = {k: v.replace("{SERVER}", server) for k, v in spec.get("env", {}).items()}
    try:
        project = vdsl.load(project_dir / "baml_src")
    except Exception as exc:  # noqa: BLE001 - reported as a refusal
        return {"$load_error": str(exc)}
    out: dict[str, Any] = {}
    runtimes: dict[str, Any] = {}
    with Runtime(project, env=env, media=LOOPBACK_MEDIA) as rt, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dropped unknown fields: BAML drops them silently
        for case in spec["cases"]:
            try:
                if "test" in case:
                    out[case["id"]] = _test_case(project, case, env, runtimes)
                else:
                    args = _vdsl_value(case["args"], server)
                    out[case["id"]] = _request(rt, case["fn"], args, {}, False)
            except Exception as exc:  # noqa: BLE001 - vdsl's error is compared too
                out[case["id"]] = _error(exc)
    for runtime in runtimes.values():
        runtime.close()
    return out
