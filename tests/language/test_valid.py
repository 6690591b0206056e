"""Files under cases/valid/ compile with no errors (only the warnings they state), and the IR
they produce says exactly what BAML's reading of the text says (docs/language.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from language_cases import CASES, cases, describe, read_expectations

import vdsl
from vdsl import ir

VALID = cases("valid")


@cache
def project(name: str) -> vdsl.Project:
    return vdsl.load(str(CASES / "valid" / name))


def options(name: str, client: str) -> dict[str, object]:
    value = project(name).client(client).options
    assert value is not None
    return ir.plain(value)  # type: ignore[return-value]


def test_args(name: str) -> dict[str, object]:
    value = project("values.vdsl").test(name).args
    assert value is not None
    return ir.plain(value)  # type: ignore[return-value]


test_args.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def field(cls: str, name: str, file: str = "types.vdsl") -> ir.Field:
    decl = project(file).find(cls)
    assert isinstance(decl, ir.ClassDecl)
    return next(f for f in decl.fields if f.name == name)


# ---- every valid case ------------------------------------------------------------------------

@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case_compiles_with_only_stated_warnings(case: Path) -> None:
    diagnostics = vdsl.check(str(case))
    errors = [describe(d) for d in diagnostics if d.is_error]
    assert not errors, "\n".join(errors)
    stated = {e.key for e in read_expectations(case)}
    assert all(sev == "warning" for sev, *_ in stated)
    actual = {(d.severity.value, d.code, d.span.line, d.span.column)  # type: ignore[union-attr]
              for d in diagnostics}
    assert actual == stated, "\n".join(describe(d) for d in diagnostics)
    loaded = vdsl.load(str(case))
    assert [d.code for d in loaded.diagnostics] == [d.code for d in diagnostics]


def test_baml_extension_is_compiled() -> None:
    assert any(p.suffix == ".baml" for p in VALID)
    assert project("clients.baml").client("Everything").provider == "vertex-ai"


# ---- values (values.vdsl) --------------------------------------------------------------------

def test_unquoted_string_keeps_inner_spaces() -> None:
    assert test_args("Torture")["unquoted_string_whitespace"] == "hello world"
    assert options("values.vdsl", "Torture")["spaced_out"] == "hello world"


def test_quoted_string_escapes() -> None:
    assert test_args("Torture")["quoted"] == (
        'with "escapes" \n and \t tabs \\ backslash A and \\q kept')
    assert test_args("Torture")["quoted_comment"] == "a // not a comment"


def test_raw_string_dedent_gives_exact_text() -> None:
    args = project("values.vdsl").test("Torture").args
    assert args is not None
    raw = args.get("raw1")
    assert isinstance(raw, ir.RawString)
    assert raw.value == "line one\n  indented two\nline three"
    assert raw.hashes == 1
    assert raw.indent == 6
    assert raw.first_line == raw.span.line + 1


@pytest.mark.parametrize("key, hashes, text", [
    ("raw2", 2, 'has "# inside'),
    ("raw3", 3, 'has "## inside'),
    ("raw4", 4, 'has "### inside'),
    ("raw5", 5, 'has "#### inside'),
])
def test_raw_strings_up_to_five_hashes(key: str, hashes: int, text: str) -> None:
    args = project("values.vdsl").test("Torture").args
    assert args is not None
    raw = args.get(key)
    assert isinstance(raw, ir.RawString)
    assert (raw.value, raw.hashes) == (text, hashes)


def test_raw_string_is_verbatim() -> None:
    assert test_args("Torture")["raw_verbatim"] == "{{ not.jinja }} // not a comment \\n"


def test_numbers_bools_null() -> None:
    args = test_args("Torture")
    assert args["int_value"] == 42 and isinstance(args["int_value"], int)
    assert args["negative"] == -7
    assert args["float_value"] == 3.14 and isinstance(args["float_value"], float)
    assert args["negative_float"] == -0.5
    assert args["yes"] is True and args["no"] is False and args["nothing"] is None
    assert args["str_true"] == "true"


def test_env_references() -> None:
    value = project("values.vdsl").test("Torture").args
    assert value is not None
    env = value.get("env_ref")
    assert isinstance(env, ir.EnvRef) and env.name == "SOME_KEY"
    colon = value.get("colon_key")
    assert isinstance(colon, ir.EnvRef) and colon.name == "OTHER_KEY"
    quoted = value.get("str_env")
    assert isinstance(quoted, ir.StringValue) and quoted.value == "env.NOT_A_REF"
    assert options("values.vdsl", "Torture")["project_id"] == {"$env": "GOOGLE_CLOUD_PROJECT"}


def test_unquoted_identifier_like_values_are_strings() -> None:
    args = test_args("Torture")
    assert args["path"] == "../this-is-also-a-string"
    assert args["bang"] == "NoQuotes!!123"
    assert args["dotted"] == "gpt-3.5-turbo"
    assert args["url"] == "https://example.com/v1"
    assert args["tabbed"] == "value"
    assert args["quoted key"] == "value"


def test_arrays_and_maps() -> None:
    args = test_args("Torture")
    assert args["commas"] == [1, 2, 3]
    assert args["newlines"] == ["a", "b", "c"]
    assert args["mixed"] == [1, 2, 3]
    assert args["empty_list"] == [] and args["empty_map"] == {}
    assert args["nested_lists"] == [[1, 2], [3]]
    assert args["list_of_maps"] == [{"a": 1}, {"b": 2}]
    assert args["inline_map"] == {"k1": "v1", "k2": "v2", "k3": "v3"}
    assert args["nested"] == {"deeper": {"deepest": "x", "sibling": True}, "k1": "v1",
                              "k2": "v2"}


def test_optional_colon_and_trailing_comment_in_options() -> None:
    opts = options("values.vdsl", "Torture")
    assert opts["location"] == "us-central1"
    assert opts["model"] == "gemini-2.5-flash"
    assert opts["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 1024, "topK": 40}


def test_client_doc_comment() -> None:
    assert project("values.vdsl").client("Torture").doc == "The client's doc comment"


# ---- types (types.vdsl) ----------------------------------------------------------------------

@pytest.mark.parametrize("name, text", [
    ("s", "string"), ("f", "float"), ("n", "null"), ("img", "image"), ("vid", "video"),
    ("list2", "int[][]"), ("opt", "string?"), ("optlist", "string[]?"),
    ("grouped", "(int | string)[]"), ("m", "map<Color, int>"),
    ("m2", 'map<"a" | "b", string>'), ("m3", "map<string, map<string, int[]>>?"),
    ("lit", '"open" | "closed"'), ("lit_int", "1 | 2 | 3"), ("lit_bool", "true"),
    ("ali", "JsonValue"),
])
def test_type_forms(name: str, text: str) -> None:
    assert ir.type_to_str(field("Everything", name).type) == text


def test_type_nodes() -> None:
    assert isinstance(field("Everything", "img").type, ir.Media)
    assert isinstance(field("Everything", "n").type, ir.Primitive)
    optlist = field("Everything", "optlist").type
    assert isinstance(optlist, ir.OptionalType) and isinstance(optlist.inner, ir.ListType)
    list2 = field("Everything", "list2").type
    assert isinstance(list2, ir.ListType) and isinstance(list2.item, ir.ListType)
    lit = field("Everything", "lit").type
    assert isinstance(lit, ir.UnionType)
    assert [m.value for m in lit.members] == ["open", "closed"]  # type: ignore[attr-defined]
    lit_int = field("Everything", "lit_int").type
    assert [m.value for m in lit_int.members] == [1, 2, 3]  # type: ignore[attr-defined]
    lit_bool = field("Everything", "lit_bool").type
    assert isinstance(lit_bool, ir.LiteralType) and lit_bool.value is True


def test_optional_member_then_union() -> None:
    """`A? | B` is union(A?, B)."""
    t = field("Everything", "u2").type
    assert isinstance(t, ir.UnionType)
    assert isinstance(t.members[0], ir.OptionalType)
    assert isinstance(t.members[1], ir.Primitive)


def test_union_with_trailing_question_mark_is_nullable() -> None:
    t = field("Everything", "u").type
    names = [ir.type_to_str(x) for x in ir.walk.iter_types(t)]
    assert "int" in names and "string" in names
    assert any(isinstance(x, ir.OptionalType) for x in ir.walk.iter_types(t))


def test_optional_applies_to_whole_union() -> None:
    """BUG: BAML's type grammar (docs/language.md, "Types"; BAML's parse_types.rs): `field_type = (union | non_union) '?'?`,
    so `int | string?` is optional(int | string), not int | string?."""
    t = field("Everything", "u").type
    assert isinstance(t, ir.OptionalType), ir.type_to_str(t)
    assert isinstance(t.inner, ir.UnionType)
    assert [ir.type_to_str(m) for m in t.inner.members] == ["int", "string"]


def test_trailing_attribute_belongs_to_the_field_not_the_last_member() -> None:
    f = field("Everything", "desc")
    assert [a.display for a in f.attrs] == ["@description"]
    assert isinstance(f.type, ir.UnionType)
    assert all(not m.attrs for m in f.type.members)


def test_attribute_inside_parenthesised_union_goes_to_the_union() -> None:
    """`(int | string @x)`: BAML's union parser re-associates it to the union."""
    f = field("Everything", "desc2")
    assert not f.attrs
    assert isinstance(f.type, ir.UnionType)
    assert [a.display for a in f.type.attrs] == ["@description"]
    assert all(not m.attrs for m in f.type.members)


