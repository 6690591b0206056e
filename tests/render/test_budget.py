"""The render budget: hostile templates fail fast with a RenderError naming the limit, every
limit can be raised, and ordinary templates are not touched by it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vdsl
from vdsl.errors import ConfigError, RenderError, VdslError
from vdsl.render import RenderLimits, render_prompt, set_render_limits

HEAD = """
client<llm> C {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
"""

FAN_OUT = "\n".join(
    ['template_string L0() #"x"#']
    + [f'template_string L{i}() #"' + f"{{{{ L{i - 1}() }}}}" * 10 + '"#' for i in range(1, 9)]
) + "\n"


def project(prompt: str, extra: str = "") -> vdsl.Project:
    return vdsl.loads(HEAD + extra + f'function F(x: string) -> string {{\n  client C\n'
                                     f'  prompt #"{prompt}"#\n}}\n')


def render(prompt: str, extra: str = "", x: object = "hi") -> str:
    return render_prompt(project(prompt, extra), "F", {"x": x}).messages[0].text


HOSTILE = {
    "huge power": ("{{ (3 ** (10 ** 8)) % 7 }}", "integer of more than 4,300 digits"),
    "huge repeat": ("{{ 'a' * 10**9 }}", "1,000,000,000 characters"),
    "nested ranges": ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                      + "{% endfor %}", "loop iterations and calls"),
    "lipsum": ("{{ lipsum(10**6) }}", "characters or items"),
    "center method": ("{{ 'x'.center(10**9) }}", "1,000,000,000 characters"),
    "center filter": ("{{ 'x'|center(10**9) }}", "1,000,000,000 characters"),
    "printf width": ("{{ '%0999999999d' % 1 }}", "999,999,999 characters"),
    "format width": ("{{ '{:>999999999}'.format(1) }}", "999,999,999 characters"),
    "format filter": ("{{ '%*d'|format(10**9, 1) }}", "1,000,000,000 characters"),
    "doubling tilde": ("{% set ns = namespace(s='a') %}{% for i in range(100) %}"
                       + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "characters or items"),
    "doubling replace": ("{% set ns = namespace(s='a') %}{% for i in range(60) %}"
                         + "{% set ns.s = ns.s|replace('a', 'aa') %}{% endfor %}",
                         "characters or items"),
    "shared lists printed": ("{% set a = ['xx', 'xx'] %}"
                             + "{% set a = [a, a] %}" * 40 + "{{ a }}", "characters or items"),
    "shared lists as json": ("{% set a = ['x'] %}" + "{% set a = [a, a] %}" * 40
                             + "{{ a|tojson }}", "characters or items"),
    "join": ("{{ ','.join(['x' * 1000000] * 1000) }}", "characters"),
    "to_bytes": ("{{ (1).to_bytes(10**9, 'big') }}", "characters or items"),
    "indent": ("{{ 'a\nb'|indent(10**9) }}", "characters or items"),
    "literal text in a loop": ("{% for i in range(100000) %}" + "y" * 1000 + "{% endfor %}",
                               "characters of output"),
    "macro recursion": ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
                        "nested more than 32 deep"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_templates_fail_with_the_limit_named(name: str) -> None:
    prompt, detail = HOSTILE[name]
    with pytest.raises(RenderError, match="render budget exceeded") as caught:
        render(prompt)
    assert detail in str(caught.value)
    assert "F: prompt failed at main.vdsl:" in str(caught.value)  # function and file line
    assert "VDSL_RENDER_" in str(caught.value)  # and how to raise the limit


def test_template_string_fan_out_fails_on_the_step_budget() -> None:
    with pytest.raises(RenderError, match="loop iterations and calls"):
        render("{{ L8() }}", FAN_OUT)


def test_template_string_recursion_fails_on_depth() -> None:
    with pytest.raises(RenderError, match="nested more than 32 deep"):
        render("{{ R(1) }}", 'template_string R(n: int) #"{{ R(n) }}"#\n')


def test_lists_are_immutable_as_in_minijinja() -> None:
    with pytest.raises(RenderError, match="append"):
        render("{% set l = [] %}{{ l.append(1) }}")


def test_ordinary_templates_render_as_before() -> None:
    text = render("{{ x }} {{ 2 ** 100 }} {{ 'ab' * 3 }} {{ [1, 2] + [3] }} "
                  "{% for i in range(3) %}{{ i }}{% endfor %} {{ '%05d' % 42 }} "
                  "{{ '{:>4}'.format('z') }} {{ 'a b'|replace(' ', '-') }} {{ x ~ '!' }}")
    assert text == "hi 1267650600228229401496703205376 ababab [1, 2, 3] 012 00042    z a-b hi!"


def test_each_limit_can_be_raised() -> None:
    proj = project("{% for i in range(3000) %}x{% endfor %}")
    set_render_limits(proj, RenderLimits(max_output=1000))
    with pytest.raises(RenderError, match="more than 1,000 characters of output"):
        render_prompt(proj, "F", {"x": ""})
    set_render_limits(proj, RenderLimits(max_output=5000))
    assert render_prompt(proj, "F", {"x": ""}).messages[0].text == "x" * 3000
    set_render_limits(proj, RenderLimits(max_steps=100))
    with pytest.raises(RenderError, match="more than 100 loop iterations"):
        render_prompt(proj, "F", {"x": ""})


def test_limits_come_from_the_environment() -> None:
    limits = RenderLimits.from_env({"VDSL_RENDER_MAX_OUTPUT": "123",
                                    "VDSL_RENDER_MAX_SECONDS": "0.5",
                                    "VDSL_RENDER_MAX_INT_DIGITS": "50"})
    assert (limits.max_output, limits.max_seconds, limits.max_int_digits) == (123, 0.5, 50)
    assert limits.max_steps == RenderLimits().max_steps
    with pytest.raises(ConfigError, match="VDSL_RENDER_MAX_STEPS='many'"):
        RenderLimits.from_env({"VDSL_RENDER_MAX_STEPS": "many"})


def test_a_smaller_int_limit_applies_to_powers_and_products() -> None:
    proj = project("{{ 10 ** 60 }}")
    set_render_limits(proj, RenderLimits(max_int_digits=50))
    with pytest.raises(RenderError, match="more than 50 digits"):
        render_prompt(proj, "F", {"x": ""})
    proj = project("{{ (10 ** 40) * (10 ** 40) }}")
    set_render_limits(proj, RenderLimits(max_int_digits=50))
    with pytest.raises(RenderError, match="more than 50 digits"):
        render_prompt(proj, "F", {"x": ""})


def test_the_deadline_stops_a_slow_render() -> None:
    proj = project("{% for i in range(100000) %}{% for j in range(100) %}{% endfor %}"
                   "{% endfor %}")
    set_render_limits(proj, RenderLimits(max_seconds=0.05, max_steps=10**9))
    with pytest.raises(RenderError, match="took longer than 0.05 s"):
        render_prompt(proj, "F", {"x": ""})


# ---- the general rule: any template built from Jinja's amplifying pieces, with any sizes,
# renders or raises a VdslError; it never hangs, never raises anything else ------------------

_SIZES = st.sampled_from([0, 1, 7, 10**3, 10**6, 10**9, 10**18, -1])
_PIECES = [
    lambda n, m: f"{{{{ 'ab' * {n} }}}}",
    lambda n, m: f"{{{{ {n} ** {m} }}}}",
    lambda n, m: f"{{{{ ({n} * {m}) % 97 }}}}",
    lambda n, m: f"{{{{ 'x'.ljust({n}) }}}}",
    lambda n, m: f"{{{{ 'x'|center({n}) }}}}",
    lambda n, m: f"{{{{ 'a\\nb'|indent({n}) }}}}",
    lambda n, m: f"{{{{ 'x'|wordwrap(1, wrapstring='-' * {m % 1000}) }}}}",
    lambda n, m: f"{{{{ '%{n % 10**6}d' % {m} }}}}",
    lambda n, m: f"{{{{ '{{:{n % 10**6}}}'.format({m}) }}}}",
    lambda n, m: f"{{{{ lipsum({n % 10**4}) }}}}",
    lambda n, m: f"{{{{ range({n})|batch({m}, 'x')|list|length }}}}",
    lambda n, m: f"{{{{ ['x'] * {n} }}}}",
    lambda n, m: f"{{{{ ('ab' * {n % 10**5})|replace('a', 'x' * {m % 10**4}) }}}}",
    lambda n, m: f"{{% for i in range({n % 10**6}) %}}{{{{ i }}}}{{% endfor %}}",
    lambda n, m: f"{{% set ns = namespace(s='ab') %}}{{% for i in range({m % 64}) %}}"
                 f"{{% set ns.s = ns.s ~ ns.s %}}{{% endfor %}}{{{{ ns.s|length }}}}",
    lambda n, m: f"{{{{ x * {n} }}}}",
    lambda n, m: f"{{{{ ({n}).to_bytes({m % 10**10}, 'big')|length }}}}",
]


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_PIECES) - 1), _SIZES, _SIZES), min_size=1,
                max_size=3))
def test_any_mix_of_amplifiers_renders_or_fails_cleanly(pieces: list[tuple[int, int, int]]
                                                        ) -> None:
    prompt = " ".join(_PIECES[i](n, m) for i, n, m in pieces)
    proj = project(prompt.replace('"#', '" #'))
    set_render_limits(proj, RenderLimits(max_seconds=5.0, max_steps=100_000))
    try:
        render_prompt(proj, "F", {"x": "hi"})
    except VdslError:
        pass
