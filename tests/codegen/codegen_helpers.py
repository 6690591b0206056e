"""Helpers for the codegen tests: the cases, generating a package into a directory,
importing it under its own name, and a usage file that calls every generated method."""

from __future__ import annotations

import ast
from pathlib import Path

import vdsl
from vdsl.codegen import GenerateOptions, generate

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "expected_client"


def projects_in(folder: Path) -> dict[str, Path]:
    """The project folders directly in `folder`: those holding sources. `samples/generated`,
    which README's `vdsl generate samples/resume` writes, holds only the generated client."""
    return {p.name: p for p in sorted(folder.iterdir())
            if p.is_dir() and (any(p.glob("*.vdsl")) or any(p.glob("*.baml")))}


CASES: dict[str, Path] = {**projects_in(ROOT / "samples"), **projects_in(HERE / "cases")}
CASE_OPTIONS: dict[str, dict[str, object]] = {"chunked": {"chunk_size": 4}}


def options_for(case: str, package: str = "vdsl_client", **extra: object) -> GenerateOptions:
    return GenerateOptions(package=package, **{**CASE_OPTIONS.get(case, {}), **extra})  # type: ignore[arg-type]


def files_for(case: str, package: str = "vdsl_client", **extra: object) -> dict[str, str]:
    return generate(vdsl.load(CASES[case]), options_for(case, package, **extra))


def write_package(root: Path, package: str, files: dict[str, str]) -> Path:
    directory = root / package
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


def usage_source(files: dict[str, str], package: str) -> str:
    """A module that calls every generated method of every client, with arguments typed as
    the parameters and `assert_type` on each result (for mypy --strict and pyright)."""
    tree = ast.parse(files["sync_client.py"])
    client = next(n for n in tree.body if isinstance(n, ast.ClassDef)
                  and n.name == "VdslSyncClient")
    lines = [
        "from __future__ import annotations",
        "from typing import Literal, assert_type",
        "from vdsl.media import Audio, Image, Pdf, Video",
        "from vdsl.outputs.models import Checked, StreamState",
        "from vdsl.providers.base import HttpRequest",
        "from vdsl import AbortController, ClientRegistry, Collector",
        f"from {package} import b, partial_types, types",
        f"from {package}.async_client import b as ab",
        f"from {package}.type_builder import TypeBuilder",
        "from vdsl.call_options import CallOptions",
        "_USED = (Literal, Audio, Image, Pdf, Video, Checked, StreamState, partial_types, types)",
        # the names a client imports as `_Name` when a function takes the plain name
        "from typing import Literal as _Literal",
        "from vdsl.media import Audio as _Audio, Image as _Image, Pdf as _Pdf, Video as _Video",
        "from vdsl.outputs.models import Checked as _Checked, StreamState as _StreamState",
        "_ALIASES = (_Literal, _Audio, _Image, _Pdf, _Video, _Checked, _StreamState)",
        "def _options() -> CallOptions:",
        "    return {'tb': TypeBuilder(), 'client_registry': ClientRegistry(),",
        "            'collector': [Collector()], 'abort_controller': AbortController(),",
        "            'env': {'A': None, 'B': 'b'}, 'tags': {'t': 'v'}, 'client': 'X'}",
    ]
    stream_tree = next(n for n in tree.body if isinstance(n, ast.ClassDef)
                       and n.name == "VdslStreamClient")
    stream_returns = {f.name: f.returns for f in stream_tree.body
                      if isinstance(f, ast.FunctionDef)}
    for fn in client.body:
        if not isinstance(fn, ast.FunctionDef) or fn.decorator_list:
            continue
        params = [a for a in fn.args.args if a.arg != "self"]
        signature = ", ".join(f"{a.arg}: {ast.unparse(a.annotation)}" for a in params
                              if a.annotation is not None)
        call_args = ", ".join(a.arg for a in params)
        returns = ast.unparse(fn.returns) if fn.returns is not None else "None"
        stream = stream_returns[fn.name]
        assert isinstance(stream, ast.Subscript) and isinstance(stream.slice, ast.Tuple)
        partial = ast.unparse(stream.slice.elts[0])
        name = fn.name
        lines += [
            f"def use_{name}({signature}) -> None:",
            f"    assert_type(b.{name}({call_args}), {returns})",
            f"    s = b.stream.{name}({call_args})",
            "    for p in s:",
            f"        assert_type(p, {partial})",
            f"    assert_type(s.get_final_response(), {returns})",
            f"    assert_type(b.request.{name}({call_args}), HttpRequest)",
            f"    assert_type(b.stream_request.{name}({call_args}), HttpRequest)",
            f"    assert_type(b.parse.{name}('x'), {returns})",
            f"    assert_type(b.parse_stream.{name}('x'), {partial} | None)",
            f"    assert_type(b.with_options(client='X').{name}({call_args}), {returns})",
            f"    assert_type(b.{name}({call_args}, baml_options=_options()), {returns})",
            (f"    assert_type(b.with_options(tb=TypeBuilder(), collector=Collector(),"
            f" abort_controller=AbortController(), client_registry=ClientRegistry())"
            f".{name}({call_args}), {returns})"),
            (f"    assert_type(b.parse.{name}('x', baml_options={{'tb': TypeBuilder()}}), "
            f"{returns})"),
            (f"    assert_type(b.request.{name}({call_args}, baml_options=_options()), "
            "HttpRequest)"),
            f"async def ause_{name}({signature}) -> None:",
            f"    assert_type(await ab.{name}({call_args}), {returns})",
            f"    assert_type(await ab.{name}({call_args}, baml_options=_options()), {returns})",
            f"    s = ab.stream.{name}({call_args})",
            "    async for p in s:",
            f"        assert_type(p, {partial})",
            f"    assert_type(await s.get_final_response(), {returns})",
        ]
    return "\n".join(lines) + "\n"
