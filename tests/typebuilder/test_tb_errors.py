"""A TypeBuilder that cannot apply fails with a `TypeBuilderError` (a VdslError, and a
ValueError as BAML's) that says what and where — at once when the builder knows the project,
else when it is applied, always before a request is sent."""

from __future__ import annotations

import threading

import pytest
from tb_cases import output_format, project

from vdsl.errors import TypeBuilderError, VdslError
from vdsl.typebuilder import TypeBuilder
from vdsl.typebuilder.compile import compile_builder


def test_adding_to_a_class_that_is_not_dynamic_names_it_and_where() -> None:
    tb = TypeBuilder(project())
    with pytest.raises(TypeBuilderError) as caught:
        tb.class_("Static").add_property("y", tb.int())
    assert "class `Static` is not @@dynamic (declared at main.vdsl:" in str(caught.value)
    assert isinstance(caught.value, VdslError) and isinstance(caught.value, ValueError)
    with pytest.raises(TypeBuilderError, match="enum `Color` is not @@dynamic"):
        tb.enum("Color").add_value("BLUE")


def test_names_that_are_taken_or_missing() -> None:
    tb = TypeBuilder(project())
    with pytest.raises(TypeBuilderError, match="a class named `Resume` already exists"):
        tb.add_class("Resume")
    with pytest.raises(TypeBuilderError, match="an enum named `Category` already exists"):
        tb.add_enum("Category")
    tb.add_class("Fresh")
    with pytest.raises(TypeBuilderError, match="`Fresh` was already added"):
        tb.add_enum("Fresh")
    with pytest.raises(TypeBuilderError, match="did you mean `Resume`"):
        tb.class_("Resum")
    with pytest.raises(TypeBuilderError, match="class `Resume` already has a property `name`"):
        tb.class_("Resume").add_property("name", tb.int())
    tb.class_("Resume").add_property("email", tb.string())
    with pytest.raises(TypeBuilderError, match="already has a property `email`"):
        tb.class_("Resume").add_property("email", tb.string())
    with pytest.raises(TypeBuilderError, match="already has a value `A`"):
        tb.enum("Category").add_value("A")
    with pytest.raises(TypeBuilderError, match="pre-defined field `name`"):
        tb.class_("Resume").props.name.type(tb.int())
    with pytest.raises(TypeBuilderError, match="only properties added at run time"):
        tb.class_("Resume").remove_property("name")


def test_wrong_argument_types_are_clear() -> None:
    tb = TypeBuilder(project())
    with pytest.raises(TypeBuilderError, match="expected a FieldType"):
        tb.class_("Resume").add_property("x", "string")  # type: ignore[arg-type]
    with pytest.raises(TypeBuilderError, match="description must be a string"):
        tb.class_("Resume").add_property("x", tb.int()).description(3)  # type: ignore[arg-type]
    with pytest.raises(TypeBuilderError, match="at least one member"):
        tb.union([])
    with pytest.raises(TypeBuilderError, match="literal type"):
        tb.literal(1.5)  # type: ignore[arg-type]


def test_add_baml_reports_syntax_errors_in_its_own_text() -> None:
    tb = TypeBuilder(project())
    with pytest.raises(TypeBuilderError) as caught:
        tb.add_baml("class Address {\n  street string\n  city @@@\n}")
    assert str(caught.value).startswith("TypeBuilder has a problem:\n<add_baml #1>:3:")
    with pytest.raises(TypeBuilderError, match="takes classes, enums and type aliases; `F` is "
                                               "a function"):
        tb.add_baml('function F(x: string) -> string {\n client Gem\n prompt #"hi"#\n}')


