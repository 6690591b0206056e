"""Output parsing speed: parses per second, in process, median of 5 rounds.

    python bench/parse.py [--rounds 5] [--seconds 0.4]

(a) a clean 20-field JSON object; (b) the same object inside prose and a ```json fence, with
trailing commas; (c) a 200-item list of small objects; (d) a stream: 200 growing prefixes of
(b), parsed as partials (one "parse" = the whole sequence of 200). For scale, baml-py's parser
takes about 0.4 ms per call on small inputs on the reference machine. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import vdsl
from vdsl.outputs import parse_output

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
function Extract(text: string) -> Profile {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
function Rows(text: string) -> Row[] {
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


def _messy(obj: dict[str, object]) -> str:
    body = json.dumps(obj, indent=2)
    body = body.replace('"\n', '",\n').replace("]\n", "],\n").replace("}\n", "},\n")
    return ("Sure! I read the profile carefully. Here is the result:\n\n```json\n"
            f"{body}\n```\n\nLet me know if you need anything else.")


def _rate(fn: Callable[[], object], rounds: int, seconds: float) -> tuple[float, float]:
    """(median calls per second, median ms per call) over `rounds` timed rounds."""
    fn()  # warm caches (compiled types, models)
    rates = []
    for _ in range(rounds):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        rates.append(n / elapsed)
    rate = statistics.median(rates)
    return rate, 1000 / rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.4)
    args = parser.parse_args()

    project = vdsl.loads(SOURCE)
    clean = json.dumps(PROFILE)
    messy = _messy(PROFILE)
    rows = json.dumps([{"sku": f"S{i:04}", "qty": i % 7, "price": i * 1.25}
                       for i in range(200)])
    step = max(1, len(messy) // 200)
    prefixes = [messy[:end] for end in range(step, len(messy) + 1, step)][:200]

    assert parse_output(project, "Extract", clean).age == 36
    assert parse_output(project, "Extract", messy).rating == 4.9
    assert len(parse_output(project, "Rows", rows)) == 200

    def stream() -> None:
        for prefix in prefixes:
            parse_output(project, "Extract", prefix, partial=True)

    cases = [
        ("(a) clean 20-field object", lambda: parse_output(project, "Extract", clean)),
        ("(b) prose + fence + trailing commas", lambda: parse_output(project, "Extract", messy)),
        ("(c) 200-item list of objects", lambda: parse_output(project, "Rows", rows)),
        (f"(d) stream of {len(prefixes)} prefixes", stream),
    ]
    print(f"median of {args.rounds} rounds of {args.seconds}s each")
    for name, fn in cases:
        rate, ms = _rate(fn, args.rounds, args.seconds)
        print(f"{name:40} {rate:10,.0f} parses/s  {ms:8.3f} ms/parse")


if __name__ == "__main__":
    main()
