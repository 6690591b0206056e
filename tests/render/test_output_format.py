"""`ctx.output_format` text, byte for byte as BAML renders it (docs/rendering.md).

Expected strings come from BAML's own golden tests (`output_format/types.rs`,
`render_output_format.rs`) and from running baml-py 0.226.3 side by side.
"""

from __future__ import annotations

from pathlib import Path

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

GOLDEN = Path(__file__).parent / "golden" / "output_format"

# (golden file name, return type, ctx.output_format options); expected text in GOLDEN/<name>.txt
CASES: list[tuple[str, str, dict]] = [
    ('string', 'string', {}),
    ('int', 'int', {}),
    ('float', 'float', {}),
    ('bool', 'bool', {}),
    ('string_list', 'string[]', {}),
    ('literal', '"yes"', {}),
    ('literal_int', '2', {}),
    ('optional_int', 'int?', {}),
    ('null', 'null', {}),
    ('literal_union', '"open" | "closed"', {}),
    ('map', 'map<string, int>', {}),
    ('map_object', 'map<string, int>', {'map_style': 'object'}),
    ('enum_inline_target', 'Small', {}),
    ('enum_described_target', 'Color', {}),
    ('enum_no_prefix', 'Color', {'prefix': None}),
    ('enum_value_prefix', 'Small', {'enum_value_prefix': '* '}),
    ('enum_value_prefix_null', 'Small', {'enum_value_prefix': None}),
    ('enum_alias', 'Aliased', {}),
    ('enum_list', 'Color[]', {}),
    ('person_section6', 'Person', {}),
    ('alias_resolves', 'PersonAlias', {}),
    ('class_description', 'Order', {}),
    ('quoted_fields', 'Address', {'quote_class_fields': True}),
    ('multiline_description', 'Multi', {}),
    ('recursive_top', 'Node', {}),
    ('recursive_nested', 'LinkedList', {}),
    ('recursive_list', 'Tree', {}),
    ('recursive_list_target', 'Node[]', {}),
    ('recursive_cycle', 'A', {}),
    ('hoisted_prefix', 'NonRecursive', {'hoisted_class_prefix': 'interface'}),
    ('top_union', 'Bug | Enhancement', {}),
    ('nested_union', 'Issue', {}),
    ('union_or_splitter', 'Bug | Enhancement', {'or_splitter': ' | '}),
    # Hoisted blocks follow BAML's stack walk, which visits the last union member first.
    ('union_of_unions', '(Node | int) | (string | Tree)', {}),
    ('enums_in_class', 'WithEnums', {}),
    ('always_hoist', 'Six', {'always_hoist_enums': True}),
    ('six_inline_in_list', 'Six[]', {}),
    ('short_enum_list', '(Aliased)[]', {}),
    ('hoist_subset', 'Ret', {'hoist_classes': ['Pa']}),
    ('hoist_all', 'Ret', {'hoist_classes': True}),
    ('hoist_auto', 'Ret', {'hoist_classes': 'auto'}),
    ('recursive_alias', 'RecMap', {}),
    ('json_alias', 'Json', {}),
    ('alias_with_prefix', 'RecMap', {'hoisted_class_prefix': 'type'}),
    ('custom_prefix', 'int', {'prefix': 'Reply with a number: '}),
    ('optional_class_list', '(Pa | null)[]', {}),
    ('class_list', 'Pa[]', {}),
    ('enum_map_key', 'WithMap', {}),
]

@pytest.mark.parametrize("name,type_,options", CASES, ids=[c[0] for c in CASES])
def test_output_format(name: str, type_: str, options: dict) -> None:
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
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
