"""Source text → IR declarations, with syntax errors as diagnostics.

One LALR parser (contextual lexer, inline IR transformer) is built once per process. A file is
parsed whole; if that fails, it is cut into top-level blocks and each block is parsed alone, so
one typo does not hide the errors of the rest of the file (BAML stops at the first bad line).
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .. import ir
from ..diagnostics import Diagnostics
from ..source import SourceFile, Span
from . import tables
from .engine import Engine, ParseFailed
from .messages import describe_expected, describe_token, friendly_message
from .postlex import NewlinePostLex
from .transformer import IRBuilder

if TYPE_CHECKING:
    from pathlib import Path

    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

KEYWORDS = ("class", "enum", "function", "client", "client<llm>", "retry_policy", "test",
            "generator", "template_string", "string_template", "type")
UNSUPPORTED = ("fn", "let", "for", "while", "if", "return", "import", "match")

_lock = threading.Lock()


def grammar_text() -> str:
    """The grammar shipped inside the package, or the repository copy in a source checkout
    (read as a plain file: `importlib.resources` cost ~5 ms of imports per process; it is
    used only for a package that is not on disk, such as one in a zip file)."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (os.path.join(here, "..", "grammar", "vdsl.lark"),
                 os.path.join(here, "..", "..", "grammar", "vdsl.lark")):
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            continue
    from importlib import resources
    return resources.files("vdsl").joinpath("grammar/vdsl.lark").read_text("utf-8")


class _Slot:
    """The IR builder of the parse in progress (the parser is shared, so its callbacks are too)."""

    builder: IRBuilder


_slot = _Slot()


