"""The real-world corpus: public BAML projects, where they came from, and how to get their files.

`manifest.json` lists every project measured: the GitHub repository, the commit read, the
`baml_src` folder inside it, the repository's licence and whether its `.baml` files are kept
here (`projects/<slug>/`, with the licence text beside them). Only projects under a permissive
licence (MIT, Apache-2.0, BSD, ISC) are kept; the others are read at measurement time from a
local git mirror of the repository (`--mirror DIR` or `$VDSL_REALWORLD_MIRROR`, one
`DIR/<owner>+<name>/repo` bare repository per project) and skipped when there is none.

    python tests/compat/realworld/corpus.py discover MIRROR_DIR   # rewrite manifest.json
    python tests/compat/realworld/corpus.py vendor MIRROR_DIR     # refresh projects/
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
MANIFEST = HERE / "manifest.json"
PROJECTS = HERE / "projects"
MIRROR_ENV = "VDSL_REALWORLD_MIRROR"
PERMISSIVE = {"MIT", "Apache-2.0", "BSD", "ISC", "Unlicense"}
# Not user projects: BAML's own repository (its test suite and validation fixtures).
SKIPPED_REPOS = {"BoundaryML/baml"}


@dataclass(frozen=True)
class Entry:
    slug: str        # folder name: owner+repo, plus __path when the project is not at the root
    repo: str        # owner/name on GitHub
    commit: str      # the commit read
    path: str        # the baml_src folder inside the repository
    licence: str     # SPDX-like id, or "none" when the repository has no licence file
    vendored: bool   # its .baml files are kept under projects/<slug>/

    @property
    def url(self) -> str:
        return f"https://github.com/{self.repo}/tree/{self.commit}/{self.path}"


def load_manifest() -> list[Entry]:
    return [Entry(**row) for row in json.loads(MANIFEST.read_text())]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True,
                          text=True, check=True).stdout


def licence_of(text: str) -> str:
    head = " ".join(text.split()[:40]).lower()
    if "gnu" in head or "general public" in head:
        return "GPL"
    for marker, name in (("mit license", "MIT"), ("permission is hereby granted", "MIT"),
                         ("apache license", "Apache-2.0"), ("bsd", "BSD"), ("isc", "ISC"),
                         ("unlicense", "Unlicense")):
        if marker in head:
            return name
    return "other"


def _licence_file(repo: Path) -> str | None:
    names = _git(repo, "ls-tree", "--name-only", "HEAD").split()
    found = [n for n in names if n.lower().startswith(("license", "licence", "copying"))]
    return min(found) if found else None


def _roots(files: list[str]) -> list[str]:
    """The project folders: the outermost `baml_src` directory above each `.baml` file."""
    roots = set()
    for name in files:
        parts = name.split("/")
        for i, part in enumerate(parts[:-1]):
            if part == "baml_src":
                roots.add("/".join(parts[: i + 1]))
                break
    return sorted(roots)


def project_files(repo: Path, commit: str, root: str) -> dict[str, str]:
    """The `.baml` files of one project, by path relative to its root."""
    names = _git(repo, "ls-tree", "-r", "--name-only", commit, "--", root + "/").split("\n")
    out = {}
    for name in names:
        if name.endswith(".baml"):
            out[name[len(root) + 1:]] = _git(repo, "show", f"{commit}:{name}")
    return out


def _digest(files: dict[str, str]) -> str:
    """Same project = same files once generator blocks (language and version) are left out."""
    from rewrite import blocks
    stripped = {}
    for path, text in files.items():
        for kind, _name, start, end in reversed(blocks(text)):
            if kind == "generator":
                text = text[:start] + text[end:]
        stripped[path] = text
    return hashlib.sha256(json.dumps(stripped, sort_keys=True).encode()).hexdigest()


def discover(mirror: Path) -> list[Entry]:
    """Every project in every mirrored repository, duplicates (same files) listed once."""
    entries, seen = [], set()
    for folder in sorted(mirror.iterdir()):
        repo = folder / "repo"
        name = folder.name.replace("+", "/", 1)
        if not repo.is_dir() or name in SKIPPED_REPOS:
            continue
        commit = _git(repo, "rev-parse", "HEAD").strip()
        files = _git(repo, "ls-tree", "-r", "--name-only", commit).split("\n")
        lic_file = _licence_file(repo)
        licence = licence_of(_git(repo, "show", f"HEAD:{lic_file}")) if lic_file else "none"
        for root in _roots(files):
            content = project_files(repo, commit, root)
            digest = _digest(content)
            if not content or digest in seen:
                continue
            seen.add(digest)
            slug = folder.name + ("" if root == "baml_src" else "__" + root.replace("/", "_"))
            entries.append(Entry(slug, name, commit, root, licence, licence in PERMISSIVE))
    return entries


def vendor(entries: list[Entry], mirror: Path) -> None:
    """Write `projects/<slug>/` (the .baml files and the licence) for the permissive ones."""
    for entry in entries:
        if not entry.vendored:
            continue
        repo = mirror / entry.repo.replace("/", "+", 1) / "repo"
        dest = PROJECTS / entry.slug
        for path, text in project_files(repo, entry.commit, entry.path).items():
            (dest / "baml_src" / path).parent.mkdir(parents=True, exist_ok=True)
            (dest / "baml_src" / path).write_text(text)
        lic_file = _licence_file(repo)
        if lic_file:
            (dest / "LICENSE").write_text(_git(repo, "show", f"{entry.commit}:{lic_file}"))
        (dest / "SOURCE").write_text(f"{entry.url}\nlicence: {entry.licence}\n")


def files_of(entry: Entry, mirror: Path | None) -> dict[str, str] | None:
    """A project's .baml files (relative path → text), or None if neither kept nor mirrored."""
    if entry.vendored:
        root = PROJECTS / entry.slug / "baml_src"
        return {p.relative_to(root).as_posix(): p.read_text()
                for p in sorted(root.rglob("*.baml"))}
    mirror = mirror or (Path(os.environ[MIRROR_ENV]) if os.environ.get(MIRROR_ENV) else None)
    repo = mirror / entry.repo.replace("/", "+", 1) / "repo" if mirror else None
    if repo is None or not repo.is_dir():
        return None
    try:
        return project_files(repo, entry.commit, entry.path)
    except subprocess.CalledProcessError:
        return None


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("discover", "vendor"):
        print(__doc__)
        return 2
    mirror = Path(argv[1])
    if argv[0] == "discover":
        entries = discover(mirror)
        MANIFEST.write_text(json.dumps([asdict(e) for e in entries], indent=1) + "\n")
        kept = sum(e.vendored for e in entries)
        print(f"{len(entries)} projects ({kept} under a permissive licence)")
    else:
        vendor(load_manifest(), mirror)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
