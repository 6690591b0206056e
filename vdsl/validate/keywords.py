"""Words BAML refuses as class field names ("a BAML language keyword"): its own keywords and
media types, plus keywords of the languages it generates clients for. The list was checked
word by word against `baml-cli check` 0.226.3; vdsl refuses the same names so a file that
passes `vdsl check` also passes BAML's."""

from __future__ import annotations

FIELD_KEYWORDS = frozenset({
    "and", "and_eq", "any", "assert", "asserts", "async", "audio", "await", "bigint", "bool",
    "box", "break", "byte", "catch", "chan", "char", "char16_t", "char32_t", "char8_t", "class",
    "compl", "const", "consteval", "constexpr", "constructor", "continue", "crossinline",
    "debugger", "declare", "defer", "delegate", "do", "dyn", "dynamic", "elif", "else", "emit",
    "enum", "export", "extends", "extern", "false", "finally", "fixed", "float", "for",
    "foreach", "func", "function", "get", "global", "go", "goto", "image", "implements",
    "import", "in", "inline", "instanceof", "int", "internal", "into", "join", "keyof",
    "lambda", "lazy", "let", "lock", "long", "macro", "module", "move", "mut", "namespace",
    "native", "new", "nil", "noexcept", "nonlocal", "not", "not_eq", "null", "nullptr", "or",
    "or_eq", "package", "params", "pdf", "private", "protected", "protocol", "provides", "pub",
    "public", "readonly", "ref", "reflexpr", "register", "reinterpret_cast", "requires",
    "return", "sbyte", "sealed", "select", "Self", "self", "set", "short", "sizeof", "some",
    "stackalloc", "static", "static_assert", "static_cast", "std", "strictfp", "string",
    "struct", "subscript", "super", "switch", "template", "this", "thread_local", "throw",
    "throws", "trait", "transient", "transitive", "true", "try", "typealias", "typedef",
    "typeof", "u16", "u32", "u64", "uint", "ulong", "union", "unsafe", "unsigned", "unsized",
    "use", "using", "var", "video", "virtual", "void", "volatile", "wchar_t", "while", "with",
    "xor", "xor_eq", "yield",
})
