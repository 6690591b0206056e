"""`vdsl.__all__` is the curated public API, and every name in it exists."""

from __future__ import annotations

import vdsl

CURATED = {"load", "loads", "check", "Project", "Diagnostic", "Severity", "CompileError",
           "VdslError", "__version__"}
# Added by the render stage (commit "vdsl exports render_prompt and media types lazily").
RENDER = {"render_prompt", "RenderedPrompt", "Image", "Audio", "Pdf", "Video"}
# Added for BAML's runtime extension points (issue 15): per-call types, clients, collectors
# and cancellation, under BAML's names. Imported lazily.
RUNTIME = {"TypeBuilder", "ClientRegistry", "Collector", "AbortController", "AbortError"}


def test_all_is_the_curated_api() -> None:
    assert CURATED <= set(vdsl.__all__)
    assert set(vdsl.__all__) <= CURATED | RENDER | RUNTIME, \
        "a new public name: add it here on purpose"
    assert len(vdsl.__all__) == len(set(vdsl.__all__))


def test_every_exported_name_exists() -> None:
    for name in vdsl.__all__:
        assert hasattr(vdsl, name), name


def test_exported_objects_have_the_right_kind() -> None:
    assert callable(vdsl.load) and callable(vdsl.loads) and callable(vdsl.check)
    assert issubclass(vdsl.CompileError, vdsl.VdslError)
    assert issubclass(vdsl.VdslError, Exception)
    assert isinstance(vdsl.__version__, str) and vdsl.__version__.count(".") >= 2
    assert {s.value for s in vdsl.Severity} >= {"error", "warning"}
    assert isinstance(vdsl.loads("class A {\n  x int\n}\n"), vdsl.Project)
    assert issubclass(vdsl.AbortError, vdsl.VdslError)
    assert vdsl.TypeBuilder.__module__ == "vdsl.typebuilder.builder"
    assert {vdsl.ClientRegistry.__name__, vdsl.Collector.__name__,
            vdsl.AbortController.__name__} == {"ClientRegistry", "Collector", "AbortController"}


def test_import_vdsl_stays_light() -> None:
    """The runtime extension points load on first use: `import vdsl` pulls in no HTTP stack,
    no pydantic and no OpenTelemetry."""
    import subprocess
    import sys
    code = ("import sys, vdsl; heavy = [m for m in ('httpx', 'pydantic', 'opentelemetry', "
            "'vdsl.runtime', 'vdsl.typebuilder') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from vdsl import *", namespace)  # noqa: S102 - the point of the test
    assert set(namespace) - {"__builtins__"} == set(vdsl.__all__)


def test_check_returns_diagnostics() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.vdsl"
        path.write_text("class A {\n  x Nope\n}\n")
        (diag,) = vdsl.check(path, use_cache=False)
    assert isinstance(diag, vdsl.Diagnostic)
    assert diag.severity is vdsl.Severity.ERROR and diag.is_error
