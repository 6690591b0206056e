"""Benchmark: renders per second for a 20-field class output and a 3-message prompt.

    python bench/render.py

Median of 5 runs of 2,000 renders, in-process, templates already compiled (they are compiled
once per project). Prints figures; never gates CI.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vdsl.render import render_prompt

FIELDS = "\n".join(f"  field{i} {'string' if i % 3 else 'int?'} @description(\"field {i}\")"
                   for i in range(20))
SOURCE = f'''
client<llm> Gem {{
  provider vertex-ai
  options {{
    model gemini-2.5-flash
    location us-central1
  }}
}}

enum Mood {{
  HAPPY
  SAD
}}

class Report {{
{FIELDS}
}}

function Extract(doc: string, mood: Mood) -> Report {{
  client Gem
  prompt #"
    {{{{ _.role("system") }}}}
    You extract reports. Mood: {{{{ mood }}}}.
    {{{{ _.role("user") }}}}
    {{{{ doc }}}}
    {{{{ _.role("assistant") }}}}
    Understood.
    {{{{ ctx.output_format }}}}
  "#
}}
'''
RUNS, RENDERS = 5, 2000


def load_project():  # type: ignore[no-untyped-def]
    import vdsl
    if hasattr(vdsl, "loads"):
        return vdsl.loads(SOURCE)
    # Before the parser landed: the same project, hand-built.
    sys.path.insert(0, str(ROOT / "tests" / "render"))
    from builders import attr, client, cls, enum, field, function, project
    fields = [field(f"field{i}", "string" if i % 3 else "int?", attr("description", f"field {i}"))
              for i in range(20)]
    prompt = ('{{ _.role("system") }}\nYou extract reports. Mood: {{ mood }}.\n'
              '{{ _.role("user") }}\n{{ doc }}\n{{ _.role("assistant") }}\nUnderstood.\n'
              "{{ ctx.output_format }}")
    return project(client("Gem"), enum("Mood", "HAPPY", "SAD"), cls("Report", *fields),
                   function("Extract", "doc: string, mood: Mood", "Report", prompt))


def main() -> None:
    project = load_project()
    args = {"doc": "Quarterly numbers look fine. " * 20, "mood": "HAPPY"}
    prompt = render_prompt(project, "Extract", args)
    assert [m.role for m in prompt.messages] == ["system", "user", "assistant"]
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(RENDERS):
            render_prompt(project, "Extract", args)
        rates.append(RENDERS / (time.perf_counter() - start))
    median = statistics.median(rates)
    print(f"render_prompt: {median:,.0f} renders/s (median of {RUNS} x {RENDERS}); "
          f"{1e6 / median:.1f} µs per render")


if __name__ == "__main__":
    main()
