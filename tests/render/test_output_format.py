"""`ctx.output_format` text, byte for byte as BAML renders it (LANGUAGE.md §4, §6).

Expected strings come from BAML's own golden tests (`output_format/types.rs`,
`render_output_format.rs`) and from running baml-py 0.226.3 side by side.
"""

from __future__ import annotations

import pytest
from builders import alias, attr, cls, enum, field, project, t

from vdsl.render.output_format import OutputFormatError, render_output_format
from vdsl.render.schema import Schema

PROJECT = project(
    enum("Sentiment", "POSITIVE", ("NEGATIVE", attr("description", "Bad vibes")),
         ("NEUTRAL", attr("alias", "meh"))),
    enum("Color", "RED", ("GREEN", attr("alias", "verde"), attr("description", "the green one")),
         ("BLUE", attr("skip"))),
    enum("Small", "A", "B", "C"),
    enum("Enm", "A", "B", "C", "D", "E", "F", "G"),
    enum("Six", "A", "B", "C", "D", "E", "F"),
    enum("Aliased", "A", "B", attrs=(attr("alias", "Renamed", block=True),)),
    cls("Address", field("street", "string"), field("city", "string", attr("description", "City name")),
        field("zip", "int?")),
    cls("Person", field("name", "string"), field("age", "int", attr("description", "Age in years")),
        field("tags", "string[]"), field("address", "Address?"), field("mood", "Sentiment"),
        field("score", "float", attr("alias", "rating")), field("secret", "string?", attr("skip"))),
    cls("Order", field("id", "string"), field("status", '"open" | "closed"'),
        field("counts", "map<string, int>"), attrs=(attr("description", "An order", block=True),)),
    cls("Node", field("data", "int"), field("next", "Node?")),
    cls("LinkedList", field("head", "Node?"), field("len", "int")),
    cls("Tree", field("data", "int"), field("children", "Tree[]")),
    cls("A", field("pointer", "B")), cls("B", field("pointer", "C")), cls("C", field("pointer", "A?")),
    cls("NonRecursive", field("pointer", "A"), field("data", "int"), field("field", "bool")),
    cls("Bug", field("description", "string"), field("severity", "string")),
    cls("Enhancement", field("title", "string"), field("description", "string")),
    cls("Issue", field("category", "Bug | Enhancement"), field("date", "string")),
    cls("WithEnums", field("small", "Small"), field("many", "Enm"), field("list", "Small[]")),
    cls("Multi", field("school", "string?", attr("description", "111\n  ")),
        field("degree", "string", attr("description", "2222222")), field("year", "int")),
    cls("Pa", field("prop", "int")), cls("Pb", field("prop", "string")),
    cls("Ret", field("a", "Pa"), field("b", "Pb")),
    cls("WithMap", field("m", "map<Small, Pa>")),
    alias("RecMap", "map<string, RecMap>"),
    alias("Json", "int | string | Json[] | map<string, Json>"),
    alias("PersonAlias", "Person"),
)
SCHEMA = Schema(PROJECT)

