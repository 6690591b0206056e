"""What a TypeBuilder adds reaches `ctx.output_format` exactly as BAML renders it.

The expected texts were produced by baml-py 0.226.3 for the same project and the same
builder calls (tests/compat/cases/typebuilder re-checks them against BAML where it is
installed). The property test states the general rule: adding a property in code renders
exactly as declaring it in the file does.
"""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from tb_cases import SOURCE, output_format, project

import vdsl
from vdsl.typebuilder import FieldType, TypeBuilder

SCHEMA = "Answer in JSON using this schema:\n"


def test_properties_with_alias_description_and_odd_names() -> None:
    base = project()
    tb = TypeBuilder(base)
    tb.class_("Resume").add_property("email", tb.string().optional()).description(
        "The email").alias("mail")
    tb.class_("Resume").add_property("first name", tb.int())
    tb.class_("Resume").add_property("level", tb.enum("Category").type())
    assert output_format(base, tb) == (
        SCHEMA + "{\n  name: string,\n  skills: string[],\n  // The email\n"
        "  mail: string or null,\n  first name: int,\n  level: 'A' or 'B',\n}")


def test_a_new_class_nested_inline_and_an_empty_one() -> None:
    base = project()
    tb = TypeBuilder(base)
    lower = tb.add_class("lower")  # BAML does not check the case of names given in code
    lower.add_property("x", tb.string())
    tb.class_("Resume").add_property("lo", lower.type())
    tb.class_("Resume").add_property("u", tb.add_class("Undef").type())
    assert output_format(base, tb) == (
        SCHEMA + "{\n  name: string,\n  skills: string[],\n  lo: {\n    x: string,\n  },\n"
        "  u: {\n  },\n}")


def test_enum_values_added_described_aliased_skipped() -> None:
    base = project()
    tb = TypeBuilder(base)
    tb.enum("Category").add_value("C").description("the C").alias("see")
    tb.enum("Category").add_value("D").skip()
    tb.enum("Category").values.A.description("aaa")
    assert output_format(base, tb, "Classify") == (
        "Answer with any of the categories:\nCategory\n----\n- A: aaa\n- B\n- see: the C")


def test_new_enum_is_hoisted_and_composite_types_render() -> None:
    base = project()
    tb = TypeBuilder(base)
    hobby = tb.add_enum("Hobby")
    hobby.add_value("SPORTS")
    hobby.add_value("MUSIC").description("music")
    tb.class_("Resume").add_property("hobbies", hobby.type().list())
    tb.class_("Resume").add_property("m", tb.map(tb.string(), tb.union(
        [tb.int(), tb.literal_string("x"), tb.null()])))
    assert output_format(base, tb) == (
        "Hobby\n----\n- SPORTS\n- MUSIC: music\n\n" + SCHEMA
        + "{\n  name: string,\n  skills: string[],\n  hobbies: Hobby[],\n"
        "  m: map<string, int or \"x\" or null>,\n}")


def test_literals_unions_and_multiline_descriptions() -> None:
    base = project()
    tb = TypeBuilder(base)
    resume = tb.class_("Resume")
    resume.add_property("x", tb.string()).description("multi\nline")
    resume.add_property("y", tb.literal_int(3).list().optional())
    resume.add_property("z", tb.union([tb.string(), tb.int()]).optional())
    resume.add_property("w", tb.union([tb.string(), tb.null()]).list())
    resume.add_property("b", tb.literal_bool(True))
    assert output_format(base, tb) == (
        SCHEMA + "{\n  name: string,\n  skills: string[],\n  // multi\n  // line\n"
        "  x: string,\n  y: [\n    3\n  ] or null,\n  z: string or int or null,\n"
        "  w: (string or null)[],\n  b: true,\n}")


def test_declared_property_redescribed() -> None:
    base = project()
    tb = TypeBuilder(base)
    tb.class_("Resume").props.name.description("full name").alias("fullName")
    assert output_format(base, tb) == (
        SCHEMA + "{\n  // full name\n  fullName: string,\n  skills: string[],\n}")


