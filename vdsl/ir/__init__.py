"""The typed IR: declarations (`nodes`), type expressions (`types`) and config values (`values`)."""

from .nodes import *
from .nodes import __all__ as _nodes_all
from .types import (
                    MEDIA,
                    PRIMITIVES,
                    ListType,
                    LiteralType,
                    MapType,
                    Media,
                    NamedType,
                    OptionalType,
                    Primitive,
                    TupleType,
                    TypeExpr,
                    UnionType,
                    type_to_str,
)
from .values import (
                    ArrayValue,
                    Attribute,
                    BoolValue,
                    EnvRef,
                    JinjaExpr,
                    MapValue,
                    NullValue,
                    NumberValue,
                    RawString,
                    StringValue,
                    Value,
                    plain,
)

__all__ = list(_nodes_all) + [
    "MEDIA", "PRIMITIVES", "ListType", "LiteralType", "MapType", "Media", "NamedType",
    "OptionalType", "Primitive", "TupleType", "TypeExpr", "UnionType", "type_to_str",
    "ArrayValue", "Attribute", "BoolValue", "EnvRef", "JinjaExpr", "MapValue", "NullValue",
    "NumberValue", "RawString", "StringValue", "Value", "plain",
]
