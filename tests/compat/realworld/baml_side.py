"""BAML's requests for prepared real-world projects; run by a python that has baml-py.

    python baml_side.py PROJECT_DIR [PROJECT_DIR ...]  >  requests.json

A project dir holds `baml_src/` (already rewritten for Vertex) and `cases.json`
(`{"env": {...}, "cases": [{"id", "fn", "args"} | {"id", "fn", "test"}]}`). Generated
arguments go to BAML's runtime as given (`BamlRuntime.build_request`, no generated client, so
an omitted key stays omitted), sixteen times each: bodies that differ between builds show
BAML's own non-determinism. Test blocks run through `baml-cli test`, one process per (function,
test) so each request carries its case id (`x-parity-case` from `env.PARITY_CASE`) to the
loopback server, several processes at a time (BAML's CLI idles about two seconds at exit).
Output: `{project_dir: {case_id: {"method", "url", "headers", "body", "bodies"} | {"error"} |
{"test_ran", "log"}} | {"$load_error": text}}`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from baml_driver import _decode, _first_line

TEST_PROCESSES = int(os.environ.get("PARITY_TEST_PROCESSES", "6"))
BUILDS = 16
CLI = ("import sys; from baml_py import invoke_runtime_cli; "
       "sys.argv = ['baml-cli'] + sys.argv[1:]; sys.exit(invoke_runtime_cli())")


def _env(spec: dict) -> dict[str, str]:
    server = os.environ.get("PARITY_SERVER", "")
    return {k: v.replace("{SERVER}", server) for k, v in spec.get("env", {}).items()}


async def _build(runtime: object, ctx: object, case: dict, env: dict) -> dict:
    """The request, built BUILDS times: `bodies` holds every distinct body BAML produced
    (more than one shows BAML's own non-determinism: hash order of maps and classes)."""
    import baml_py
    args = _decode(baml_py, case["args"])
    bodies: list = []
    for _ in range(BUILDS):
        req = await runtime.build_request(case["fn"], args, ctx.clone_context(),  # type: ignore[attr-defined]
                                          None, None, env, False)
        body = req.body.json()
        if body not in bodies:
            bodies.append(body)
    return {"method": req.method, "url": req.url, "headers": dict(req.headers),
            "body": bodies[0], "bodies": bodies}


async def _generated(project: Path, spec: dict, env: dict) -> dict:
    from baml_py import BamlCtxManager, BamlRuntime
    root = project / "baml_src"
    files = {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.baml"))}
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        runtime = BamlRuntime.from_files("baml_src", files, {**os.environ})
    except Exception as exc:  # noqa: BLE001 - BAML refuses the project: reported
        return {"$load_error": _first_line(exc)}
    finally:
        os.environ.clear()
        os.environ.update(saved)
    ctx = BamlCtxManager(runtime)
    out: dict = {}
    for case in spec["cases"]:
        if "test" in case:
            continue
        try:
            out[case["id"]] = await _build(runtime, ctx, case, env)
        except Exception as exc:  # noqa: BLE001 - BAML's error is compared too
            out[case["id"]] = {"error": _first_line(exc)}
    return out


def _test(project: Path, case: dict, env: dict) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", CLI, "test", "--from", str(project / "baml_src"),
             "-i", f"{case['fn']}::{case['test']}"], capture_output=True, text=True,
            check=False, timeout=120, cwd=project,
            env={**os.environ, **env, "PARITY_CASE": case["header"], "BAML_LOG": "warn"})
    except subprocess.TimeoutExpired:
        return {"test_ran": True, "log": "timed out"}
    return {"test_ran": True, "log": _why(proc.stdout + proc.stderr)}


def _why(log: str) -> str:
    """BAML's reason for not sending a test's request: the `err=` of its runtime log line
    (without the backtrace), else the end of the log."""
    found = re.search(r"\berr=(.*?)(?:\n\s+0: |\Z)", log, re.DOTALL)
    return (found.group(1) if found else log[-1500:]).strip()[:1500]


def run(projects: list[Path]) -> dict:
    results: dict = {}
    jobs = []
    for project in projects:
        spec = json.loads((project / "cases.json").read_text())
        env = _env(spec)
        results[str(project)] = asyncio.run(_generated(project, spec, env))
        if "$load_error" in results[str(project)]:
            continue
        jobs += [(project, case, env) for case in spec["cases"] if "test" in case]
    with ThreadPoolExecutor(TEST_PROCESSES) as pool:
        for (project, case, _env_), result in zip(jobs, pool.map(lambda j: _test(*j), jobs)):
            results[str(project)][case["id"]] = result
    return results


if __name__ == "__main__":
    json.dump(run([Path(p) for p in sys.argv[1:]]), sys.stdout)
