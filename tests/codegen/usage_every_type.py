"""Hand-written usage of the every_type client (generated as `vdsl_client`): every method,
every type form, with `assert_type`. Type-checked by test_codegen_typecheck.py; never run."""
from __future__ import annotations

from typing import assert_type

from vdsl_client import VdslSyncClient, b, partial_types, types
from vdsl_client.async_client import b as ab

from vdsl.codegen.client import AsyncStream, SyncStream
from vdsl.media import Audio, Image, Pdf, Video
from vdsl.outputs.models import Checked, StreamState
from vdsl.providers.base import HttpRequest


def sync_calls() -> None:
    drawing = b.Draw("a cat", None, [types.Shape.Circle], from_=3)
    assert_type(drawing, types.Drawing)
    assert_type(drawing.title, str)
    assert_type(drawing.figures, list[types.Circle | types.Square])
    assert_type(drawing.maybe_figures, list[types.Circle | types.Square] | None)
    assert_type(drawing.optional_items, list[str | int | None])
    assert_type(drawing.by_priority, dict[types.Priority, list[str]])
    assert_type(drawing.priorities, dict[str, types.Priority])
    assert_type(drawing.count, Checked[int])
    assert_type(drawing.tree, types.Tree | None)
    for figure in drawing.figures:
        if isinstance(figure, types.Circle):
            assert_type(figure.radius, Checked[float])
            radius: float = figure.radius.value
            print(radius, figure.radius.checks["positive"].status)
    if drawing.tree is not None:
        assert_type(drawing.tree.children[0].parent, types.Tree | None)
    text = b.Describe(Image.from_url("https://example.com/a.png"), Audio.from_url("gs://a/b.mp3"),
                      Pdf.from_url("https://example.com/a.pdf"), Video.from_url("gs://v.mp4"))
    assert_type(text, str)
    shot = types.Attachment(shot=Image.from_url("https://example.com/a.png"), caption="a")
    assert_type(shot.shot, Image)
    assert_type(shot.scan, Pdf | None)
    assert_type(b.Caption([shot], None), str)
    collisions = b.Collide(types.Point(x=1, y=2), types.Priority.HIGH,
                           types.Square(kind="square", corner=types.Point(x=0, y=0), side=1))
    assert_type(collisions.def_, str)
    assert_type(collisions.from_, int | None)
    assert_type(collisions.Point_, types.Point)
    assert_type(b.PickShape("x"), types.Shape | types.Circle | None)
    assert_type(b.Numbers("x"), dict[str, list[int]])
    value = b.Json("x")
    assert_type(value, types.JsonValue)
    assert_type(b.Grow(types.Tree(label="root", children=[])), list[types.Tree])
    assert_type(b.with_options(client="Flash", env={"A": "b"}, headers={"x-h": "1"}), VdslSyncClient)
    b.Draw("x", None, [], vdsl_options={"client": "Flash", "headers": {"x-a": "1"}})


def streams() -> None:
    stream = b.stream.Draw("a", "hint", [])
    assert_type(stream, SyncStream[partial_types.Drawing, types.Drawing])
    for partial in stream:
        assert_type(partial.title, str | None)
        assert_type(partial.summary, str)
        assert_type(partial.status, StreamState[str])
        assert_type(partial.figures, list[partial_types.Circle | partial_types.Square])
        assert_type(partial.by_priority, dict[types.Priority, list[str]])
        assert_type(partial.tags, list[str] | None)
    assert_type(stream.get_final_response(), types.Drawing)
    for plan in b.stream.MakePlan("x"):
        assert_type(plan.header, partial_types.Header)
        assert_type(plan.header.id, str | None)
        assert_type(plan.steps, list[partial_types.Step])
        assert_type(plan.steps[0].minutes, int)
        assert_type(plan.budget, dict[str, float])
        assert_type(plan.notes, list[str] | None)
    for tree in b.stream.Grow(types.Tree(label="r", children=[])):
        assert_type(tree, list[partial_types.Tree])
    for part in b.stream.Describe(Image.from_url("https://example.com/a.png")):
        assert_type(part, str)


def previews_and_parsing() -> None:
    assert_type(b.request.Draw("x", None, []), HttpRequest)
    assert_type(b.stream_request.Numbers("x"), HttpRequest)
    assert_type(b.parse.Draw("{}"), types.Drawing)
    assert_type(b.parse_stream.Draw("{"), partial_types.Drawing | None)
    assert_type(b.parse.Json("1"), types.JsonValue)


async def async_calls() -> None:
    assert_type(await ab.Draw("a", None, []), types.Drawing)
    assert_type(await ab.Numbers("x"), dict[str, list[int]])
    stream = ab.stream.Draw("a", None, [])
    assert_type(stream, AsyncStream[partial_types.Drawing, types.Drawing])
    async for partial in stream:
        assert_type(partial, partial_types.Drawing)
    assert_type(await stream.get_final_response(), types.Drawing)
    assert_type(ab.request.Draw("x", None, []), HttpRequest)
    assert_type(ab.parse.PickShape("Circle"), types.Shape | types.Circle | None)


def batch_jobs() -> None:
    from vdsl.batch import BatchStatus
    from vdsl.codegen.client import BatchResult, TypedBatchJob

    job = b.batch.Draw([{"prompt": "a cat", "shapes": ["Circle"]}], dest="gs://bucket/p")
    assert_type(job, TypedBatchJob[types.Drawing])
    assert_type(job.wait(timeout=60.0), BatchStatus)
    for result in job.results():
        assert_type(result, BatchResult[types.Drawing])
        assert_type(result.value, types.Drawing | None)
        if result.value is not None:
            assert_type(result.value.title, str)
    from_file = b.batch.PickShape("rows.jsonl", dest="gs://bucket/p")
    assert_type(from_file, TypedBatchJob[types.Shape | types.Circle | None])
