"""Benchmark: requests per second the emulator sustains (non-streaming Gemini, keep-alive).

    python bench/emulator.py [--requests 2000] [--subprocess]

Concurrency 1 uses one sync httpx.Client; concurrency 32 uses 32 threads, each with its own
keep-alive httpx.Client, and (for comparison) one httpx.AsyncClient with 32 tasks. Auth is on
(a bearer token checked on every call), as in the runtime benchmarks. By default the emulator
runs in-process, so client and server share one GIL; `--subprocess` runs it as
`python -m vdsl.emulator` and also prints the server's CPU time per request, which shows
whether the emulator or the client is the bottleneck. Prints figures; never gates CI.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vdsl.emulator import Emulator

PATH = "/v1/projects/bench/locations/us-central1/publishers/google/models/gemini-2.5-flash" \
       ":generateContent"
BODY = {"contents": [{"role": "user", "parts": [{"text": "Why is the sky blue?"}]}]}


Server = tuple[str, str, int | None]
"""(base URL, bearer token, server pid when it runs in its own process)."""


@contextmanager
def in_process() -> Iterator[Server]:
    with Emulator(log_limit=1000) as emu:
        yield emu.url, emu.issue_token(), None


@contextmanager
def out_of_process() -> Iterator[Server]:
    proc = subprocess.Popen([sys.executable, "-m", "vdsl.emulator", "--port", "0",
                             "--strict-auth"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().rsplit(" ", 1)[1].strip()
        token = httpx.post(f"{url}/_emulator/token").json()["access_token"]
        yield url, token, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def sequential(url: str, token: str, count: int) -> float:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        client.post(PATH, json=BODY).raise_for_status()
        start = time.perf_counter()
        for _ in range(count):
            client.post(PATH, json=BODY).raise_for_status()
        return count / (time.perf_counter() - start)


def threaded(url: str, token: str, count: int, workers: int) -> float:
    per_worker = count // workers

    def worker(_: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(per_worker):
                client.post(PATH, json=BODY).raise_for_status()

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(worker, range(workers)))
    return per_worker * workers / (time.perf_counter() - start)


async def concurrent(url: str, token: str, count: int, workers: int) -> float:
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    async with httpx.AsyncClient(base_url=url, limits=limits,
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        await asyncio.gather(*(client.post(PATH, json=BODY) for _ in range(workers)))
        per_worker = count // workers

        async def worker() -> None:
            for _ in range(per_worker):
                (await client.post(PATH, json=BODY)).raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        return per_worker * workers / (time.perf_counter() - start)


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process (Linux /proc); 0 when unknown."""
    if pid is None or not os.path.exists(f"/proc/{pid}/stat"):
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, run: Callable[[], float], pid: int | None, count: int) -> None:
    before = cpu_seconds(pid)
    rate = run()
    line = f"  {name:<34} {rate:8.0f} req/s"
    if pid is not None:
        per_request = (cpu_seconds(pid) - before) / count * 1e6
        capacity = 1e6 / max(per_request, 1)
        line += f"   server CPU {per_request:4.0f} us/req (~{capacity:.0f} req/s/core)"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--subprocess", action="store_true",
                        help="run the emulator in its own process")
    args = parser.parse_args()
    server = out_of_process if args.subprocess else in_process
    where = "subprocess" if args.subprocess else "in-process"
    print(f"emulator ({where}), non-streaming Gemini generateContent, keep-alive httpx, "
          f"{args.requests} requests each, {os.cpu_count()} CPUs")
    n = args.requests
    with server() as (url, token, pid):
        measure("concurrency  1 (sync Client)", lambda: sequential(url, token, n), pid, n)
        measure("concurrency 32 (32 threads)", lambda: threaded(url, token, n, 32), pid, n)
        measure("concurrency 32 (AsyncClient)",
                lambda: asyncio.run(concurrent(url, token, n, 32)), pid, n)


if __name__ == "__main__":
    main()
