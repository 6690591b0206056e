"""Rendering behaviour: arguments, media, enums, template_strings, errors, sandbox."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from builders import attr, client, cls, enum, field, function, project, template

from vdsl.errors import ArgumentWarning, InvalidArgumentError, MediaError, RenderError
from vdsl.media import Image, Pdf
from vdsl.render import MediaPart, TextPart, render_prompt
from vdsl.render.environment import renderer_for

DATA = Path(__file__).parent / "data"

PROJECT = project(
    client("Gem"),
    enum("Mood", "HAPPY", ("SAD", attr("alias", "down"))),
    cls("Person", field("name", "string"), field("mood", "Mood"), field("age", "int?"),
        field("tags", "string[]?")),
    template("Greet", "p: Person", "Hello {{ p.name }}"),
    template("Two", "a: string, b: string", "{{ a }}+{{ b }}"),
    function("Describe", "p: Person", "string",
             '{% if p.mood == "HAPPY" %}happy{% endif %} {{ p.mood == Mood.HAPPY }} '
             "{{ p.mood }} {{ p.age }} {{ p.tags }} {{ Greet(p) }}"),
    function("Look", "img: image, doc: pdf?", "string",
             '{{ _.role("user") }} Look: {{ img }} and {{ doc }}. Thanks.'),
    function("Values", "n: int, f: float, b: bool, m: map<string, int>", "string",
             "{{ n }} {{ f }} {{ b }} {{ m }} {{ none }}"),
    function("Fails", "n: int", "string", "line one\n{{ n.missing.deeper }}"),
    function("Sneaky", "s: string", "string", "{{ s.__class__.__mro__ }}"),
    function("Arity", "s: string", "string", "{{ Two(s, s, s) }}"),
    function("Out", "s: string", "Person", "{{ ctx.output_format(prefix=null) }}"),
    function("BadOut", "s: string", "Person", "a\nb\n{{ ctx.output_format(nope=1) }}"),
)


def text(fn: str, **args: object) -> str:
    return render_prompt(PROJECT, fn, args).messages[0].text


def test_class_attribute_access_enum_comparison_and_template_string() -> None:
    out = text("Describe", p={"name": "Ann", "mood": "HAPPY", "tags": ["a", "b"]})
    # `age` was omitted: undefined, so it prints nothing (as in BAML); an explicit null prints null
    assert out == 'happy true HAPPY  ["a", "b"] Hello Ann'
    out = text("Describe", p={"name": "Ann", "mood": "HAPPY", "tags": ["a", "b"], "age": None})
    assert out == 'happy true HAPPY null ["a", "b"] Hello Ann'


def test_values_print_like_minijinja() -> None:
    assert text("Values", n=3, f=2, b=True, m={"a": 1}) == '3 2.0 true {"a": 1} null'  # BAML prints null


def test_media_parts_from_url_base64_and_value_objects() -> None:
    data = base64.b64encode(b"%PDF-1.4").decode()
    out = render_prompt(PROJECT, "Look", {"img": Image.from_url("https://x.test/a.png"),
                                          "doc": {"base64": data, "media_type": "application/pdf"}})
    parts = out.messages[0].parts
    assert parts == (TextPart("Look:"), MediaPart("image", url="https://x.test/a.png"),
                     TextPart("and"), MediaPart("pdf", base64=data, media_type="application/pdf"),
                     TextPart(". Thanks."))
    assert out.to_dict()["messages"][0]["parts"][1] == {"type": "image",
                                                        "url": "https://x.test/a.png"}


def test_media_from_file_relative_to_base_dir() -> None:
    out = render_prompt(PROJECT, "Look", {"img": {"file": "pixel.png"}}, base_dir=DATA)
    part = out.messages[0].parts[1]
    assert isinstance(part, MediaPart)
    assert part.media_type == "image/png"
    assert base64.b64decode(part.base64 or "") == (DATA / "pixel.png").read_bytes()


def test_missing_media_file_is_a_clear_error() -> None:
    with pytest.raises(InvalidArgumentError, match=r"Look: argument `img`: image file not found"):
        render_prompt(PROJECT, "Look", {"img": {"file": "nope.png"}}, base_dir=DATA)


def test_media_wrong_kind() -> None:
    with pytest.raises(InvalidArgumentError, match="expected image, got pdf"):
        render_prompt(PROJECT, "Look", {"img": Pdf.from_url("https://x.test/a.pdf")})


def test_media_value_classes() -> None:
    img = Image.from_file(DATA / "pixel.png")
    assert img.media_type == "image/png" and "…" not in repr(img)[:10]
    big = Image.from_base64(base64.b64encode(b"x" * 3000).decode(), "image/png")
    assert len(repr(big)) < 100
    with pytest.raises(MediaError, match="not valid base64"):
        Image.from_base64("###", "image/png")
    with pytest.raises(MediaError, match="file not found"):
        Image.from_file(DATA / "missing.png")


def test_a_field_the_class_does_not_have_is_dropped_with_a_warning() -> None:
    # BAML drops it silently; vdsl drops it too (the template could not reach it) and warns.
    with pytest.warns(ArgumentWarning, match=r"argument `p.nmae`: Person has no field `nmae`; "
                                             r"it is ignored \(did you mean `name`\?\)"):
        out = text("Describe", p={"name": "A", "nmae": "B", "mood": "SAD"})
    assert out == " false down   Hello A"


@pytest.mark.parametrize("args,message", [
    ({}, r"Describe: missing argument `p` \(Person\)"),
    ({"p": "Ann"}, "Describe: argument `p`: expected Person, got string"),
    ({"p": {"name": "Ann"}}, "Describe: argument `p.mood`: missing required field"),
    ({"p": {"name": "A", "mood": "MEH"}}, r"argument `p.mood`: expected one of Mood \(HAPPY, SAD\)"),
    ({"p": {"name": "A", "mood": "SAD", "tags": [1]}}, r"argument `p.tags\[0\]`: expected string"),
    ({"p": {"name": "A", "mood": "SAD"}, "q": 1}, "Describe: unexpected argument `q`"),
])
def test_bad_arguments(args: dict, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        render_prompt(PROJECT, "Describe", args)


def test_unknown_function_and_client() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown function `Describ`; did you mean "
                                                   "`Describe`"):
        render_prompt(PROJECT, "Describ", {})
    with pytest.raises(InvalidArgumentError, match="unknown client `Nope`; clients are: Gem"):
        render_prompt(PROJECT, "Values", {"n": 1, "f": 1, "b": True, "m": {}}, client="Nope")


def test_shorthand_client() -> None:
    out = render_prompt(PROJECT, "Out", {"s": "x"}, client="vertex-ai/gemini-2.5-pro")
    assert out.client == "vertex-ai/gemini-2.5-pro"


def test_template_error_names_function_and_file_line() -> None:
    with pytest.raises(RenderError, match=r"Fails: prompt failed at main.vdsl:2: .*has no attribute 'missing'"):
        render_prompt(PROJECT, "Fails", {"n": 1})


def test_sandbox_blocks_python_internals() -> None:
    with pytest.raises(RenderError, match="Sneaky: prompt failed"):
        render_prompt(PROJECT, "Sneaky", {"s": "x"})


def test_template_string_too_many_arguments() -> None:
    with pytest.raises(RenderError, match="template_string Two takes 2 arguments"):
        render_prompt(PROJECT, "Arity", {"s": "x"})


def test_output_format_call_and_bad_option() -> None:
    assert text("Out", s="x").startswith("{\n  name: string,\n  mood: 'HAPPY' or 'down',")
    with pytest.raises(RenderError, match=r"BadOut: prompt failed at main.vdsl:3: .*'nope'; "
                                          "allowed: prefix, or_splitter"):
        render_prompt(PROJECT, "BadOut", {"s": "x"})


def test_templates_compiled_once_per_project() -> None:
    render_prompt(PROJECT, "Out", {"s": "x"})
    renderer = renderer_for(PROJECT)
    first = renderer.prompt_template(PROJECT.function("Out"))
    render_prompt(PROJECT, "Out", {"s": "y"})
    assert renderer_for(PROJECT) is renderer
    assert renderer.prompt_template(PROJECT.function("Out")) is first


def test_any_exception_a_template_raises_is_a_render_error():
    import pytest

    import vdsl
    from vdsl.errors import RenderError
    from vdsl.render import render_prompt
    project = vdsl.loads('function F(x: string) -> string {\n  client "vertex-ai/gemini-2.5-flash"\n'
                         '  prompt #"{{ range(10**9)|list|length }}"#\n}\n')
    with pytest.raises(RenderError, match="F: prompt failed at main.vdsl:3"):
        render_prompt(project, "F", {"x": "a"})


def test_block_tags_leave_no_blank_lines_or_indentation_behind():
    import vdsl
    from vdsl.render import render_prompt
    project = vdsl.loads('function F(xs: string[]) -> string {\n'
                         '  client "vertex-ai/gemini-2.5-flash"\n  prompt #"\n'
                         '    Items:\n      {% for x in xs %}\n      - {{ x }}\n'
                         '      {% endfor %}\n    Done {% if xs %}yes{% endif %}\n    End\n  "#\n}\n')
    prompt = render_prompt(project, "F", {"xs": ["a", "b"]})
    assert prompt.messages[0].text == "Items:\n  - a\n  - b\nDone yesEnd"


def test_class_and_enum_arguments_print_as_baml_prints_them():
    import vdsl
    from vdsl.render import render_prompt
    project = vdsl.loads('''
enum Color {
  RED
  GREEN @alias("verde")
}
class Item {
  name string
  tags string[]
  color Color
  note string?
}
function F(item: Item, c: Color, xs: int[]) -> string {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"
    item: {{ item }}
    c: {{ c }} {{ item.color }} {{ c == "GREEN" }}
    xs: {{ xs }} tags: {{ item.tags }}
  "#
}
''')
    prompt = render_prompt(project, "F", {"item": {"name": "Pen", "tags": ["a"], "color": "GREEN",
                                                   "note": None},
                                          "c": "GREEN", "xs": [1, 2]})
    assert prompt.messages[0].text == (
        'item: {\n    "name": "Pen",\n    "tags": [\n        "a",\n    ],\n'
        '    "color": verde,\n    "note": null,\n}\n'
        'c: verde verde true\nxs: [1, 2] tags: ["a"]')


def test_floats_print_as_baml_prints_them():
    from vdsl.render.values import display
    assert [display(1e20), display([1e20]), display(1.5e-7), display([1.5e-7]),
            display(2.0), display(0.1)] == [
        "100000000000000000000.0", "[1e20]", "0.00000015", "[1.5e-7]", "2.0", "0.1"]