class _LazyTransformer:
    """Lark binds rule callbacks once, at construction; these forward to the builder of the
    parse in progress."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        if name.startswith("__") or not hasattr(IRBuilder, name):
            raise AttributeError(name)

        def call(children):  # type: ignore[no-untyped-def]
            return getattr(_slot.builder, name)(children)
        return call


def _syntax_error() -> type[UnexpectedInput]:
    """Lark's syntax error class, imported only when a parse fails (an `except` clause
    evaluates its class then)."""
    from lark.exceptions import UnexpectedInput
    return UnexpectedInput


@lru_cache(maxsize=1)
def _parser() -> Lark:
    """Built once per process; Lark's analysis of the grammar is cached on disk (next to the
    check cache), which makes a cold `vdsl check` of a small project ~45 ms faster."""
    from lark import Lark

    grammar = grammar_text()
    options: dict[str, Any] = {
        "parser": "lalr", "lexer": "contextual", "postlex": NewlinePostLex(),
        "transformer": _LazyTransformer(), "maybe_placeholders": True,
        "lexer_callbacks": {"DOC_COMMENT": lambda tok: _slot.builder.record_doc(tok)}}
    cache = _lark_cache_file(grammar)
    if cache is not None:
        try:
            return Lark(grammar, cache=str(cache), **options)
        except Exception:  # noqa: BLE001 - an unreadable cache only costs time
            cache.unlink(missing_ok=True)
    return Lark(grammar, **options)


def _lark_cache_file(grammar: str) -> Path | None:
    import hashlib

    import lark

    from ..compiler import cache_dir
    directory = cache_dir()
    if directory is None:
        return None
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    digest = hashlib.sha256(f"{lark.__version__}\0{grammar}".encode()).hexdigest()[:24]
    return directory / f"lark-{digest}.cache"


def parse_source(source: SourceFile, diags: Diagnostics,
                 broken: list[str] | None = None) -> list[ir.Decl]:
    """Parse one file. Syntax problems are appended to `diags`; the blocks that parse are
    returned even when others do not, and the names of those that do not go to `broken` (so
    later checks do not report them again as undefined)."""
    quick = Diagnostics()
    try:
        decls = _run(source.text, IRBuilder(source, quick))
    except _syntax_error():
        pass
    else:
        diags.extend(quick)
        return decls
    return _parse_blocks(source, diags, broken if broken is not None else [])


def _run(text: str, builder: IRBuilder) -> list[ir.Decl]:
    """The engine (Lark's tables without Lark); Lark itself when the text does not parse,
    so a syntax error is Lark's, with its expected tokens."""
    engine = _engine()
    if engine is not None:
        scratch = Diagnostics()
        trial = IRBuilder(builder.source, scratch, builder.line_offset, builder.pos_offset)
        try:
            decls = engine.parse(text, trial, {"DOC_COMMENT": trial.record_doc})
        except ParseFailed:
            pass
        else:
            builder.diags.extend(scratch)
            builder.docs.update(trial.docs)  # parse_block hands them to the language server
            return decls  # type: ignore[no-any-return]
    with _lock:
        _slot.builder = builder
        return _parser().parse(text)  # type: ignore[return-value]


@lru_cache(maxsize=1)
def _engine() -> Engine | None:
    """None when the grammar uses something the engine does not reproduce (then Lark)."""
    from ..compiler import cache_dir
    try:
        return Engine(tables.load(grammar_text(), cache_dir(), ("DOC_COMMENT",)))
    except tables.Unsupported:
        return None


# ---- recovery: one block at a time -------------------------------------------------------

_SCAN = re.compile(r'(#{1,5})"|"(?:\\.|[^"\\\n])*"|\{//[\s\S]*?//\}|//[^\n]*|[{}()]|\n')
_BOUNDARY = re.compile(
    r"(?:dynamic\s+)?(?:class|enum|function|client(?:<[^>\n]*>)?|retry_policy|test|generator|"
    r"template_string|string_template|type)\s+[A-Za-z_]")
_BOUNDARY_NAME = re.compile(
    r"\s*(?:dynamic\s+)?(?:class|enum|function|client(?:<[^>\n]*>)?|retry_policy|"
    r"template_string|string_template|type)\s+([A-Za-z_][\w-]*)")
_FIRST_WORD = re.compile(r"[ \t]*([A-Za-z_$][\w$-]*(?:<[^>\n]*>)?)")
_STATEMENT_START = re.compile(r"[A-Za-z_$#]")


def split_blocks(text: str) -> list[tuple[int, int]]:
    """Cut a file into top-level blocks: (start, end) offsets, each starting at a line start.

    A block starts at a line that begins with a word outside any braces and parentheses, or at
    column 1 with a block keyword and a name (which resets the depth, so an unclosed brace does
    not swallow the rest of the file).
    """
    starts = [0]
    braces = parens = 0
    pos = 0
    line_start = True
    n = len(text)
    while pos < n:
        if line_start:
            line_start = False
            if _BOUNDARY.match(text, pos):
                braces = parens = 0
                if pos != starts[-1]:
                    starts.append(pos)
            elif braces == 0 and parens == 0 and _STATEMENT_START.match(text, pos) \
                    and pos != starts[-1]:
                starts.append(pos)
        match = _SCAN.search(text, pos)
        if match is None:
            break
        token = match.group(0)
        pos = match.end()
        if match.group(1):
            closing = '"' + match.group(1)
            end = text.find(closing, pos)
            pos = n if end == -1 else end + len(closing)
        elif token == "\n":
            line_start = True
        elif token in _DEPTH:
            braces, parens = _DEPTH[token](braces, parens)
    starts.append(n)
    return [(a, b) for a, b in itertools.pairwise(starts) if a < b]


_DEPTH = {
    "{": lambda b, p: (b + 1, p), "}": lambda b, p: (max(0, b - 1), p),
    "(": lambda b, p: (b, p + 1), ")": lambda b, p: (b, max(0, p - 1)),
}


def _parse_blocks(source: SourceFile, diags: Diagnostics, broken: list[str]) -> list[ir.Decl]:
    decls: list[ir.Decl] = []
    previous_bad = False
    for start, end in split_blocks(source.text):
        block = parse_block(source, start, end, diags, previous_bad)
        decls.extend(block.decls)
        broken.extend(block.broken)
        previous_bad = block.bad_line
    return decls


@dataclass(slots=True)
class Block:
    """What one top-level block (from `split_blocks`) parsed into.

    `ok`: it parsed as written; when every block of a file is ok, the whole file parses and its
    declarations are the blocks' in order, except that a `///` doc comment at the end of one
    block belongs to the first declaration of the next (`docs` holds them, by file line).
    `bad_line`: an unknown top-level line that does not look like a block; the next one is not
    reported again."""

    decls: list[ir.Decl]
    broken: list[str]
    ok: bool
    bad_line: bool
    docs: dict[int, str]


def parse_block(source: SourceFile, start: int, end: int, diags: Diagnostics,
                previous_bad: bool = False) -> Block:
    """Parse `source.text[start:end]`, one block of `split_blocks`, alone (the recovery step of
    `parse_source`; the language server re-parses only the blocks an edit touched)."""
    chunk = source.text[start:end]
    word = _FIRST_WORD.match(chunk)
    keyword = word.group(1) if word else ""
    if keyword and not _known_keyword(keyword, chunk):
        looks_like_block = keyword in UNSUPPORTED or "{" in chunk
        fn_name = _EXPR_FN_NAME.match(chunk)
        broken = [fn_name.group(1)] if fn_name else []  # tests may list it: no "not defined"
        if not previous_bad or looks_like_block:
            _bad_top_level(source, start + (word.start(1) if word else 0), keyword, chunk,
                           diags)
        return Block([], broken, False, not looks_like_block, {})
    line_offset = source.line_col(start)[0] - 1
    builder = IRBuilder(source, diags, line_offset, start)
    mark = len(diags)
    try:
        decls = _run(chunk, builder)
    except _syntax_error() as error:
        _report(error, source, chunk, start, line_offset, keyword, diags, mark)
        named = _BOUNDARY_NAME.match(chunk)
        return Block([], [named.group(1)] if named else [], False, False, {})
    return Block(decls, [], True, False, builder.docs)


def parse_region(source: SourceFile, start: int, end: int, diags: Diagnostics) -> Block | None:
    """`source.text[start:end]` parsed as written, without recovery: None (nothing added to
    `diags`) when it does not parse. Whole-file parses accept what a block alone may not (a
    block cut where a line starts with a word), so the language server tries these too."""
    quick = Diagnostics()
    builder = IRBuilder(source, quick, source.line_col(start)[0] - 1, start)
    try:
        decls = _run(source.text[start:end], builder)
    except _syntax_error():
        return None
    diags.extend(quick)
    return Block(decls, [], True, False, builder.docs)


def _known_keyword(word: str, chunk: str) -> bool:
    if word.startswith("client"):
        return True
    if word == "dynamic":
        return False  # only inside a test's type_builder
    return word in KEYWORDS


def _bad_top_level(source: SourceFile, offset: int, word: str, chunk: str,
                   diags: Diagnostics) -> None:
    line_end = chunk.find("\n")
    first_line = chunk if line_end == -1 else chunk[:line_end]
    span = source.span(offset, offset + len(first_line.strip()))
    if word in UNSUPPORTED:
        diags.error("unsupported-syntax",
                    f"`{word}`: BAML's expression language is not supported by vdsl", span,
                    help="declare functions as `function Name(args) -> Type { client …  "
                         "prompt #\"…\"# }`")
        return
    import difflib  # only a file with a syntax error gets here
    glued = next((k for k in KEYWORDS if word.startswith(k) and len(word) > len(k)
                  and word[len(k)].isupper()), None)
    close = difflib.get_close_matches(word, KEYWORDS, n=1, cutoff=0.6)
    if glued is not None:  # `enumLevel {`: one name to BAML too, not `enum Level`
        message = f"`{word}` is not a keyword"
        help_ = f"did you mean `{glued} {word[len(glued):]}`?"
    elif close and re.match(r"[ \t]*\S+\s+[A-Za-z_]", chunk):
        message = f"Unexpected keyword `{word}`"
        help_ = f"did you mean `{close[0]}`?"
    else:
        message = ("This line is invalid. It does not start with any known keyword")
        help_ = "a top-level line starts with one of: " + ", ".join(
            f"`{k}`" for k in KEYWORDS if k != "client")
    diags.error("syntax-invalid-line", message, span, help=help_)


def _report(error: UnexpectedInput, source: SourceFile, chunk: str, start: int,
            line_offset: int, keyword: str, diags: Diagnostics, mark: int) -> None:
    if any(d.code == "syntax-unterminated-string" for d in diags.since(mark)):
        return  # the unterminated string already explains the rest
    unsupported = _unsupported_statement(chunk, keyword)
    if unsupported is not None:
        line_index, word = unsupported
        line = line_offset + line_index + 1
        span = source.line_span(line)
        what = "function calls" if word == "call" else f"`{word}` statements"
        diags.error("unsupported-syntax",
                    f"{what} (BAML's expression language) are not supported", span,
                    help="a function body holds `client` and `prompt` entries")
        return
    if keyword == "test" and _EXPR_TEST.match(chunk):
        diags.error("unsupported-syntax",
                    "`test Name(…) { … }` (a test written in BAML's expression language) is not "
                    "supported", source.line_span(line_offset + 1),
                    help="write `test Name { functions [F] args { … } }`")
        return
    span, message, help_ = _describe(error, source, chunk, start, keyword)
    diags.error("syntax", message, span, label="here", help=help_)


_EXPR_TEST = re.compile(r"[ \t]*test\s+[A-Za-z_][\w-]*\s*\(")
_EXPR_FN_NAME = re.compile(r"[ \t]*fn\s+([A-Za-z_][\w-]*)")
_STATEMENT = re.compile(r"\s*(let|for|while|if|return|assert|match)\b[\s(]")
_CALL = re.compile(r"\s*([A-Za-z_][\w.]*)\s*\(")
_RAW = re.compile(r'(#{1,5})"[\s\S]*?"\1')


def _unsupported_statement(chunk: str, keyword: str) -> tuple[int, str] | None:
    """The line and word of the first expression-language statement (`let`, `if`, `assert`,
    a call `Name(…)`, …) in the body of a function that failed to parse, or None. Prompts are
    blanked first, so their text never counts."""
    if keyword != "function":
        return None
    depth_marker = chunk.find("{")
    if depth_marker == -1:
        return None
    masked = _RAW.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), chunk)
    offset = 0
    for index, line in enumerate(masked.split("\n")):
        start, offset = offset, offset + len(line) + 1
        if start <= depth_marker:
            continue
        match = _STATEMENT.match(line)
        if match:
            return index, match.group(1)
        call = _CALL.match(line)
        if call and call.group(1) not in ("client", "prompt"):
            return index, "call"
    return None


