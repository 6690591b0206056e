"""The benchmarks' loopback Vertex: the vdsl emulator in processes of its own, with a
registered service account, so vdsl and BAML authenticate the same way (one JWT exchange,
then a cached bearer token) and neither shares a GIL with the server.

    python bench/loopback.py DIR [--workers N]   # writes DIR/service-account.json, prints the
                                                 # URL, serves until standard input closes

The listening socket is shared by `--workers` processes (default: one per core), the kernel
handing each new connection to one of them: one Python process serves one core at most, and
a client that opens a connection per call (baml-py does, against this server) costs the
server about twice the CPU per call of one that keeps connections alive.

`running(dir)` starts it and yields `(url, service_account_path, pids)`; `cpu_seconds(pids)`
reads the servers' CPU time, so a benchmark can show the server is not its bottleneck.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def serve(directory: Path, workers: int) -> None:
    # run as a script, this folder is first on sys.path, and bench/platform.py would shadow
    # the standard library's `platform` (which google-auth imports)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
    sys.path.insert(0, str(ROOT))
    from vdsl.emulator import Emulator
    from vdsl.emulator.auth import generate_service_account
    from vdsl.emulator.server import EmulatorServer

    emulator = Emulator(require_auth=False, log_limit=100)  # its App only; we own the socket
    server = EmulatorServer(("127.0.0.1", 0), emulator.app)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    emulator.app.authority.token_uri = f"{url}/token"
    email = "bench@vdsl-emulator.iam.gserviceaccount.com"
    info, public_pem = generate_service_account(f"{url}/token", email, "bench")
    emulator.register_service_account(email, public_pem)
    (directory / "service-account.json").write_text(json.dumps(info))
    children = [pid for pid in (os.fork() for _ in range(workers - 1)) if pid]
    if len(children) != workers - 1:  # a child: serve until the parent stops it
        server.serve_forever()
        os._exit(0)
    print(url, " ".join(str(p) for p in [os.getpid(), *children]), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the parent closes the pipe
    for pid in children:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


@contextmanager
def running(directory: Path, workers: int | None = None) -> Iterator[tuple[str, Path, list[int]]]:
    argv = [sys.executable, __file__, str(directory), "--workers",
            str(workers or os.cpu_count() or 1)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdin is not None
    try:
        url, *pids = proc.stdout.readline().split()
        if not url.startswith("http://"):
            raise SystemExit("the loopback emulator did not start")
        yield url, directory / "service-account.json", [int(p) for p in pids]
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    serve(args.directory, args.workers)
