"""Per-call options, as BAML's `baml_options`: one TypedDict shared by `Runtime` methods and
generated clients (`baml_options={...}`, `b.with_options(...)`). Importing it imports
nothing heavy: the option types are named for type checkers only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from .runtime.abort import AbortController
    from .runtime.collector import Collector
    from .runtime.registry import ClientRegistry
    from .typebuilder import TypeBuilder

__all__ = ["OPTION_NAMES", "CallOptions"]


class CallOptions(TypedDict, total=False):
    """Every key is optional; None means "not set".

    `client`: call this client (a name or `vertex-ai/model`) instead of the function's;
    `env`: variables over the runtime's environment (a None value unsets one);
    `headers`: extra HTTP headers; `tb`: a `TypeBuilder` (types added for this call);
    `client_registry`: a `ClientRegistry` (clients added, and its primary);
    `collector`: one `Collector` or several; `abort_controller`: an `AbortController`;
    `tags`: labels recorded on collector logs and trace spans.
    """

    client: str | None
    env: Mapping[str, str | None] | None
    headers: Mapping[str, str] | None
    tb: TypeBuilder | None
    client_registry: ClientRegistry | None
    collector: Collector | Sequence[Collector] | None
    abort_controller: AbortController | None
    tags: Mapping[str, str] | None


OPTION_NAMES = frozenset(CallOptions.__annotations__)
