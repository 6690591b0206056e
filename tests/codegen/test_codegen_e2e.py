"""Generate, import and call the clients against the emulator: sync, async, streams, request
previews, parsing, per-call options, the values' classes, and the import-time checks."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest
from codegen_helpers import CASES

from vdsl.codegen.client import check_version
from vdsl.emulator import Emulator
from vdsl.media import Image, Pdf

DRAWING = {
    "name": "Cat", "figures": [{"kind": "circle", "center": {"x": 1, "y": 2}, "radius": 3},
                               {"kind": "square", "corner": {"x": 0, "y": 0}, "side": 2}],
    "tags": None, "optional_items": ["a", 1, None], "nested": [[1, 2], [3]],
    "by_priority": {"urgent": ["x"], "LOW": []}, "priorities": {"a": "MEDIUM"},
    "literal_mode": "draft", "literal_num": 2, "flag": True, "meta": {"a": [1, "b", None]},
    "count": 5, "shape": "Square",
    "tree": {"label": "r", "children": [{"label": "c", "children": []}]},
    "summary": "s", "status": "ok", "done_part": {"x": 1, "y": 1},
}


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_CONTENT",
                 "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(name, raising=False)
    with Emulator(require_auth=False) as emu:
        monkeypatch.setenv("VDSL_VERTEX_ENDPOINT", emu.url)
        yield emu


def test_resume_sync_call_returns_the_generated_classes(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.load_fixtures(CASES["resume"] / "emulator.yaml")
    pkg = import_package("resume", "gen_resume_sync")
    resume = pkg.b.ExtractResume("Jane Doe — Staff Engineer")
    assert type(resume) is pkg.types.Resume
    assert resume.name == "Jane Doe" and resume.headline == "Staff Engineer"
    assert resume.years_experience == 11
    assert [type(job) for job in resume.experience] == [pkg.types.Job, pkg.types.Job]
    assert resume.experience[0].end_year is None
    dumped = resume.model_dump()
    assert pkg.types.Resume.model_validate(dumped) == resume
    del dumped["headline"]
    assert pkg.types.Resume.model_validate({**dumped, "title": "Boss"}).headline == "Boss"


def test_streams_yield_partials_then_the_final_value(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.add_fixture(json.dumps(DRAWING))
    pkg = import_package("every_type", "gen_every_stream")
    stream = pkg.b.stream.Draw("a cat", None, [])
    partials = list(stream)
    assert partials and all(type(p) is pkg.partial_types.Drawing for p in partials)
    final = stream.get_final_response()
    assert type(final) is pkg.types.Drawing
    assert stream.result().text.startswith("{")


PLAN = {"header": {"id": "h1"}, "steps": [{"name": "mix", "minutes": 5},
                                         {"name": "bake", "minutes": 40}],
        "budget": {"flour": 2.5, "eggs": 3}, "notes": ["hot oven"], "owner": "Ada"}


def test_every_partial_of_a_reply_validates_against_partial_types(import_package) -> None:  # type: ignore[no-untyped-def]
    """The streaming types are true: every prefix's partial, dumped and validated again
    against `partial_types`, passes — BAML's shapes (lists `[]`, maps `{}`, `@@stream.done`
    items only whole, nothing before `@@stream.not_null` is there)."""
    pkg = import_package("every_type", "gen_every_partials")
    for fn, reply, share in (("MakePlan", json.dumps(PLAN, indent=2), 2),
                             ("Draw", "Sure:\n```json\n" + json.dumps(DRAWING, indent=2)
                              + "\n```", 20)):  # Draw waits for its late @stream.not_null
        seen = 0
        for end in range(len(reply) + 1):
            partial = getattr(pkg.b.parse_stream, fn)(reply[:end])
            if partial is None:
                continue
            seen += 1
            cls = type(partial)
            assert cls.__module__.endswith("partial_types")
            assert cls.model_validate(partial.model_dump(by_alias=True)) == partial, reply[:end]
        assert seen > len(reply) // share, fn
    partial = pkg.b.parse_stream.MakePlan('{"header": {"id": "h1"}, "steps": [{"name": "mix", '
                                         '"minutes": 5}, {"name": "ba')
    assert [s.name for s in partial.steps] == ["mix"] and partial.budget == {}
    assert pkg.b.parse_stream.MakePlan('{"steps": []') is None  # the header is not there yet


def test_async_calls_and_streams(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.add_fixture(json.dumps(DRAWING))
    pkg = import_package("every_type", "gen_every_async")
    from gen_every_async.async_client import b as ab  # type: ignore[import-not-found]

    async def run():  # type: ignore[no-untyped-def]
        value = await ab.Draw("a cat", "hint", [pkg.types.Shape.Circle])
        stream = ab.stream.Draw("a cat", None, [])
        partials = [p async for p in stream]
        return value, partials, await stream.get_final_response()

    value, partials, final = asyncio.run(run())
    assert type(value) is pkg.types.Drawing and value == final
    assert all(type(p) is pkg.partial_types.Drawing for p in partials)


def test_every_type_form_comes_back_as_declared(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.add_fixture(json.dumps(DRAWING))
    pkg = import_package("every_type", "gen_every_values")
    t = pkg.types
    d = pkg.b.Draw("a cat", None, [t.Shape.Circle])
    assert d.title == "Cat"  # written as its @alias "name"
    circle, square = d.figures
    assert type(circle) is t.Circle and type(square) is t.Square
    assert circle.radius.value == 3.0 and circle.radius.checks["positive"].status == "succeeded"
    assert d.by_priority == {t.Priority.HIGH: ["x"], t.Priority.LOW: []}  # "urgent" is HIGH
    assert d.priorities == {"a": t.Priority.MEDIUM}
    assert type(d.shape) is t.Shape and d.shape is t.Shape.Square
    assert d.count.value == 5 and d.literal_mode == "draft" and d.flag is True
    assert type(d.tree) is t.Tree and type(d.tree.children[0]) is t.Tree
    assert d.meta == {"a": [1, "b", None]}
    assert t.Drawing.model_validate(d.model_dump(by_alias=True)) == d


def test_media_fields_of_a_class_argument_reach_the_request(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("every_type", "gen_every_media")
    t, png = pkg.types, base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
    first = t.Attachment(shot={"base64": png, "media_type": "image/png"}, caption="one",
                         scan=Pdf.from_url("gs://bucket/scan.pdf"))
    second = t.Attachment(shot=Image.from_url("gs://bucket/b.png"), caption="two")
    assert pkg.b.Caption([first, second], None)
    parts = emulator.requests[-1].body["contents"][0]["parts"]
    assert parts[1] == {"inlineData": {"mimeType": "image/png", "data": png}}
    assert parts[2]["fileData"]["fileUri"] == "gs://bucket/scan.pdf"
    assert parts[4]["fileData"]["fileUri"] == "gs://bucket/b.png"
    assert parts[-1]["text"].endswith("no cover")
    assert json.loads(first.model_dump_json())["shot"] == {"base64": png,
                                                            "media_type": "image/png"}
    with pytest.raises(pydantic.ValidationError, match="expected image"):
        t.Attachment(shot="not an image", caption="x")


def test_python_names_keep_declared_names_on_the_wire(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.add_fixture(json.dumps({"def": "c", "from": 1, "json": "j", "list": ["l"],
                                     "str": "s", "Point": {"x": 1, "y": 2}, "pass": True}))
    pkg = import_package("every_type", "gen_every_names")
    t = pkg.types
    square = t.Square(kind="square", corner=t.Point(x=0.5, y=0), side=1)
    c = pkg.b.Collide(t.Point(x=1.5, y=2), t.Priority.HIGH, square)
    assert (c.def_, c.from_, c.json_, c.list_, c.str_, c.pass_) == ("c", 1, "j", ["l"], "s",
                                                                     True)
    assert type(c.Point_) is t.Point
    dumped = c.model_dump(by_alias=True)
    assert {"def", "from", "json", "list", "str", "Point", "pass"} <= set(dumped)
    assert t.Collisions.model_validate(dumped) == c
    prompt = json.dumps(emulator.requests[-1].body)
    assert "1.5" in prompt and "urgent" in prompt  # models and enums (by alias) as arguments


def test_request_previews_parse_and_options(import_package, emulator, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("every_type", "gen_every_offline")
    b = pkg.b
    url = b.request.Numbers("x").url
    assert url.endswith("gemini-2.5-flash:generateContent") and "us-central1" in url
    assert "streamGenerateContent" in b.stream_request.Numbers("x").url
    eu = b.request.Numbers("x", vdsl_options={"client": "FlashEurope"}).url
    assert "europe-west4" in eu
    assert "europe-west4" in b.with_options(client="FlashEurope").request.Numbers("x").url
    request = b.with_options(headers={"X-Team": "a"}).request.Numbers(
        "x", vdsl_options={"headers": {"X-Call": "b"}})
    assert request.headers["x-team"] == "a" and request.headers["x-call"] == "b"
    own = b.request.Numbers("x", vdsl_options={"env": {"GOOGLE_CLOUD_PROJECT": "proj-1"}})
    assert "/projects/proj-1/" in own.url
    assert b.parse.Numbers('{"a": [1, 2]}') == {"a": [1, 2]}
    assert b.parse_stream.Draw('{"name": "Half"') is None  # `summary` is @stream.not_null
    partial = b.parse_stream.Draw('{"summary": "s", "name": "Half", "figures": [{"kind": "ci')
    assert type(partial) is pkg.partial_types.Drawing and partial.title == "Half"
    assert partial.status.state == "Pending" and partial.summary == "s"
    assert b.parse.PickShape("Circle") is pkg.types.Shape.Circle
    assert pkg.types.Priority("urgent") is pkg.types.Priority.HIGH


def test_calls_send_headers_and_honour_the_client_override(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.add_fixture('{"a": [1]}')
    pkg = import_package("every_type", "gen_every_headers")
    value = pkg.b.Numbers("x", vdsl_options={"client": "FlashEurope",
                                             "headers": {"X-Trace": "t1"}})
    assert value == {"a": [1]}
    sent = emulator.requests[-1]
    assert sent.headers.get("x-trace") == "t1" and "europe-west4" in sent.path


def test_a_chunked_package_imports_chunks_only_when_used(import_package, emulator) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("chunked", "gen_chunked")
    loaded = [m for m in sys.modules if m.startswith("gen_chunked._types.")]
    assert loaded == []
    assert pkg.types.Output3.__name__ == "Output3"
    assert "gen_chunked._types.t002" in sys.modules
    assert "gen_chunked._types.t003" not in sys.modules
    emulator.add_fixture(json.dumps({"name": "N", "years": 3, "tags": [], "priority": "HIGH",
                                     "address": {"street": "s", "city": "c"}}))
    out = pkg.b.Extract5("text")
    assert type(out) is pkg.types.Output5 and type(out.address) is pkg.types.Address5
    assert out.priority is pkg.types.Priority.HIGH and out.age == 3
    with pytest.raises(AttributeError):
        pkg.types.Nope  # noqa: B018


def test_the_embedded_sources_make_the_package_independent(import_package, emulator,
                                                           tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pkg = import_package("receipts", "gen_receipts")
    from vdsl.media import Image
    photo = Image.from_base64("aGVsbG8=", "image/png")
    body = pkg.b.request.ReadReceipt(photo, "cafe").body
    assert "inlineData" in json.dumps(body)
    from gen_receipts import _sources  # type: ignore[import-not-found]
    assert list(_sources.FILES) == ["receipts.vdsl"]


def test_version_check_names_both_versions() -> None:
    check_version("0.1.7", "pkg")
    with pytest.raises(ImportError, match=r"pkg was generated by vdsl 9\.1\.0, but vdsl"):
        check_version("9.1.0", "pkg")


def test_an_incompatible_package_fails_at_import(tmp_path: Path) -> None:
    from codegen_helpers import files_for, write_package
    files = files_for("resume", "gen_old", version="0.0.1")
    write_package(tmp_path, "gen_old", files)
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(ImportError, match="run `vdsl generate` again"):
            __import__("gen_old")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("gen_old")]:
            del sys.modules[name]


def test_batch_jobs_give_the_generated_classes_in_input_order(import_package, emulator,  # type: ignore[no-untyped-def]
                                                              monkeypatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "queued=0; running=0.1")
    emulator.load_fixtures(CASES["resume"] / "emulator.yaml")
    # the other rows get a résumé too (the echo of the prompt is no résumé: `start_year: int
    # or null` is neither an int nor null, and parsing never guesses)
    emulator.add_fixture(json.dumps({"name": "Bo", "skills": [], "experience": [],
                                     "education": []}))
    pkg = import_package("resume", "gen_resume_batch")
    job = pkg.b.batch.ExtractResume([{"resume": "Jane Doe"}, {"resume": "Bo"}, {"resume": "Jo"}],
                                    dest="gs://gen-bucket/runs")
    assert job.wait(poll=0.05, timeout=30).state == "JOB_STATE_SUCCEEDED"
    results = list(job.results())
    assert [r.row for r in results] == [1, 2, 3] and [r.ok for r in results] == [True] * 3
    assert all(type(r.value) is pkg.types.Resume for r in results)