def _describe(error: UnexpectedInput, source: SourceFile, chunk: str, start: int,
              keyword: str) -> tuple[Span, str, str | None]:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(error, UnexpectedEOF):
        end = start + len(chunk.rstrip())
        span = source.span(max(start, end - 1), end)
        expected = describe_expected(error.expected)
        block = _first_line(chunk)
        return span, f"unexpected end of block; expected {expected}", (
            f"is a `}}` missing? the block starts with `{block}`")
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        offset = start + position
        span = source.span(offset, offset + 1)
        char = chunk[position]
        return span, f"unexpected character `{char}`", _char_help(char)
    assert isinstance(error, UnexpectedToken)
    token: Token = error.token
    if token.type == "$END":
        end = start + len(chunk.rstrip())
        span = source.span(max(start, end - 1), end)
        return span, f"unexpected end of block; expected {describe_expected(error.expected)}", (
            f"is a `}}` missing? the block starts with `{_first_line(chunk)}`")
    offset = start + (token.start_pos or 0)
    span = source.span(offset, offset + max(1, len(token.value.split("\n")[0])))
    previous = error.token_history[-1] if error.token_history else None
    message, help_ = friendly_message(token, previous, error.expected, keyword, chunk)
    return span, message, help_


def _first_line(chunk: str) -> str:
    return chunk.strip().split("\n")[0].strip()


def _char_help(char: str) -> str | None:
    if char == "'":
        return "strings use double quotes: \"…\""
    if char == '"':
        return "a quoted string ends on its line; for text over several lines use a raw " \
               "string `#\"…\"#`"
    if char in "#@":
        return f"`{char}` cannot appear in an unquoted value; quote the value"
    return None


__all__ = ["Block", "describe_token", "grammar_text", "parse_block", "parse_region",
           "parse_source", "split_blocks"]
