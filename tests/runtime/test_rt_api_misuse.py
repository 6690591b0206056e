"""Wrong kinds of input to the public API (a function name that is not a string, arguments
that are not a mapping, text Python holds but UTF-8 cannot carry, a reply that is not text)
are `InvalidArgumentError`s naming what was wrong — never a TypeError or UnicodeEncodeError
from deep inside."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from vdsl.errors import InvalidArgumentError

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
function Echo(text: string, tags: map<string, string>?) -> string {
  client Flash
  prompt #"{{ text }} {{ tags }}"#
}
"""


@pytest.mark.parametrize(("function", "args", "words"), [
    (None, {"text": "a"}, "a function name is a string, got NoneType"),
    (5, {"text": "a"}, "got int"),
    ("Echo", 1, "arguments must be a mapping"),
    ("Echo", ["text"], "got list"),
    ("Echo", {"text": "caf\udce9"}, "argument `text` holds text with a lone surrogate"),
    ("Echo", {"text": "a", "tags": {"k": "\ud800"}}, "argument `tags` holds text"),
    ("Echo", {"text": "a", "tags": {"\ud800": "v"}}, "lone surrogate"),
])
def test_misuse_is_an_invalid_argument_error_on_every_path(make_runtime, function: Any,
                                                          args: Any, words: str) -> None:
    runtime = make_runtime(SOURCE)
    for attempt in (lambda: runtime.call(function, args),
                    lambda: list(runtime.stream(function, args)),
                    lambda: asyncio.run(runtime.acall(function, args)),
                    lambda: runtime.build_request(function, args).content()):
        with pytest.raises(InvalidArgumentError, match=words):
            attempt()


@pytest.mark.parametrize("text", [None, 5, b"hello"])
def test_parse_takes_text_only(make_runtime, text: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="the reply to parse is a string"):
        make_runtime(SOURCE).parse("Echo", text)
