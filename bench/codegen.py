"""`vdsl generate` and the generated package's import time, for 10/100/1000-function projects.

    python bench/codegen.py [--sizes 10,100,1000] [--runs 5]

For each size (synthetic projects from bench/synthetic.py: per function a client, two
classes, a shared enum) it prints the median of `--runs`:

* generate, whole process: `python -m vdsl generate PROJECT --out DIR` (parse cache off);
* generate, in process: `vdsl.load` and `codegen.generate` separately;
* import, whole process: `python -c "from pkg import b"`, and `python -c "pass"` for scale;
* import, in process: `from pkg import b` timed inside a fresh interpreter;
* first call: `b.request.Extract0(...)` after the import (compiles the embedded sources;
  parse cache on, warmed once), and using one type (`types.Output0`, its chunk only).

BAML's generated client, for scale, takes about 6.5 s to import at 1000 functions and 0.27 s
at 10 on the machine this was written on. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_project

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _inner(code: str, env: dict[str, str], cwd: Path) -> float:
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _median(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms"


def bench(functions: int, runs: int, work: Path) -> None:
    import vdsl
    from vdsl.codegen import generate

    project = write_project(work / f"p{functions}", functions)
    out = work / f"out{functions}"
    env = {**os.environ, "VDSL_CACHE_DIR": "", "PYTHONPATH": os.pathsep.join(
        [str(out), str(ROOT), os.environ.get("PYTHONPATH", "")])}
    gen = [_run([sys.executable, "-m", "vdsl", "generate", str(project), "--out", str(out)],
                env, work) for _ in range(runs)]
    loads, gens = [], []
    for _ in range(runs):
        started = time.perf_counter()
        loaded = vdsl.load(project)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        files = generate(loaded)
        gens.append(time.perf_counter() - started)
    lines = sum(text.count("\n") for text in files.values())
    base = [_run([sys.executable, "-c", "pass"], env, work) for _ in range(runs)]
    whole = [_run([sys.executable, "-c", "from vdsl_client import b"], env, work)
             for _ in range(runs)]
    timed = ("import time; t = time.perf_counter(); from vdsl_client import b; "
             "print(time.perf_counter() - t)")
    inner = [_inner(timed, env, work) for _ in range(runs)]
    cached = {**env, "VDSL_CACHE_DIR": str(work / "cache")}
    first = ("import time; from vdsl_client import b; t = time.perf_counter(); "
             "b.request.Extract0('x', None); print(time.perf_counter() - t)")
    _inner(first, cached, work)  # warm the parse cache once, as a developer machine has it
    calls = [_inner(first, cached, work) for _ in range(runs)]
    one_type = ("import time; from vdsl_client import types; t = time.perf_counter(); "
                "types.Output0; print(time.perf_counter() - t)")
    types_ = [_inner(one_type, env, work) for _ in range(runs)]
    print(f"{functions:5d} functions  ({len(files)} files, {lines} lines)")
    print(f"  generate, whole process     {_median(gen)}")
    print(f"  load + generate, in process {_median(loads)} + {_median(gens)}")
    print(f"  import, whole process       {_median(whole)}   (python -c pass: "
          f"{_median(base).strip()})")
    print(f"  import, in process          {_median(inner)}")
    print(f"  first request build         {_median(calls)}   (compiles embedded sources)")
    print(f"  first use of one type       {_median(types_)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            bench(size, args.runs, Path(tmp))
    print("BAML (for scale): import 0.27 s at 10 functions, 6.5 s at 1000")


if __name__ == "__main__":
    main()
