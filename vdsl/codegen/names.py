"""Python names for `.vdsl` names: keywords, builtins, pydantic attributes and collisions.

The rules are shared by the generator and by the generated client at run time (which maps
the runtime's values onto the generated classes by name), so they live in one small module.
A renamed field keeps its declared name as its pydantic alias, so data on the wire (what the
runtime returns, what `model_dump(by_alias=True)` gives) never changes.
"""

from __future__ import annotations

import keyword
import re

__all__ = ["field_names", "identifier", "param_names", "type_name"]

# Names a class body must not shadow: annotations are resolved in the class namespace, so a
# field called `str` or `list` would break the types of the fields after it.
_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "list", "dict", "None", "object",
                            "type", "bytes", "set", "tuple"})
# Attributes of pydantic's BaseModel (a field named `json` or `copy` would shadow them). Kept
# as a literal so that importing this module does not import pydantic.
_MODEL_ATTRS = frozenset({
    "construct", "copy", "dict", "from_orm", "json", "model_computed_fields", "model_config",
    "model_construct", "model_copy", "model_dump", "model_dump_json", "model_extra",
    "model_fields", "model_fields_set", "model_json_schema", "model_parametrized_name",
    "model_post_init", "model_rebuild", "model_validate", "model_validate_json",
    "model_validate_strings", "parse_file", "parse_obj", "parse_raw", "schema", "schema_json",
    "update_forward_refs", "validate", "fields", "register", "self",
})
_INVALID = re.compile(r"[^0-9A-Za-z_]")


def identifier(name: str) -> str:
    """`name` as a Python identifier: hyphens and other symbols become `_`, keywords get `_`."""
    ident = _INVALID.sub("_", name).lstrip("_")
    if not ident or ident[0].isdigit():
        ident = "v_" + ident
    if keyword.iskeyword(ident):
        ident += "_"
    return ident


def type_name(name: str) -> str:
    """The Python name of a class, enum or alias (`.vdsl` type names start uppercase, so only
    `None`, `True` and `False` need a change)."""
    return identifier(name)


def field_names(names: list[str], reserved: set[str]) -> dict[str, str]:
    """Declared field name → attribute name, unique within the class. `reserved` holds the
    module-level names the class's annotations use (type names, imported helpers)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        attr = identifier(name)
        while attr in taken or attr in reserved or attr in _BUILTIN_TYPES or attr in _MODEL_ATTRS:
            attr += "_"
        taken.add(attr)
        out[name] = attr
    return out


def param_names(names: list[str], reserved: set[str]) -> dict[str, str]:
    """Declared parameter name → Python parameter name (`self`, `vdsl_options` and
    keywords renamed; names stay unique)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        attr = identifier(name)
        while attr in taken or attr in reserved:
            attr += "_"
        taken.add(attr)
        out[name] = attr
    return out