def test_add_baml_checks_against_the_project() -> None:
    tb = TypeBuilder(project())
    with pytest.raises(TypeBuilderError) as caught:
        tb.add_baml("dynamic class Resume {\n  home Adress?\n}")
    message = str(caught.value)
    assert "<add_baml #1>:2:8: Type `Adress` does not exist" in message
    assert "    |   home Adress?" in message
    with pytest.raises(TypeBuilderError, match="not marked @@dynamic"):
        TypeBuilder(project()).add_baml("dynamic class Static {\n  y int\n}")
    with pytest.raises(TypeBuilderError, match="already has a field `name`"):
        TypeBuilder(project()).add_baml("dynamic class Resume {\n  name int\n}")


def test_a_required_cycle_made_in_code_is_an_error_not_a_hang() -> None:
    base = project()
    tb = TypeBuilder(base)
    loop = tb.add_class("Loop")
    loop.add_property("me", loop.type())
    tb.class_("Resume").add_property("loop", loop.type())
    with pytest.raises(TypeBuilderError) as caught:
        compile_builder(tb, base)
    assert "<TypeBuilder>:1:7: These classes form a dependency cycle: Loop -> Loop" in str(
        caught.value)
    assert caught.value.diagnostics[0].code == "class-cycle"


def test_an_unbound_builder_is_checked_when_applied() -> None:
    tb = TypeBuilder()  # no project: nothing can be checked yet
    tb.class_("Static").add_property("y", tb.int())
    with pytest.raises(TypeBuilderError, match="class `Static` is not @@dynamic"):
        compile_builder(tb, project())
    tb = TypeBuilder()
    tb.class_("Nope").add_property("y", tb.int())
    with pytest.raises(TypeBuilderError, match="class `Nope` does not exist"):
        compile_builder(tb, project())
    tb = TypeBuilder()
    tb.class_("Resume").property("ghost").description("no type")
    with pytest.raises(TypeBuilderError, match="has no property `ghost`"):
        compile_builder(tb, project())
    tb = TypeBuilder()
    tb.class_("Resume").add_property("ok", tb.int())
    assert "ok: int," in output_format(project(), tb)


def test_removing_and_resetting_what_was_added() -> None:
    base = project()
    tb = TypeBuilder(base)
    resume = tb.class_("Resume")
    resume.add_property("a", tb.int())
    resume.add_property("b", tb.int())
    resume.remove_property("a")
    assert [n for n, _ in resume.list_properties()] == ["name", "skills", "b"]
    resume.reset()
    assert output_format(base, tb) == output_format(base, None)
    tb.add_baml("class X {\n  y int\n}")
    tb.reset()
    assert str(tb) == "TypeBuilder()"


def test_concurrent_additions_from_threads_all_land() -> None:
    base = project()
    tb = TypeBuilder(base)

    def add(worker: int) -> None:
        for i in range(40):
            tb.class_("Resume").add_property(f"w{worker}_{i}", tb.int())

    threads = [threading.Thread(target=add, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rendered = output_format(base, tb)
    assert all(f"w{w}_{i}: int," in rendered for w in range(6) for i in range(40))


def test_compiled_extension_is_cached_until_the_builder_changes() -> None:
    base = project()
    tb = TypeBuilder(base)
    tb.class_("Resume").add_property("a", tb.int())
    first = compile_builder(tb, base)
    assert compile_builder(tb, base) is first
    tb.class_("Resume").props.a.description("now described")
    assert compile_builder(tb, base) is not first


@pytest.mark.parametrize("wrong", [None, 5, "string", ["x"], {"a": 1}, b"x"])
def test_a_type_constructor_given_something_that_is_not_a_type(wrong: object) -> None:
    tb = TypeBuilder(project())
    for build in (lambda: tb.list(wrong), lambda: tb.optional(wrong),  # type: ignore[arg-type]
                  lambda: tb.map(tb.string(), wrong),  # type: ignore[arg-type]
                  lambda: tb.map(wrong, tb.int()),  # type: ignore[arg-type]
                  lambda: tb.union([tb.string(), wrong]),  # type: ignore[list-item]
                  lambda: tb.union(wrong)):  # type: ignore[arg-type]
        with pytest.raises(TypeBuilderError, match="expected a FieldType|takes a list of member types"):
            build()
