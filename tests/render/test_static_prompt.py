"""`StaticPrompt` (templates of text, roles, ctx and parameters rendered without Jinja) gives
exactly the prompt a full render gives: differential property tests over generated templates,
client role options and argument values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vdsl
from vdsl.errors import VdslError
from vdsl.render.prompt import PromptRenderer
from vdsl.render.static import StaticPrompt

PARAMS = ("a: string, b: int, c: float, d: bool, e: string?, f: Color, g: \"x\" | \"y\", "
          "h: int | string")
HEADER = """
enum Color {
  RED @alias("rouge")
  GREEN
}
class Out {
  name string
  n int?
}
"""
PIECES = [
    "Hello ", "\n", "  ", "\n\n  indented\n", "tail  ", "Ünïcödé ✓ ", "{ braces }", "a # b",
    "{# a comment #}", "{{ a }}", "{{ b }}", "{{ c }}", "{{ d }}", "{{ e }}", "{{ f }}",
    "{{ g }}", "{{ h }}", "{{- a }}", "{{ b -}}", "{{ \"const\" }}", "{{ 3 }}", "{{ none }}",
    "{{ ctx.output_format }}", "{{ ctx.client.name }}", "{{ ctx.client.provider }}",
    '{{ _.role("system") }}', '{{ _.role("user") }}', '{{ _.role("assistant") }}',
    '{{ _.chat("user") }}', '{{ _.role("tool") }}', '{{ _.role("model") }}',
]
OPTIONS = st.sampled_from([
    "",
    'allowed_roles ["user", "assistant", "system", "tool"]',
    'default_role "assistant"',
    'remap_roles { assistant "model" }',
    'allowed_roles ["user", "system"]\n    default_role "system"',
])
MARKER = "\ue000vdsl-role:0\ue001"
TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["", "  ", " x ", "\n", MARKER,
                                                        "{{ a }}"]))


def _project(template: str, options: str) -> vdsl.Project:
    return vdsl.loads(HEADER + f"""
client<llm> C {{
  provider vertex-ai
  options {{
    model gemini-2.5-flash
    location us-central1
    {options}
  }}
}}
function F({PARAMS}) -> Out {{
  client C
  prompt #"{template}"#
}}
""")


ARGS = st.fixed_dictionaries(
    {"a": TEXT, "b": st.integers(-10**20, 10**20), "c": st.floats(allow_nan=False),
     "d": st.booleans(), "f": st.sampled_from(["RED", "GREEN"]),
     "g": st.sampled_from(["x", "y"]), "h": st.one_of(st.integers(), TEXT)},
    optional={"e": st.one_of(st.none(), TEXT)})


def _outcome(render: Any, args: dict[str, Any]) -> Any:
    try:
        return render(args)
    except VdslError as error:
        return (type(error), str(error))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=12), options=OPTIONS,
       remap=st.booleans(), rows=st.lists(ARGS, min_size=1, max_size=4))
def test_a_static_render_is_the_full_render(pieces: list[str], options: str, remap: bool,
                                            rows: list[dict[str, Any]]) -> None:
    project = _project("".join(pieces), options)
    prompt = PromptRenderer(project, "F", default_remap={"assistant": "model"} if remap
                            else None)
    static = StaticPrompt.build(prompt)
    assert static is not None
    for args in rows:
        fast = _outcome(static.render, args)
        if fast is None:  # only text holding vdsl's marker characters goes the full way
            assert any("\ue000" in str(v) for v in args.values())
        else:
            assert fast == _outcome(prompt.render, args)


def test_wrong_arguments_fail_as_in_a_full_render() -> None:
    project = _project("{{ a }} {{ b }}", "")
    prompt = PromptRenderer(project, "F")
    static = StaticPrompt.build(prompt)
    assert static is not None
    for args in ({"a": "x"}, {"a": 1, "b": 2, "c": 1.0, "d": True, "f": "RED", "g": "x",
                              "h": 1}, {"zzz": 1}):
        with pytest.raises(VdslError) as full:
            prompt.render(args)
        with pytest.raises(VdslError) as fast:
            static.render(args)
        assert (type(fast.value), str(fast.value)) == (type(full.value), str(full.value))


@pytest.mark.parametrize("template", [
    "{% if d %}yes{% endif %}",
    "{{ a | upper }}",
    "{% for x in [1, 2] %}{{ x }}{% endfor %}",
    '{{ _.role("user", cache_control={"type": "ephemeral"}) }}{{ a }}',
    "{{ unknown }}",
    "{{ a ~ b }}",
    "{{ ctx.output_format(prefix='X') }}",
    "{{ ctx.client.name.upper }}",
    "{{ _.role(a) }}{{ b }}",
    "{% set z = 1 %}{{ z }}",
    "{{ Color.RED }}",
])
def test_templates_with_more_than_text_and_slots_are_not_static(template: str) -> None:
    prompt = PromptRenderer(_project(template, ""), "F")
    assert StaticPrompt.build(prompt) is None


@pytest.mark.parametrize("params", ["ctx: string", "_: string", "img: image", "o: Out",
                                    "xs: string[]", "m: map<string, int>"])
def test_parameters_that_need_the_render_state_are_not_static(params: str) -> None:
    name = params.split(":")[0]
    project = vdsl.loads(HEADER + f"""
client<llm> C {{
  provider vertex-ai
  options {{ model gemini-2.5-flash
            location us-central1 }}
}}
function F({params}) -> Out {{
  client C
  prompt #"{{{{ {name} }}}}"#
}}
""")
    assert StaticPrompt.build(PromptRenderer(project, "F")) is None
