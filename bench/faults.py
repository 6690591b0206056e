"""Throughput and latency under injected 503s: concurrency 32, an exponential retry policy
with small delays, 0%, 5% and 20% of requests failing.

    python bench/faults.py [--calls 1000] [--concurrency 32]

The emulator runs in a subprocess; faults are queued through its control API. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time

import httpx

import vdsl
from vdsl.errors import VdslError
from vdsl.runtime import Runtime, StaticToken

SOURCE = """
retry_policy Quick {
  max_retries 3
  strategy { type exponential_backoff, delay_ms 5, multiplier 2, max_delay_ms 50 }
}
client<llm> Flash {
  provider vertex-ai
  retry_policy Quick
  options { model gemini-2.5-flash, location us-central1, project_id bench }
}
function Echo(text: string) -> string {
  client Flash
  prompt #"{{ text }}"#
}
"""


async def run(runtime: Runtime, calls: int, concurrency: int) -> tuple[float, list[float], int]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    failures = 0

    async def one(i: int) -> None:
        nonlocal failures
        async with gate:
            start = time.perf_counter()
            try:
                await runtime.acall("Echo", {"text": f"n{i}"})
            except VdslError:
                failures += 1
            latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(calls)))
    return time.perf_counter() - start, latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-in-flight", type=int, default=4)
    args = parser.parse_args()
    proc = subprocess.Popen([sys.executable, "-m", "vdsl.emulator", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().rsplit(" ", 1)[-1].strip()
    try:
        print(f"{args.calls} calls, concurrency {args.concurrency}, max_in_flight "
              f"{args.max_in_flight}, exponential policy (5 ms × 2ⁿ, 3 retries)")
        for rate in (0.0, 0.05, 0.20):
            rng = random.Random(7)
            script = ["status=503" if rng.random() < rate else None
                      for _ in range(int(args.calls * 1.5))]
            httpx.delete(f"{url}/_emulator/requests")
            httpx.post(f"{url}/_emulator/script", json=script)
            runtime = Runtime(vdsl.loads(SOURCE), env={}, endpoint=url,
                              auth=StaticToken("bench"), max_in_flight=args.max_in_flight)
            elapsed, latencies, failures = asyncio.run(run(runtime, args.calls,
                                                           args.concurrency))
            runtime.close()
            latencies.sort()
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            print(f"  {rate:>4.0%} 503s: {args.calls / elapsed:7.0f} calls/s   "
                  f"p50 {statistics.median(latencies) * 1e3:6.1f} ms   p99 {p99 * 1e3:6.1f} ms"
                  f"   failed after retries: {failures}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
