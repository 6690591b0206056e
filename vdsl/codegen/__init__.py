"""`vdsl generate`: a typed Python client package for a project.

    files = generate(project, GenerateOptions(package="vdsl_client"))   # {path: text}

`generate` is pure (IR in, file texts out, same input → same bytes); `write` and `check`
(in `vdsl.codegen.output`) touch the disk. Generated packages import their run-time support
from `vdsl.codegen.client` and `vdsl.codegen.models`, which stay light on purpose.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .python import GenerateOptions, generate

__all__ = ["GenerateOptions", "generate"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import python
        return getattr(python, name)
    raise AttributeError(f"module 'vdsl.codegen' has no attribute {name!r}")
