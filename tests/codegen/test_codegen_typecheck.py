"""The generated packages, and code that calls every generated method, pass `mypy --strict`
and `pyright --strict` with zero errors: for every sample, the synthetic every-type project and
a chunked project. A deliberate mistake in the same run proves the checkers really check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from codegen_helpers import CASES, HERE, ROOT, files_for, usage_source, write_package

BAD = """\
from typing import assert_type
from client_resume import b, types
assert_type(b.ExtractResume("x"), types.Job)
"""

MYPY_INI = """\
[mypy]
strict = True
python_version = 3.11
[mypy-vdsl.*]
follow_imports = silent
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typecheck")
    for case in CASES:
        package = f"client_{case}"
        files = files_for(case, package)
        write_package(root, package, files)
        (root / f"use_{case}.py").write_text(usage_source(files, package))
    write_package(root, "vdsl_client", files_for("every_type"))
    shutil.copy(HERE / "usage_every_type.py", root / "use_every_type_by_hand.py")
    shutil.copy(HERE / "usage_dynamic.py", root / "use_dynamic_by_hand.py")
    (root / "bad_usage.py").write_text(BAD)
    return root


def _targets(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name != "mypy.ini"
                  and not p.name.startswith((".", "pyright")))


def test_mypy_strict_accepts_every_package_and_usage(workspace: Path) -> None:
    (workspace / "mypy.ini").write_text(MYPY_INI)
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "mypy.ini",
                           "--no-incremental", *_targets(workspace)], cwd=workspace, env=env,
                          capture_output=True, text=True, check=False)
    errors = [line for line in proc.stdout.splitlines() if ": error:" in line]
    assert [e.split(":")[0] for e in errors] == ["bad_usage.py"], proc.stdout
    assert "Job" in errors[0]


def test_pyright_strict_accepts_every_package_and_usage(workspace: Path) -> None:
    pyright = shutil.which("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed (pip install pyright)")
    config = {"typeCheckingMode": "strict", "pythonVersion": "3.11",
              "extraPaths": [str(ROOT)], "include": _targets(workspace),
              "reportMissingTypeStubs": False}
    (workspace / "pyrightconfig.json").write_text(json.dumps(config))
    proc = subprocess.run([pyright, "--outputjson"], cwd=workspace, capture_output=True,
                          text=True, check=False)
    report = json.loads(proc.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert [Path(e["file"]).name for e in errors] == ["bad_usage.py"], errors
    assert report["summary"]["filesAnalyzed"] >= len(CASES) * 8
