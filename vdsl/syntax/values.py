"""BAML's reading of literal text: unquoted tokens, string escapes and raw-string dedent."""

from __future__ import annotations

import re
import sys

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")
_ENV = re.compile(r"env\.([A-Za-z_][A-Za-z0-9_]*)\Z")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "'": "'", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)", re.DOTALL)


def unescape(body: str) -> str:
    """Quoted-string escapes as BAML processes them; an unknown `\\c` stays as written."""
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _ESCAPES:
            return _ESCAPES[code]
        if len(code) == 3 and code[0] == "x":
            return chr(int(code[1:], 16))
        return match.group(0)

    return _ESCAPE.sub(replace, body)


def too_many_digits(digits: str) -> bool:
    """Whether Python refuses to read `digits` as an int (`sys.get_int_max_str_digits()`, 4300
    by default: longer conversions take quadratic time)."""
    limit = sys.get_int_max_str_digits()
    return bool(limit) and len(digits.lstrip("-")) > limit


def classify_unquoted(text: str) -> tuple[str, object]:
    """How BAML reads an unquoted token: ("string"|"bool"|"null"|"number"|"env"|"bad-env"|
    "digit-leading"|"number-too-large", value)."""
    if " " in text or "\t" in text:
        return "string", text
    if text == "true" or text == "false":
        return "bool", text == "true"
    if text == "null":
        return "null", None
    if _NUMBER.match(text):
        if "." in text:
            return "number", float(text)
        return ("number-too-large", text) if too_many_digits(text) else ("number", int(text))
    if text.startswith("env.") or text == "env":
        match = _ENV.match(text)
        return ("env", match.group(1)) if match else ("bad-env", text)
    if text[0].isdigit() or (text[0] == "-" and len(text) > 1 and text[1].isdigit()):
        return "digit-leading", text
    return "string", text


def dedent_raw(content: str) -> tuple[str, int, int]:
    """BAML's raw-string processing (measured against baml-py 0.226.3 in prompts, template
    strings and test arguments). When the text starts on a new line (`#"` ends its line),
    the blank lines at the start go and the indentation the other lines share is removed:
    that of the first non-blank line, shortened by later lines. When the text starts on the
    `#"` line, only that line's leading whitespace goes; the other lines keep theirs.
    Trailing whitespace goes in both cases.

    Returns (text, lines trimmed at the start, indent removed).
    """
    lines = [line.removesuffix("\r") for line in content.split("\n")]
    if lines[0].strip():
        return "\n".join([lines[0].lstrip(), *lines[1:]]).rstrip(), 0, 0
    leading_lines = 0
    while leading_lines < len(lines) and not lines[leading_lines].strip():
        leading_lines += 1
    lines = lines[leading_lines:]
    prefix = _common_prefix(lines)
    out = []
    for line in lines:
        if line.startswith(prefix) and not line.isspace() and line:
            out.append(line[len(prefix):])
        else:
            out.append("")
    return "\n".join(out).rstrip(), leading_lines if lines else 0, len(prefix)


def _common_prefix(lines: list[str]) -> str:
    rest = iter(lines)
    prefix = ""
    for line in rest:
        if line and not line.isspace():
            prefix = line[: len(line) - len(line.lstrip())]
            break
    for line in rest:  # later lines may shorten it, blank ones included (as BAML does)
        for index, (a, b) in enumerate(zip(line, prefix)):
            if a != b:
                if index < len(prefix):
                    prefix = line[:index]
                break
    return prefix
