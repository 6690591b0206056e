"""`vdsl/renderPrompt`: a function's rendered messages and the exact request a call would send,
built offline (no credentials, no network; secrets `<redacted>`), for an editor panel.

Params: `{uri, function, test?, args?, client?}` — arguments from a test block, or given as
`args`. The reply: `{function, client, messages, system, request}`; when the function cannot
be rendered, `{function, error}` says why (unknown test, compile errors, a template that fails).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import VdslError
from ..ir import FunctionDecl, TestDecl
from ..project import Project
from .analysis import Snapshot

__all__ = ["render_preview"]


def render_preview(snapshot: Snapshot, params: Mapping[str, Any],
                   env: Mapping[str, str] | None = None) -> dict[str, Any]:
    function = params.get("function")
    if not isinstance(function, str) or not function:
        return {"error": "give the `function` to render"}
    errors = [d for found in snapshot.diagnostics.values() for d in found if d.is_error]
    project = Project(snapshot.program, snapshot.sources, [], str(snapshot.root))
    fn = project.find(function)
    if not isinstance(fn, FunctionDecl):
        return {"function": function, "error": f"no function `{function}` in this project"}
    try:
        args, base = _arguments(project, fn, params)
    except LookupError as error:
        return {"function": function, "error": str(error.args[0])}
    client = params.get("client") if isinstance(params.get("client"), str) else None
    try:
        return _render(project, fn, args, base, client, os.environ if env is None else env)
    except VdslError as error:
        return {"function": function, "error": str(error)}
    except Exception as error:  # noqa: BLE001 - a project with errors may fail anywhere
        if errors:
            first = errors[0]
            return {"function": function, "error": f"the project has {len(errors)} error(s); "
                    f"the first: {first.span}: {first.message}" if first.span else first.message}
        return {"function": function, "error": f"cannot render: {type(error).__name__}: {error}"}


def _arguments(project: Project, fn: FunctionDecl,
               params: Mapping[str, Any]) -> tuple[dict[str, Any], Path]:
    from ..render.snapshots import test_arguments

    test_name = params.get("test")
    if isinstance(test_name, str) and test_name:
        try:
            test = project.test(test_name, fn.name)
        except KeyError:
            raise LookupError(f"no test `{test_name}` in this project") from None
        assert isinstance(test, TestDecl)
        return test_arguments(test, fn)
    args = params.get("args")
    if args is not None and not isinstance(args, dict):
        raise LookupError("`args` must be an object of parameter names to values")
    return dict(args or {}), Path(fn.span.file).parent


def _render(project: Project, fn: FunctionDecl, args: dict[str, Any], base: Path,
            client: str | None, env: Mapping[str, str]) -> dict[str, Any]:
    from ..render import render_prompt
    from ..runtime import Runtime

    prompt = render_prompt(project, fn.name, args, client=client, base_dir=base)
    reply: dict[str, Any] = {"function": fn.name, "client": prompt.client, **prompt.to_dict()}
    try:
        with Runtime(project, env=env, base_dir=base) as runtime:
            request = runtime.build_request(fn.name, args, client=client)
        reply["request"] = request.redacted()
    except VdslError as error:
        reply["request_error"] = str(error)
    return reply
