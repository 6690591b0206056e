"""How fast is `vdsl fmt`? The 1000-function synthetic project (38,000 lines in 11 files):
`vdsl fmt --check` as a whole process, cold (no cache: every file is parsed for its syntax
check), warm (files fmt already knows to parse) and right after `vdsl check` (its cache says
they parse), and rewriting a messy copy; then where the time goes in-process.

    python bench/fmt.py [--functions 1000] [--rounds 3]

Cold and warm alternate in each round (a busy machine slows both alike); medians. CPU time
is the child's user + system time. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_project


def messy(root: Path) -> None:
    """The same project with extra spaces, tabs and blank lines (what fmt undoes)."""
    for path in root.glob("*.baml"):
        text = re.sub(r"^  (?=\w)", "\t ", path.read_text(), flags=re.MULTILINE)
        path.write_text(text.replace(" {\n", "  {\n\n").replace("}\n\n", "}\n\n\n"))


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "vdsl", "fmt", *argv], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"vdsl fmt failed:\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(root: Path) -> None:
    os.environ["VDSL_CACHE_DIR"] = ""
    from vdsl.fmt import syntax_errors
    from vdsl.fmt.layout import layout
    from vdsl.fmt.tokens import tokenize

    texts = [(str(p), p.read_text()) for p in sorted(root.glob("*.baml"))]
    clock = time.process_time
    stages = {"syntax check (the parser)": 0.0, "tokenize": 0.0, "layout": 0.0}
    for path, text in texts:
        t0 = clock()
        syntax_errors(text, path)
        t1 = clock()
        tokens = tokenize(text)
        t2 = clock()
        layout(tokens)
        t3 = clock()
        for name, took in zip(stages, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            stages[name] += took
    print("in-process CPU: " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clean = write_project(Path(tmp) / "clean", args.functions)
        subprocess.run([sys.executable, "-m", "vdsl", "fmt", "-q", str(clean)], check=True,
                       env=dict(os.environ, VDSL_CACHE_DIR=""))
        lines = sum(p.read_text().count("\n") for p in clean.glob("*.baml"))
        cold = dict(os.environ, VDSL_CACHE_DIR="")
        warm = dict(os.environ, VDSL_CACHE_DIR=str(Path(tmp) / "cache"))
        run_once(["--check", str(clean)], warm)  # fill the cache
        checked = dict(os.environ, VDSL_CACHE_DIR=str(Path(tmp) / "check-cache"))
        subprocess.run([sys.executable, "-m", "vdsl", "check", "-q", str(clean)], env=checked,
                       check=True, capture_output=True)
        figures: dict[str, list[tuple[float, float]]] = {"--check, cold": [],
                                                        "--check, warm": [],
                                                        "--check after vdsl check": [],
                                                        "rewrite a messy copy, cold": []}
        for _ in range(args.rounds):
            figures["--check, cold"].append(run_once(["--check", str(clean)], cold))
            figures["--check, warm"].append(run_once(["--check", str(clean)], warm))
            figures["--check after vdsl check"].append(run_once(["--check", str(clean)],
                                                                checked))
            copy = Path(tmp) / "messy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(clean, copy)
            messy(copy)
            figures["rewrite a messy copy, cold"].append(run_once(["-q", str(copy)], cold))
        print(f"vdsl fmt, {args.functions} functions ({lines:,} lines), median of "
              f"{args.rounds} (machine: {os.cpu_count()} cores, load "
              f"{os.getloadavg()[0]:.1f})")
        for name, runs in figures.items():
            print(f"  {name:<28} wall {statistics.median(w for w, _ in runs):5.2f} s   "
                  f"CPU {statistics.median(c for _, c in runs):5.2f} s")
        in_process(clean)


if __name__ == "__main__":
    main()
