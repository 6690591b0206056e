"""One round of the calls benchmark, in its own process, for vdsl or for BAML.

    python bench/versus_calls.py --side vdsl|baml --project DIR --mode seq|async
                                 [--calls 1000] [--concurrency 32] [--max-in-flight N]

Run by bench/versus.py (vdsl's python for `--side vdsl`, `$VDSL_BAML_PYTHON` for `--side
baml`), never imported. DIR holds `baml_src/` (one function, `Echo`, on a vertex-ai client
whose `base_url` is the loopback emulator) and, for BAML, the `baml_client/` generated from it.
Both sides call with default settings: a fresh client, 50 warm-up calls, then `--calls` timed
calls. Prints one JSON line: calls per second and the client's CPU time per timed call (all its
threads: BAML's runtime has its own).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder is first on sys.path, and bench/platform.py would shadow the
# standard library's `platform` (which google-auth imports).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

import argparse
import asyncio
import json
import resource
import time
from collections.abc import Awaitable, Callable
from typing import Any

WARMUP = 50


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def vdsl_callers(project: Path, max_in_flight: int | None
                 ) -> tuple[Callable[[], Any], Callable[[], Awaitable[Any]]]:
    import vdsl
    from vdsl.runtime import Runtime

    runtime = Runtime(vdsl.load(project / "baml_src"), max_in_flight=max_in_flight)
    return (lambda: runtime.call("Echo", {"text": "hello"}),
            lambda: runtime.acall("Echo", {"text": "hello"}))


def baml_callers(project: Path) -> tuple[Callable[[], Any], Callable[[], Awaitable[Any]]]:
    sys.path.insert(0, str(project))
    from baml_client.async_client import b as async_b  # type: ignore[import-not-found]
    from baml_client.sync_client import b as sync_b  # type: ignore[import-not-found]

    return (lambda: sync_b.Echo("hello"), lambda: async_b.Echo("hello"))


def sequential(call: Callable[[], Any], n: int) -> tuple[float, float]:
    for _ in range(WARMUP):
        call()
    start, used = time.perf_counter(), cpu()
    for _ in range(n):
        call()
    return time.perf_counter() - start, cpu() - used


def concurrent(call: Callable[[], Awaitable[Any]], n: int,
               concurrency: int) -> tuple[float, float]:
    """`n` calls from `concurrency` tasks, each calling in a loop (a batch job's shape)."""
    async def run(count: int) -> tuple[float, float]:
        left = [count]

        async def worker() -> None:
            while left[0] > 0:
                left[0] -= 1
                await call()
        start, used = time.perf_counter(), cpu()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start, cpu() - used

    async def both() -> tuple[float, float]:
        await run(WARMUP)
        return await run(n)
    return asyncio.run(both())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", choices=("vdsl", "baml"), required=True)
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--mode", choices=("seq", "async"), required=True)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-in-flight", type=int, default=None)
    args = parser.parse_args()
    sync_call, async_call = (vdsl_callers(args.project, args.max_in_flight)
                             if args.side == "vdsl" else baml_callers(args.project))
    if args.mode == "seq":
        seconds, used = sequential(sync_call, args.calls)
    else:
        seconds, used = concurrent(async_call, args.calls, args.concurrency)
    print(json.dumps({"rate": args.calls / seconds, "cpu_per_call": used / args.calls}))


if __name__ == "__main__":
    main()
