"""Per-call types, as BAML's TypeBuilder: properties, enum values, classes and enums added at
run time, and a test's `type_builder { … }` block.

    builder.py     TypeBuilder: records what is added (thread-safe)
    classes.py     ClassBuilder / ClassViewer and their properties
    enums.py       EnumBuilder / EnumViewer and their values
    fieldtype.py   FieldType: types built in code, as IR type expressions
    compile.py     recorded state → checked `Extension` (listing, add_baml, the checks)
    overlay.py     Extension + Project → the Project a call sees (cached)
"""

from .builder import TypeBuilder
from .classes import (
    ClassBuilder,
    ClassProperties,
    ClassPropertyBuilder,
    ClassPropertyViewer,
    ClassViewer,
)
from .enums import EnumBuilder, EnumValueBuilder, EnumValues, EnumValueViewer, EnumViewer
from .fieldtype import FieldType
from .overlay import Extension, Patch, extend, project_for_test

__all__ = [
    "ClassBuilder",
    "ClassProperties",
    "ClassPropertyBuilder",
    "ClassPropertyViewer",
    "ClassViewer",
    "EnumBuilder",
    "EnumValueBuilder",
    "EnumValueViewer",
    "EnumValues",
    "EnumViewer",
    "Extension",
    "FieldType",
    "Patch",
    "TypeBuilder",
    "extend",
    "project_for_test",
]
