"""The prompt scan (no Jinja) against Jinja's parser: whenever the scan reads a template,
Jinja parses it, finds exactly the same names on the same lines, and holds no call the full
checks look at (a template_string call, `ctx.output_format(…)`). Templates are built from
pieces the scan accepts and pieces it must refuse, so both sides of the boundary are tried."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

import vdsl
from vdsl.validate.prompt_scan import SIMPLE_PATHS, scan
from vdsl.validate.prompts import _loaded_names

ENV = SandboxedEnvironment(autoescape=False)
ROOT = Path(__file__).resolve().parents[2]

NAMES = ["x", "items", "_", "ctx", "hint", "loop", "a_b", "Tpl", "if", "not", "true", "in"]
PATHS = NAMES + ["x.y", "_.role", "ctx.output_format", "ctx.client.name", "x . y"]
EXPRESSIONS = PATHS + ['_.role("system")', "_.role('user')", "_.chat()", 'Tpl("a")',
                       'ctx.output_format(prefix="x")', "ctx.output_format()", "x | upper",
                       "x + 1", "x[0]", '"lit"', "x(", "x.y(a)", "-x", "x.", "x.if"]
STATEMENTS = ["if x", "if not hint", "elif x.y", "else", "endif", "for a in items",
              "for a in x.y", "endfor", "for a, b in items", "raw", "endraw", "set x = 1",
              "if x and y", "if", "for in items", "macro m()", "endmacro", "else x",
              "for if in items", "filter upper", "endfilter"]
TEXT = ["hello ", "\n", "\r\n", "\r", "{", "}", "%", "#", " {x} ", "{ {", "} }", "a}}b", "{%",
        "{{", "{#", "#}", "-", "\t"]


@st.composite
def templates(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["text", "expr", "stmt", "comment"]))
        space = draw(st.sampled_from(["", " ", "\n", "  "]))
        minus = draw(st.sampled_from(["", "-"]))
        if kind == "text":
            parts.append(draw(st.sampled_from(TEXT)))
        elif kind == "expr":
            expr = draw(st.sampled_from(EXPRESSIONS))
            parts.append(f"{{{{{minus}{space}{expr}{space}{minus}}}}}")
        elif kind == "stmt":
            parts.append(f"{{%{minus}{space}{draw(st.sampled_from(STATEMENTS))}{space}%}}")
        else:
            parts.append(f"{{#{draw(st.sampled_from(TEXT))}#}}")
    return "".join(parts)


def _attributes(ast: nodes.Template) -> set[tuple[str, ...]]:
    found = set()
    for node in ast.find_all(nodes.Getattr):
        path: list[str] = [node.attr]
        inner = node.node
        while isinstance(inner, nodes.Getattr):
            path.insert(0, inner.attr)
            inner = inner.node
        if isinstance(inner, nodes.Name):
            found.add((inner.name, *path))
    return found


def _calls_checked(ast: nodes.Template) -> bool:
    for call in ast.find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name):
            return True
        if isinstance(target, nodes.Getattr) and target.attr == "output_format":
            return True
    return False


def assert_agrees(template: str) -> bool:
    """True when the scan read the template (and agreed with Jinja)."""
    found = scan(template)
    if found is None:
        return False
    try:
        ast = ENV.parse(template)
    except TemplateSyntaxError as error:  # pragma: no cover - the failure being tested for
        pytest.fail(f"the scan read a template Jinja refuses: {error}\n{template!r}")
    assert found == _loaded_names(ast), template
    assert not _calls_checked(ast), template
    assert _attributes(ast) <= SIMPLE_PATHS, template  # nothing for template_types
    return True


@given(templates())
@settings(max_examples=1500, deadline=None, database=None)
def test_the_scan_agrees_with_jinja(template: str) -> None:
    assert_agrees(template)


def test_the_scan_reads_the_usual_prompts_and_refuses_the_rest() -> None:
    usual = ('{{ _.role("system") }}\nYou extract.\n{{ _.role("user") }}\n{{ text }}\n'
             '{% if hint %}Hint: {{ hint }}{% endif %}\n{% for m in msgs %}{{ m }}'
             '{% endfor %}\n{# note #}\n{{ ctx.output_format }}')
    assert assert_agrees(usual)
    assert scan(usual) == {"_": 1, "text": 4, "hint": 5, "msgs": 6, "ctx": 8}
    for needs_jinja in ["{{ x | upper }}", "{{ Tpl(a) }}", "{{ ctx.output_format(prefix='x') }}",
                        "{% if a %}", "{% endif %}", "{% raw %}{{ x }}{% endraw %}",
                        "{{ person.name }}", "{{ ctx.output_fromat }}", "{{ _.rol('user') }}",
                        "{% if p.ok %}x{% endif %}", "{% for x in p.items %}{% endfor %}",
                        "{{ x", "{% set a = 1 %}", "{% if a %}{% else %}{% elif b %}{% endif %}"]:
        assert scan(needs_jinja) is None, needs_jinja


def test_every_prompt_in_the_repository_gets_the_same_warnings_either_way(monkeypatch) -> None:
    """`vdsl check` of every sample and language case, with the scan and with Jinja only."""
    from vdsl.validate import prompts
    paths = [p for p in sorted((ROOT / "samples").iterdir()) if p.is_dir()]
    paths += sorted(p for p in (ROOT / "tests" / "language" / "cases").rglob("*")
                    if p.suffix in (".vdsl", ".baml"))
    with_scan = [vdsl.check(p, use_cache=False) for p in paths]
    monkeypatch.setattr(prompts, "scan", lambda source: None)
    assert [vdsl.check(p, use_cache=False) for p in paths] == with_scan


def test_the_attributes_the_scan_accepts_are_valid_for_template_types() -> None:
    """The scan skips `template_types`' checks only for attributes those checks accept."""
    from vdsl.validate import template_types
    tables = {"ctx": template_types.CTX_ATTRIBUTES, "_": template_types.HELPER_ATTRIBUTES}
    for head, attribute in SIMPLE_PATHS:
        assert attribute in tables[head]


def test_a_parameter_named_like_a_global_is_checked_by_jinja(tmp_path: Path) -> None:
    """`ctx` as a parameter is typed by the parameter, not vdsl's global: Jinja's checks run."""
    path = tmp_path / "main.vdsl"
    path.write_text("""
class P {
  name string
}
function F(ctx: P) -> string {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ ctx.output_format }}"#
}
""", encoding="utf-8")
    assert "unknown-property" in [d.code for d in vdsl.check(path, use_cache=False)]
