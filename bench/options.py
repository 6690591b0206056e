"""What the per-call options cost against the emulator: a plain call, then the same call with a
Collector, a TypeBuilder reused across calls, a fresh (equal) TypeBuilder per call, a new
property per call (a distinct builder each time), a ClientRegistry, an AbortController (a
sync call then runs on the runtime's background loop), and OpenTelemetry tracing (if the
SDK is installed). Variants alternate round by round, so a loaded machine skews them alike.

    python bench/options.py [--calls 300] [--rounds 5]

Figures are printed (the best and the median round; on a loaded machine the best is the
better estimate of the cost itself), never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from calls import emulator

import vdsl
from vdsl import AbortController, ClientRegistry, Collector, TypeBuilder
from vdsl.runtime import Runtime, StaticToken

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id bench
  }
}
class Reply {
  answer string
  @@dynamic
}
function Ask(text: string) -> Reply {
  client Flash
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
"""


def variants(runtime: Runtime) -> dict[str, Callable[[int], Any]]:
    project = runtime.project
    shared = TypeBuilder(project)
    shared.class_("Reply").add_property("score", shared.float().optional())
    registry = ClientRegistry()
    registry.add_llm_client("Eu", "vertex-ai", {"model": "gemini-2.5-flash",
                                                "location": "europe-west1",
                                                "project_id": "bench"})
    registry.set_primary("Eu")
    collector = Collector()

    def fresh(i: int) -> Any:
        tb = TypeBuilder(project)
        tb.class_("Reply").add_property("score", tb.float().optional())
        return runtime.call("Ask", {"text": "hi"}, tb=tb)

    def distinct(i: int) -> Any:
        tb = TypeBuilder(project)
        tb.class_("Reply").add_property(f"score_{i}", tb.float().optional())
        return runtime.call("Ask", {"text": "hi"}, tb=tb)

    def collected(i: int) -> Any:
        if i % 100 == 0:
            collector.clear()
        return runtime.call("Ask", {"text": "hi"}, collector=collector)

    out: dict[str, Callable[[int], Any]] = {
        "plain call": lambda i: runtime.call("Ask", {"text": "hi"}),
        "+ collector": collected,
        "+ TypeBuilder (reused)": lambda i: runtime.call("Ask", {"text": "hi"}, tb=shared),
        "+ TypeBuilder (new, equal)": fresh,
        "+ TypeBuilder (new, distinct)": distinct,
        "+ ClientRegistry": lambda i: runtime.call("Ask", {"text": "hi"},
                                                   client_registry=registry),
        "+ AbortController": lambda i: runtime.call("Ask", {"text": "hi"},
                                                    abort_controller=AbortController()),
    }
    try:
        from opentelemetry.sdk.trace import TracerProvider
    except ImportError:
        return out
    import vdsl.otel

    def traced(i: int) -> Any:
        vdsl.otel.instrument(provider)
        try:
            return runtime.call("Ask", {"text": "hi"})
        finally:
            vdsl.otel.uninstrument()

    provider = TracerProvider()  # no exporter: the cost of making the spans
    out["+ OpenTelemetry spans"] = traced
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with emulator() as url:
        runtime = Runtime(vdsl.loads(SOURCE), env={}, endpoint=url, auth=StaticToken("b"))
        table = variants(runtime)
        for run in table.values():  # warm every path once
            run(0)
        timings: dict[str, list[float]] = {name: [] for name in table}
        for _ in range(args.rounds):
            for name, run in table.items():
                started = time.perf_counter()
                for i in range(args.calls):
                    run(i)
                timings[name].append((time.perf_counter() - started) / args.calls)
        runtime.close()
    best_base = min(timings["plain call"])
    median_base = statistics.median(timings["plain call"])
    print(f"{args.calls} calls × {args.rounds} rounds, per call (emulator in a subprocess)")
    print(f"  {'':32s} {'best':>8s}   {'extra':>7s}   {'median':>8s}   {'extra':>7s}")
    for name, values in timings.items():
        best, median = min(values), statistics.median(values)
        print(f"  {name:32s} {best * 1e6:6.0f} µs  {(best - best_base) * 1e6:+6.0f} µs  "
              f"{median * 1e6:6.0f} µs  {(median - median_base) * 1e6:+6.0f} µs")


if __name__ == "__main__":
    main()
