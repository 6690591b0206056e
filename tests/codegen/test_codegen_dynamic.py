"""The generated client with BAML's runtime extension points, against the emulator: the
generated TypeBuilder, `baml_options` and `b.with_options(...)`, a ClientRegistry, a
Collector; values added at run time come back as BAML's client returns them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from vdsl import AbortController, AbortError, ClientRegistry, Collector
from vdsl.emulator import Emulator
from vdsl.errors import OutputParseError, TypeBuilderError

TICKET = {"title": "Refund", "from": "ann@example.com", "type": "SPAM", "email": "a@b",
          "where": {"city": "Paris"}, "hobby": "CHESS", "ignored": 1}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_CONTENT",
                 "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    with Emulator(require_auth=False) as emu:
        monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", emu.url)
        yield emu


def _builder(pkg):  # type: ignore[no-untyped-def]
    tb = pkg.type_builder.TypeBuilder()
    tb.Ticket.add_property("email", tb.string().optional()).description("Work email")
    address = tb.add_class("Address")
    address.add_property("city", tb.string())
    tb.Ticket.add_property("where", address.type())
    hobby = tb.add_enum("Hobby")
    hobby.add_value("CHESS")
    tb.Ticket.add_property("hobby", hobby.type())
    tb.Category.add_value("SPAM")
    return tb


def test_added_properties_come_back_as_extras(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.add_fixture({"json": TICKET})
    pkg = import_package("dynamic", "gen_dynamic_call")
    import gen_dynamic_call.type_builder  # type: ignore[import-not-found]  # noqa: F401
    tb = _builder(pkg)
    collector = Collector()
    ticket = pkg.b.Triage("refund please", baml_options={"tb": tb, "collector": collector})
    assert type(ticket) is pkg.types.Ticket
    assert (ticket.title, ticket.from_, ticket.type_) == ("Refund", "ann@example.com", "SPAM")
    assert type(ticket.type_) is str  # a value added at run time: a str, as in BAML
    assert ticket.model_extra == {"email": "a@b", "where": {"city": "Paris"}, "hobby": "CHESS"}
    assert ticket.email == "a@b"
    assert ticket.model_dump(by_alias=True)["where"] == {"city": "Paris"}
    prompt = emulator.requests[-1].body["contents"][0]["parts"][0]["text"]
    assert "// Work email\n  email: string or null," in prompt
    assert collector.last is not None and collector.last.function_name == "Triage"
    with pytest.raises(OutputParseError, match="not one of Category's values"):
        pkg.b.Triage("refund please")  # without the builder, SPAM is not a Category


def test_with_options_parse_and_request_take_the_builder(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("dynamic", "gen_dynamic_opts")
    import gen_dynamic_opts.type_builder  # type: ignore[import-not-found]  # noqa: F401
    tb = _builder(pkg)
    client = pkg.b.with_options(tb=tb)
    assert client.parse.Classify("SPAM") == "SPAM"
    assert client.parse.Classify("BUG") is pkg.types.Category.BUG
    assert pkg.b.parse.Classify("SPAM", baml_options={"tb": tb}) == "SPAM"
    request = client.request.Triage("x")
    assert "where: {" in request.body["contents"][0]["parts"][0]["text"]
    partial = pkg.b.parse_stream.Triage('{"title": "a", "email": "b', baml_options={"tb": tb})
    assert type(partial) is pkg.partial_types.Ticket and partial.model_extra["email"] == "b"


def test_registry_collector_and_abort_through_the_client(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("dynamic", "gen_dynamic_reg")
    registry = ClientRegistry()
    registry.add_llm_client("Tenant", "vertex-ai", {"model": "gemini-2.5-pro",
                                                    "location": "europe-west1",
                                                    "project_id": "tenant"})
    registry.set_primary("Tenant")
    collector = Collector()
    pkg.b.with_options(client_registry=registry, collector=collector).Classify("BUG")
    assert "/projects/tenant/locations/europe-west1/" in emulator.requests[-1].path
    assert collector.last.calls[0].client_name == "Tenant"  # type: ignore[union-attr]
    stopped = AbortController()
    stopped.abort()
    with pytest.raises(AbortError):
        pkg.b.Classify("BUG", baml_options={"abort_controller": stopped})


def test_the_generated_builder_checks_names_at_once(import_package) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("dynamic", "gen_dynamic_check")
    import gen_dynamic_check.type_builder  # type: ignore[import-not-found]  # noqa: F401
    tb = pkg.type_builder.TypeBuilder()
    with pytest.raises(TypeBuilderError, match="class `Envelope` is not @@dynamic"):
        tb.class_("Envelope").add_property("x", tb.int())
    with pytest.raises(TypeBuilderError, match="already has a property `title`"):
        tb.Ticket.add_property("title", tb.int())
    assert [n for n, _ in tb.Envelope.list_properties()] == ["ticket", "tags"]
    assert json.loads(json.dumps(sorted(n for n, _ in tb.Category.list_values()))) == [
        "BILLING", "BUG", "None"]
