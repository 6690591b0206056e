"""Builds BAML's HTTP requests for the parity cases, without sending them.

Run by a python that has baml-py (and pydantic) installed, never imported by vdsl:

    python baml_driver.py CASE_DIR [CASE_DIR ...]  >  requests.json

For each case directory (`*.baml` + `cases.json`) it copies the sources into a scratch
folder, adds a `generator` block, runs `baml-cli generate`, imports the generated client and
calls `b.request.<Fn>(...)` / `b.stream_request.<Fn>(...)` for every case. Output: one JSON
object `{case_dir: {case_id: {"method", "url", "headers", "body"} | {"error"}}}`.

`$PARITY_SERVICE_ACCOUNT` (a fake service-account JSON whose `token_uri` is a loopback token
server: BAML fetches a token while it builds a request) replaces `"$SERVICE_ACCOUNT"` in a
case's env; `$PARITY_SERVER` replaces `{SERVER}` in arguments (media URLs on loopback).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GENERATOR = """
generator parity_target {
  output_type "python/pydantic"
  output_dir "../"
  version "%s"
  default_client_mode "async"
}
"""


def _baml_version() -> str:
    from importlib.metadata import version
    return version("baml-py")


def _media(baml_py: object, spec: dict) -> object:
    cls = getattr(baml_py, spec["$media"].capitalize())
    if "url" in spec:
        url = spec["url"].replace("{SERVER}", os.environ.get("PARITY_SERVER", ""))
        if spec.get("media_type") is None:
            return cls.from_url(url)
        try:
            return cls.from_url(url, spec["media_type"])
        except TypeError:  # baml_py.Pdf.from_url takes only the URL
            return cls.from_url(url)
    try:
        return cls.from_base64(spec["media_type"], spec["base64"])
    except TypeError:  # baml_py.Pdf.from_base64 takes only the data
        return cls.from_base64(spec["base64"])


def _decode(baml_py: object, value: object) -> object:
    if isinstance(value, str):
        return value.replace("{SERVER}", os.environ.get("PARITY_SERVER", ""))
    if isinstance(value, dict):
        if "$media" in value:
            return _media(baml_py, value)
        return {k: _decode(baml_py, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(baml_py, v) for v in value]
    return value


def _options(baml_py: object, client: object, case: dict) -> dict:
    """`baml_options` from a case's `tb` and `registry` snippets: Python run with `tb` (the
    generated TypeBuilder) or `cr` (a ClientRegistry) bound; vdsl runs the same text."""
    options: dict = {}
    if "tb" in case:
        tb = importlib.import_module(client.__name__ + ".type_builder").TypeBuilder()
        exec(case["tb"], {"tb": tb})  # noqa: S102 - the case's own builder calls
        options["tb"] = tb
    if "registry" in case:
        cr = baml_py.ClientRegistry()
        exec(case["registry"], {"cr": cr})  # noqa: S102
        options["client_registry"] = cr
    return {"baml_options": options} if options else {}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.split("\nStack backtrace")[0].strip()


async def _run_case_dir(case_dir: Path, scratch: Path, index: int, sa: str | None) -> dict:
    import baml_py
    spec = json.loads((case_dir / "cases.json").read_text())
    pkg = f"parity_client_{index}"
    root = scratch / f"p{index}"
    src = root / "baml_src"
    src.mkdir(parents=True)
    for path in case_dir.iterdir():  # sources and the files their tests read
        if path.is_file() and path.name != "cases.json":
            shutil.copy(path, src / path.name)
    (src / "zz_generator.baml").write_text(GENERATOR % _baml_version())
    cli = ("import sys; from baml_py import invoke_runtime_cli; "
           "sys.argv = ['baml-cli'] + sys.argv[1:]; sys.exit(invoke_runtime_cli())")
    proc = subprocess.run(  # noqa: ASYNC221 (a one-off script; nothing else runs meanwhile)
        [sys.executable, "-c", cli, "generate", "--from", str(src)],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return {"$generate_error": proc.stdout[-2000:] + proc.stderr[-2000:]}
    (root / "baml_client").rename(root / pkg)
    server = os.environ.get("PARITY_SERVER", "")
    env = {k: (sa if v == "$SERVICE_ACCOUNT" else v.replace("{SERVER}", server))
           for k, v in spec.get("env", {}).items()}
    saved = dict(os.environ)
    os.environ.update(env)
    sys.path.insert(0, str(root))
    try:
        client = importlib.import_module(pkg)
        b = client.b
        out: dict = {}
        for case in spec["cases"]:
            if "test" in case:
                out[case["id"]] = _run_test_block(src, case, env)
                continue
            api = b.stream_request if case.get("stream") else b.request
            try:
                args = _decode(baml_py, case.get("args", {}))
                if case.get("raw"):  # omitted keys stay omitted, as in a test block
                    options = api._BamlHttpRequestClient__options.merge_options({})
                    req = await options.create_http_request_async(
                        function_name=case["fn"], args=args, mode="request")
                else:
                    options = _options(baml_py, client, case)
                    req = await getattr(api, case["fn"])(**args, **options)
                out[case["id"]] = {"method": req.method, "url": req.url,
                                   "headers": dict(req.headers), "body": req.body.json()}
            except Exception as exc:  # noqa: BLE001 (BAML's error is compared too)
                out[case["id"]] = {"error": _first_line(exc)}
        return out
    finally:
        sys.path.remove(str(root))
        os.environ.clear()
        os.environ.update(saved)


def _run_test_block(src: Path, case: dict, env: dict) -> dict:
    """`baml-cli test` for one (function, test): the request goes to the loopback server, which
    keeps it under the case id (the client sends `x-parity-case` from `env.PARITY_CASE`)."""
    cli = ("import sys; from baml_py import invoke_runtime_cli; "
           "sys.argv = ['baml-cli'] + sys.argv[1:]; sys.exit(invoke_runtime_cli())")
    proc = subprocess.run(
        [sys.executable, "-c", cli, "test", "--from", str(src),
         "-i", f"{case['fn']}::{case['test']}"],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, **env, "PARITY_CASE": case["id"], "BAML_LOG": "warn"})
    return {"test_ran": True, "log": proc.stdout[-3000:] + proc.stderr[-3000:]}


async def main(argv: list[str]) -> int:
    sa = os.environ.get("PARITY_SERVICE_ACCOUNT")
    scratch = Path(tempfile.mkdtemp(prefix="vdsl-parity-"))
    results = {}
    try:
        for index, arg in enumerate(argv):
            results[arg] = await _run_case_dir(Path(arg), scratch, index, sa)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    json.dump(results, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
