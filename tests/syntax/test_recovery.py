"""Per-block recovery: a broken block reports its error and the rest of the file is checked."""

import vdsl
from vdsl.syntax import split_blocks


def blocks(text):
    return [text[a:b] for a, b in split_blocks(text)]


def test_split_respects_strings_and_comments():
    text = (
        'class A {\n  x string @description("class B {")\n}\n'
        "// class C { in a comment\n"
        'function F(x: string) -> string {\n  client "vertex-ai/gemini-2.5-flash"\n'
        '  prompt #"\nclass D {\n  "#\n}\n'
        "enum E {\n  X\n}\n"
    )
    parts = blocks(text)
    assert [p.split()[0] + " " + p.split()[1] for p in parts if not p.startswith("//")] == [
        "class A", "function F(x:", "enum E"]
    assert "".join(parts) == text


def test_unclosed_block_does_not_swallow_the_next_one():
    text = "class A {\n  x string\n\nclass B {\n  y int\n}\n"
    assert [p.split()[1] for p in blocks(text)] == ["A", "B"]


def test_every_broken_block_is_reported_and_valid_blocks_still_checked():
    text = (
        "class A {\n  x strin\n}\n"          # unknown type (validation)
        "class B {\n  y int,\n}\n"           # syntax error
        "enum C {\n  ONE,\n  TWO\n}\n"       # syntax error
        "class D {\n  z Missing\n}\n"        # unknown type (validation)
    )
    assert _check_text(text) == [("unknown-type", 2), ("syntax", 5), ("syntax", 8),
                                 ("unknown-type", 12)]


def _check_text(text):
    try:
        vdsl.loads(text, "broken.vdsl")
    except vdsl.CompileError as error:
        return [(d.code, d.span.line) for d in error.diagnostics]
    return []


def test_reference_to_a_broken_block_is_not_reported_twice():
    text = (
        'client<llm> C {\n  provider vertex-ai\n  options {\n    model a@b\n    location us-central1\n  }\n}\n'
        'function F(x: string) -> string {\n  client C\n  prompt #"{{ x }}"#\n}\n'
    )
    codes = [code for code, _ in _check_text(text)]
    assert codes == ["syntax"]


def test_unterminated_raw_string_is_one_clear_error():
    text = 'function F(x: string) -> string {\n  client "vertex-ai/m"\n  prompt #"\n    hi\n}\n'
    try:
        vdsl.loads(text)
    except vdsl.CompileError as error:
        messages = [(d.code, d.message, d.span.line, d.span.column) for d in error.diagnostics]
    assert messages == [("syntax-unterminated-string", "unterminated raw string starting here",
                         3, 10)]


def test_misspelt_keyword_gets_did_you_mean():
    try:
        vdsl.loads("classs Foo {\n  x int\n}\n")
    except vdsl.CompileError as error:
        (diag,) = error.diagnostics
    assert diag.code == "syntax-invalid-line"
    assert diag.help == "did you mean `class`?"
    assert (diag.span.line, diag.span.column) == (1, 1)


def test_expression_language_is_unsupported_not_a_crash():
    try:
        vdsl.loads("fn Add(a: int, b: int) -> int {\n  a + b\n}\n")
    except vdsl.CompileError as error:
        codes = [d.code for d in error.diagnostics]
    assert codes == ["unsupported-syntax"]
