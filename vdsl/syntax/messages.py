"""Syntax errors in words a user understands: what was found, what was expected, what to do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Token

_WORDS = {
    "IDENT": "a name", "UNQUOTED": "a value", "STRING": "a quoted string",
    "RAW1": "a raw string", "RAW2": "a raw string", "RAW3": "a raw string",
    "RAW4": "a raw string", "RAW5": "a raw string", "RAW_UNTERMINATED": "a raw string",
    "NUMBER": "a number", "JINJA": "a `{{ … }}` expression",
    "LBRACE": "`{`", "RBRACE": "`}`", "_LPAR": "`(`", "_RPAR": "`)`", "LSQB": "`[`",
    "RSQB": "`]`", "_LESS": "`<`", "_MORE": "`>`", "_COMMA": "`,`", "_COLON": "`:`",
    "_VBAR": "`|`", "QMARK": "`?`", "_EQUAL": "`=`", "_ARROW": "`->`", "_NL": "a new line",
    "FIELD_ATTR": "an attribute (`@…`)", "BLOCK_ATTR": "a block attribute (`@@…`)",
    "MAP": "`map`", "CLASS": "`class`", "ENUM": "`enum`", "DYNAMIC": "`dynamic`",
    "TYPE": "`type`", "FUNCTION": "`function`", "TEST": "`test`", "GENERATOR": "`generator`",
    "RETRY_POLICY": "`retry_policy`", "TEMPLATE_STRING": "`template_string`",
    "TYPE_BUILDER": "`type_builder`", "CLIENT": "`client<llm>`", "$END": "the end of the file",
}
_INVALID_CLASS_LINE = (
    "This line is not a valid field or attribute definition. A valid class property looks like: "
    "'myProperty string[] @description(\"This is a description\")'")
_VALUE_STARTS = {"UNQUOTED", "STRING", "RAW1", "LBRACE", "LSQB"}
_TYPE_STARTS = {"IDENT", "MAP", "_LPAR", "STRING", "NUMBER"}


def describe_token(token: Token) -> str:
    if token.type in ("IDENT", "UNQUOTED", "NUMBER"):
        return f"`{token.value}`"
    if token.type == "STRING":
        return f"the string {token.value}"
    return _WORDS.get(token.type, f"`{token.value}`")


def describe_expected(expected: Iterable[str]) -> str:
    names = set(expected)
    words: list[str] = []
    if _VALUE_STARTS <= names:
        words.append("a value")
        names -= _VALUE_STARTS | {"RAW2", "RAW3", "RAW4", "RAW5", "RAW_UNTERMINATED"}
    if _TYPE_STARTS <= names:
        words.append("a type")
        names -= _TYPE_STARTS
    for name in sorted(names):
        word = _WORDS.get(name)
        if word and word not in words:
            words.append(word)
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def friendly_message(token: Token, previous: Token | None, expected: Iterable[str],
                     keyword: str, chunk: str) -> tuple[str, str | None]:
    """(message, help) for an unexpected token, using what came before it."""
    expected = set(expected)
    found = describe_token(token)
    if previous is not None and previous.type == "_ARROW":
        return f"expected a type after `->`, found {found}", "e.g. `-> string` or `-> Resume`"
    if keyword == "enum" and token.type == "_COMMA":
        return ("This line is not an enum value definition. BAML enums don't have commas, and "
                "all values must be all caps."), "put one value per line, without commas"
    if keyword == "enum" and token.type in ("IDENT", "UNQUOTED") and previous is not None \
            and previous.type == "IDENT":
        return (f"Unexpected type specified for value `{previous.value}`",
                "enum values are bare names, one per line")
    after_newline = previous is not None and previous.type == "_NL"
    misplaced = token.type not in expected and "IDENT" in expected and token.type != "RBRACE"
    if keyword.startswith("class") and (after_newline or misplaced):
        return _INVALID_CLASS_LINE, None
    if token.type == "_NL" and "_RPAR" in expected:
        return f"expected {describe_expected(expected)} before the end of the line", None
    if token.type == "_NL" and expected & _VALUE_STARTS:
        return ("This map entry is missing a valid value", "write `key value` on one line")
    line_before = chunk[:token.start_pos or 0].rsplit("\n", 1)[-1]
    if token.type == "STRING" and line_before.rstrip().endswith("??"):
        return ("`??` is not an operator: BAML would read this whole value as one literal "
                "text, not the variable with a default"), (
            "set the variable (a missing one is reported when the call is made), or write "
            "the value itself")
    return f"expected {describe_expected(expected)}, found {found}", None
