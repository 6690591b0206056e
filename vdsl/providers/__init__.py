"""Vertex AI model families: the model catalog, and one adapter per wire format.

`adapter_for(model)` picks the adapter from the catalog, or from the id's pattern for models
the catalog does not list; an explicit `publisher` option overrides the pick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .catalog import guess_family, lookup

if TYPE_CHECKING:
    from .base import Adapter


def __getattr__(name: str) -> Any:
    """`Adapter` (which pulls in the renderer) is imported on first use, so `vdsl check`,
    which needs only the catalog, does not pay for it."""
    if name == "Adapter":
        from .base import Adapter
        return Adapter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_ADAPTERS: dict[str, Adapter] = {}
_PUBLISHER_FAMILY = {"google": "gemini", "anthropic": "anthropic", "meta": "openai_compat",
                     "deepseek-ai": "openai_compat", "qwen": "openai_compat",
                     "openai": "openai_compat", "mistralai": "mistral", "ai21": "ai21"}


def family_of(model: str, publisher: str | None = None) -> str:
    if publisher:
        family = _PUBLISHER_FAMILY.get(publisher)
        if family is None:
            raise ConfigError(f"unknown publisher `{publisher}`; known: "
                              + ", ".join(sorted(_PUBLISHER_FAMILY)))
        if family == "mistral" and guess_family(model) == "mistral_ocr":
            return "mistral_ocr"  # one publisher, two wire formats
        return family
    info = lookup(model)
    return info.family if info is not None else guess_family(model)


def adapter_for(model: str, publisher: str | None = None) -> Adapter:
    family = family_of(model, publisher)
    adapter = _ADAPTERS.get(family)
    if adapter is None:
        adapter = _ADAPTERS[family] = _make(family, model)
    return adapter


_CLASSES = {
    "gemini": ("gemini", "GeminiAdapter"),
    "anthropic": ("anthropic", "AnthropicAdapter"),
    "openai_compat": ("openai_compat", "OpenAICompatAdapter"),
    "mistral": ("mistral", "MistralAdapter"),
    "mistral_ocr": ("mistral_ocr", "MistralOcrAdapter"),
    "ai21": ("ai21", "Ai21Adapter"),
}
"""Family → (module, class), imported on first use."""


def _make(family: str, model: str) -> Adapter:
    found = _CLASSES.get(family)
    if found is None:
        raise ConfigError(f"model `{model}`: no adapter for family `{family}`")
    module = importlib.import_module(f".{found[0]}", __name__)
    adapter: Adapter = getattr(module, found[1])()
    return adapter


__all__ = ["Adapter", "adapter_for", "family_of"]
