"""The parser engine (Lark's tables run without Lark) against Lark itself: for every source file
in the repository, each of its top-level blocks, and hypothesis' mutations of them, both give
the same IR, the same diagnostics and the same doc comments, or both fail. And the tables come
from the grammar: a grammar edit changes what the engine accepts without touching its code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from lark.exceptions import UnexpectedInput
from test_fuzz import _settings, mutations

from vdsl.diagnostics import Diagnostics
from vdsl.source import SourceFile
from vdsl.syntax import parser, tables
from vdsl.syntax.engine import Engine, ParseFailed
from vdsl.syntax.transformer import IRBuilder

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for folder in ("samples", "tests") for p in (ROOT / folder).rglob("*")
               if p.suffix in (".vdsl", ".baml"))


def via_lark(text: str) -> Any:
    builder = IRBuilder(SourceFile("x.vdsl", text), Diagnostics())
    with parser._lock:
        parser._slot.builder = builder
        try:
            value = parser._parser().parse(text)
        except UnexpectedInput:
            return "fails"
    return value, list(builder.diags), builder.docs


def via_engine(text: str, engine: Engine | None = None) -> Any:
    builder = IRBuilder(SourceFile("x.vdsl", text), Diagnostics())
    try:
        value = (engine or parser._engine()).parse(text, builder,  # type: ignore[union-attr]
                                                   {"DOC_COMMENT": builder.record_doc})
    except ParseFailed:
        return "fails"
    return value, list(builder.diags), builder.docs


def test_the_engine_is_in_use() -> None:
    assert parser._engine() is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_and_block_parses_as_lark_parses_it(path: Path) -> None:
    text = path.read_text("utf-8")
    assert via_engine(text) == via_lark(text)
    for start, end in parser.split_blocks(text):
        assert via_engine(text[start:end]) == via_lark(text[start:end])


@given(mutations())
@_settings(300)
def test_mutated_sources_parse_as_lark_parses_them(case: tuple[str, str]) -> None:
    _name, text = case
    assert via_engine(text) == via_lark(text)


def test_a_grammar_edit_flows_through_to_the_engine(tmp_path: Path) -> None:
    grammar = parser.grammar_text()
    source = "enum Color {\n  RED\n}\n"
    assert via_engine(source) != "fails"
    edited = grammar.replace("ENUM.2: /enum(?!", "ENUM.2: /enumeration(?!")
    assert edited != grammar
    engine = Engine(tables.load(edited, tmp_path, ("DOC_COMMENT",)))
    assert via_engine(source, engine) == "fails"
    assert via_engine(source.replace("enum ", "enumeration "), engine) != "fails"
    assert len(list(tmp_path.glob("tables-*.marshal"))) == 1  # cached under the new grammar


def test_cached_tables_are_keyed_by_grammar_and_a_corrupt_cache_is_rebuilt(
        tmp_path: Path) -> None:
    grammar = parser.grammar_text()
    first = tables.load(grammar, tmp_path, ("DOC_COMMENT",))
    assert tables.load(grammar, tmp_path, ("DOC_COMMENT",)) == first  # read back as written
    [cached] = tmp_path.glob("tables-*.marshal")
    cached.write_bytes(b"not marshal data")
    text = FILES[0].read_text("utf-8")
    for derived in (tables.load(grammar, tmp_path, ("DOC_COMMENT",)),
                    tables.load(grammar, None, ("DOC_COMMENT",))):  # no cache directory
        assert via_engine(text, Engine(derived)) == via_lark(text)
    assert cached.read_bytes() != b"not marshal data"
