"""What a TypeBuilder adds reaches the parser: added properties are kept in results (as
fields of the runtime's model, by declared name), added enum values match, added classes
parse as models; the project without the builder is untouched."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from tb_cases import project

from vdsl.outputs import to_plain
from vdsl.runtime import Runtime
from vdsl.typebuilder import TypeBuilder

REPLY = ('Sure:\n```json\n{"name": "Ann", "skills": ["go"], "mail": "a@b", "hobby": "SPORTS",'
         ' "addr": {"city": "Paris"}, "cat": "see", "unknown": 1,}\n```')


def _builder(runtime: Runtime) -> TypeBuilder:
    tb = TypeBuilder(runtime.project)
    tb.class_("Resume").add_property("email", tb.string().optional()).alias("mail")
    hobby = tb.add_enum("Hobby")
    hobby.add_value("SPORTS")
    address = tb.add_class("Addr")
    address.add_property("city", tb.string())
    tb.class_("Resume").add_property("hobby", hobby.type())
    tb.class_("Resume").add_property("addr", address.type())
    tb.class_("Resume").add_property("cat", tb.enum("Category").type())
    tb.enum("Category").add_value("C").alias("see")
    return tb


def test_added_properties_are_kept_by_declared_name() -> None:
    with Runtime(project(), env={}) as runtime:
        value = runtime.parse("Extract", REPLY, tb=_builder(runtime))
        assert value.email == "a@b"
        assert value.hobby.value == "SPORTS" and type(value.hobby).__name__ == "Hobby"
        assert type(value.addr).__name__ == "Addr" and value.addr.city == "Paris"
        assert value.cat.value == "C"
        assert to_plain(value) == {"name": "Ann", "skills": ["go"], "email": "a@b",
                                   "hobby": "SPORTS", "addr": {"city": "Paris"}, "cat": "C"}
        plain = runtime.parse("Extract", REPLY)  # no builder: the extra keys are ignored
        assert to_plain(plain) == {"name": "Ann", "skills": ["go"]}


def test_added_enum_values_match_and_skipped_ones_do_not() -> None:
    with Runtime(project(), env={}) as runtime:
        tb = TypeBuilder(runtime.project)
        tb.enum("Category").add_value("SPAM").description("unwanted mail")
        tb.enum("Category").add_value("HIDDEN").skip()
        assert runtime.parse("Classify", "**SPAM**", tb=tb).value == "SPAM"
        assert runtime.parse("Classify", "It is unwanted mail.", tb=tb).value == "SPAM"
        assert runtime.parse("Classify", "A", tb=tb).value == "A"
        import pytest

        from vdsl.errors import OutputParseError
        with pytest.raises(OutputParseError):
            runtime.parse("Classify", "HIDDEN", tb=tb)
        with pytest.raises(OutputParseError):
            runtime.parse("Classify", "SPAM")  # without the builder, SPAM is not a value


def test_partial_parse_sees_added_properties() -> None:
    with Runtime(project(), env={}) as runtime:
        tb = _builder(runtime)
        partial = runtime.parse("Extract", '{"name": "Ann", "mail": "a@', partial=True, tb=tb)
        assert partial.name == "Ann" and partial.email == "a@" and partial.addr is None


_KINDS = {
    "string": (lambda tb: tb.string(), st.text(max_size=20)),
    "int": (lambda tb: tb.int(), st.integers(-10**6, 10**6)),
    "bool": (lambda tb: tb.bool(), st.booleans()),
    "list": (lambda tb: tb.string().list(), st.lists(st.text(max_size=8), max_size=4)),
    "optional": (lambda tb: tb.float().optional(),
                 st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False).map(
                     lambda f: round(f, 3)))),
}


@settings(max_examples=80, deadline=None)
@given(fields=st.dictionaries(st.from_regex(r"x_[a-z]{1,6}", fullmatch=True),
                              st.sampled_from(sorted(_KINDS)), min_size=1, max_size=5),
       data=st.data())
def test_whatever_the_reply_says_for_added_properties_comes_back(fields: dict[str, str],
                                                                 data: st.DataObject) -> None:
    """No silent loss: each added property's value in a well-formed reply is in the result,
    unchanged."""
    with Runtime(project(), env={}) as runtime:
        tb = TypeBuilder(runtime.project)
        reply: dict[str, object] = {"name": "n", "skills": []}
        for name, kind in fields.items():
            make, values = _KINDS[kind]
            tb.class_("Resume").add_property(name, make(tb))
            reply[name] = data.draw(values)
        value = runtime.parse("Extract", json.dumps(reply), tb=tb)
        assert to_plain(value) == reply