def test_attribute_on_a_parenthesised_member_stays_on_it() -> None:
    f = field("Grouped", "attr_on_member")
    assert not f.attrs and isinstance(f.type, ir.UnionType)
    assert not f.type.attrs
    assert [a.display for a in f.type.members[1].attrs] == ["@description"]
    g = field("Grouped", "attr_on_first")
    assert isinstance(g.type, ir.UnionType)
    assert [a.display for a in g.type.members[0].attrs] == ["@description"]
    assert not g.type.members[1].attrs and not g.attrs


def test_constraints_and_stream_attributes() -> None:
    checked = field("Everything", "checked")
    assert [a.display for a in checked.attrs] == ["@check", "@assert"]
    check = checked.attrs[0]
    assert ir.plain(check.args[0]) == "positive"
    assert isinstance(check.args[1], ir.JinjaExpr) and check.args[1].source == "this > 0"
    streamed = field("Everything", "streamed")
    assert [a.name for a in streamed.attrs] == ["stream.done", "stream.not_null",
                                                "stream.with_state"]


def test_attributes_on_following_lines() -> None:
    f = field("Everything", "multiline_attr")
    assert [(a.display, ir.plain(a.args[0])) for a in f.attrs] == [
        ("@description", "on the next line"), ("@alias", "ml")]
    color = project("types.vdsl").find("Color")
    assert isinstance(color, ir.EnumDecl)
    green = color.values[1]
    assert green.name == "GREEN"
    assert [(a.display, ir.plain(a.args[0])) for a in green.attrs] == [
        ("@description", "multi line unquoted")]
    assert [a.display for a in color.attrs] == ["@@alias"]
    assert [v.name for v in color.values] == ["RED", "GREEN", "BLUE"]


