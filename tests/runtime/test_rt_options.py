"""Per-call options: BAML's `baml_options` dict and keyword arguments of the same names, on
every Runtime method; a TypeBuilder and a ClientRegistry change what is sent and parsed."""

from __future__ import annotations

import asyncio

import pytest

from vdsl import ClientRegistry, Collector, TypeBuilder
from vdsl.errors import ClientRegistryError, InvalidArgumentError, TypeBuilderError

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
  }
}

class Resume {
  name string
  @@dynamic
}

class Fixed {
  x int
}

function Extract(text: string) -> Resume {
  client Flash
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
"""


def _tb(runtime):  # type: ignore[no-untyped-def]
    tb = TypeBuilder(runtime.project)
    tb.class_("Resume").add_property("email", tb.string()).description("Work email")
    return tb


def _prompt(request) -> str:  # type: ignore[no-untyped-def]
    return request.body["contents"][0]["parts"][0]["text"]  # type: ignore[no-any-return]


def test_type_builder_reaches_every_method(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    tb = _tb(runtime)
    emulator.add_fixture({"json": {"name": "Ann", "email": "a@b"}}, prompt="resume")
    assert "// Work email\n  email: string," in _prompt(runtime.build_request(
        "Extract", {"text": "resume"}, tb=tb))
    assert "email" not in _prompt(runtime.build_request("Extract", {"text": "resume"}))
    assert runtime.call("Extract", {"text": "resume"}, baml_options={"tb": tb}).email == "a@b"
    assert "Work email" in emulator.requests[-1].body["contents"][0]["parts"][0]["text"]
    assert runtime.complete("Extract", {"text": "resume"}, tb=tb).value.email == "a@b"
    stream = runtime.stream("Extract", {"text": "resume"}, tb=tb)
    assert stream.result().value.email == "a@b"
    assert runtime.parse("Extract", '{"name": "x", "email": "e"}', tb=tb).email == "e"

    async def run() -> None:
        assert (await runtime.acall("Extract", {"text": "resume"}, tb=tb)).email == "a@b"
        events = [e async for e in runtime.astream("Extract", {"text": "resume"},
                                                   baml_options={"tb": tb})]
        assert events[-1].partial.email == "a@b"
    asyncio.run(run())


def test_keywords_win_over_baml_options_and_env_merges(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE.replace("project_id test-project", "project_id env.PROJ"),
                           env={"PROJ": "from-runtime"})
    request = runtime.build_request(
        "Extract", {"text": "x"}, baml_options={"env": {"PROJ": "from-options", "A": "1"},
                                                "headers": {"x-a": "1"}},
        env={"PROJ": "from-keyword"}, headers={"x-b": "2"})
    assert "/projects/from-keyword/" in request.url
    assert request.headers["x-a"] == "1" and request.headers["x-b"] == "2"


def test_env_none_unsets_a_variable(make_runtime) -> None:
    runtime = make_runtime(SOURCE.replace("project_id test-project", "project_id env.PROJ"),
                           env={"PROJ": "set"})
    request = runtime.build_request("Extract", {"text": "x"}, env={"PROJ": None})
    assert "/projects/vdsl-emulator/" in request.url  # the loopback default, not "set"


def test_bad_options_are_refused_before_sending(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    with pytest.raises(InvalidArgumentError, match="BAML's `on_tick` is not supported"):
        runtime.call("Extract", {"text": "x"}, baml_options={"on_tick": print})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(InvalidArgumentError, match="unknown call option `clients`"):
        runtime.call("Extract", {"text": "x"}, baml_options={"clients": 1})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(InvalidArgumentError, match="`tb` must be a TypeBuilder"):
        runtime.call("Extract", {"text": "x"}, tb="not a builder")  # type: ignore[typeddict-item]
    with pytest.raises(InvalidArgumentError, match="`collector` must be a Collector"):
        runtime.call("Extract", {"text": "x"}, collector=[Collector(), 3])  # type: ignore[list-item]
    tb = TypeBuilder()  # unbound: checked when the call applies it
    tb.class_("Fixed").add_property("y", tb.int())
    with pytest.raises(TypeBuilderError, match="not @@dynamic"):
        runtime.call("Extract", {"text": "x"}, tb=tb)
    registry = ClientRegistry()
    registry.add_llm_client("Fallback", "fallback", {"strategy": ["Flash", "Missing"]})
    with pytest.raises(ClientRegistryError, match="ClientRegistry client `Fallback`: client "
                                                  "`Missing` is not defined"):
        runtime.call("Extract", {"text": "x"}, client_registry=registry)
    assert emulator.requests == []


def test_registry_client_replaces_a_project_client_and_primary_applies(make_runtime,
                                                                      emulator) -> None:
    runtime = make_runtime(SOURCE)
    registry = ClientRegistry()
    registry.add_llm_client("Flash", "vertex-ai", {"model": "gemini-2.5-pro",
                                                   "location": "europe-west1",
                                                   "project_id": "tenant"})
    result = runtime.complete("Extract", {"text": "x"}, client_registry=registry)
    assert result.model == "gemini-2.5-pro"
    assert "/projects/tenant/locations/europe-west1/" in emulator.requests[-1].path
    registry.add_llm_client("Eu", "vertex-ai", {"model": "gemini-2.5-flash-lite",
                                                "location": "europe-west4",
                                                "project_id": "tenant"})
    registry.set_primary("Eu")
    assert runtime.complete("Extract", {"text": "x"}, client_registry=registry).client == "Eu"
    explicit = runtime.complete("Extract", {"text": "x"}, client_registry=registry,
                                client="Flash")
    assert explicit.client == "Flash"  # an explicit client wins over the primary
    assert runtime.complete("Extract", {"text": "x"}).model == "gemini-2.5-flash"


def test_registry_strategies_mix_registry_and_project_clients(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    registry = ClientRegistry()
    registry.add_llm_client("Pro", "vertex-ai", {"model": "gemini-2.5-pro",
                                                 "location": "us-east1",
                                                 "project_id": "test-project"})
    registry.add_llm_client("Spread", "round-robin", {"strategy": ["Pro", "Flash"],
                                                      "start": 0})
    registry.set_primary("Spread")
    models = [runtime.complete("Extract", {"text": "x"}, client_registry=registry).model
              for _ in range(4)]
    assert models == ["gemini-2.5-pro", "gemini-2.5-flash"] * 2
    registry.add_llm_client("Safe", "fallback", {"strategy": ["Pro", "Flash"]})
    registry.set_primary("Safe")
    emulator.script([400, None])  # Pro is refused: the fallback moves on to Flash
    result = runtime.complete("Extract", {"text": "x"}, client_registry=registry)
    assert [a.client for a in result.attempts] == ["Pro", "Flash"]
