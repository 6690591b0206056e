"""Base classes of generated types: every model and enum a generated `types.py` defines.

`VdslModel` defers building pydantic's validators until first use (`defer_build`), so
importing a project's thousands of models costs only their class creation, and accepts
fields by name or by alias. `VdslEnum` is a `StrEnum` whose members are their declared
names, and which also accepts the `@alias` a prompt showed (`Category("feature")`).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Checked", "StreamState", "VdslDynamicModel", "VdslEnum", "VdslModel"]

if TYPE_CHECKING:
    from ..outputs.models import Checked, StreamState
else:
    class _Erased:
        """`Checked[T]` at run time is `vdsl.outputs.Checked[Any]`: the class the runtime
        builds its values with, so a value is exactly the type its field declares (a
        `Checked[float]` field holding a `Checked[Any]` would not serialize cleanly). Type
        checkers see the real generic."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getitem__(self, item: object) -> type:
            from ..outputs import models
            return getattr(models, self._name)[Any]  # type: ignore[no-any-return]

    Checked = _Erased("Checked")
    StreamState = _Erased("StreamState")


class VdslModel(BaseModel):
    """Base of generated models: validated on demand, fields by name or alias."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, protected_namespaces=())


class VdslDynamicModel(VdslModel):
    """Base of `@@dynamic` classes: properties a TypeBuilder adds at run time are kept, by
    their declared names, as extra fields (`value.email`, `value.model_extra`), as in BAML's
    client."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, protected_namespaces=(),
                              extra="allow")


class VdslEnum(enum.StrEnum):
    """Base of generated enums: members are their declared names; aliases also resolve."""

    @classmethod
    def _missing_(cls, value: Any) -> Any:
        aliases: dict[str, str] = getattr(cls, "__vdsl_aliases__", {})
        if isinstance(value, str) and value in aliases:
            return cls(aliases[value])
        return None
