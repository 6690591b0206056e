"""Output parsing: speed, hostile replies, memory, and the lossless round trip. Figures are
printed, never asserted.

    python bench/parse.py [--rounds 5] [--seconds 0.4]   # throughput (a)-(e)
    python bench/parse.py --baml                         # the same cases in baml-py, side by side
    python bench/parse.py --hostile                      # adversarial shapes at 10 KB/100 KB/1 MB
    python bench/parse.py --memory                       # 50 MB replies: time and peak memory
    python bench/parse.py --roundtrip 20000              # the lossless property, many examples

(a) a clean 20-field JSON object; (b) the same inside prose and a ```json fence, with trailing
commas; (c) a 200-item list of small objects; (d) a stream: 200 growing prefixes of (b),
parsed as partials (one "parse" = the whole sequence of 200); (e) the same for a reply twice
as long, to show a stream's cost grows linearly with its length. `--baml` needs a python with
baml-py: `$VDSL_BAML_PYTHON` (a virtualenv with `pip install baml-py`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import vdsl
from vdsl.errors import OutputParseError
from vdsl.outputs import parse_output

HERE = Path(__file__).resolve().parent
SOURCE = """
enum Level {
  LOW
  MEDIUM
  HIGH @description("needs attention")
}
class Address {
  street string
  city string
  zip int?
}
class Profile {
  id string
  name string
  email string
  age int
  score float
  active bool
  level Level
  tags string[]
  address Address
  nickname string?
  bio string
  followers int
  following int
  rating float @alias(stars)
  verified bool
  country string
  language string
  created string
  notes string?
  ratio float
}
class Row {
  sku string
  qty int
  price float
}
class Book {
  profiles Profile[]
}
function Extract(text: string) -> Profile {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
function Rows(text: string) -> Row[] {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
function Books(text: string) -> Book {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
"""

PROFILE = {
    "id": "u-1029", "name": "Ada Lovelace", "email": "ada@example.com", "age": 36,
    "score": 97.5, "active": True, "level": "HIGH", "tags": ["math", "engines", "poetry"],
    "address": {"street": "12 St James's Square", "city": "London", "zip": 10001},
    "nickname": None, "bio": "Wrote the first program.", "followers": 1843, "following": 12,
    "stars": 4.9, "verified": True, "country": "UK", "language": "en",
    "created": "1843-07-01", "notes": "Analytical Engine", "ratio": 0.42,
}


def _messy(obj: object) -> str:
    body = json.dumps(obj, indent=2)
    body = body.replace('"\n', '",\n').replace("]\n", "],\n").replace("}\n", "},\n")
    return ("Sure! I read the profile carefully. Here is the result:\n\n```json\n"
            f"{body}\n```\n\nLet me know if you need anything else.")


def _prefixes(text: str, count: int = 200) -> list[str]:
    step = max(1, len(text) // count)
    return [text[:end] for end in range(step, len(text) + 1, step)][:count]


def cases() -> dict[str, tuple[str, list[str], bool]]:
    """name → (function, texts parsed in one "parse", partial)."""
    rows = json.dumps([{"sku": f"S{i:04}", "qty": i % 7, "price": i * 1.25}
                       for i in range(200)])
    messy = _messy(PROFILE)
    longer = _messy({"profiles": [PROFILE, PROFILE]})
    return {
        "(a) clean 20-field object": ("Extract", [json.dumps(PROFILE)], False),
        "(b) prose + fence + trailing commas": ("Extract", [messy], False),
        "(c) 200-item list of objects": ("Rows", [rows], False),
        "(d) stream of 200 prefixes of (b)": ("Extract", _prefixes(messy), True),
        "(e) stream of 200 prefixes, 2x as long": ("Books", _prefixes(longer), True),
    }


def _rate(fn: Callable[[], object], rounds: int, seconds: float) -> float:
    """Median milliseconds per call over `rounds` timed rounds."""
    fn()  # warm caches (compiled types, models)
    per_call = []
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        per_call.append(1000 * elapsed / n)
    return statistics.median(per_call)


def throughput(rounds: int, seconds: float) -> dict[str, float]:
    project = vdsl.loads(SOURCE)
    out = {}
    for name, (fn, texts, partial) in cases().items():
        def run(fn: str = fn, texts: list[str] = texts, partial: bool = partial) -> None:
            for text in texts:
                parse_output(project, fn, text, partial)
        out[name] = _rate(run, rounds, seconds)
    return out


# ---- baml-py, side by side ------------------------------------------------------------------

_BAML_TIMER = r"""
import importlib, json, statistics, subprocess, sys, tempfile, time
from importlib.metadata import version
job = json.load(sys.stdin)
root = tempfile.mkdtemp()
src = root + "/baml_src"
import os; os.makedirs(src)
open(src + "/main.baml", "w").write(job["source"] + '''
generator g {
  output_type "python/pydantic"
  output_dir "../"
  version "%s"
  default_client_mode "sync"
}''' % version("baml-py"))
cli = ("import sys; from baml_py import invoke_runtime_cli; "
       "sys.argv = ['baml-cli'] + sys.argv[1:]; sys.exit(invoke_runtime_cli())")
subprocess.run([sys.executable, "-c", cli, "generate", "--from", src], check=True,
               capture_output=True)
sys.path.insert(0, root)
b = importlib.import_module("baml_client").b
out = {}
for name, (fn, texts, partial) in job["cases"].items():
    api = getattr(b.parse_stream if partial else b.parse, fn)
    def run():
        for t in texts:
            try:
                api(t)
            except Exception:
                pass
    run()
    per_call = []
    for _ in range(job["rounds"]):
        n, start = 0, time.perf_counter()
        while True:
            run(); n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= job["seconds"]:
                break
        per_call.append(1000 * elapsed / n)
    out[name] = statistics.median(per_call)
json.dump(out, sys.stdout)
"""


def baml_throughput(python: str, rounds: int, seconds: float) -> dict[str, float]:
    job = {"source": SOURCE, "cases": cases(), "rounds": rounds, "seconds": seconds}
    proc = subprocess.run([python, "-c", _BAML_TIMER], input=json.dumps(job), text=True,
                          capture_output=True, env={**os.environ, "BAML_LOG": "off"},
                          check=False, timeout=1800)
    if proc.returncode != 0:
        raise SystemExit(f"baml-py timing failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


# ---- hostile replies ------------------------------------------------------------------------

def _fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


HOSTILE: dict[str, tuple[str, Callable[[int], str]]] = {
    "recursive alias, 20 deep, repeated": (
        "Json", lambda n: "[" + ",".join(['{"a":' * 20 + "1" + "}" * 20] * max(1, n // 122))
        + "]"),
    "[[[[ (too deep)": ("Json", lambda n: "[" * n),
    "'[a ' then a fence": ("Json", lambda n: _fill("[a ", n) + "```"),
    'quotes """': ("Json", lambda n: _fill('"', n)),
    "backslashes in a string": ("Json", lambda n: '{"a": "' + _fill("\\", n)),
    "escaped quotes in a string": ("Json", lambda n: '{"a": "' + _fill('\\"', n)),
    "quote-brace runs": ("Json", lambda n: '{"a": "' + _fill('"}', n)),
    "fences ```": ("Json", lambda n: _fill("```", n)),
    "comment openers /*": ("Json", lambda n: _fill("/*", n)),
    "commas": ("Json", lambda n: _fill(",", n)),
    "one long number": ("int", lambda n: _fill("9", n)),
    "{a:{a: (too deep)": ("Json", lambda n: _fill("{a:", n)),
    "many list items": ("Json", lambda n: '["' + _fill('", "', n)),
    "unquoted value with commas": ("map<string, string>",
                                   lambda n: "{a: " + _fill("x, ", n) + "}"),
    "enum names in prose": ("Sentiment", lambda n: _fill("positive or negative ", n)),
    "<think> tags": ("Json", lambda n: _fill("<think>", n)),
}
HOSTILE_SCHEMA = """
enum Sentiment {
  POSITIVE
  NEGATIVE
}
type Json = int | float | bool | string | null | Json[] | map<string, Json>
"""


def _project_for(target: str) -> object:
    return vdsl.loads(HOSTILE_SCHEMA + f"""
function Target(x: string) -> {target} {{
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{{{ x }}}}"#
}}""")


def _outcome(project: object, text: str) -> str:
    try:
        parse_output(project, "Target", text)  # type: ignore[arg-type]
    except OutputParseError as exc:
        return "refused: " + exc.reason[:38]
    return "parsed"


def hostile() -> None:
    sizes = [10_000, 100_000, 1_000_000]
    print(f"{'shape':36}" + "".join(f"{s // 1000:>9} KB" for s in sizes)
          + "  1 MB/100 KB  outcome")
    for name, (target, make) in HOSTILE.items():
        project = _project_for(target)
        times, outcome = [], ""
        for size in sizes:
            text = make(size)
            start = time.perf_counter()
            outcome = _outcome(project, text)
            times.append(time.perf_counter() - start)
        growth = times[2] / times[1] if times[1] > 1e-4 else float("nan")
        print(f"{name:36}" + "".join(f"{t * 1000:9.1f} ms" for t in times)
              + f"  {growth:10.1f}x  {outcome}")


def memory(size: int = 50_000_000) -> None:
    shapes = {
        "'[a ' then a fence": ("Json", "[a " * (size // 3) + "```"),
        "one string value": ("map<string, string>", '{"a": "' + "x" * size + '"}'),
        "prose, read as an enum": ("Sentiment", "word " * (size // 5)),
        "1 M small objects in a list": ("Json", "[" + ",".join(['{"k": 1}'] * (size // 9))
                                        + "]"),
    }
    for name, (target, text) in shapes.items():
        project = _project_for(target)
        tracemalloc.start()
        start = time.perf_counter()
        outcome = _outcome(project, text)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:30} {len(text) / 1e6:5.0f} MB  {elapsed:6.1f} s (traced)  peak "
              f"+{peak / 1e6:5.0f} MB = {peak / len(text):.2f}x the reply  {outcome}")


def roundtrip(count: int) -> None:
    sys.path.insert(0, str(HERE.parent / "tests" / "outputs"))
    from test_out_roundtrip import round_trip

    exact = refused = wrong = 0
    start = time.perf_counter()
    for seed in range(count):
        text, value, parsed = round_trip(random.Random(seed))
        if isinstance(parsed, OutputParseError):
            refused += 1
        elif parsed == value:
            exact += 1
        else:
            wrong += 1
            print(f"WRONG (seed {seed}):\n{text}\n  got  {parsed}\n  want {value}")
    print(f"{count} random messy replies in {time.perf_counter() - start:.0f} s: {exact} exact, "
          f"{refused} refused, {wrong} different")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.4)
    parser.add_argument("--baml", action="store_true")
    parser.add_argument("--hostile", action="store_true")
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--roundtrip", type=int, metavar="N")
    args = parser.parse_args()
    if args.hostile:
        return hostile()
    if args.memory:
        return memory()
    if args.roundtrip:
        return roundtrip(args.roundtrip)
    print(f"median of {args.rounds} rounds of {args.seconds}s each (ms per parse)")
    mine = throughput(args.rounds, args.seconds)
    theirs: dict[str, float] = {}
    if args.baml:
        python = os.environ.get("VDSL_BAML_PYTHON")
        if not python:
            raise SystemExit("--baml needs VDSL_BAML_PYTHON (a python with baml-py)")
        theirs = baml_throughput(python, args.rounds, args.seconds)
    for name, ms in mine.items():
        line = f"{name:42} vdsl {ms:9.3f} ms"
        if name in theirs:
            line += f"   baml-py {theirs[name]:9.3f} ms   {theirs[name] / ms:5.1f}x faster"
        print(line)


if __name__ == "__main__":
    main()
