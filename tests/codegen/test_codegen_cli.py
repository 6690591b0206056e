"""`vdsl generate`: generator blocks, --out, --check, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from codegen_helpers import CASES

from vdsl.cli import main

CLIENT = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
  }
}
function Hello(name: string) -> string {
  client Flash
  prompt #"Hello {{ name }}"#
}
"""


def _project(root: Path, generator: str = "") -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (src / "main.vdsl").write_text(CLIENT + generator)
    return src


def test_generator_block_sets_directory_and_mode(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src = _project(tmp_path, 'generator py {\n  output_type "python/pydantic"\n'
                             '  output_dir "../out"\n  version "0.1.0"\n'
                             '  default_client_mode async\n}\n')
    assert main(["generate", str(src)]) == 0
    init = (tmp_path / "out" / "vdsl_client" / "__init__.py").read_text()
    assert "from .async_client import VdslAsyncClient, b" in init
    assert "Generated" in capsys.readouterr().err


def test_without_a_generator_block_the_package_goes_to_out_or_cwd(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["generate", str(src)]) == 0
    assert (tmp_path / "vdsl_client" / "sync_client.py").is_file()
    assert main(["generate", str(src), "--out", "lib", "--package", "llm"]) == 0
    assert (tmp_path / "lib" / "llm" / "types.py").is_file()


def test_a_mismatched_version_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src = _project(tmp_path, 'generator py {\n  output_type "python/pydantic"\n'
                             '  version "0.68.0"\n}\n')
    assert main(["generate", str(src), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert 'asks for version "0.68.0", but vdsl 0.1.0 is installed' in err
    assert not (tmp_path / "vdsl_client").exists()


def test_compile_errors_are_reported_not_raised(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.vdsl").write_text("class Broken {\n  x Strin\n}\n")
    assert main(["generate", str(tmp_path), "--out", str(tmp_path)]) == 1
    assert "Strin" in capsys.readouterr().err
    assert main(["generate", str(tmp_path / "missing")]) == 2


def test_check_lists_changed_missing_and_stale_files(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "gen"
    args = ["generate", str(CASES["resume"]), "--out", str(out)]
    assert main([*args, "--check"]) == 1
    assert "missing: " in capsys.readouterr().out
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    package = out / "vdsl_client"
    (package / "types.py").write_text((package / "types.py").read_text() + "# edited\n")
    stale = package / "old_client.py"
    stale.write_text((package / "_runtime.py").read_text())
    (package / "parse_client.py").unlink()
    capsys.readouterr()
    assert main([*args, "--check"]) == 1
    printed = capsys.readouterr().out.splitlines()
    assert sorted(line.split(":")[0] for line in printed) == ["changed", "missing", "stale"]
    assert main(args) == 0
    assert not stale.exists() and main([*args, "--check"]) == 0


def test_regenerating_unchanged_input_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["generate", str(CASES["support_tickets"]), "--out", str(tmp_path)]
    assert main(args) == 0
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    capsys.readouterr()
    assert main(args) == 0
    assert "0 changed" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
