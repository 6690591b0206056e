"""`query_params` go into the URL form-encoded, the way BAML's HTTP client writes them
(space as `+`, only letters, digits and `*-._` left as they are). The API key (`key`) is the
deliberate exception: it travels in the `x-goog-api-key` header, as Google's own SDK sends it,
so it is never in a URL that a log could show."""

from __future__ import annotations

import vdsl
from vdsl.runtime import Runtime

SOURCE = """
client<llm> C {
  provider vertex-ai
  options {
    model "gemini-2.5-flash"
    location "us-central1"
    project_id "p"
    query_params {
      key "k 1~*/:+&=é"
      q "v 1~*/:+&=é"
      "odd name" "a.b-c_d"
    }
  }
}
function F(q: string) -> string {
  client C
  prompt #"{{ q }}"#
}
"""


def _request(stream: bool = False):
    return Runtime(vdsl.loads(SOURCE), env={}).build_request("F", {"q": "x"}, stream=stream)


def test_query_values_are_form_encoded() -> None:
    url = _request().url
    assert url.endswith(":generateContent?q=v+1%7E*%2F%3A%2B%26%3D%C3%A9&odd+name=a.b-c_d")


def test_form_encoded_query_follows_alt_sse() -> None:
    assert _request(stream=True).url.endswith(
        ":streamGenerateContent?alt=sse&q=v+1%7E*%2F%3A%2B%26%3D%C3%A9&odd+name=a.b-c_d")


def test_the_api_key_travels_in_a_header_as_written() -> None:
    url, headers = _request().sendable()
    assert "key=" not in url
    assert headers["x-goog-api-key"] == "k 1~*/:+&=é"


def test_the_key_is_redacted_in_every_spelling() -> None:
    request = _request()
    request.add_secret("k 1~*/:+&=é", "KEY")  # a secret value is hidden encoded too
    assert "k+1%7E" not in request.redacted()["url"]
    assert "k 1~" not in request.curl() and "k+1%7E" not in request.curl()
