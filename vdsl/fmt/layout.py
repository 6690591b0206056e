"""Tokens → text in the canonical layout.

What changes: indentation (two spaces per open bracket; a line that starts with a single-`@`
attribute, which continues the line above, one more), the spaces between tokens on a line,
trailing whitespace, blank lines (at most one in a row, none just inside a bracket, exactly
one between top-level declarations) and line endings (`\\n`, one at the end).

What never changes, because the language gives it meaning: the text of every token (raw
strings, quoted and unquoted values, comments, `///` docs, Jinja), their order, and which
tokens share a line (line breaks separate entries; a `///` doc belongs to the line below it).
No blank line is ever put between a comment and the line it sits on.
"""

from __future__ import annotations

import itertools

from .tokens import CLOSERS, OPENERS, Token

__all__ = ["layout"]

INDENT = "  "
_COMMENTS = frozenset({"comment", "doc", "blockcomment"})
_DECLARATIONS = frozenset({"class", "enum", "dynamic", "function", "test", "generator",
                           "retry_policy", "template_string", "string_template", "type",
                           "client"})
_TIGHT_AFTER = frozenset({"(", "[", "<"})
_TIGHT_BEFORE = frozenset({",", ":", "?", ")", "]", ">"})


def _lines(tokens: list[Token]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "newline":
            lines.append([])
        else:
            lines[-1].append(token)
    return lines


def _space(previous: Token, token: Token) -> str:
    kind = token.kind
    if kind in _TIGHT_BEFORE:
        return ""
    if kind == "}":
        return "" if previous.kind == "{" else " "
    if previous.kind in _TIGHT_AFTER:
        return ""
    if kind == "(":
        return "" if token.role in ("args", "params") else " "
    if kind == "[" and token.role == "names":
        return ""
    if kind == "<":
        return ""
    return " "


def _text(token: Token) -> str:
    text = token.text.replace("\r\n", "\n")
    if token.kind == "comment":
        return text.rstrip()
    return text.removesuffix("\r") if token.kind == "doc" else text


def _render_line(line: list[Token]) -> str:
    out = [_text(line[0])]
    for previous, token in itertools.pairwise(line):
        out.append(_space(previous, token) + _text(token))
    return "".join(out)


def _is_comment_line(line: list[Token]) -> bool:
    return bool(line) and all(t.kind in _COMMENTS for t in line)


def _starts_declaration(line: list[Token]) -> bool:
    first = line[0]
    return first.kind == "word" and (first.text in _DECLARATIONS or
                                     first.text.startswith("client<"))


def layout(tokens: list[Token]) -> str:
    """The canonical text for `tokens` (as `tokenize` made them)."""
    lines = _lines(tokens)
    out: list[str] = []
    depth = 0
    pending_blank = False
    previous: list[Token] | None = None
    previous_depth_after = 0
    for line in lines:
        if not line:
            pending_blank = previous is not None
            continue
        leading = _leading_closers(line)
        level = max(0, depth - leading)
        if line[0].kind == "attr" or (depth == 0 and previous is not None
                                      and _continues_top_level(line)):
            level += 1
        if previous is not None:
            blank = _blank_between(previous, line, pending_blank, depth, previous_depth_after)
            if blank:
                out.append("")
        out.append(INDENT * level + _render_line(line))
        depth = _depth_after(line, depth)
        previous, previous_depth_after, pending_blank = line, depth, False
    return "\n".join(out) + "\n" if out else ""


def _leading_closers(line: list[Token]) -> int:
    count = 0
    for token in line:
        if token.kind not in CLOSERS:
            break
        count += 1
    return count


def _depth_after(line: list[Token], depth: int) -> int:
    for token in line:
        if token.kind in OPENERS:
            depth += 1
        elif token.kind in CLOSERS:
            depth = max(0, depth - 1)
    return depth


def _continues_top_level(line: list[Token]) -> bool:
    first = line[0]
    return not (_starts_declaration(line) or first.kind in _COMMENTS or first.kind == "raw"
                or first.kind in CLOSERS or first.kind == "{")


def _blank_between(previous: list[Token], line: list[Token], had_blank: bool, depth: int,
                   depth_before: int) -> bool:
    """Whether one blank line goes between `previous` and `line` (non-blank lines)."""
    if depth > 0:
        opened = previous[-1].kind in OPENERS
        closing = line[0].kind in CLOSERS
        return had_blank and not opened and not closing
    if had_blank:
        return True
    if _one_line_declaration(previous) and _one_line_declaration(line):
        return False  # a run of one-liners (`type A = …`) may stay together
    code_before = not _is_comment_line(previous)
    return code_before and depth_before == 0 and (
        _starts_declaration(line) or _is_comment_line(line))


def _one_line_declaration(line: list[Token]) -> bool:
    return _starts_declaration(line) and _depth_after(line, 0) == 0 and not any(
        "\n" in t.text for t in line)
