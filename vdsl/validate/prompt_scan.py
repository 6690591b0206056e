"""A first look at a prompt template that needs no Jinja: most prompts are text with
`{{ name }}`, `{{ _.role("user") }}`, `{{ ctx.output_format }}` and plain `{% if x %}` /
`{% for x in xs %}` tags. For such a template the names it reads (and their first lines) are
found by a scan, and Jinja's parser (~0.25 ms a prompt, and ~30 ms to import) is skipped.

The scan accepts only what Jinja certainly parses, where a flat reading finds what
`prompts._loaded_names` finds in Jinja's tree, and where the checks that need Jinja's tree
(`template_types`, template_string arity, `ctx.output_format(…)` options) could find nothing:
an attribute is read only in `ctx.output_format` and `_.role(…)` (valid by the tables of
`template_types`; a test keeps the two in step), and the caller scans only when no parameter
is named `ctx` or `_`. Anything else (filters, operators, other attributes, calls of
template_strings, other tags, a keyword used as a name, a tag left open) returns None and the
caller parses the template with Jinja.
"""

from __future__ import annotations

import re

from ..jinja_limits import MAX_BLOCK_DEPTH, MAX_LOOP_DEPTH

__all__ = ["SCANNED_GLOBALS", "SIMPLE_PATHS", "scan"]

SIMPLE_PATHS = frozenset({("ctx", "output_format"), ("_", "role")})
"""The only attribute reads the scan accepts: vdsl's globals, spelt right."""
SCANNED_GLOBALS = frozenset(head for head, *_ in SIMPLE_PATHS)

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH = rf"{_NAME}(?:\s*\.\s*{_NAME})*"
_STRING = r"""(?:"[^"\\\n{}%#]*"|'[^'\\\n{}%#]*')"""
_EXPR = re.compile(rf"\s*(?P<path>{_PATH})(?P<call>\s*\(\s*(?:{_STRING}\s*)?\))?\s*\Z")
_STATEMENT = re.compile(
    rf"\s*(?:(?P<test>if|elif)\s+(?:not\s+)?(?P<cond>{_PATH})"
    rf"|(?P<loop>for)\s+(?P<target>{_NAME})\s+in\s+(?P<items>{_PATH})"
    r"|(?P<word>else|endif|endfor))\s*\Z")
_TAG = re.compile(r"\{\{-?(?P<expr>.*?)-?\}\}|\{%-?(?P<stmt>.*?)-?%\}|\{#(?P<comment>.*?)#\}",
                  re.DOTALL)
_OPENERS = re.compile(r"\{[{%#]")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_IDENT = re.compile(_NAME)
_KEYWORDS = frozenset({
    "and", "or", "not", "in", "is", "if", "elif", "else", "endif", "for", "endfor", "true",
    "false", "none", "True", "False", "None", "recursive", "block", "endblock", "extends",
    "include", "import", "from", "macro", "endmacro", "call", "endcall", "set", "endset",
    "with", "endwith", "without", "context", "filter", "endfilter", "raw", "endraw",
    "autoescape", "endautoescape", "ignore", "missing", "as", "pluralize", "trans",
    "endtrans", "do", "break", "continue", "scoped", "required", "debug"})


def scan(source: str) -> dict[str, int] | None:
    """{name read and never assigned: first line} for a simple template, else None."""
    text = "\n".join(_NEWLINES.split(source))  # Jinja's own newline normalisation
    loaded: dict[str, int] = {}
    stored: set[str] = set()
    blocks: list[str] = []
    pos = 0
    while True:
        opener = _OPENERS.search(text, pos)
        if opener is None:
            break
        tag = _TAG.match(text, opener.start())
        if tag is None:
            return None
        if tag.group("expr") is not None:
            readable = _expression(tag.group("expr"), tag.start("expr"), text, loaded)
        else:
            readable = tag.group("stmt") is None or _statement(tag, text, loaded, stored, blocks)
        if not readable:
            return None
        pos = tag.end()
    if blocks:
        return None
    return {name: first for name, first in loaded.items() if name not in stored}


def _expression(body: str, offset: int, text: str, loaded: dict[str, int]) -> bool:
    match = _EXPR.match(body)
    if match is None or _has_keyword(match.group("path")):
        return False
    path = match.group("path")
    attrs = tuple(part.strip() for part in path.split("."))
    if len(attrs) > 1 and attrs not in SIMPLE_PATHS:
        return False  # an attribute read `template_types` checks against a type
    if match.group("call") and attrs != ("_", "role"):
        return False  # a template_string call or ctx.output_format(…): Jinja's checks
    _read(path, offset + match.start("path"), text, loaded)
    return True


def _statement(tag: re.Match[str], text: str, loaded: dict[str, int], stored: set[str],
               blocks: list[str]) -> bool:
    body, offset = tag.group("stmt"), tag.start("stmt")
    match = _STATEMENT.match(body)
    if match is None:
        return False
    word = match.group("test") or match.group("loop") or match.group("word")
    if word == "if":
        blocks.append("if")
    elif word in ("elif", "else", "endif"):
        if not blocks or blocks[-1] not in ("if", "else"):
            return False
        if blocks[-1] == "else" and word != "endif":
            return False  # nothing may follow `else` but `endif`
        blocks.pop()
        if word != "endif":
            blocks.append("if" if word == "elif" else "else")
    elif word == "for":
        blocks.append("for")
    elif not blocks or blocks.pop() != "for":  # endfor
        return False
    if len(blocks) > MAX_BLOCK_DEPTH or blocks.count("for") > MAX_LOOP_DEPTH:
        return False  # too deep: Jinja's parse reports it (`jinja_limits`)
    for group in ("cond", "items"):
        path = match.group(group)
        if path is not None:
            if _has_keyword(path) or "." in path:
                return False  # (an attribute in a test or a loop: typed checks need Jinja)
            _read(path, offset + match.start(group), text, loaded)
    target = match.group("target")
    if target is not None:
        if target in _KEYWORDS:
            return False
        stored.add(target)
    return True


def _has_keyword(path: str) -> bool:
    return any(part in _KEYWORDS for part in _IDENT.findall(path))


def _read(path: str, at: int, text: str, loaded: dict[str, int]) -> None:
    """The head of a dotted path is a name read, on the line where it starts (`at`)."""
    head = _IDENT.match(path)
    assert head is not None
    name, line = head.group(0), text.count("\n", 0, at) + 1
    if name not in loaded or line < loaded[name]:
        loaded[name] = line
