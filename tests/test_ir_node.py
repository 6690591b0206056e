"""`@record` IR classes behave as `@dataclass(frozen=True)` ones: equality, hashing and repr
checked on every node of every sample project against a twin class `dataclasses` builds the
usual way; construction by position, by name and with defaults, with Python's errors for
arguments that do not fit; `replace`, `fields`, pickling, and no assignment or deletion."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vdsl
from vdsl import ir
from vdsl.errors import CompileError

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = sorted(p for p in (ROOT / "samples").iterdir() if p.is_dir())
_TWINS: dict[type, type] = {}


def twin(cls: type) -> type:
    """The same fields in a class `dataclass(frozen=True)` generates eq/hash/repr for."""
    if cls not in _TWINS:
        spec = [(f.name, f.type, dataclasses.field(default=None)) for f in dataclasses.fields(cls)]
        made = dataclasses.make_dataclass(cls.__name__, spec, frozen=True)
        made.__qualname__ = cls.__qualname__
        _TWINS[cls] = made
    return _TWINS[cls]


def nodes(value: Any) -> Iterator[ir.base.Node]:
    if isinstance(value, ir.base.Node):
        yield value
        for f in dataclasses.fields(value):
            yield from nodes(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from nodes(item)


def project_nodes() -> list[ir.base.Node]:
    found: list[ir.base.Node] = []
    for path in PROJECTS:
        try:
            found.extend(nodes(vdsl.load(path).program.decls))
        except CompileError:
            continue
    return found


NODES = project_nodes()


def test_the_samples_cover_most_ir_classes() -> None:
    assert len({type(n) for n in NODES}) >= 25


@pytest.mark.parametrize("cls", sorted({type(n) for n in NODES}, key=lambda c: c.__name__))
def test_eq_hash_and_repr_are_the_dataclass_ones(cls: type) -> None:
    of_class = [n for n in NODES if type(n) is cls][:200]
    for node in of_class:
        values = {f.name: getattr(node, f.name) for f in dataclasses.fields(node)}
        other = twin(cls)(**values)
        assert repr(node) == repr(other)
        assert hash(node) == hash(other)
        same = dataclasses.replace(node)
        assert node == same
        assert (node != same) is False
    for first, second in itertools.pairwise(of_class):
        a = twin(cls)(**{f.name: getattr(first, f.name) for f in dataclasses.fields(first)})
        b = twin(cls)(**{f.name: getattr(second, f.name) for f in dataclasses.fields(second)})
        assert (first == second) is (a == b)
    assert (of_class[0] == object()) is False and of_class[0] != object()


def test_nodes_of_different_classes_are_never_equal() -> None:
    span = vdsl.source.Span("x", 0, 0, 1, 1, 1, 1)
    assert ir.NamedType(span, (), "x") != ir.Primitive(span, (), "x")
    assert ir.NamedType(span, (), "x") == ir.NamedType(span, (), "x")
    assert len({ir.NamedType(span, (), "x"), ir.NamedType(span, (), "x")}) == 1


def test_ir_classes_are_still_frozen_dataclasses() -> None:
    span = vdsl.source.Span("x", 0, 0, 1, 1, 1, 1)
    node = ir.StringValue(span, "a", "quoted")
    assert dataclasses.is_dataclass(node)
    assert dataclasses.replace(node, value="b").value == "b"
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'value'"):
        node.value = "c"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'value'"):
        del node.value  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.extra = 1  # type: ignore[attr-defined]


SPAN = vdsl.source.Span("x", 0, 3, 1, 1, 1, 4)


def test_construction_by_position_name_and_default_agree() -> None:
    value = ir.StringValue(SPAN, "v", "quoted")
    entry = ir.BlockEntry("key", SPAN, value, (), SPAN)
    assert ir.BlockEntry(key="key", key_span=SPAN, value=value, attrs=(), span=SPAN) == entry
    assert ir.BlockEntry("key", SPAN, value, attrs=(), span=SPAN) == entry
    decl = ir.ClassDecl("C", SPAN, SPAN, None, (), ())
    assert decl.dynamic is False and decl == ir.ClassDecl("C", SPAN, SPAN, None, (), (), False)
    assert ir.ClassDecl("C", SPAN, SPAN, None, (), (), dynamic=True).dynamic is True
    assert vars(entry) == {"key": "key", "key_span": SPAN, "value": value, "attrs": (),
                           "span": SPAN}


@pytest.mark.parametrize(("args", "kwargs", "words"), [
    (("C", SPAN), {}, "missing required argument: 'name_span'"),
    (("C", SPAN, SPAN, None, (), (), False, 1), {}, "takes 8 positional arguments but 9"),
    (("C", SPAN, SPAN, None, (), ()), {"colour": 1}, "unexpected keyword argument 'colour'"),
    (("C", SPAN, SPAN, None, (), ()), {"name": "D"}, "multiple values for argument 'name'"),
])
def test_arguments_that_do_not_fit_are_type_errors(args, kwargs, words) -> None:
    with pytest.raises(TypeError, match=words):
        ir.ClassDecl(*args, **kwargs)


def test_records_copy_pickle_and_replace_like_dataclasses() -> None:
    decl = ir.ClassDecl("C", SPAN, SPAN, "doc", (), (), True)
    for copied in (pickle.loads(pickle.dumps(decl)), copy.copy(decl), copy.deepcopy(decl)):
        assert copied == decl and copied is not decl
    assert dataclasses.replace(decl, doc=None) == ir.ClassDecl("C", SPAN, SPAN, None, (), (),
                                                               True)
    assert [f.name for f in dataclasses.fields(decl)] == [
        "name", "span", "name_span", "doc", "fields", "attrs", "dynamic"]
    assert dataclasses.asdict(ir.Primitive(SPAN, (), "int"))["name"] == "int"
    match ir.NamedType(SPAN, (), "Resume"):
        case ir.NamedType(_, _, name):
            assert name == "Resume"
