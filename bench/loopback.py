"""The benchmarks' loopback Vertex: the vdsl emulator in its own process, with a registered
service account, so vdsl and BAML authenticate the same way (one JWT exchange, then a cached
bearer token) and neither shares a GIL with the server.

    python bench/loopback.py DIR     # writes DIR/service-account.json, prints the URL, serves
                                     # until its standard input closes

`running(dir)` starts it and yields `(url, service_account_path, pid)`; `cpu_seconds(pid)`
reads the server's CPU time so a benchmark can show the server is not its bottleneck.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve(directory: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from vdsl.emulator import Emulator

    with Emulator(require_auth=False, log_limit=100) as emu:
        path = emu.service_account_file(directory)
        path.rename(directory / "service-account.json")
        print(emu.url, flush=True)
        sys.stdin.read()  # until the parent closes the pipe


@contextmanager
def running(directory: Path) -> Iterator[tuple[str, Path, int]]:
    proc = subprocess.Popen([sys.executable, __file__, str(directory)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise SystemExit("the loopback emulator did not start")
        yield url, directory / "service-account.json", proc.pid
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
