"""Hand-written usage of the generated TypeBuilder (the `dynamic` case, as `client_dynamic`):
type checkers must accept each line as BAML's users write it, and know every type."""

from __future__ import annotations

from typing import Any, assert_type

from client_dynamic import b, types
from client_dynamic.type_builder import FieldType, TypeBuilder

from vdsl import AbortController, ClientRegistry, Collector
from vdsl.call_options import CallOptions
from vdsl.providers.base import HttpRequest
from vdsl.runtime import AsyncStream, Result, Runtime, Stream
from vdsl.typebuilder import (
    ClassBuilder,
    ClassPropertyBuilder,
    ClassViewer,
    EnumBuilder,
    EnumValueBuilder,
    EnumViewer,
)


def build() -> TypeBuilder:
    tb = TypeBuilder()
    assert_type(tb.string().optional(), FieldType)
    assert_type(tb.Ticket.add_property("email", tb.string().optional()), ClassPropertyBuilder)
    tb.Ticket.add_property("priority", tb.int()).description("1 is urgent").alias("prio")
    tb.Ticket.props.title.description("One line")
    tb.Ticket.props.from_.alias("sender")
    assert_type(tb.Category.add_value("SPAM"), EnumValueBuilder)
    tb.Category.values.BUG.description("Broken").skip(False)
    tb.Category.values.None_.skip()
    assert_type(tb.Envelope, ClassViewer)
    hobby = tb.add_enum("Hobby")
    assert_type(hobby, EnumBuilder)
    hobby.add_value("SPORTS")
    address = tb.add_class("Address")
    assert_type(address, ClassBuilder)
    address.add_property("city", tb.string())
    tb.Ticket.add_property("where", address.type())
    tb.Ticket.add_property("hobbies", tb.list(hobby.type()))
    tb.Ticket.add_property("envelope", tb.Envelope.type().optional())
    tb.Ticket.add_property("mixed", tb.union([tb.literal_string("a"), tb.literal_int(1),
                                              tb.literal_bool(True), tb.null()]))
    tb.Ticket.add_property("scores", tb.map(tb.string(), tb.float()))
    tb.add_baml("class Extra {\n  note string\n}")
    assert_type(tb.class_("Ticket"), ClassBuilder)
    assert_type(tb.enum_viewer("Category"), EnumViewer)
    return tb


def call(tb: TypeBuilder) -> None:
    registry = ClientRegistry()
    registry.add_llm_client("Tenant", "vertex-ai", {"model": "gemini-2.5-flash",
                                                    "location": "europe-west1"})
    registry.set_primary("Tenant")
    collector = Collector("triage")
    ticket = b.Triage("text", baml_options={"tb": tb, "client_registry": registry,
                                            "collector": collector,
                                            "abort_controller": AbortController(1000)})
    assert_type(ticket, types.Ticket)
    assert_type(ticket.type_, types.Category | str)
    assert_type(b.Classify("text"), types.Category | str)
    assert_type(b.with_options(tb=tb).Wrap("x").tags, dict[str, types.Category | str])
    log = collector.last
    if log is not None:
        assert_type(log.usage.input_tokens, int | None)
        assert_type(log.calls[0].http_request.url if log.calls[0].http_request else "", str)


def runtime(rt: Runtime, tb: TypeBuilder) -> None:
    """`Runtime` takes the same options as `baml_options` and as keyword arguments."""
    options: CallOptions = {"tb": tb, "env": {"A": None}, "tags": {"k": "v"}}
    assert_type(rt.complete("Triage", {"text": "x"}, baml_options=options,
                            collector=[Collector()]), Result)
    assert_type(rt.call("Triage", {"text": "x"}, tb=tb, client="Flash"), Any)
    assert_type(rt.stream("Triage", {"text": "x"}, abort_controller=AbortController()),
                Stream)
    assert_type(rt.astream("Triage", {"text": "x"}, client_registry=ClientRegistry()),
                AsyncStream)
    assert_type(rt.build_request("Triage", {"text": "x"}, stream=True, tb=tb), HttpRequest)
    assert_type(rt.parse("Triage", "{}", partial=True, baml_options={"tb": tb}), Any)