CASES: list[tuple[str, str, dict, str]] = [
    ("string", "string", {}, ""),
    ("int", "int", {}, "Answer as an int"),
    ("float", "float", {}, "Answer as a float"),
    ("bool", "bool", {}, "Answer as a bool"),
    ("string_list", "string[]", {}, "Answer with a JSON Array using this schema:\nstring[]"),
    ("literal", '"yes"', {}, 'Answer using this specific value:\n"yes"'),
    ("literal_int", "2", {}, "Answer using this specific value:\n2"),
    ("optional_int", "int?", {}, "Answer in JSON using this schema:\nint or null"),
    ("null", "null", {}, "Answer as a null"),
    ("literal_union", '"open" | "closed"', {},
     'Answer in JSON using any of these schemas:\n"open" or "closed"'),
    ("map", "map<string, int>", {}, "Answer in JSON using this schema:\nmap<string, int>"),
    ("map_object", "map<string, int>", {"map_style": "object"},
     "Answer in JSON using this schema:\n{string: int}"),
    ("enum_inline_target", "Small", {},
     "Answer with any of the categories:\nSmall\n----\n- A\n- B\n- C"),
    ("enum_described_target", "Color", {},
     "Answer with any of the categories:\nColor\n----\n- RED\n- verde: the green one"),
    ("enum_no_prefix", "Color", {"prefix": None}, "Color\n----\n- RED\n- verde: the green one"),
    ("enum_value_prefix", "Small", {"enum_value_prefix": "* "},
     "Answer with any of the categories:\nSmall\n----\n* A\n* B\n* C"),
    ("enum_value_prefix_null", "Small", {"enum_value_prefix": None},
     "Answer with any of the categories:\nSmall\n----\nA\nB\nC"),
    ("enum_alias", "Aliased", {}, "Answer with any of the categories:\nRenamed\n----\n- A\n- B"),
    ("enum_list", "Color[]", {},
     "Color\n----\n- RED\n- verde: the green one\n\n"
     "Answer with a JSON Array using this schema:\nColor[]"),
    ("person_section6", "Person", {},
     "Sentiment\n----\n- POSITIVE\n- NEGATIVE: Bad vibes\n- meh\n\n"
     "Answer in JSON using this schema:\n{\n  name: string,\n  // Age in years\n  age: int,\n"
     "  tags: string[],\n  address: {\n    street: string,\n    // City name\n    city: string,\n"
     "    zip: int or null,\n  } or null,\n  mood: Sentiment,\n  rating: float,\n}"),
    ("alias_resolves", "PersonAlias", {},
     "Sentiment\n----\n- POSITIVE\n- NEGATIVE: Bad vibes\n- meh\n\n"
     "Answer in JSON using this schema:\n{\n  name: string,\n  // Age in years\n  age: int,\n"
     "  tags: string[],\n  address: {\n    street: string,\n    // City name\n    city: string,\n"
     "    zip: int or null,\n  } or null,\n  mood: Sentiment,\n  rating: float,\n}"),
    ("class_description", "Order", {},
     'Answer in JSON using this schema:\n{\n  // An order\n\n  id: string,\n'
     '  status: "open" or "closed",\n  counts: map<string, int>,\n}'),
    ("quoted_fields", "Address", {"quote_class_fields": True},
     'Answer in JSON using this schema:\n{\n  "street": string,\n  // City name\n'
     '  "city": string,\n  "zip": int or null,\n}'),
    ("multiline_description", "Multi", {},
     "Answer in JSON using this schema:\n{\n  // 111\n  //   \n  school: string or null,\n"
     "  // 2222222\n  degree: string,\n  year: int,\n}"),
    ("recursive_top", "Node", {},
     "Node {\n  data: int,\n  next: Node or null,\n}\n\nAnswer in JSON using this schema: Node"),
    ("recursive_nested", "LinkedList", {},
     "Node {\n  data: int,\n  next: Node or null,\n}\n\nAnswer in JSON using this schema:\n"
     "{\n  head: Node or null,\n  len: int,\n}"),
    ("recursive_list", "Tree", {},
     "Tree {\n  data: int,\n  children: Tree[],\n}\n\nAnswer in JSON using this schema: Tree"),
    ("recursive_list_target", "Node[]", {},
     "Node {\n  data: int,\n  next: Node or null,\n}\n\n"
     "Answer with a JSON Array using this schema:\nNode[]"),
    ("recursive_cycle", "A", {},
     "A {\n  pointer: B,\n}\n\nB {\n  pointer: C,\n}\n\nC {\n  pointer: A or null,\n}\n\n"
     "Answer in JSON using this schema: A"),
    ("hoisted_prefix", "NonRecursive", {"hoisted_class_prefix": "interface"},
     "interface A {\n  pointer: B,\n}\n\ninterface B {\n  pointer: C,\n}\n\n"
     "interface C {\n  pointer: A or null,\n}\n\nAnswer in JSON using this interface:\n"
     "{\n  pointer: A,\n  data: int,\n  field: bool,\n}"),
    ("top_union", "Bug | Enhancement", {},
     "Answer in JSON using any of these schemas:\n{\n  description: string,\n"
     "  severity: string,\n} or {\n  title: string,\n  description: string,\n}"),
    ("nested_union", "Issue", {},
     "Answer in JSON using this schema:\n{\n  category: {\n    description: string,\n"
     "    severity: string,\n  } or {\n    title: string,\n    description: string,\n  },\n"
     "  date: string,\n}"),
    ("union_or_splitter", "Bug | Enhancement", {"or_splitter": " | "},
     "Answer in JSON using any of these schemas:\n{\n  description: string,\n"
     "  severity: string,\n} | {\n  title: string,\n  description: string,\n}"),
    # Hoisted blocks follow BAML's stack walk, which visits the last union member first.
    ("union_of_unions", "(Node | int) | (string | Tree)", {},
     "Tree {\n  data: int,\n  children: Tree[],\n}\n\nNode {\n  data: int,\n"
     "  next: Node or null,\n}\n\nAnswer in JSON using any of these schemas:\n"
     "Node or int or string or Tree"),
    ("enums_in_class", "WithEnums", {},
     "Enm\n----\n- A\n- B\n- C\n- D\n- E\n- F\n- G\n\nAnswer in JSON using this schema:\n"
     "{\n  small: 'A' or 'B' or 'C',\n  many: Enm,\n  list: [\n    'A' or 'B' or 'C'\n  ],\n}"),
    ("always_hoist", "Six", {"always_hoist_enums": True},
     "Answer with any of the categories:\nSix\n----\n- A\n- B\n- C\n- D\n- E\n- F"),
    ("six_inline_in_list", "Six[]", {},
     "Answer with a JSON Array using this schema:\n[\n  'A' or 'B' or 'C' or 'D' or 'E' or 'F'\n]"),
    ("short_enum_list", "(Aliased)[]", {},
     "Answer with a JSON Array using this schema:\n'A' or 'B'[]"),
    ("hoist_subset", "Ret", {"hoist_classes": ["Pa"]},
     "Pa {\n  prop: int,\n}\n\nAnswer in JSON using this schema:\n{\n  a: Pa,\n  b: {\n"
     "    prop: string,\n  },\n}"),
    ("hoist_all", "Ret", {"hoist_classes": True},
     "Ret {\n  a: Pa,\n  b: Pb,\n}\n\nPb {\n  prop: string,\n}\n\nPa {\n  prop: int,\n}\n\n"
     "Answer in JSON using this schema: Ret"),
    ("hoist_auto", "Ret", {"hoist_classes": "auto"},
     "Answer in JSON using this schema:\n{\n  a: {\n    prop: int,\n  },\n  b: {\n"
     "    prop: string,\n  },\n}"),
    ("recursive_alias", "RecMap", {},
     "RecMap = map<string, RecMap>\n\nAnswer in JSON using this schema: RecMap"),
    ("json_alias", "Json", {},
     "Json = int or string or Json[] or map<string, Json>\n\n"
     "Answer in JSON using this schema: Json"),
    ("alias_with_prefix", "RecMap", {"hoisted_class_prefix": "type"},
     "type RecMap = map<string, RecMap>\n\nAnswer in JSON using this type: RecMap"),
    ("custom_prefix", "int", {"prefix": "Reply with a number: "}, "Reply with a number: int"),
    ("optional_class_list", "(Pa | null)[]", {},
     "Answer with a JSON Array using this schema:\n({\n  prop: int,\n} or null)[]"),
    ("class_list", "Pa[]", {},
     "Answer with a JSON Array using this schema:\n[\n  {\n    prop: int,\n  }\n]"),
    ("enum_map_key", "WithMap", {},
     "Answer in JSON using this schema:\n{\n  m: map<'A' or 'B' or 'C', {\n    prop: int,\n  }>,\n}"),
]


@pytest.mark.parametrize("type_,options,expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_output_format(type_: str, options: dict, expected: str) -> None:
    assert render_output_format(SCHEMA, t(type_), **options) == expected


def test_unknown_option_lists_allowed() -> None:
    with pytest.raises(OutputFormatError, match="unexpected keyword argument 'prefx'.*prefix, "
                       "or_splitter, enum_value_prefix, always_hoist_enums"):
        render_output_format(SCHEMA, t("int"), prefx="x")


def test_bad_option_value() -> None:
    with pytest.raises(OutputFormatError, match="map_style"):
        render_output_format(SCHEMA, t("int"), map_style="square")
    with pytest.raises(OutputFormatError, match="always_hoist_enums"):
        render_output_format(SCHEMA, t("int"), always_hoist_enums="yes")


def test_hoist_unknown_class() -> None:
    with pytest.raises(OutputFormatError, match='Cannot hoist class "Nope" because it does not exist'):
        render_output_format(SCHEMA, t("Ret"), hoist_classes=["Nope"])


def test_media_output_rejected() -> None:
    with pytest.raises(OutputFormatError, match="type 'image' is not supported in outputs"):
        render_output_format(SCHEMA, t("image"))
