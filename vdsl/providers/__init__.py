"""Vertex AI model families: the model catalog, and one adapter per wire format.

`adapter_for(model)` picks the adapter from the catalog, or from the id's pattern for models
the catalog does not list; an explicit `publisher` option overrides the pick.
"""

from __future__ import annotations

from ..errors import ConfigError
from .base import Adapter
from .catalog import guess_family, lookup

_ADAPTERS: dict[str, Adapter] = {}
_PUBLISHER_FAMILY = {"google": "gemini", "anthropic": "anthropic", "meta": "openai_compat",
                     "deepseek-ai": "openai_compat", "mistralai": "mistral", "ai21": "ai21"}


def family_of(model: str, publisher: str | None = None) -> str:
    if publisher:
        family = _PUBLISHER_FAMILY.get(publisher)
        if family is None:
            raise ConfigError(f"unknown publisher `{publisher}`; known: "
                              + ", ".join(sorted(_PUBLISHER_FAMILY)))
        return family
    info = lookup(model)
    return info.family if info is not None else guess_family(model)


def adapter_for(model: str, publisher: str | None = None) -> Adapter:
    family = family_of(model, publisher)
    adapter = _ADAPTERS.get(family)
    if adapter is None:
        adapter = _ADAPTERS[family] = _make(family, model)
    return adapter


def _make(family: str, model: str) -> Adapter:
    if family == "gemini":
        from .gemini import GeminiAdapter
        return GeminiAdapter()
    raise ConfigError(f"model `{model}` ({family}) cannot be called by this version of vdsl yet; "
                      "Gemini models can")


__all__ = ["Adapter", "adapter_for", "family_of"]