def test_block_attributes() -> None:
    decl = project("types.vdsl").find("Everything")
    assert isinstance(decl, ir.ClassDecl)
    assert [a.display for a in decl.attrs] == ["@@description", "@@dynamic"]
    assert ir.plain(decl.attrs[0].args[0]) == "A class with everything"


def test_doc_comments_attach_to_the_next_declaration_or_field() -> None:
    node = project("types.vdsl").find("Node")
    assert node is not None and node.doc == "A node of a tree"
    assert field("Node", "value").doc == "the value\nsecond doc line"
    assert field("Node", "children").doc is None
    documented = project("types.vdsl").find("Documented")
    assert documented is not None and documented.doc == "Docstring of Documented\nover two lines"
    assert field("Documented", "first").doc == "doc of first"
    assert field("Documented", "second").doc is None  # a plain // comment is no doc
    assert field("Documented", "third").doc == "doc of third, after a blank line"


def test_recursive_types_and_aliases() -> None:
    alias = project("types.vdsl").find("JsonValue")
    assert isinstance(alias, ir.TypeAliasDecl)
    assert isinstance(alias.type, ir.UnionType) and len(alias.type.members) == 7
    positive = project("types.vdsl").find("Positive")
    assert isinstance(positive, ir.TypeAliasDecl)
    assert [a.display for a in positive.type.attrs] == ["@check"]
    assert ir.type_to_str(field("Child", "either").type) == "Child | string"


# ---- functions, templates, tests (functions.vdsl) --------------------------------------------

def test_function_with_weird_spacing() -> None:
    fn = project("functions.vdsl").function("Weird")
    assert [(p.name, ir.type_to_str(p.type)) for p in fn.params  # type: ignore[arg-type]
            ] == [("text", "string"), ("img", "image?"), ("level", "Level")]
    assert fn.return_type is not None and ir.type_to_str(fn.return_type) == "Resume"
    assert fn.client == "Gemini"
    assert fn.prompt is not None and fn.prompt.value.startswith('{{ _.role("system") }}\n')


