"""How fast is `vdsl test --emulator`? 200 tests (20 functions × 10 test blocks, each with an
`@@assert`) against the built-in emulator, as a whole `vdsl test` process.

    python bench/testrun.py [--tests 200] [--jobs 1,4,10] [--rounds 3]

Each round runs every `-j` value once, in turn (A/B/C alternating, so a busy machine slows
them alike); the figures are medians over rounds. CPU time is the child process's user +
system time: on a shared machine it says more than the wall clock. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import BLOCK, HEADER

REPLY = """\
fixtures:
  - prompt: "You extract records"
    reply:
      json: {name: "Ada", years: 36, tags: ["math"], priority: HIGH,
             address: {street: "1 Main St", city: "London", zip: 1815}}
      usage: {input_tokens: 120, output_tokens: 30}
"""


def write_project(root: Path, tests: int, per_function: int = 10) -> Path:
    functions = max(1, tests // per_function)
    root.mkdir(parents=True, exist_ok=True)
    (root / "enum.vdsl").write_text(HEADER)
    (root / "functions.vdsl").write_text("".join(BLOCK.format(i=i, d=i % 10)
                                                 for i in range(functions)))
    blocks = []
    for n in range(tests):
        i = n % functions
        blocks.append(f'test Case{n} {{\n  functions [Extract{i}]\n  args {{\n'
                      f'    text "record number {n}"\n  }}\n'
                      f'  @@assert(named, {{{{ this.name == "Ada" }}}})\n}}\n')
    (root / "tests.vdsl").write_text("\n".join(blocks))
    (root / "emulator.yaml").write_text(REPLY)
    return root


def run_once(root: Path, jobs: int, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one `vdsl test` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "vdsl", "test", str(root), "--emulator",
                           "-j", str(jobs), "--format", "concise"],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"vdsl test failed ({done.returncode}):\n{done.stdout[-2000:]}"
                         f"{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--jobs", default="1,4,10")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp) / "project", args.tests)
        env = dict(os.environ, VDSL_CACHE_DIR=str(Path(tmp) / "cache"), CI="1")
        env.pop("VDSL_VERTEX_ENDPOINT", None)
        run_once(root, jobs[-1], env)  # warm the OS file cache and Lark's grammar cache
        figures: dict[int, list[tuple[float, float]]] = {j: [] for j in jobs}
        for _ in range(args.rounds):
            for j in jobs:
                figures[j].append(run_once(root, j, env))
    print(f"vdsl test --emulator, {args.tests} tests, median of {args.rounds} "
          f"(machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    print(f"{'-j':>4} {'wall s':>8} {'tests/s':>9} {'CPU s':>7} {'tests/CPU s':>12}")
    for j, runs in figures.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{j:>4} {wall:>8.2f} {args.tests / wall:>9.0f} {cpu:>7.2f} "
              f"{args.tests / cpu:>12.0f}")


if __name__ == "__main__":
    main()
