"""How fast does `vdsl lsp` publish diagnostics after an edit? The synthetic 1000-function
project (10 files), driven over stdio as an editor drives it.

    python bench/lsp.py [--functions 1000] [--edits 40]

Each edit is one keystroke in the middle of one file that changes its diagnostics: a type name
loses a letter (`-> Output450` → `-> Outpt450`: unknown-type) and gets it back. The figure is
the time from sending `didChange` to receiving that version's `publishDiagnostics` (wall), and
the server's CPU time over the same interval (read from /proc; on a shared machine the wall
time includes waiting for a core, the CPU time does not). The first analysis of the project
(open → first diagnostics) is reported too. Also printed: the same edits in-process
(`ProjectState.refresh`), without the protocol. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE))
sys.path.append(str(HERE.parent / "tests" / "lsp"))
from lsp_client import LspClient
from synthetic import write_project


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _line(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (f"{name:<44} median {statistics.median(values) * 1000:7.1f} ms   "
            f"p90 {p90 * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms")


def over_stdio(root: Path, target: Path, texts: tuple[str, str], edits: int) -> None:
    client = LspClient(root, {"VDSL_CACHE_DIR": str(root.parent / "cache")})
    try:
        client.initialize()
        start = time.perf_counter()
        uri = client.open(target)
        client.diagnostics(uri, 1, timeout=600)
        print(f"{'first analysis (open → diagnostics)':<44} {time.perf_counter() - start:.2f} s "
              f"wall, {cpu_seconds(client.process.pid):.2f} s server CPU (start-up included)")
        wall, cpu = [], []
        for i in range(edits):
            text = texts[i % 2 == 0]
            before = cpu_seconds(client.process.pid)
            start = time.perf_counter()
            client.change(uri, text)
            client.diagnostics(uri, client.versions[uri])
            wall.append(time.perf_counter() - start)
            cpu.append(cpu_seconds(client.process.pid) - before)
        print(_line("edit → publishDiagnostics (wall)", wall))
        print(_line("  server CPU per edit", cpu))
    finally:
        client.close()


def in_process(root: Path, target: Path, texts: tuple[str, str], edits: int) -> None:
    from vdsl.compiler import find_files
    from vdsl.lsp.analysis import ProjectState

    buffers = {str(p): p.read_text() for p in find_files([root])}
    state = ProjectState(root, buffers.get)
    state.refresh(None, [])
    gc.freeze()
    wall, cpu = [], []
    for i in range(edits):
        buffers[str(target)] = texts[i % 2 == 0]
        start, start_cpu = time.perf_counter(), time.process_time()
        state.refresh([str(target)], [])
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(_line("in-process refresh (wall)", wall))
    print(_line("  CPU", cpu))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as base:
        root = write_project(Path(base) / "project", args.functions)
        (root / "vdsl.toml").write_text("")
        files = sorted(root.glob("part*.baml"))
        target = files[len(files) // 2]
        text = target.read_text()
        middle = text.split("function Extract")[len(text.split("function Extract")) // 2]
        number = middle.split("(", 1)[0]
        broken = text.replace(f"-> Output{number} {{", f"-> Outpt{number} {{")
        assert broken != text
        print(f"{args.functions} functions in {len(files)} files; edits in {target.name} "
              f"(a loaded machine shared with other work: compare CPU times)")
        over_stdio(root, target, (text, broken), args.edits)
        in_process(root, target, (text, broken), args.edits)


if __name__ == "__main__":
    main()
