"""Batch speed: the local work per row, and preparing a 1,000,000-row input in bounded memory.

    python bench/batch.py [--rows 50000] [--big 1000000] [--rounds 3]

(a) prepare: read a JSONL row, check its arguments, render the prompt, build the Gemini body
    and serialise the batch line — rows/s; the same with every prompt rendered through Jinja
    (`Preparer(static=False)`, what vdsl did before prompts of text, roles and parameters got
    their static path), alternated in the same run;
(b) collect: read a prediction line back, match its row, parse the Gemini reply and then the
    typed value (a small class) — rows/s;
(c) both together, per row;
(d) first, a --big-row JSONL file prepared into an input file: wall and CPU time and the
    process's maximum RSS.
Wall and CPU time are both printed: on a shared machine wall time includes waiting for a
core. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

import vdsl
from vdsl.batch.manifest import Manifest
from vdsl.batch.plan import plan_batch
from vdsl.batch.prepare import Preparer
from vdsl.batch.results import Collector
from vdsl.batch.rows import read_rows

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options { model gemini-2.5-flash
            location us-central1
            project_id bench }
}
enum Category {
  BILLING
  BUG
  OTHER
}
class Ticket {
  category Category
  urgent bool
  summary string
}
function Classify(text: string, customer: string) -> Ticket {
  client Flash
  prompt #"
    {{ _.role("system") }}
    Classify the support ticket.
    {{ ctx.output_format }}
    {{ _.role("user") }}
    From {{ customer }}: {{ text }}
  "#
}
"""
REPLY = {"candidates": [{"content": {"role": "model", "parts": [{"text": json.dumps(
    {"category": "BILLING", "urgent": True, "summary": "refund"})}]}, "finishReason": "STOP"}],
    "usageMetadata": {"promptTokenCount": 80, "candidatesTokenCount": 20,
                      "totalTokenCount": 100}}


def write_rows(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({"text": f"I was charged twice for order {i}, please refund",
                                  "customer": f"customer-{i % 977}"}) + "\n")


def timed(work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def prepare(project: vdsl.Project, rows: Path, out: Path, static: bool = True) -> int:
    plan = plan_batch(project, "Classify", env={})
    with out.open("wb") as handle:
        preparer = Preparer(plan, static=static)
        return preparer.write(read_rows(rows, project, plan.fn), handle).submitted


def collect(project: vdsl.Project, lines: list[bytes], count: int) -> int:
    manifest = Manifest("Classify", "Flash", "gemini-2.5-flash", "gemini", count, count,
                        "gs://b/in", "gs://b/out", "run", [], {})
    collector = Collector(manifest, project)
    collector.add_lines(lines)
    ok = sum(row.ok for row in collector.rows())
    collector.close()
    return ok


def prediction_lines(count: int) -> list[bytes]:
    return [json.dumps({"status": "", "request": {"labels": {"vdsl_row": str(i)}},
                        "response": REPLY}).encode() for i in range(count, 0, -1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    project = vdsl.loads(SOURCE)
    with tempfile.TemporaryDirectory() as tmp:
        big(project, Path(tmp), args.big)   # first, so the process's max RSS is its own
        rows = Path(tmp) / "rows.jsonl"
        write_rows(rows, args.rows)
        lines = prediction_lines(args.rows)
        prep, jinja, back = [], [], []
        for _ in range(args.rounds):   # A/B alternate in the same run
            prep.append(timed(lambda: prepare(project, rows, Path(tmp) / "in.jsonl")))
            jinja.append(timed(lambda: prepare(project, rows, Path(tmp) / "in.jsonl", False)))
            back.append(timed(lambda: collect(project, lines, args.rows)))
        report("prepare (read + check + render + body + line)", prep, args.rows)
        report("prepare, every prompt through Jinja", jinja, args.rows)
        report("collect (match + reply + typed parse)", back, args.rows)
        both = [(a[0] + b[0], a[1] + b[1]) for a, b in zip(prep, back, strict=True)]
        report("per row, both ways", both, args.rows)


def report(name: str, runs: list[tuple[float, float]], count: int) -> None:
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    print(f"{name:<48} {count / wall:>9,.0f} rows/s wall  {count / cpu:>9,.0f} rows/s CPU")


def big(project: vdsl.Project, folder: Path, count: int) -> None:
    rows = folder / "big.jsonl"
    write_rows(rows, count)
    size = rows.stat().st_size
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    wall, cpu = timed(lambda: prepare(project, rows, folder / "big-in.jsonl"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count:,} rows ({size / 1e6:.0f} MB in, "
          f"{(folder / 'big-in.jsonl').stat().st_size / 1e6:.0f} MB out): {wall:.1f} s wall, "
          f"{cpu:.1f} s CPU, max RSS {rss:.0f} MB (before: {before:.0f} MB)")


if __name__ == "__main__":
    main()
