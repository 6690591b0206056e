"""What the Vertex platform features cost a call, against the emulator (in a subprocess).

    python bench/platform_features.py [--calls 1000] [--rounds 5]

Variants are timed alternately, round after round, and the medians printed: a plain call; a
call under `max_input_tokens` (the count is asked once, then remembered); a call reading a
context cache (the cache is checked once, then remembered; its fingerprint is recomputed per
call); a call under an endpoint policy. Also: the local token estimate's speed, and
`vdsl check` on a project whose test prompts are rendered for the context-window check.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import vdsl
from vdsl.policy import Policy
from vdsl.runtime import Runtime, StaticToken
from vdsl.tokens.estimate import estimate_text

SOURCE = """
client<llm> Plain {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id bench }
}
client<llm> Budget {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id bench,
            max_input_tokens 100000 }
}
client<llm> Cached {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id bench,
            cached_content env.CACHE }
}
function Ask(manual: string, question: string) -> string {
  client Plain
  prompt #"
    {{ _.role("system") }} Answer from the manual.
    {{ _.role("user") }} {{ manual }}
    {{ _.role("user", __baml_allow_dupe_role__=true) }} {{ question }}
  "#
}
"""
MANUAL = "The pump must be primed before the first start. " * 250


@contextmanager
def emulator() -> Iterator[str]:
    proc = subprocess.Popen([sys.executable, "-m", "vdsl.emulator", "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().rsplit(" ", 1)[-1].strip()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def calls(url: str, n: int, rounds: int) -> None:
    project = vdsl.loads(SOURCE)
    args = {"manual": MANUAL, "question": "How?"}
    setup = Runtime(project, env={}, endpoint=url, auth=StaticToken("bench"))
    cache = setup.create_cache("Ask", args, client="Cached", ttl="1h")
    variants = {
        "plain": (Runtime(project, env={}, endpoint=url, auth=StaticToken("b")), "Plain"),
        "max_input_tokens": (Runtime(project, env={}, endpoint=url, auth=StaticToken("b")),
                             "Budget"),
        "cached_content": (Runtime(project, env={"CACHE": cache.name}, endpoint=url,
                                   auth=StaticToken("b")), "Cached"),
        "policy": (Runtime(project, env={}, endpoint=url, auth=StaticToken("b"),
                           policy=Policy(forbid_global=True,
                                         allowed_locations=("us-*",), source="bench")),
                   "Plain"),
    }
    latencies: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds * n):  # one call of each variant in turn: the load hits all alike
        for name, (rt, client) in variants.items():
            started = time.perf_counter()
            rt.call("Ask", args, client=client)
            latencies[name].append(time.perf_counter() - started)
    base = statistics.median(latencies["plain"])
    for name, found in latencies.items():
        median = statistics.median(found)
        print(f"  {name:17s} median {median * 1e3:6.2f} ms per call  "
              f"({(median - base) * 1e6:+5.0f} µs vs plain)")


def estimate() -> None:
    text = ("Ünïcode and ASCII text, mixed: 東京 " * 40_000)
    started = time.perf_counter()
    tokens = estimate_text(text)
    seconds = time.perf_counter() - started
    print(f"  local estimate: {len(text) / 1e6:.1f} M characters in {seconds * 1e3:.1f} ms "
          f"({tokens} tokens)")


def check_with_tests(rounds: int) -> None:
    """The test-prompt pass of `vdsl check`, on samples/manual as it is (its tests are under
    the render threshold) and with the cached client (its test is always rendered)."""
    from vdsl.compiler import compile_sources
    from vdsl.diagnostics import Diagnostics
    from vdsl.source import SourceFile
    from vdsl.tokens.checks import check

    text = (Path(__file__).resolve().parents[1] / "samples" / "manual" / "manual.vdsl"
            ).read_text()
    for label, source in (("as is", text),
                          ("rendered", text.replace("  client Flash\n", "  client CachedFlash\n"))):
        sources = [SourceFile("manual.vdsl", source)]
        program, _ = compile_sources(sources)
        compile_times, pass_times = [], []
        for _ in range(rounds):
            started = time.perf_counter()
            compile_sources(sources)
            compile_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            check(program, {s.path: s for s in sources}, Diagnostics())
            pass_times.append(time.perf_counter() - started)
        print(f"  samples/manual ({label}): compile {statistics.median(compile_times) * 1e3:.1f}"
              f" ms, of which the test-prompt pass {statistics.median(pass_times) * 1e3:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    print("calls against the emulator (alternating, median of rounds):")
    with emulator() as url:
        calls(url, options.calls, options.rounds)
    print("tokens:")
    estimate()
    print("compile:")
    check_with_tests(options.rounds)


if __name__ == "__main__":
    main()
