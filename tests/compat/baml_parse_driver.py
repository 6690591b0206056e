"""Parses model replies with BAML's own parser, for the differential parse tests.

Run by a python that has baml-py (and pydantic) installed, never imported by vdsl:

    python baml_parse_driver.py < job.json > results.json

`job.json` is `{"source": "<.baml text without a generator>", "cases": [{"id", "fn", "text",
"partial"}]}`. The driver writes the source and a `generator` block into a scratch folder,
runs `baml-cli generate`, imports the client and calls `b.parse.<Fn>(text)` (or
`b.parse_stream.<Fn>(text)` for a partial) for each case. Output: `{id: {"value": plain} |
{"error": first line}}`, where `plain` is JSON-ready data (models by field name, enums by
value, `Checked` as `{"value", "checks"}`, `StreamState` as `{"value", "state"}`).
"""

from __future__ import annotations

import enum
import importlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

GENERATOR = """
generator parse_target {
  output_type "python/pydantic"
  output_dir "../"
  version "%s"
  default_client_mode "sync"
}
"""


def _plain(value: Any) -> Any:
    from pydantic import BaseModel

    name = type(value).__name__
    if isinstance(value, BaseModel):
        if name.startswith("Checked"):
            return {"value": _plain(value.value),
                    "checks": {k: {"name": c.name, "expression": c.expression,
                                   "status": c.status} for k, c in value.checks.items()}}
        if name.startswith("StreamState"):
            return {"value": _plain(value.value), "state": str(value.state.value
                                                               if hasattr(value.state, "value")
                                                               else value.state)}
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    return value


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().split("\n")[0][:300]


def main() -> int:
    from importlib.metadata import version

    job = json.load(sys.stdin)
    scratch = Path(tempfile.mkdtemp(prefix="vdsl-parse-parity-"))
    try:
        src = scratch / "baml_src"
        src.mkdir()
        (src / "main.baml").write_text(job["source"])
        (src / "zz_generator.baml").write_text(GENERATOR % version("baml-py"))
        cli = ("import sys; from baml_py import invoke_runtime_cli; "
               "sys.argv = ['baml-cli'] + sys.argv[1:]; sys.exit(invoke_runtime_cli())")
        proc = subprocess.run([sys.executable, "-c", cli, "generate", "--from", str(src)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            json.dump({"$generate_error": proc.stdout[-3000:] + proc.stderr[-3000:]},
                      sys.stdout)
            return 0
        sys.path.insert(0, str(scratch))
        b = importlib.import_module("baml_client").b
        out: dict[str, Any] = {}
        for case in job["cases"]:
            api = b.parse_stream if case.get("partial") else b.parse
            try:
                out[case["id"]] = {"value": _plain(getattr(api, case["fn"])(case["text"]))}
            except Exception as exc:  # noqa: BLE001 (BAML's failure is a result too)
                out[case["id"]] = {"error": _first_line(exc)}
        json.dump(out, sys.stdout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
