"""Benchmark: renders per second for a 20-field class output and a 3-message prompt.

    python bench/render.py

Median and best of 9 runs of 1,000 renders, in-process, templates already compiled (they
are compiled once per project); on a loaded machine the best run is the steadier figure. Two variants, alternated run by run so machine load hits both alike: vdsl's
budgeted sandbox (what ships) and, for comparison, Jinja's plain `SandboxedEnvironment` with
the same settings and globals (no render budget). Prints figures; never gates CI.
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
RUNS, RENDERS = 9, 1000


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


def unbudgeted(project):  # type: ignore[no-untyped-def]
    """`project` rendered by Jinja's plain sandbox: the baseline the budget is measured against."""
    from jinja2 import Undefined
    from jinja2.sandbox import SandboxedEnvironment

    from vdsl.render.environment import _tojson, renderer_for
    from vdsl.render.values import finalize

    renderer = renderer_for(project)
    env = SandboxedEnvironment(autoescape=False, finalize=finalize, undefined=Undefined,
                               keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = _tojson
    env.globals.update(renderer._globals())
    env.limits = renderer.env.limits  # type: ignore[attr-defined]
    renderer.env = env  # type: ignore[assignment]
    return project


def main() -> None:
    args = {"doc": "Quarterly numbers look fine. " * 20, "mood": "HAPPY"}
    variants = {"budgeted sandbox (vdsl)": load_project(),
                "plain Jinja sandbox (baseline)": unbudgeted(load_project())}
    for project in variants.values():
        prompt = render_prompt(project, "Extract", args)
        assert [m.role for m in prompt.messages] == ["system", "user", "assistant"]
    rates: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(RUNS):
        for name, project in variants.items():
            start = time.perf_counter()
            for _ in range(RENDERS):
                render_prompt(project, "Extract", args)
            rates[name].append(RENDERS / (time.perf_counter() - start))
    for name, runs in rates.items():
        median, best = statistics.median(runs), max(runs)
        print(f"render_prompt, {name}: {median:,.0f} renders/s median, {best:,.0f} best of "
              f"{RUNS} x {RENDERS}; {1e6 / median:.1f} µs per render ({1e6 / best:.1f} best)")


if __name__ == "__main__":
    main()
