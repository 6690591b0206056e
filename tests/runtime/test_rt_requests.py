"""`Runtime.build_request`: the exact request, offline. Bodies and URLs follow BAML
(docs/wire.md), plus vdsl's documented differences."""

from __future__ import annotations

import json

import pytest

import vdsl
from vdsl.errors import ConfigError, MissingEnvError
from vdsl.runtime import Runtime


def request(source: str, fn: str = "F", args: dict | None = None, env: dict | None = None,
            **kw):  # type: ignore[no-untyped-def]
    runtime = Runtime(vdsl.loads(source), env=env or {})
    return runtime.build_request(fn, args or {"x": "hi"}, **kw)


def client(options: str, extra: str = "") -> str:
    return f"""
client<llm> C {{
  provider vertex-ai
  {extra}
  options {{
{options}
  }}
}}
function F(x: string) -> string {{
  client C
  prompt #"
    {{{{ _.role("system") }}}}
    Be terse.
    {{{{ _.role("user") }}}}
    {{{{ x }}}}
    {{{{ _.role("assistant") }}}}
    earlier answer
    {{{{ _.role("user") }}}}
    again
  "#
}}
"""


@pytest.mark.parametrize("location, host", [
    ("us-central1", "https://us-central1-aiplatform.googleapis.com"),
    ("global", "https://aiplatform.googleapis.com"),
    ("us", "https://aiplatform.us.rep.googleapis.com"),
    ("eu", "https://aiplatform.eu.rep.googleapis.com"),
])
def test_url_per_location(location: str, host: str) -> None:
    req = request(client(f"model gemini-2.5-flash\nlocation {location}\nproject_id p"))
    assert req.url == (f"{host}/v1/projects/p/locations/{location}/publishers/google/models/"
                       "gemini-2.5-flash:generateContent")


def test_streaming_url_then_query_params() -> None:
    req = request(client("model gemini-2.5-flash\nlocation us-central1\nproject_id p\n"
                         "query_params { key env.VERTEX_KEY, foo \"a b\" }"),
                  env={"VERTEX_KEY": "sk-secret-123"}, stream=True)
    url, headers = req.sendable()
    # form-encoded, as BAML; the API key goes in a header, not the URL (a deliberate difference)
    assert url == ("https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/"
                   "us-central1/publishers/google/models/gemini-2.5-flash:"
                   "streamGenerateContent?alt=sse&foo=a+b")
    assert headers["x-goog-api-key"] == "sk-secret-123"
    shown = json.dumps(req.redacted()) + req.curl() + repr(req) + str(req) + req.url
    assert "sk-secret-123" not in shown
    assert req.headers["x-goog-api-key"] == "<redacted>"
    assert "x-goog-api-key: '\"$VERTEX_KEY\"" in req.curl()  # the shell expands the variable
    assert "authorization" not in req.headers  # an API key means no bearer token (BAML)


def test_express_mode_for_an_api_key_without_project() -> None:
    req = request(client("model gemini-2.5-flash\nlocation global\n"
                         'query_params { key "AIza-test" }'))
    assert req.url == ("https://aiplatform.googleapis.com/v1/publishers/google/models/"
                       "gemini-2.5-flash:generateContent")
    assert req.sendable()[1]["x-goog-api-key"] == "AIza-test"


def test_base_url_is_prefix_and_project_is_ignored() -> None:
    req = request(client('model gemini-2.5-flash\nbase_url "https://proxy.example/v1/x/"'))
    assert req.url == "https://proxy.example/v1/x/gemini-2.5-flash:generateContent"


def test_model_with_publishers_prefix_is_pasted() -> None:
    req = request(client('model "publishers/google/models/gemini-2.5-pro"\nlocation us-east1\n'
                         "project_id p"))
    assert req.url.endswith("/projects/p/locations/us-east1/publishers/google/models/"
                            "gemini-2.5-pro:generateContent")


