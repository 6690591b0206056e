"""vdsl: a declarative DSL (BAML syntax) and compiler for LLM calls on Google Vertex AI.

The public API; each stage's entry point is importable from its subpackage too.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from .compiler import check, load, loads
from .diagnostics import Diagnostic, Severity
from .errors import AbortError, CompileError, VdslError
from .project import Project

if TYPE_CHECKING:
    from .media import Audio, Image, Pdf, Video
    from .render import RenderedPrompt, render_prompt
    from .runtime.abort import AbortController
    from .runtime.collector import Collector
    from .runtime.registry import ClientRegistry
    from .typebuilder import TypeBuilder

# Imported on first use, so `import vdsl` (and `vdsl check`) stays light.
_LAZY = {"render_prompt": "render", "RenderedPrompt": "render", "Image": "media",
         "Audio": "media", "Pdf": "media", "Video": "media", "TypeBuilder": "typebuilder",
         "ClientRegistry": "runtime.registry", "Collector": "runtime.collector",
         "AbortController": "runtime.abort"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vdsl' has no attribute {name!r}")
    import importlib
    return getattr(importlib.import_module(f".{module}", __name__), name)

__all__ = [
    "AbortController",
    "AbortError",
    "Audio",
    "ClientRegistry",
    "Collector",
    "CompileError",
    "Diagnostic",
    "Image",
    "Pdf",
    "Project",
    "RenderedPrompt",
    "Severity",
    "TypeBuilder",
    "VdslError",
    "Video",
    "__version__",
    "check",
    "load",
    "loads",
    "render_prompt",
]
