"""BAML's reading of literal text: raw-string dedent, quoted escapes, unquoted tokens."""

import pytest

from vdsl.syntax.values import classify_unquoted, dedent_raw, unescape


@pytest.mark.parametrize("content, expected", [
    ("\n    Hello\n      world\n  ", ("Hello\n  world", 1, 4)),
    ("Hello\n    world", ("Hello\n    world", 0, 0)),  # first line sets an empty prefix
    ("\r\n\r\n  a\r\n  b\r\n", ("a\nb", 2, 2)),  # CRLF lines, two leading breaks
    ("\n    a\n\n    b\n", ("a\n\nb", 1, 4)),  # blank lines stay empty
    ("\n    a\n  \n    b", ("a\n\nb", 1, 4)),  # a short blank line does not shorten the prefix
    ("\n    a\n\t\n    b", ("    a\n\n    b", 1, 0)),  # a mismatching blank line does (as BAML)
    ("\n\t\tx\n\t\t\ty", ("x\n\ty", 1, 2)),
    ("   ", ("", 0, 0)),
    ("", ("", 0, 0)),
    # text on the `#"` line: only that line loses its indentation (checked against baml-py)
    ("  a\n  b\n  ", ("a\n  b", 0, 0)),
    ("  a\n      b\n    c\n  ", ("a\n      b\n    c", 0, 0)),
    ("  padded  ", ("padded", 0, 0)),
    ("  a\n\n  b", ("a\n\n  b", 0, 0)),
    # blank lines at the start go, spaces on them too
    ("   \n    a\n      b\n  ", ("a\n  b", 1, 4)),
    ("  \n\n    a\n  b\n", ("  a\nb", 2, 2)),
])
def test_dedent_matches_baml(content, expected):
    assert dedent_raw(content) == expected


@pytest.mark.parametrize("body, expected", [
    (r"a\nb", "a\nb"),
    (r"tab\there", "tab\there"),
    (r"quote \" and \\", 'quote " and \\'),
    (r"\x41\x7a", "Az"),
    (r"keep \q and \u1234", r"keep \q and \u1234"),
    ("plain", "plain"),
])
def test_quoted_escapes(body, expected):
    assert unescape(body) == expected


@pytest.mark.parametrize("text, expected", [
    ("hello world", ("string", "hello world")),
    ("true", ("bool", True)),
    ("false", ("bool", False)),
    ("null", ("null", None)),
    ("42", ("number", 42)),
    ("-3", ("number", -3)),
    ("0.25", ("number", 0.25)),
    ("env.GOOGLE_CLOUD_PROJECT", ("env", "GOOGLE_CLOUD_PROJECT")),
    ("env", ("bad-env", "env")),
    ("env.", ("bad-env", "env.")),
    ("gpt-4o-mini", ("string", "gpt-4o-mini")),
    ("python/pydantic", ("string", "python/pydantic")),
    ("0.68.0", ("digit-leading", "0.68.0")),
    ("4o-mini", ("digit-leading", "4o-mini")),
    ("us-central1", ("string", "us-central1")),
    ("1 2", ("string", "1 2")),  # a space makes it a string, whatever it starts with
])
def test_unquoted_classification(text, expected):
    assert classify_unquoted(text) == expected
