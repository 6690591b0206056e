"""vdsl: a declarative DSL (BAML syntax) and compiler for LLM calls on Google Vertex AI.

The public API; each stage's entry point is importable from its subpackage too.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .compiler import check, load, loads  # noqa: E402
from .diagnostics import Diagnostic, Severity  # noqa: E402
from .errors import CompileError, VdslError  # noqa: E402
from .project import Project  # noqa: E402

__all__ = [
    "__version__", "check", "load", "loads", "Diagnostic", "Severity", "CompileError",
    "VdslError", "Project",
]
