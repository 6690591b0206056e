"""Half-typed files are the normal case: the server's features never raise on mutated sources,
at any position, and the real server answers every request over stdio and stays up.

The mutations are the compiler fuzzer's (tests/test_fuzz.py): characters and lines deleted,
duplicated, swapped, truncated, and grammar characters inserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_client import LspClient
from lsp_project import ROOT, load_module

from vdsl.lsp.actions import quick_fixes
from vdsl.lsp.analysis import ProjectState
from vdsl.lsp.completion import complete
from vdsl.lsp.convert import Positions
from vdsl.lsp.hover import hover_text
from vdsl.lsp.place import place_at
from vdsl.lsp.preview import render_preview
from vdsl.lsp.symbols import SymbolIndex

mutations = load_module("test_fuzz", ROOT / "tests" / "test_fuzz.py").mutations


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lspfuzz")
    (root / "vdsl.toml").write_text("")
    return root


@_settings(250)
@given(mutations(), st.lists(st.floats(0, 1), min_size=3, max_size=6))
def test_features_never_raise(folder: Path, case: tuple[str, str],
                              where: list[float]) -> None:
    name, text = case
    path = str(folder / ("mutant" + Path(name).suffix))
    state = ProjectState(folder, lambda p: text if p == path else None)
    state.refresh(None, [path])
    snapshot = state.snapshot
    assert snapshot is not None
    source = snapshot.source(path)
    assert source is not None and source.text == text
    index = SymbolIndex(snapshot.program, snapshot.sources)
    positions = Positions()
    for d in snapshot.diagnostics.get(path, []):
        lsp_d = positions.diagnostic(d, snapshot.sources)
        assert lsp_d.range.start.line <= lsp_d.range.end.line
    for fraction in where:
        offset = int(fraction * len(text))
        items = complete(place_at(text, offset), index, text)
        assert all(item.label for item in items)
        occurrence = index.at(path, offset)
        if occurrence is not None:
            hover = hover_text(index, occurrence, env={})
            assert hover is None or isinstance(hover, str)
            assert isinstance(index.definitions(occurrence.key), list)
        line, column = source.line_col(offset)
        position = positions.position(source, line, column)
        assert positions.offset(source, position) == offset
    for fix in quick_fixes(snapshot.diagnostics.get(path, []), source):
        assert text[fix.span.start:fix.span.end] in fix.diagnostic.message
    for fn in snapshot.program.functions[:2]:
        reply = render_preview(snapshot, {"function": fn.name}, env={})
        assert "error" in reply or "messages" in reply


@pytest.fixture(scope="module")
def live(folder: Path) -> Iterator[LspClient]:
    client = LspClient(folder, {"VDSL_CACHE_DIR": str(folder / "cache")})
    client.initialize()
    yield client
    assert client.close() == 0
    assert "Traceback" not in client.logged_errors, client.logged_errors


_METHODS = ("textDocument/hover", "textDocument/definition", "textDocument/completion",
            "textDocument/references", "textDocument/codeAction", "vdsl/renderPrompt")


@_settings(40)
@given(mutations(), st.floats(0, 1), st.sampled_from(_METHODS))
def test_the_server_answers_every_request(live: LspClient, folder: Path,
                                          case: tuple[str, str], fraction: float,
                                          method: str) -> None:
    name, text = case
    path = folder / ("live" + Path(name).suffix)
    uri = path.as_uri()
    if uri in live.versions:
        live.change(uri, text)
    else:
        live.open(path, text)
    lines = text.split("\n")
    line = int(fraction * (len(lines) - 1))
    character = int(fraction * len(lines[line]))
    params: dict[str, object] = live.at(uri, line, character)
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    elif method == "textDocument/codeAction":
        params = {"textDocument": {"uri": uri}, "context": {"diagnostics": []},
                  "range": {"start": {"line": 0, "character": 0},
                            "end": {"line": line, "character": character}}}
    elif method == "vdsl/renderPrompt":
        params = {"uri": uri, "function": "ExtractResume"}
    reply = live.request_raw(method, params)
    assert "error" not in reply, reply
    assert live.process.poll() is None
