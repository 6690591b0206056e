"""The layout rules, one by one: input → the exact canonical text."""

from __future__ import annotations

import pytest
from fmt_helpers import ir_of

from vdsl.fmt import FormatError, format_text

CASES = {
    'indentation and spacing': (
        'class  A{\n\tname   string ?  @alias ( "n" )\n      tags string [ ]\n}\n',
        'class A {\n  name string? @alias("n")\n  tags string[]\n}\n'),
    'one blank line between top-level blocks, none at the ends': (
        '\n\nenum E {\n A\n}\nclass C {\n x int\n}\n\n\n\nclass D {\n y int\n}\n\n',
        'enum E {\n  A\n}\n\nclass C {\n  x int\n}\n\nclass D {\n  y int\n}\n'),
    'blank lines inside blocks: at most one, none after { or before }': (
        'class C {\n\n  a int\n\n\n\n  b int\n\n}\n',
        'class C {\n  a int\n\n  b int\n}\n'),
    'one-line declarations may stay together': (
        'type A = int\ntype B = string | A\n',
        'type A = int\ntype B = string | A\n'),
    'comments and docs stay on their lines, attached': (
        ('// header\nclass C { // trailing\n/// the field\n    x int   //  why\n}\n'
         '/// doc of D\nclass D {\n  y int\n}\n'),
        ('// header\nclass C { // trailing\n  /// the field\n  x int //  why\n}\n\n'
         '/// doc of D\nclass D {\n  y int\n}\n')),
    'a detached doc stays detached': (
        '/// floating\n\n\nclass C {\n  x int\n}\n',
        '/// floating\n\nclass C {\n  x int\n}\n'),
    'raw strings are untouched': (
        ('function F(t: string) -> string {\n      client "vertex-ai/gemini-2.5-flash"\n'
         '   prompt #"\n        Keep   this\n\t  and {{ t }}   \n     "#\n}\n'),
        ('function F(t: string) -> string {\n  client "vertex-ai/gemini-2.5-flash"\n'
         '  prompt #"\n        Keep   this\n\t  and {{ t }}   \n     "#\n}\n')),
    'unquoted values keep their inner spaces': (
        'generator g {\n  output_type   python/pydantic\n  note  two  words  here\n}\n',
        'generator g {\n  output_type python/pydantic\n  note two  words  here\n}\n'),
    'maps and lists': (
        ('client<llm> C {\n provider vertex-ai\n options {\n  model gemini-2.5-flash\n'
         '  location us-central1\n  generationConfig {temperature 0.1,topP 0.9}\n'
         '  stop [ "a" ,"b" ]\n  tools [\n   { googleSearch {} }\n  ]\n }\n}\n'),
        ('client<llm> C {\n  provider vertex-ai\n  options {\n'
         '    model gemini-2.5-flash\n    location us-central1\n'
         '    generationConfig { temperature 0.1, topP 0.9 }\n    stop ["a", "b"]\n'
         '    tools [\n      { googleSearch {} }\n    ]\n  }\n}\n')),
    'a continued attribute line is indented once more': (
        'class C {\n  x int\n  @description("d")\n  @alias("y")\n}\n',
        'class C {\n  x int\n    @description("d")\n    @alias("y")\n}\n'),
    'function headers, params on several lines': (
        ('function  F (a : string ,\n b: int? )->  map< string,int >{\n'
         'client "vertex-ai/gemini-2.5-flash"\nprompt #"{{ a }}"#\n}\n'),
        ('function F(a: string,\n  b: int?) -> map<string, int> {\n'
         '  client "vertex-ai/gemini-2.5-flash"\n  prompt #"{{ a }}"#\n}\n')),
    'test blocks with attributes': (
        'test T {\nfunctions [F,G]\nargs {a "x"}\n@@assert( ok ,{{ this }} )\n@@skip\n}\n',
        ('test T {\n  functions [F, G]\n  args { a "x" }\n  @@assert(ok, {{ this }})\n'
         '  @@skip\n}\n')),
    'template strings and block comments': (
        'template_string   Hi( n: string )  #"hi {{ n }}"#\n{// kept\n      as is //}\n',
        'template_string Hi(n: string) #"hi {{ n }}"#\n\n{// kept\n      as is //}\n'),
    'windows line endings become \\n': (
        'class C {\r\n  x int // c\r\n}\r\n',
        'class C {\n  x int // c\n}\n'),
    'a byte-order mark is dropped': (
        '\ufeffclass C {\n  x int\n}\n',
        'class C {\n  x int\n}\n'),
    'empty': (
        '\n\n  \n',
        ''),
    'only comments': (
        '  // a\n\n\n// b  \n',
        '// a\n\n// b\n'),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_layout(case: str) -> None:
    source, expected = CASES[case]
    assert format_text(source) == expected
    assert format_text(expected) == expected
    assert ir_of(expected.replace("\r", "")) == ir_of(source.replace("\r", "").lstrip("\ufeff"))


@pytest.mark.parametrize("source", [
    "class A {\n  x int\n",                       # unclosed block
    "class A {\n  x int int int\n}\n",            # not a field
    "fn Foo() -> int { 1 }\n",                    # BAML's expression language
    'function F() -> string {\n  prompt #"open\n}\n',   # unterminated raw string
])
def test_syntax_errors_are_refused(source: str) -> None:
    with pytest.raises(FormatError) as caught:
        format_text(source, "x.vdsl")
    assert caught.value.diagnostics
    assert all(d.span is not None and d.span.file == "x.vdsl" for d in caught.value.diagnostics)


def test_the_token_check_refuses_a_layout_that_would_change_tokens(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The last line of defence: if the layout ever glued two tokens together, the file is
    refused instead of being rewritten with another meaning."""
    from vdsl import fmt

    monkeypatch.setattr(fmt, "layout", lambda tokens: " ".join(t.text for t in tokens
                                                               if t.kind != "newline"))
    with pytest.raises(FormatError, match="would change the file's tokens"):
        format_text("class A {\n  x int\n  y string\n}\n")