def test_shorthand_client_and_no_params() -> None:
    p = project("functions.vdsl")
    assert p.function("Shorthand").client == "vertex-ai/gemini-2.5-pro"
    none = p.function("NoParams")
    assert none.params == ()
    assert none.prompt is not None and none.prompt.value == 'Count to three. "# is fine here.'


def test_template_strings_with_and_without_params() -> None:
    p = project("functions.vdsl")
    greeting = p.template_string("Greeting")
    assert greeting.params == () and greeting.template is not None
    assert greeting.template.value == "Hello there"
    with_params = p.template_string("WithParams")
    assert [x.name for x in with_params.params] == ["name", "count"]
    assert p.template_string("Legacy").template.value == "legacy"  # type: ignore[union-attr]


def test_test_block_with_type_builder() -> None:
    test = project("functions.vdsl").test("WeirdTest")
    assert test.function_names[0][0] == "Weird"
    builder = test.type_builder
    assert builder is not None
    assert [(c.name, c.dynamic) for c in builder.classes] == [("Resume", True), ("Extra", False)]
    assert [(e.name, e.dynamic) for e in builder.enums] == [("Level", True), ("Mood", False)]
    assert [a.name for a in builder.aliases] == ["Alias"]
    assert [a.display for a in test.block_attrs] == ["@@check", "@@assert"]
    args = test.args
    assert args is not None
    assert ir.plain(args)["text"] == "John Doe\nPython, Rust"  # type: ignore[index]
    assert ir.plain(args)["img"] == {"url": "https://example.com/a.png"}  # type: ignore[index]


def test_generator_entries() -> None:
    generator = project("functions.vdsl").program.generators[0]
    assert generator.name == "py"
    assert {e.key: ir.plain(e.value) for e in generator.entries  # type: ignore[arg-type]
            } == {"output_type": "python/pydantic", "output_dir": "../", "version": "0.68.0",
                  "default_client_mode": "async"}


# ---- clients (clients.baml) ------------------------------------------------------------------

def test_vertex_client_options() -> None:
    p = project("clients.baml")
    everything = p.client("Everything")
    assert everything.retry_policy == "Exponential"
    opts = options("clients.baml", "Everything")
    assert opts["location"] == "global"
    assert opts["query_params"] == {"key": {"$env": "VERTEX_API_KEY"}}
    assert opts["remap_roles"] == {"assistant": "model"}
    assert opts["supports_streaming"] is False
    assert opts["safetySettings"] == [{"category": "HARM_CATEGORY_HATE_SPEECH",
                                       "threshold": "BLOCK_ONLY_HIGH"}]
    assert opts["generationConfig"] == {"temperature": 0.2, "maxOutputTokens": 1024,
                                        "thinkingConfig": {"thinkingBudget": 128,
                                                           "includeThoughts": True}}
    assert p.client("Bare").keyword == "client"
    assert everything.keyword == "client<llm>"


def test_strategy_clients_and_retry_policies() -> None:
    p = project("clients.baml")
    assert options("clients.baml", "Backup")["strategy"] == [
        "Everything", "ClaudeViaBaseUrl", "vertex-ai/gemini-2.5-flash"]
    assert options("clients.baml", "Rotate")["start"] == 1
    policies = {r.name: r for r in p.program.retry_policies}
    assert set(policies) == {"Constant", "Exponential", "DefaultStrategy"}
    exp = policies["Exponential"].get("strategy")
    assert exp is not None and ir.plain(exp) == {
        "type": "exponential_backoff", "delay_ms": 200, "multiplier": 1.5, "max_delay_ms": 10000}


# ---- small in-memory facts ---------------------------------------------------------------------

def test_loads_in_memory_and_empty_inputs() -> None:
    assert vdsl.loads("").program.decls == []
    assert vdsl.loads("// only a comment\n").program.decls == []
    crlf = vdsl.loads('class A {\r\n  x int\r\n}\r\n\r\nfunction F(a: string) -> A {\r\n'
                      '  client "vertex-ai/gemini-2.5-flash"\r\n  prompt #"\r\n    hi {{ a }}'
                      '\r\n    there\r\n  "#\r\n}\r\n')
    prompt = crlf.function("F").prompt
    assert prompt is not None and prompt.value == "hi {{ a }}\nthere"


def test_spans_point_at_names() -> None:
    p = vdsl.loads("\n\nclass   Person {\n  name string\n}\n", filename="x.vdsl")
    decl = p.find("Person")
    assert decl is not None
    assert (decl.name_span.file, decl.name_span.line, decl.name_span.column) == ("x.vdsl", 3, 9)