def test_body_order_roles_and_passthrough() -> None:
    req = request(client('model gemini-2.5-flash\nlocation us-central1\nproject_id p\n'
                         'safetySettings [{ category HARM_CATEGORY_HARASSMENT, threshold OFF }]\n'
                         'generationConfig { temperature 0.2, maxOutputTokens 1024 }\n'
                         'headers { "X-Trace" "1" }'))
    assert list(req.body) == ["safetySettings", "generationConfig", "system_instruction",
                              "contents"]
    assert req.body["system_instruction"] == {"parts": [{"text": "Be terse."}]}
    assert req.body["contents"] == [
        {"role": "user", "parts": [{"text": "hi"}]},
        {"role": "model", "parts": [{"text": "earlier answer"}]},  # vdsl: assistant → model
        {"role": "user", "parts": [{"text": "again"}]},
    ]
    assert list(req.headers) == ["x-trace", "content-type", "authorization"]
    assert req.redacted()["headers"]["authorization"] == "<redacted>"


def test_remap_roles_wins_over_the_gemini_default() -> None:
    req = request(client('model gemini-2.5-flash\nlocation us-central1\nproject_id p\n'
                         'remap_roles { assistant "assistant" }'))
    assert [c["role"] for c in req.body["contents"]] == ["user", "assistant", "user"]


def test_role_metadata_copied_to_parts_when_allowed() -> None:
    source = client('model gemini-2.5-flash\nlocation us-central1\nproject_id p\n'
                    'allowed_role_metadata ["cache_control", "note"]')
    source = source.replace('{{ _.role("user") }}\n    {{ x }}',
                            '{{ _.role("user", cache_control={"type": "ephemeral"}, '
                            'note="n") }}\n    {{ x }}')
    req = request(source)
    # cache_control marks the end of a context cache's part; Gemini parts have no such field
    assert req.body["contents"][0]["parts"] == [{"text": "hi", "note": "n"}]
    assert req.body["contents"][2]["parts"] == [{"text": "again"}]


def test_media_parts_inline_and_file_data() -> None:
    source = """
client<llm> C {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
function F(a: image, b: pdf) -> string {
  client C
  prompt #"Look {{ a }} and {{ b }}"#
}
"""
    req = request(source, args={"a": {"base64": "iVBORw0KGgo=", "media_type": "image/png"},
                                "b": {"url": "gs://bucket/doc.pdf"}})
    assert req.body["contents"] == [{"role": "user", "parts": [
        {"text": "Look"}, {"inlineData": {"data": "iVBORw0KGgo=", "mimeType": "image/png"}},
        {"text": "and"},
        {"fileData": {"fileUri": "gs://bucket/doc.pdf", "mimeType": "application/pdf"}},
    ]}]


def test_url_media_without_a_guessable_type_is_a_clear_error() -> None:
    source = """
client<llm> C {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
function F(b: image) -> string {
  client C
  prompt #"Read {{ b }}"#
}
"""
    # (a pdf always has a type: application/pdf, as in BAML)
    with pytest.raises(vdsl.VdslError, match="Please specify a media type for this image"):
        request(source, args={"b": {"url": "gs://bucket/document"}})


def test_preview_needs_no_environment() -> None:
    source = client("model gemini-2.5-flash\nlocation us-central1\nproject_id env.MY_PROJECT")
    req = request(source)
    # the client names its variable: the preview shows it (at call time, an unset one falls
    # back to GOOGLE_CLOUD_PROJECT and then the credentials' project, as in BAML)
    assert "/projects/$MY_PROJECT/" in req.url
    assert "/projects/$GOOGLE_CLOUD_PROJECT/" in request(
        client("model gemini-2.5-flash\nlocation us-central1")).url


def test_missing_env_at_call_time_names_variable_and_client() -> None:
    source = client("model gemini-2.5-flash\nlocation us-central1\nproject_id p\n"
                    "query_params { key env.VERTEX_API_KEY }")
    runtime = Runtime(vdsl.loads(source), env={})
    with pytest.raises(MissingEnvError) as caught:
        runtime.call("F", {"x": "hi"})
    assert caught.value.variable == "VERTEX_API_KEY"
    assert "client `C`" in str(caught.value) and "VERTEX_API_KEY" in str(caught.value)


def test_missing_project_is_a_clear_config_error() -> None:
    runtime = Runtime(vdsl.loads(client("model gemini-2.5-flash\nlocation us-central1\n"
                                        'query_params { key "k" }\nproject_id "$X"')), env={})
    req = runtime.build_request("F", {"x": "hi"})
    assert req.url.startswith("https://aiplatform.googleapis.com/v1/publishers/")  # express
    with pytest.raises(ConfigError, match="options.location"):
        Runtime(vdsl.loads(client('model gemini-2.5-flash\nbase_url ""\nproject_id p')),
                env={}).build_request("F", {"x": "hi"})
