"""Every figure of the speed table, for vdsl and — when `$VDSL_BAML_PYTHON` names a python with
baml-py — for BAML, measured in one run, the two sides alternating round by round.

    python bench/versus.py [--rounds 5] [--calls 1000] [--only calls,check,generate]
    VDSL_BAML_PYTHON=/path/to/python python bench/versus.py

Figures (median of `--rounds`; the ratio is how many times faster vdsl is, > 1 is ahead):

* calls/s against the loopback emulator (in its own process, `bench/loopback.py`): asyncio
  with 32 tasks and default settings, the same with `max_in_flight=4` (vdsl only), and
  sequential sync calls. Each round is a fresh process (`bench/versus_calls.py`). Both sides
  load the same `.baml` source, authenticate with the same service account (one JWT exchange)
  and send to the same `base_url`. The emulator's CPU use is printed, to show it is not the
  bottleneck.
* `check` of the 1000- and 10-function synthetic projects (`bench/synthetic.py`) in a new
  process with no project cache (`vdsl check --no-cache`; BAML: `baml-cli check`). vdsl's
  parser tables, derived from the grammar on a machine's first run and kept in
  `$VDSL_CACHE_DIR`, are there, as they are after any first run; a separate line shows a
  first run ever (no caches at all).
* `generate` of the 1000-function project into a fresh folder (BAML: `baml-cli generate`).

Python subprocesses run with bytecode caching on (`PYTHONDONTWRITEBYTECODE` is removed from
their environment), as an installed package has its `.pyc` files.

Wall times are noisy on a shared machine; the CPU time of each run (user + system, children
included) is printed beside it. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from loopback import cpu_seconds, running
from synthetic import write_project

BAML_VERSION = "0.226.3"
GENERATOR = """
generator bench {{
  output_type "python/pydantic"
  output_dir "{out}"
  version "{version}"
  default_client_mode "sync"
}}
"""
CALLS_SOURCE = """
client<llm> Flash {{
  provider vertex-ai
  options {{
    model gemini-2.5-flash
    project_id bench
    base_url "{url}/v1/projects/bench/locations/us-central1/publishers/google/models"
    credentials env.BENCH_CREDENTIALS
    generationConfig {{ temperature 0.0 }}
  }}
}}

