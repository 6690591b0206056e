"""Sources and arguments that used to crash `check`, `loads` or `render` with a non-vdsl
exception: each is now a located diagnostic or a usage error. (The fuzzers in test_fuzz.py
cover the classes these belong to.)"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

import vdsl
from vdsl import cli

ROOT = Path(__file__).resolve().parents[1]

HEAD = """client<llm> C {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
class X {
  a string
}
"""


def _function(prompt: str) -> str:
    return HEAD + f'function F(x: string) -> X {{\n  client C\n  prompt #"{prompt}"#\n}}\n'


def _codes(text: str, tmp_path: Path) -> list[tuple[str, int]]:
    path = tmp_path / "m.vdsl"
    path.write_text(text, "utf-8")
    return [(d.code, d.span.line if d.span else 0)
            for d in vdsl.check(path, use_cache=False) if d.is_error]


@pytest.mark.parametrize(("prompt", "why"), [
    ("{{ " + "(" * 100 + "x" + ")" * 100 + " }}", "brackets nested more than 20 deep"),
    ("{% if x %}" * 300 + "{% endif %}" * 300, "block tags nested more than 32 deep"),
    ("{% for i in x %}" * 17 + "{% endfor %}" * 17, "`for` loops nested more than 16 deep"),
    ("{{ x" + ".a" * 70 + " }}", "more than 64 operators"),
    ("{{ " + "9" * 5000 + " }}", "a number in the template cannot be read"),
])
def test_deep_prompts_are_a_jinja_syntax_diagnostic(tmp_path: Path, prompt: str, why: str
                                                    ) -> None:
    text = _function(prompt)
    assert _codes(text, tmp_path) == [("jinja-syntax", 14)]
    with pytest.raises(vdsl.CompileError, match=why):
        vdsl.loads(text)


def test_nesting_up_to_the_limits_still_renders() -> None:
    from vdsl.render import render_prompt

    prompt = ("{% if x %}" * 16 + "{% for c in x %}" * 16 + "{{ " + "(" * 20 + "c" + ")" * 20
              + " }}" + "{% endfor %}" * 16 + "{% endif %}" * 16)
    project = vdsl.loads(_function(prompt))
    assert render_prompt(project, "F", {"x": "a"}).messages[0].text == "a"


def test_output_format_with_a_variable_in_a_list_is_not_evaluated(tmp_path: Path) -> None:
    text = _function("{{ ctx.output_format(hoist_classes=[x]) }}")
    assert _codes(text, tmp_path) == []
    text = _function("{{ ctx.output_format(hoist_classes=[3 ** 10 ** 8]) }}")
    assert _codes(text, tmp_path) == []  # a computed value is checked when rendering, not here


def test_a_number_too_long_to_convert_is_a_diagnostic(tmp_path: Path) -> None:
    text = "retry_policy R {\n  max_retries " + "9" * 4301 + "\n}\n"
    assert ("number-too-large", 2) in _codes(text, tmp_path)
    text = HEAD + "class Y {\n  n " + "1" * 5000 + "\n}\n"
    assert ("number-too-large", 13) in _codes(text, tmp_path)


def test_loads_drops_a_byte_order_mark_like_check() -> None:
    project = vdsl.loads("\ufeff" + HEAD)
    assert project.find("X") is not None


def _render_cli(args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["render", str(ROOT / "samples" / "resume"), "ExtractResume",
                         "--args", args])
    return code, err.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    ("[" * 100_000, "nested too deeply"),
    ('{"resume": ' + "1" * 5000 + "}", "number too long"),
    ('{"resume": ' + "[" * 500 + "]" * 500 + "}", "nested more than 64 levels deep"),
])
def test_render_args_of_any_shape_are_usage_errors(args: str, message: str) -> None:
    code, err = _render_cli(args)
    assert code == 2, err
    assert message in err and "Traceback" not in err


def test_a_huge_int_for_a_float_parameter_is_an_argument_error() -> None:
    from vdsl.errors import InvalidArgumentError
    from vdsl.render import render_prompt

    project = vdsl.loads(HEAD + 'function G(f: float) -> X {\n  client C\n  prompt #"{{ f }}"#\n}\n')
    with pytest.raises(InvalidArgumentError, match="too large for a float"):
        render_prompt(project, "G", {"f": 10 ** 400})


@pytest.mark.parametrize("value", ["[" * 1200 + "1" + "]" * 1200,
                                   "{ a " * 1200 + "1" + " }" * 1200])
def test_config_values_nested_past_64_are_a_diagnostic(tmp_path: Path, value: str) -> None:
    text = (HEAD.replace("project_id p", f"project_id p\n    gc {value}")
            + 'function F(x: string) -> X {\n  client C\n  prompt #"{{ x }}"#\n}\n'
            + f"test T {{\n  functions [F]\n  args {{ x {value} }}\n}}\n")
    codes = _codes(text, tmp_path)
    assert [code for code, _ in codes] == ["value-too-deep", "value-too-deep"], codes
    with pytest.raises(vdsl.CompileError, match="nested more than 64 deep"):
        vdsl.loads(text)


def _deep_type_source(shape: str, n: int) -> tuple[str, str]:
    """A project whose output type nests about `n` levels, built the way `shape` says."""
    if shape == "lists":
        return "class A {\n  x int" + "[]" * n + "\n}\n", "A"
    if shape == "optional-unions":
        return "class A {\n  x " + "(" * n + "int | null" + ")?" * n + "\n}\n", "A"
    if shape == "alias-lists":
        return ("type T0 = int[]\n" + "".join(f"type T{i} = T{i - 1}[]\n" for i in range(1, n))
                ), f"T{n - 1}"
    if shape == "aliases":
        return ("type T0 = int\n" + "".join(f"type T{i} = T{i - 1}\n" for i in range(1, n))
                ), f"T{n - 1}"
    if shape == "classes":
        return ("".join(f"class C{i} {{\n  x C{i + 1}?\n}}\n" for i in range(n))
                + f"class C{n} {{\n  y int\n}}\n"), "C0"
    raise AssertionError(shape)


SHAPES = ["lists", "optional-unions", "alias-lists", "aliases", "classes"]


@pytest.mark.parametrize("shape", SHAPES)
def test_types_nested_past_the_limit_are_one_located_error(tmp_path: Path, shape: str) -> None:
    types, output = _deep_type_source(shape, 1500)
    text = types + f"function F(x: string) -> {output} {{\n  client C\n  prompt #\"{{{{ x }}}}" \
        "{{ ctx.output_format }}\"#\n}\n"
    codes = _codes(HEAD + text, tmp_path)
    assert [code for code, _ in codes] == ["type-too-deep"], codes
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["render", str(tmp_path / "m.vdsl"), "F", "--args", '{"x": "a"}'])
    assert code == 1 and "type-too-deep" in err.getvalue(), err.getvalue()


@pytest.mark.parametrize("shape", SHAPES)
def test_types_just_within_the_limit_render_generate_and_parse(tmp_path: Path, shape: str
                                                               ) -> None:
    from vdsl.codegen.python import generate
    from vdsl.outputs import parse_output
    from vdsl.render import render_prompt
    from vdsl.validate.nesting import MAX_TYPE_DEPTH

    n = {"lists": MAX_TYPE_DEPTH - 2, "optional-unions": MAX_TYPE_DEPTH // 2 - 1,
         "alias-lists": MAX_TYPE_DEPTH // 2 - 1, "aliases": MAX_TYPE_DEPTH - 1,
         "classes": MAX_TYPE_DEPTH // 2 - 1}[shape]
    types, output = _deep_type_source(shape, n)
    text = HEAD + types + f"function F(x: string) -> {output} {{\n  client C\n  prompt #\"" \
        "{{ x }}{{ ctx.output_format }}\"#\n}\n"
    project = vdsl.loads(text)
    assert render_prompt(project, "F", {"x": "a"}).messages
    for path, code in generate(project).items():
        if path.endswith(".py"):
            compile(code, path, "exec")
    from vdsl.errors import OutputParseError
    with pytest.raises(OutputParseError):
        parse_output(project, "F", "[" * 80 + "]" * 80)


def test_a_type_too_deep_to_print_is_shown_as_such() -> None:
    from vdsl.compiler import parse_file
    from vdsl.ir import ClassDecl
    from vdsl.ir.types import type_to_str
    from vdsl.source import SourceFile

    decl = parse_file(SourceFile("m.vdsl", "class A {\n  x int" + "[]" * 3000 + "\n}\n")
                      ).decls[0]
    assert isinstance(decl, ClassDecl)
    assert type_to_str(decl.fields[0].type) == "(a type nested too deeply to show)"
    shallow = parse_file(SourceFile("m.vdsl", "class A {\n  x (int | null)[]?\n}\n"))
    assert type_to_str(shallow.decls[0].fields[0].type) == "(int | null)[]?"  # type: ignore[union-attr]
