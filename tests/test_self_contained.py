"""The repository stands on its own: no file cites notes that live outside it (team notes,
absolute paths of the machine it was written on), and every relative link in README and docs/
points at a file that exists. Facts a maintainer needs are written into docs/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SHARED = "sha" + "red"
_NOTES = ("VERTEX" + "_WIRE", "LANGUAGE", "DESIGN", "STYLE")
OUTSIDE = re.compile("|".join([
    _NOTES[0], *(rf"\b{name}\.md" for name in _NOTES[1:]),
    r"\.\./" + _SHARED, "/" + _SHARED + "/", r"/wo" + r"rk/", r"§\s?\d",
]))
# other people's files kept verbatim as test data (their own notes are not ours to cite)
THIRD_PARTY = ("tests/compat/realworld/projects/",)
TEXT = (".py", ".md", ".vdsl", ".baml", ".lark", ".toml", ".yaml", ".yml", ".json", ".txt",
        ".cfg", ".ini", ".sh")


def _files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, text=True, check=True,
                                timeout=60).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        pytest.skip("needs git to list the repository's files")
    return [ROOT / name for name in listed
            if (name.endswith(TEXT) or name in ("README.md", ".ci/run"))
            and not name.startswith(THIRD_PARTY)]


def test_no_file_refers_outside_the_repository() -> None:
    found = []
    for path in _files():
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text("utf-8", "replace").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "files cite something outside the repository:\n" + "\n".join(found)


def test_links_in_readme_and_docs_point_at_files_that_exist() -> None:
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} → {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_sdist_ships_the_docs() -> None:
    import tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    include = config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    assert "docs" in include
