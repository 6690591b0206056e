"""`vdsl init`: the starter passes every step of its own CI workflow, offline, and never
overwrites a file."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from vdsl.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _offline(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "VDSL_VERTEX_ENDPOINT", "GCE_METADATA_HOST",
                 "GOOGLE_CLOUD_PROJECT", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vdsl-cache"))


def _workflow_commands(root: Path) -> list[list[str]]:
    workflow = yaml.safe_load((root / ".github" / "workflows" / "vdsl.yml").read_text())
    steps = workflow["jobs"]["prompts"]["steps"]
    return [shlex.split(step["run"])[1:] for step in steps
            if step.get("run", "").startswith("vdsl ")]


def test_every_step_of_the_starters_workflow_passes(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "svc")]) == 0
    monkeypatch.chdir(tmp_path / "svc")
    commands = _workflow_commands(Path())
    assert [c[0] for c in commands] == ["check", "fmt", "render", "generate", "test"]
    assert commands[-1] == ["test", "llm", "--emulator", "--junit", "vdsl-junit.xml",
                            "--format", "github"]
    for command in commands:
        assert main(command) == 0, (command, capsys.readouterr())
    assert 'tests="1" failures="0" errors="0" skipped="0"' in Path("vdsl-junit.xml").read_text()


def test_the_starter_has_what_the_issue_asks_for(tmp_path: Path) -> None:
    from vdsl import load
    assert main(["init", str(tmp_path)]) == 0
    project = load(tmp_path / "llm")
    clients = {c.name: c for c in project.program.clients}
    assert {"Gemini", "Claude", "Default"} <= set(clients)
    assert clients["Default"].provider == "fallback"
    assert all(c.retry_policy == "Standard" for n, c in clients.items() if n != "Default")
    models = {n: c.options.get("model").value for n, c in clients.items()  # type: ignore[union-attr]
              if n != "Default"}
    assert models["Gemini"].startswith("gemini") and models["Claude"].startswith("claude")
    text = (tmp_path / "llm" / "clients.vdsl").read_text()
    assert text.count("env.GOOGLE_CLOUD_PROJECT") == 2
    (test,) = project.program.tests
    assert {a.name for a in test.block_attrs} == {"check", "assert"}
    assert project.program.generators and (tmp_path / "vdsl_client" / "__init__.py").is_file()
    assert (tmp_path / "prompts" / "DoubleCharge.TriageTicket.txt").is_file()
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    ids = [h["id"] for repo in hooks["repos"] for h in repo["hooks"]]
    assert ids == ["vdsl-check", "vdsl-fmt"]


def test_existing_files_are_never_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    tmp_path = tmp_path / "project"
    (tmp_path / "llm").mkdir(parents=True)
    mine = "// my own main.vdsl\n"
    (tmp_path / "llm" / "main.vdsl").write_text(mine)
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    assert main(["init", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "llm" / "main.vdsl").read_text() == mine
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == "repos: []\n"
    assert f"kept (already there): {tmp_path / 'llm' / 'main.vdsl'}" in out
    assert f"created: {tmp_path / 'llm' / 'clients.vdsl'}" in out
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(["init", str(tmp_path)]) == 0
    assert "created:" not in capsys.readouterr().out
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert not any(elsewhere.iterdir())  # nothing written outside the project
    assert (tmp_path / "vdsl_client" / "__init__.py").is_file()  # no generator block: here


def test_a_file_in_the_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x").write_text("")
    assert main(["init", str(tmp_path / "x")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_vdsl_ships_pre_commit_hooks() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"vdsl-check", "vdsl-fmt"}
    for hook in hooks:
        assert hook["entry"].split()[0] == "vdsl" and hook["language"] == "python"
        assert hook["files"] == r"\.(vdsl|baml)$"
    assert by_id["vdsl-check"]["pass_filenames"] is False