function Echo(text: string) -> string {{
  client Flash
  prompt #"
    {{{{ _.role("system") }}}} You repeat things.
    {{{{ _.role("user") }}}} {{{{ text }}}}
  "#
}}
"""

Run = Callable[[], tuple[float, float]]
"""One measurement: (value, CPU seconds)."""


@dataclass
class Figure:
    name: str
    unit: str  # "calls/s" (higher is better) or "s" (lower is better)
    vdsl: Run
    baml: Run | None = None
    values: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def median(self, side: str) -> tuple[float, float] | None:
        found = self.values.get(side)
        if not found:
            return None
        return (statistics.median(v for v, _ in found), statistics.median(c for _, c in found))

    def ratio(self) -> float | None:
        ours, theirs = self.median("vdsl"), self.median("baml")
        if ours is None or theirs is None:
            return None
        return ours[0] / theirs[0] if self.unit == "calls/s" else theirs[0] / ours[0]


def timed(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (children) of one process, run in a scratch folder (so
    `python -m vdsl` finds the vdsl on its path, not a checkout in the current folder)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, cwd=cwd or tempfile.gettempdir(),
                            capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{result.stdout[-2000:]}"
                         f"{result.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def baml_cli(python: str) -> list[str]:
    code = ("import sys; from baml_py import invoke_runtime_cli; "
            "sys.argv = ['baml-cli'] + sys.argv[1:]; sys.exit(invoke_runtime_cli())")
    return [python, "-c", code]


class Bench:
    """The projects, the emulator and the two interpreters of one run."""

    def __init__(self, work: Path, baml_python: str | None, args: argparse.Namespace) -> None:
        self.work, self.baml_python, self.args = work, baml_python, args
        self.env = {**os.environ, "VDSL_CACHE_DIR": ""}
        self.env.pop("VDSL_VERTEX_ENDPOINT", None)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.server_cpu: list[float] = []

    # ---- projects ---------------------------------------------------------------------

    def synthetic(self, functions: int) -> Path:
        """`src/` (for vdsl) and `baml_src/`: the same files and BAML's generator block (vdsl
        refuses a generator that asks for another version; BAML wants that folder name)."""
        root = self.work / f"p{functions}"
        src = write_project(root / "src", functions)
        shutil.copytree(src, root / "baml_src")
        (root / "baml_src" / "generator.baml").write_text(
            GENERATOR.format(out="../baml_out", version=BAML_VERSION))
        return src

    def calls_project(self, url: str) -> Path:
        root = self.work / "calls"
        src = root / "baml_src"
        src.mkdir(parents=True)
        (src / "main.baml").write_text(CALLS_SOURCE.format(url=url))
        (src / "generator.baml").write_text(GENERATOR.format(out="../", version=BAML_VERSION))
        if self.baml_python:
            timed(baml_cli(self.baml_python) + ["generate", "--from", str(src)], self.env)
        return root

    # ---- figures ----------------------------------------------------------------------

    def calls(self, python: str, side: str, project: Path, mode: str, server: list[int],
              extra: list[str] = ()) -> Run:  # type: ignore[assignment]
        def run() -> tuple[float, float]:
            argv = [python, str(HERE / "versus_calls.py"), "--side", side, "--project",
                    str(project), "--mode", mode, "--calls", str(self.args.calls), *extra]
            before = cpu_seconds(server)
            out = subprocess.run(argv, env=self.env, capture_output=True, text=True,
                                 check=False, cwd=self.work)
            if out.returncode != 0:
                raise SystemExit(f"{side} {mode} failed:\n{out.stderr[-3000:]}")
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            self.server_cpu.append((cpu_seconds(server) - before) / (self.args.calls + 50))
            return figures["rate"], figures["cpu_per_call"]
        return run

    def vdsl_env(self, fresh: bool) -> dict[str, str]:
        """vdsl's environment: the machine's cache (the parser tables derived from the
        grammar, as after the first run) or, `fresh`, an empty one (a first run ever)."""
        cache = tempfile.mkdtemp(dir=self.work) if fresh else str(self.work / "cache")
        return {**self.env, "VDSL_CACHE_DIR": cache}

    def check(self, src: Path, side: str, fresh: bool = False) -> Run:
        def run() -> tuple[float, float]:
            if side == "vdsl":
                return timed([sys.executable, "-m", "vdsl", "check", str(src), "-q",
                              "--no-cache"], self.vdsl_env(fresh))
            assert self.baml_python  # BAML wants a folder named baml_src
            return timed(baml_cli(self.baml_python) + ["check", "--from",
                                                       str(src.parent / "baml_src")], self.env)
        return run

    def generate(self, src: Path, side: str) -> Run:
        def run() -> tuple[float, float]:
            out = src.parent / "baml_out"
            shutil.rmtree(out, ignore_errors=True)
            if side == "vdsl":
                return timed([sys.executable, "-m", "vdsl", "generate", str(src), "--out",
                              str(out)], self.vdsl_env(False))
            assert self.baml_python
            return timed(baml_cli(self.baml_python) + ["generate", "--from",
                                                       str(src.parent / "baml_src")], self.env)
        return run


def figures(bench: Bench, only: set[str], server: tuple[str, list[int]] | None) -> list[Figure]:
    found: list[Figure] = []
    baml = bench.baml_python
    if "calls" in only and server is not None:
        url, pids = server
        project = bench.calls_project(url)
        c = ["--concurrency", "32"]
        py = sys.executable

        def pair(mode: str, extra: list[str]) -> tuple[Run, Run | None]:
            return (bench.calls(py, "vdsl", project, mode, pids, extra),
                    bench.calls(baml, "baml", project, mode, pids, extra) if baml else None)
        found.append(Figure("calls/s, asyncio, 32 concurrent, default settings", "calls/s",
                            *pair("async", c)))
        found.append(Figure("same with `max_in_flight=4`", "calls/s",
                            bench.calls(py, "vdsl", project, "async", pids,
                                        [*c, "--max-in-flight", "4"])))
        found.append(Figure("calls/s sequential", "calls/s", *pair("seq", [])))
    if "check" in only or "generate" in only:
        big = bench.synthetic(1000)
        small = bench.synthetic(10)
        timed([sys.executable, "-m", "vdsl", "check", str(small), "-q"],
              bench.vdsl_env(False))  # derive the parser tables once, as any first run does
        if "check" in only:
            for label, src in (("1000 functions, cold process, no cache", big),
                               ("10 functions, cold process", small)):
                found.append(Figure(f"`check` {label}", "s", bench.check(src, "vdsl"),
                                    bench.check(src, "baml") if baml else None))
            found.append(Figure("`check` 10 functions, first run on a machine (vdsl "
                                "derives its parser tables)", "s",
                                bench.check(small, "vdsl", fresh=True)))
        if "generate" in only:
            found.append(Figure("`generate` 1000 functions", "s", bench.generate(big, "vdsl"),
                                bench.generate(big, "baml") if baml else None))
    return found


def measure(found: list[Figure], rounds: int) -> None:
    for round_ in range(rounds):
        for figure in found:
            # alternate which side goes first, so neither always runs on a warmer machine
            sides = [("vdsl", figure.vdsl), ("baml", figure.baml)]
            if round_ % 2:
                sides.reverse()
            for side, run in sides:
                if run is not None:
                    figure.values.setdefault(side, []).append(run())
        print(f"round {round_ + 1}/{rounds} done", file=sys.stderr, flush=True)


def show(value: float, cpu: float, unit: str) -> str:
    if unit == "calls/s":
        return f"{value:,.0f} ({cpu * 1e6:,.0f} µs CPU/call)"
    return f"{value:.3f} s ({cpu:.2f} s CPU)"


def table(found: list[Figure]) -> str:
    lines = ["| figure | baml-py | vdsl | ratio |", "|---|---|---|---|"]
    for figure in found:
        ours, theirs = figure.median("vdsl"), figure.median("baml")
        ratio = figure.ratio()
        lines.append(" | ".join([
            f"| {figure.name}",
            show(*theirs, figure.unit) if theirs else "—",
            show(*ours, figure.unit) if ours else "—",
            f"{ratio:.2f}× |" if ratio is not None else "— |"]))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=1000,
                        help="timed calls per round (after 50 warm-up calls)")
    parser.add_argument("--only", default="calls,check,generate",
                        help="comma-separated subset of calls, check, generate")
    args = parser.parse_args()
    only = set(args.only.split(","))
    baml = os.environ.get("VDSL_BAML_PYTHON") or None
    if baml and subprocess.run([baml, "-c", "import baml_py"], capture_output=True,
                               check=False).returncode != 0:
        print(f"VDSL_BAML_PYTHON={baml} cannot import baml_py: vdsl only", file=sys.stderr)
        baml = None
    with tempfile.TemporaryDirectory(prefix="vdsl-versus-") as tmp:
        work = Path(tmp)
        bench = Bench(work, baml, args)
        server_dir = work / "server"
        server_dir.mkdir()
        with running(server_dir) as (url, credentials, pids):
            bench.env["BENCH_CREDENTIALS"] = str(credentials)
            found = figures(bench, only, (url, pids))
            measure(found, args.rounds)
    print(table(found))
    if bench.server_cpu:
        print(f"\nemulator CPU per call: median {statistics.median(bench.server_cpu) * 1e6:.0f}"
              f" µs, max {max(bench.server_cpu) * 1e6:.0f} µs")
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end; "
          f"median of {args.rounds} rounds" + ("" if baml else "; baml-py not measured "
                                               "(set VDSL_BAML_PYTHON)"))


if __name__ == "__main__":
    main()
