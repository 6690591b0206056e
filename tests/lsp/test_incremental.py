"""The language server's incremental analysis equals the compiler's whole analysis.

Differential property tests: after any sequence of edits, (1) a file parsed block by block,
reusing the blocks an edit did not touch, equals `compiler.parse_file` of the new text, and
(2) a project re-validated only where the edits reach equals `vdsl.check` of the files as
they now are, file by file, diagnostic by diagnostic.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_project import ROOT, load_module, write_project

import vdsl
from vdsl.compiler import find_files, parse_file
from vdsl.lsp.analysis import ProjectState
from vdsl.lsp.incremental import FileParser
from vdsl.source import SourceFile

write_synthetic = load_module("synthetic", ROOT / "bench" / "synthetic.py").write_project
_fuzz = load_module("test_fuzz", ROOT / "tests" / "test_fuzz.py")
CORPUS, INSERTS, NAMES, mutations = _fuzz.CORPUS, _fuzz.INSERTS, _fuzz.NAMES, _fuzz.mutations

NAMED = INSERTS + ["Ticket", "Priority", "Flash", "Resume", "Output1", "Client2", "Address0",
                   "string", "int?", "{{ text }}", "{{ Instructions(p) }}", "/// doc\n",
                   "class Extra {\n  a int\n}\n", "enum Priority {\n  A\n}\n"]


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@st.composite
def edits(draw: st.DrawFn, text: str) -> str:
    """`text` after one to three edits an editor could make (typing, deleting, pasting)."""
    for _ in range(draw(st.integers(1, 3))):
        n = len(text)
        i = draw(st.integers(0, n))
        op = draw(st.sampled_from(["insert", "delete", "replace", "newline"]))
        if op == "insert":
            text = text[:i] + draw(st.sampled_from(NAMED)) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 30)):]
        elif op == "replace":
            j = min(n, i + draw(st.integers(1, 8)))
            text = text[:i] + draw(st.sampled_from(NAMED)) + text[j:]
        else:
            text = text[:i] + "\n" + text[i:]
    return text


@_settings(150)
@given(st.sampled_from(NAMES), st.data())
def test_block_reparse_equals_a_whole_parse(name: str, data: st.DataObject) -> None:
    parser = FileParser("edited.vdsl")
    text = CORPUS[name]
    for _ in range(4):
        assert parser.parse(text).parsed == parse_file(SourceFile("edited.vdsl", text))
        text = data.draw(edits(text))


@_settings(200)
@given(mutations())
def test_mutated_files_parse_alike(case: tuple[str, str]) -> None:
    _, text = case
    parser = FileParser("m.vdsl")
    parser.parse(CORPUS[case[0]])
    assert parser.parse(text).parsed == parse_file(SourceFile("m.vdsl", text))


def _project(base: Path, which: str) -> Path:
    if which == "resume":
        return Path(shutil.copytree(ROOT / "samples" / "resume", base / "resume"))
    if which == "lsp":
        return write_project(base / "lsp")
    if which == "policy":  # an endpoint policy: errors name the fallback clients using a client
        root = write_project(base / "policy")
        (root / "vdsl.toml").write_text('[policy]\nallowed_locations = ["us-central1"]\n')
        return root
    return write_synthetic(base / "synthetic", 12, files=4)


def _by_file(root: Path, files: list[str]) -> dict[str, list[vdsl.Diagnostic]]:
    found: dict[str, list[vdsl.Diagnostic]] = {path: [] for path in files}
    for d in vdsl.check(root, use_cache=False):
        assert d.span is not None
        found[d.span.file].append(d)
    return found


@_settings(60)
@given(st.sampled_from(["resume", "lsp", "synthetic", "policy"]), st.data())
def test_scoped_validation_equals_vdsl_check(which: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as base:
        root = _project(Path(base), which)
        files = [str(p) for p in find_files([root])]
        texts = {path: Path(path).read_text("utf-8") for path in files}
        state = ProjectState(root, texts.get)
        state.refresh(None, [])
        for _ in range(5):
            path = data.draw(st.sampled_from(files))
            # vdsl check reads files as UTF-8 with an optional byte-order mark, which it drops;
            # an editor's buffer holds no BOM either
            texts[path] = data.draw(edits(texts[path])).lstrip("\ufeff")
            state.refresh([path], [])
            for name, text in texts.items():
                Path(name).write_text(text, "utf-8")
            snapshot = state.snapshot
            assert snapshot is not None
            assert {p: snapshot.diagnostics.get(p, []) for p in files} == _by_file(root, files)


def test_an_edit_checks_only_the_file_it_can_reach(tmp_path: Path) -> None:
    """Editing a prompt in one file of a many-file project validates that file only, and
    re-parses one block."""
    root = write_synthetic(tmp_path / "p", 40, files=8)
    files = [str(p) for p in find_files([root])]
    texts = {path: Path(path).read_text("utf-8") for path in files}
    state = ProjectState(root, texts.get)
    state.refresh(None, [])
    target = files[3]
    texts[target] = texts[target].replace("You extract records.", "You extract rows.", 1)
    assert state.refresh([target], []) == set()
    assert state.snapshot is not None and state.snapshot.scoped
    assert state.snapshot.checked == {target}
    assert state._parsers[target].reparsed == 1
    enum_file = next(p for p in files if p.endswith("enum.baml"))
    texts[enum_file] = texts[enum_file].replace("enum Priority", "enum Priorities")
    changed = state.refresh([enum_file], [])
    assert changed == set(files) - {enum_file}  # every file names Priority
