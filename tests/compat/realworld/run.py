"""Request parity with BAML on real public BAML projects: build, compare, print the table.

    VDSL_BAML_PYTHON=/path/to/python-with-baml-py python tests/compat/realworld/run.py \
        [--mirror DIR] [--only SUBSTRING] [--report FILE.json] [--vendored-only] [--mixed N]

For every project in `manifest.json` (see `corpus.py`): its clients are pointed at Vertex
Gemini (`rewrite.py`), arguments are generated for every function (`argsgen.py`) and every
test block is added, BAML builds each request (`baml_side.py`, run by the BAML python) and
vdsl builds the same (`vdsl_side.py`), and each pair is classified (`classify.py`).
Agreement = requests vdsl builds identically / requests BAML builds. Exit 0 when every
difference is explained (no `differs`, `vdsl-error`, `baml-error`, unlisted refusal or
`vdsl generate` crash), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import classify
import corpus
import parity_helpers as ph
import rewrite
import vdsl_side
from known import KNOWN_REFUSALS
from prepare import Prepared, prepare

OUTCOMES = ("same", "hash-order", "deliberate", "baml-random", "differs", "vdsl-error",
            "vdsl-refuses", "baml-error", "both-error")
BAML_BUILT = ("same", "hash-order", "deliberate", "baml-random", "differs", "vdsl-error",
              "vdsl-refuses")
FAILING = ("differs", "vdsl-error", "baml-error")


@dataclass
class ProjectResult:
    entry: corpus.Entry
    functions: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    cases: list[dict[str, Any]] = field(default_factory=list)
    load: str = ""       # "" or why a side refused the whole project
    generate: str = "-"  # `vdsl generate` on the project: "ok", "-" or the failure

    @property
    def built(self) -> int:
        return sum(self.outcomes[k] for k in BAML_BUILT)

    @property
    def agreeing(self) -> int:
        return sum(self.outcomes[k] for k in classify.AGREE)

    @property
    def explained(self) -> int:
        return sum(self.outcomes[k] for k in classify.EXPLAINED)


def run(entries: list[corpus.Entry], mirror: Path | None, python: str,
        mixed: int = 3) -> list[ProjectResult]:
    scratch = Path(tempfile.mkdtemp(prefix="vdsl-realworld-"))
    try:
        return _run(entries, mirror, python, scratch, mixed)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(entries: list[corpus.Entry], mirror: Path | None, python: str,
         scratch: Path, mixed: int) -> list[ProjectResult]:
    prepared = []
    for entry in entries:
        files = corpus.files_of(entry, mirror)
        if files:
            prepared.append(prepare(entry, files, scratch, mixed))
    with ph.loopback_server() as server:
        ph.CAPTURED.clear()
        env = {**os.environ, "PARITY_SERVER": server, "NO_PROXY": "127.0.0.1,localhost",
               "BAML_LOG": "off"}
        proc = subprocess.run([python, str(HERE / "baml_side.py"),
                               *(str(p.folder) for p in prepared)],
                              capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"baml side failed:\n{proc.stderr[-4000:]}")
        baml = json.loads(proc.stdout)
        results = []
        for p in prepared:
            theirs = _with_captured(baml[str(p.folder)], p.entry.slug, server)
            results.append(_project(p, theirs, vdsl_side.requests(p.folder, server)))
    return results


def _with_captured(theirs: dict[str, Any], slug: str, server: str) -> dict[str, Any]:
    """Test-block cases: what `baml-cli test` sent, found by its `x-parity-case` header."""
    out = dict(theirs)
    for case_id, result in theirs.items():
        if isinstance(result, dict) and result.get("test_ran"):
            sent = ph.CAPTURED.get(f"{slug}/{case_id}")
            out[case_id] = ({**sent, "url": server + sent["url"]} if sent else
                            {"error": "BAML sent no request: " + result.get("log", "")})
    return out


def _project(p: Prepared, theirs: dict[str, Any], mine: dict[str, Any]) -> ProjectResult:
    result = ProjectResult(p.entry, p.functions, generate=p.generate)
    if "$load_error" in theirs:
        result.load = "BAML refuses: " + theirs["$load_error"].splitlines()[0][:200]
        return result
    if p.refusal:
        known = KNOWN_REFUSALS.get(p.entry.slug)
        result.load = f"vdsl refuses ({'known: ' + known if known else 'UNEXPLAINED'}): " \
            + p.refusal[:200]
    source = "\n".join(rewrite.rewrite_project(p.files).values())
    for spec in json.loads((p.folder / "cases.json").read_text())["cases"]:
        if spec["id"] not in theirs:
            continue
        ours = mine.get(spec["id"], {"error": p.refusal or "not built"})
        outcome, diffs, notes = classify.classify(source, spec["fn"], theirs[spec["id"]], ours)
        if p.refusal and outcome == "vdsl-error":
            outcome = "vdsl-refuses"
        result.outcomes[outcome] += 1
        result.cases.append({"id": spec["id"], "outcome": outcome, "diffs": diffs,
                             "notes": notes, "baml": theirs[spec["id"]], "vdsl": ours})
    return result


def unexplained(result: ProjectResult) -> list[str]:
    """What fails the parity test: real differences, a call only one side refuses, an
    unlisted refusal, a listed refusal that no longer happens, a crash of `vdsl generate`."""
    out = [f"{c['id']}: {c['outcome']}: {' | '.join(c['diffs'])[:2000]}"
           for c in result.cases if c["outcome"] in FAILING]
    refused = result.outcomes["vdsl-refuses"] > 0 or result.load.startswith("vdsl refuses")
    if refused and result.entry.slug not in KNOWN_REFUSALS:
        out.append(result.load)
    if not refused and result.entry.slug in KNOWN_REFUSALS and result.built:
        out.append("listed in known.py as refused, but vdsl loads it now: delete the entry")
    if result.generate not in ("ok", "-"):
        out.append(f"vdsl generate: {result.generate}")
    return out


def table(results: list[ProjectResult]) -> str:
    head = f"{'project':50} {'fns':>4} {'built':>5} {'agree':>6}  " + " ".join(
        f"{k[:10]:>10}" for k in OUTCOMES)
    lines = [head, "-" * len(head)]
    total: Counter[str] = Counter()
    for r in results:
        total.update(r.outcomes)
        pct = f"{100 * r.agreeing / r.built:5.1f}%" if r.built else "    - "
        counts = " ".join(f"{r.outcomes[k]:>10}" for k in OUTCOMES)
        lines.append(f"{r.entry.slug[:50]:50} {r.functions:>4} {r.built:>5} {pct:>6}  {counts}")
        if r.load:
            lines.append(f"    {r.load}")
        if r.generate not in ("ok", "-"):
            lines.append(f"    vdsl generate: {r.generate}")
    built = sum(total[k] for k in BAML_BUILT)
    agreeing = sum(total[k] for k in classify.AGREE)
    explained = sum(total[k] for k in classify.EXPLAINED)
    measured = [r for r in results if r.built]
    full = [r for r in measured if r.agreeing == r.built]
    lines.append("-" * len(head))
    lines.append(f"{len(results)} projects, {len(measured)} with requests BAML builds "
                 f"({len(full)} of them fully identical); requests BAML builds: {built}")
    lines.append(f"identical in vdsl: {agreeing} = {100 * agreeing / max(built, 1):.1f}%; "
                 f"identical or a README deliberate difference: {explained} = "
                 f"{100 * explained / max(built, 1):.1f}%")
    lines.append("outcomes: " + ", ".join(f"{k} {total[k]}" for k in OUTCOMES))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=None,
                        help="folder of git mirrors (<owner>+<repo>/repo) for the projects "
                             "not kept here (default: $VDSL_REALWORLD_MIRROR; none: skipped)")
    parser.add_argument("--only", default="", help="projects whose slug contains this")
    parser.add_argument("--vendored-only", action="store_true",
                        help="only the projects kept under projects/")
    parser.add_argument("--report", type=Path, help="write every case's outcome here (JSON)")
    parser.add_argument("--mixed", type=int, default=3, metavar="N",
                        help="random argument sets per function, besides full/omit/null "
                             "(default 3; more for a deeper, slower search)")
    args = parser.parse_args(argv)
    python = ph.baml_python()
    if python is None:
        print("BAML not available: set VDSL_BAML_PYTHON", file=sys.stderr)
        return 2
    entries = [e for e in corpus.load_manifest() if args.only in e.slug
               and (e.vendored or not args.vendored_only)]
    results = run(entries, args.mirror, python, args.mixed)
    print(table(results))
    if args.report:
        args.report.write_text(json.dumps(
            [{"project": r.entry.slug, "load": r.load, "generate": r.generate, "cases": r.cases}
             for r in results],
            indent=1, ensure_ascii=False))
    return 1 if any(unexplained(r) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
