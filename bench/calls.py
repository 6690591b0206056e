"""Per-call overhead of the runtime against the emulator, side by side with raw httpx.

    python bench/calls.py [--calls 2000] [--concurrency 32]

(a) raw httpx posting a prebuilt body (the floor); (b) Runtime.call; (c) Runtime.acall at
concurrency 32 (and raw httpx's own AsyncClient at the same concurrency, which the runtime no
longer uses for async calls: see docs/speed.md); (d) streaming time to first event. The
emulator runs in a subprocess so it does not share the GIL with the client. baml-py side by
side: bench/versus.py. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

import vdsl
from vdsl.runtime import Runtime, StaticToken

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id bench
    generationConfig { temperature 0.0 }
  }
}
class Reply {
  answer string
  confidence float
}
function Echo(text: string) -> string {
  client Flash
  prompt #"
    {{ _.role("system") }} You repeat things.
    {{ _.role("user") }} {{ text }}
  "#
}
"""


@contextmanager
def emulator() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "vdsl.emulator", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    url = line.rsplit(" ", 1)[-1].strip()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.0f} calls/s  {seconds / n * 1e6:7.0f} µs/call"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    n, c = args.calls, args.concurrency
    with emulator() as url:
        runtime = Runtime(vdsl.loads(SOURCE), env={}, endpoint=url, auth=StaticToken("bench"))
        request = runtime.build_request("Echo", {"text": "hello"})
        headers = {**request.headers, "authorization": "Bearer bench"}
        body = request.content()
        with httpx.Client() as http:
            for _ in range(50):
                http.post(request.url, headers=headers, content=body)
            start = time.perf_counter()
            for _ in range(n):
                http.post(request.url, headers=headers, content=body).json()
            raw = time.perf_counter() - start
        for _ in range(50):
            runtime.call("Echo", {"text": "hello"})
        start = time.perf_counter()
        for _ in range(n):
            runtime.call("Echo", {"text": "hello"})
        ours = time.perf_counter() - start
        print(f"(a) raw httpx, sequential      {rate(n, raw)}")
        print(f"(b) Runtime.call, sequential   {rate(n, ours)}   overhead "
              f"{(ours - raw) / n * 1e6:.0f} µs/call")

        async def raw_async() -> float:
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=c)) as http:
                sem = asyncio.Semaphore(c)

                async def one() -> None:
                    async with sem:
                        (await http.post(request.url, headers=headers, content=body)).json()
                await asyncio.gather(*(one() for _ in range(50)))
                start = time.perf_counter()
                await asyncio.gather(*(one() for _ in range(n)))
                return time.perf_counter() - start

        async def ours_async() -> float:
            sem = asyncio.Semaphore(c)

            async def one() -> None:
                async with sem:
                    await runtime.acall("Echo", {"text": "hello"})
            await asyncio.gather(*(one() for _ in range(50)))
            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return time.perf_counter() - start

        print(f"(c) raw httpx async, conc {c:<3}  {rate(n, asyncio.run(raw_async()))}")
        print(f"(c) Runtime.acall, conc {c:<3}    {rate(n, asyncio.run(ours_async()))}")
        for cap in (4, 8):
            runtime = Runtime(vdsl.loads(SOURCE), env={}, endpoint=url,
                              auth=StaticToken("bench"), max_in_flight=cap)
            print(f"(c) Runtime.acall, conc {c:<3} max_in_flight={cap}  "
                  f"{rate(n, asyncio.run(ours_async()))}")
        firsts = []
        for _ in range(200):
            start = time.perf_counter()
            stream = runtime.stream("Echo", {"text": "hello there"})
            next(iter(stream))
            firsts.append(time.perf_counter() - start)
            stream.close()
        print(f"(d) stream, time to first event  median {statistics.median(firsts) * 1e3:.2f} ms")
        runtime.close()
    print("(e) baml-py side by side: VDSL_BAML_PYTHON=… python bench/versus.py --only calls")


if __name__ == "__main__":
    os.environ.pop("VDSL_VERTEX_ENDPOINT", None)
    main()
