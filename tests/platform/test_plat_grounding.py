"""Grounding: the `grounding` option becomes Gemini tools, and a reply's groundingMetadata
reaches `Result.grounding` (calls and streams) with nothing dropped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vdsl.emulator import Emulator
from vdsl.errors import ConfigError
from vdsl.project import Project
from vdsl.providers.grounding import grounding_tools, parse_grounding
from vdsl.runtime import Runtime

Make = Callable[..., Runtime]
STORE = "projects/p/locations/global/collections/default_collection/dataStores/manuals"
SOURCE = """
client<llm> G {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    tools [ { codeExecution {} } ]
    grounding { google_search true, vertex_ai_search "STORE" }
  }
}
function Ask(q: string) -> string {
  client G
  prompt #"{{ q }}"#
}
""".replace("STORE", STORE)


def test_the_option_becomes_tools_after_the_client_s_own(runtime_for: Make) -> None:
    body = runtime_for(SOURCE).build_request("Ask", {"q": "x"}).body
    assert body["tools"] == [{"codeExecution": {}}, {"googleSearch": {}},
                             {"retrieval": {"vertexAiSearch": {"datastore": STORE}}}]
    assert "grounding" not in body


def test_a_fixture_s_grounding_reaches_the_result(runtime_for: Make, manual: Project) -> None:
    result = runtime_for(manual).complete("PumpNews", {"topic": "heat pump efficiency labels"})
    grounding = result.grounding
    assert grounding is not None
    assert grounding.queries == ("heat pump efficiency labels 2025",)
    assert [s.domain for s in grounding.sources] == ["energy.ec.europa.eu"]
    (support,) = grounding.supports
    assert support.sources == (0,) and support.confidence == (0.87,)
    assert support.text == result.text
    assert result.to_dict()["grounding"]["metadata"] == grounding.raw


def test_grounded_requests_get_metadata_from_the_emulator(runtime_for: Make,
                                                          emulator: Emulator) -> None:
    result = runtime_for(SOURCE).complete("Ask", {"q": "pump recalls 2025"})
    grounding = result.grounding
    assert grounding is not None
    assert grounding.queries == ("pump recalls 2025",)
    assert [s.kind for s in grounding.sources] == ["web", "retrieved_context"]
    assert grounding.search_entry_point and "pump recalls 2025" in grounding.search_entry_point


def test_streams_carry_grounding_too(runtime_for: Make) -> None:
    stream = runtime_for(SOURCE).stream("Ask", {"q": "pump recalls 2025"})
    result = stream.result()
    assert result.grounding is not None and result.grounding.sources


def test_ungrounded_calls_have_none(runtime_for: Make) -> None:
    kept = [line for line in SOURCE.splitlines()
            if "grounding" not in line and "codeExecution" not in line]
    source = "\n".join(kept)
    assert runtime_for(source).complete("Ask", {"q": "hi"}).grounding is None


@pytest.mark.parametrize("value, message", [
    ("bing", "must be `google_search` or a map"),
    ({"google_serch": True}, "unknown grounding source"),
    ({"vertex_ai_search": "datastores/x"}, "not a data store name"),
])
def test_bad_grounding_values_raise_config_errors(value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        grounding_tools(value, "G")


def test_engines_are_sent_as_engines() -> None:
    engine = "projects/p/locations/global/collections/c/engines/e"
    assert grounding_tools({"vertex_ai_search": [engine]}, "G") == (
        {"retrieval": {"vertexAiSearch": {"engine": engine}}},)


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from([
                        "groundingMetadata", "webSearchQueries", "groundingChunks", "web",
                        "retrievedContext", "uri", "title", "groundingSupports", "segment",
                        "startIndex", "groundingChunkIndices", "confidenceScores", "text",
                        "searchEntryPoint", "renderedContent"]), inner, max_size=5),
                    max_leaves=30)


@given(JSON)
def test_any_reply_shape_parses_without_error_and_keeps_the_raw_metadata(data: Any) -> None:
    grounding = parse_grounding(data)
    if grounding is not None:
        assert grounding.raw is data["groundingMetadata"]
        for support in grounding.supports:
            assert all(isinstance(i, int) for i in support.sources)
        grounding.to_dict()
