"""Synthetic projects for the benchmarks: N functions, each with its own client, an output
class of five fields plus a nested class, a shared enum, and a prompt that uses `_.role` and
`ctx.output_format` (about 40 lines of BAML per function)."""

from __future__ import annotations

from pathlib import Path

HEADER = """\
enum Priority {
  LOW @description("Can wait")
  MEDIUM
  HIGH @description("Needs attention today")
}
"""

BLOCK = """\
client<llm> Client{i} {{
  provider vertex-ai
  options {{
    model gemini-2.5-flash
    location us-central1
    generationConfig {{ temperature 0.{d}, maxOutputTokens 1024 }}
  }}
}}

class Address{i} {{
  street string
  city string @description("City name")
  zip int?
}}

/// Output of function {i}
class Output{i} {{
  name string @description("The full name")
  age int? @alias("years")
  tags string[]
  priority Priority
  address Address{i}?
}}

function Extract{i}(text: string, hint: string?) -> Output{i} {{
  client Client{i}
  prompt #"
    {{{{ _.role("system") }}}}
    You extract records. Function number {i}.

    {{{{ _.role("user") }}}}
    {{{{ text }}}}
    {{% if hint %}}Hint: {{{{ hint }}}}{{% endif %}}

    {{{{ ctx.output_format }}}}
  "#
}}

"""


def project_text(functions: int) -> str:
    return HEADER + "\n" + "".join(BLOCK.format(i=i, d=i % 10) for i in range(functions))


def write_project(root: Path, functions: int, files: int = 10) -> Path:
    """Write the project split over `files` files (fewer for small projects)."""
    root.mkdir(parents=True, exist_ok=True)
    files = max(1, min(files, functions))
    (root / "enum.baml").write_text(HEADER)
    per_file = -(-functions // files)
    for f in range(files):
        body = "".join(BLOCK.format(i=i, d=i % 10)
                       for i in range(f * per_file, min(functions, (f + 1) * per_file)))
        (root / f"part{f:02d}.baml").write_text(body)
    return root
