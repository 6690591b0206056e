"""One call's options, resolved: `baml_options` and keyword arguments merged, the project the
call sees (the runtime's, with the `ClientRegistry`'s clients and the `TypeBuilder`'s types),
the client to call, the collectors and the abort controller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..call_options import OPTION_NAMES, CallOptions
from ..errors import InvalidArgumentError
from ..project import Project
from .abort import AbortController
from .collector import Collector
from .observe import Observation, observe

__all__ = ["CallSettings", "resolve"]

_BAML_ONLY = {"on_tick": "streams give every event already (iterate them)",
              "watchers": "use a Collector, or vdsl.otel for traces"}


@dataclass
class CallSettings:
    project: Project
    client: str | None = None
    env: Mapping[str, str | None] | None = None
    headers: Mapping[str, str] | None = None
    collectors: tuple[Collector, ...] = ()
    abort: AbortController | None = None
    tags: dict[str, str] = field(default_factory=dict)

    def observe(self, function: str, kind: str) -> Observation | None:
        return observe(function, kind, self.collectors, self.tags)


def _merged(baml_options: CallOptions | Mapping[str, Any] | None,
            options: Mapping[str, Any]) -> dict[str, Any]:
    """`baml_options` with the keyword arguments over it (env and headers merge by key)."""
    if baml_options is not None and not isinstance(baml_options, Mapping):
        raise InvalidArgumentError(f"baml_options must be a dict, not "
                                   f"{type(baml_options).__name__}")
    merged: dict[str, Any] = {k: v for k, v in (baml_options or {}).items() if v is not None}
    for key, value in options.items():
        if value is None:
            continue
        if key in ("env", "headers") and key in merged:
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    for key in merged:
        if key not in OPTION_NAMES:
            why = _BAML_ONLY.get(key)
            raise InvalidArgumentError(
                f"unknown call option `{key}`" + (f" (BAML's `{key}` is not supported: {why})"
                                                  if why else "; options: "
                                                  + ", ".join(sorted(OPTION_NAMES))))
    return merged


def _expect(value: Any, kind: type, name: str) -> Any:
    if value is not None and not isinstance(value, kind):
        raise InvalidArgumentError(f"call option `{name}` must be a {kind.__name__}, not "
                                   f"{type(value).__name__}")
    return value


def _collectors(value: Any) -> tuple[Collector, ...]:
    if value is None:
        return ()
    items = (value,) if isinstance(value, Collector) else tuple(value) \
        if isinstance(value, (list, tuple)) else (value,)
    for item in items:
        _expect(item, Collector, "collector")
    return items


def resolve(project: Project, baml_options: CallOptions | Mapping[str, Any] | None,
            options: Mapping[str, Any]) -> CallSettings:
    """Resolve a call's options; bad ones raise before anything is sent."""
    if not baml_options and not any(v is not None for v in options.values()):
        return CallSettings(project)
    merged = _merged(baml_options, options)
    registry = tb = None
    if merged.get("client_registry") is not None:
        from .registry import ClientRegistry
        registry = _expect(merged["client_registry"], ClientRegistry, "client_registry")
        project = registry.project_for(project)
    if merged.get("tb") is not None:
        from ..typebuilder import TypeBuilder, extend
        from ..typebuilder.compile import compile_builder
        tb = _expect(merged["tb"], TypeBuilder, "tb")
        project = extend(project, compile_builder(tb, project))
    abort = _expect(merged.get("abort_controller"), AbortController, "abort_controller")
    client = _expect(merged.get("client"), str, "client") or (
        registry.primary if registry is not None else None)
    return CallSettings(project, client, merged.get("env"), merged.get("headers"),
                        _collectors(merged.get("collector")), abort,
                        {str(k): str(v) for k, v in (merged.get("tags") or {}).items()})