def test_add_baml_classes_extensions_and_enums() -> None:
    base = project()
    tb = TypeBuilder(base)
    tb.add_baml('class Address { street string @description("st")\n city string }\n'
                'dynamic class Resume { addr Address? @alias("address") }\n'
                'dynamic enum Category { Z @description("zed") }')
    assert output_format(base, tb) == (
        SCHEMA + "{\n  name: string,\n  skills: string[],\n  address: {\n    // st\n"
        "    street: string,\n    city: string,\n  } or null,\n}")
    assert output_format(base, tb, "Classify") == (
        "Answer with any of the categories:\nCategory\n----\n- A\n- B\n- Z: zed")


def test_a_recursive_new_class_is_hoisted() -> None:
    """BAML 0.226.3 crashes (segfault) rendering a recursive class added in code; vdsl hoists
    it like a declared recursive class."""
    base = project()
    tb = TypeBuilder(base)
    tree = tb.add_class("Tree")
    tree.add_property("kids", tree.type().list())
    tree.add_property("v", tb.int())
    tb.class_("Resume").add_property("tree", tree.type())
    assert output_format(base, tb) == (
        "Tree {\n  kids: Tree[],\n  v: int,\n}\n\n" + SCHEMA
        + "{\n  name: string,\n  skills: string[],\n  tree: Tree,\n}")


def test_nothing_added_renders_the_project_as_is() -> None:
    base = project()
    assert output_format(base, TypeBuilder(base)) == output_format(base, None)


# ---- the general rule: added in code == declared in the file ------------------------------

_NAMES = st.text(string.ascii_lowercase, min_size=1, max_size=6).map(lambda s: "p_" + s)
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='"\\'),
                max_size=30).map(str.strip)


def _types(tb: TypeBuilder) -> st.SearchStrategy[tuple[FieldType, str]]:
    leaves = st.sampled_from([
        (tb.string(), "string"), (tb.int(), "int"), (tb.float(), "float"),
        (tb.bool(), "bool"), (tb.enum("Category").type(), "Category"),
        (tb.class_viewer("Static").type(), "Static"), (tb.enum_viewer("Color").type(), "Color"),
        (tb.literal_string("on"), '"on"'), (tb.literal_int(7), "7")])

    def wrap(inner: st.SearchStrategy[tuple[FieldType, str]]
             ) -> st.SearchStrategy[tuple[FieldType, str]]:
        return st.one_of(
            inner.map(lambda t: (t[0].list(), f"({t[1]})[]")),
            inner.map(lambda t: (t[0].optional(), f"({t[1]})?")),
            inner.map(lambda t: (tb.map(tb.string(), t[0]), f"map<string, {t[1]}>")),
            st.tuples(inner, inner).map(lambda p: (tb.union([p[0][0], p[1][0]]),
                                                   f"{p[0][1]} | {p[1][1]}")))
    return st.recursive(leaves, wrap, max_leaves=4)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_property_added_in_code_renders_as_if_declared(data: st.DataObject) -> None:
    base = project()
    tb = TypeBuilder(base)
    names = data.draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    lines = []
    for name in names:
        field_type, written = data.draw(_types(tb))
        prop = tb.class_("Resume").add_property(name, field_type)
        attrs = ""
        description = data.draw(st.one_of(st.none(), _TEXT.filter(bool)))
        if description is not None:
            prop.description(description)
            attrs += f' @description("{description}")'
        if data.draw(st.booleans()):
            prop.alias(name.upper())
            attrs += f' @alias("{name.upper()}")'
        lines.append(f"  {name} {written}{attrs}")
    written = vdsl.loads(SOURCE.replace("  skills string[]\n",
                                        "  skills string[]\n" + "\n".join(lines) + "\n"))
    assert output_format(base, tb) == output_format(written, None)
