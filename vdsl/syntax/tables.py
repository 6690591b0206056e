"""The parser's tables, derived from `grammar/vdsl.lark` by Lark and kept as plain data.

Lark analyses the grammar (LALR states, the contextual lexer's terminal sets and their
order, the shape of every rule's children); `engine.py` runs those tables without importing
Lark. The tables are derived at load time and cached on disk under a digest of
the grammar text and this module's format (the file holds the grammar it was derived from,
compared in full when it is read), so an edited grammar is re-derived on first use
(tables derived by another Lark version stay valid: the engine does not run Lark):
`grammar/vdsl.lark` stays the one definition of the language. Anything Lark would do that
the engine does not reproduce makes `derive` raise `Unsupported`, and the parser then uses
Lark itself for everything.
"""

from __future__ import annotations

import marshal
import os
import zlib
from functools import partial
from pathlib import Path
from typing import Any

FORMAT = 4
Tables = dict[str, Any]
"""{"states": [{symbol: action}], "start": int, "end": int,
"rules": [(origin, size, callback name, expand single child, to_include | None, nones)],
"lexers": [(terminals, groups, group_of, unless, ignore, newline types, callback terminals)],
"lexer_of_state": [lexer index per state], "dropped": [terminals no rule keeps]}

An action is a state to shift to (>= 0) or `~rule`, the rule to reduce by (< 0). A lexer's
`terminals` are (name, regular expression, flags) in Lark's order; `groups[group_of[c]]` lists
(by index, in that order) those that can match at an ASCII character `c` (`firstchars.py`),
`groups[group_of[128]]` those that can at any other."""


class Unsupported(Exception):
    """The grammar uses a Lark feature the engine does not reproduce."""


def load(grammar: str, directory: Path | None, callbacks: tuple[str, ...]) -> Tables:
    """The tables for `grammar`: from `directory` when they were derived before, else derived
    now (and written there). `callbacks` names the terminals the parser hands to a lexer
    callback (doc comments)."""
    key = f"{FORMAT}\0{_derivation()}\0{callbacks}\0{grammar}"
    name = f"tables-{FORMAT}-{zlib.crc32(key.encode()):08x}.marshal"  # `key` is checked whole
    path = directory / name if directory is not None else None
    if path is not None:
        try:
            found = marshal.loads(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            found = None
        if isinstance(found, dict) and found.get("key") == key:
            return found
    tables = derive(grammar, callbacks)
    tables["key"] = key
    if path is not None:
        _write(path, marshal.dumps(tables))
    return tables


def _derivation() -> str:
    """A checksum of the code that derives tables, so tables derived by older code are not
    used after an upgrade (their file names differ)."""
    here = os.path.dirname(os.path.abspath(__file__))
    total = 0
    for name in ("tables.py", "firstchars.py"):
        try:
            with open(os.path.join(here, name), "rb") as handle:
                total = zlib.crc32(handle.read(), total)
        except OSError:
            return "?"  # no sources beside the bytecode: FORMAT alone tells versions apart
    return f"{total:08x}"


def _write(path: Path, data: bytes) -> None:
    import tempfile
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only cache only costs time


def derive(grammar: str, callbacks: tuple[str, ...] = ()) -> Tables:
    """Build the Lark parser the fallback path uses (same options) and read its tables."""
    from lark import Lark

    from .postlex import NewlinePostLex
    from .transformer import IRBuilder

    parser = Lark(grammar, parser="lalr", lexer="contextual", postlex=NewlinePostLex(),
                  maybe_placeholders=True, lexer_callbacks={name: _ignore for name in callbacks})
    if any(hasattr(IRBuilder, t.name) for t in parser.terminals):
        raise Unsupported("a transformer callback named after a terminal")
    table = parser.parser.parser.parser.parse_table
    rules, rule_index = _rules(parser)
    states: list[dict[str, int]] = [{} for _ in range(len(table.states))]
    for state, actions in table.states.items():
        for symbol, (action, arg) in actions.items():
            states[state][str(symbol)] = int(arg) if action.name == "Shift" else ~rule_index[arg]
    lexers, lexer_of_state = _lexers(parser.parser.lexer.lexer, len(states))
    return {"states": states, "start": int(table.start_states["start"]),
            "end": int(table.end_states["start"]), "rules": rules, "lexers": lexers,
            "lexer_of_state": lexer_of_state, "dropped": _dropped(parser, rules)}


def _dropped(parser: Any, rules: list[tuple[Any, ...]]) -> list[str]:
    """Terminals no rule keeps among its children (`_COMMA`, `_NL`, …): their values are
    never read, so the engine need not build tokens for them."""
    kept: set[str] = set()
    for (rule, _chain), (_o, _s, _n, _e, include, _p) in zip(
            parser._parse_tree_builder.rule_builders, rules, strict=True):
        positions = range(len(rule.expansion)) if include is None else [i for i, _, _ in include]
        kept.update(str(rule.expansion[i].name) for i in positions if rule.expansion[i].is_term)
    return sorted(str(t.name) for t in parser.terminals if str(t.name) not in kept)


def _ignore(token: Any) -> None:
    return None


def _rules(parser: Any) -> tuple[list[tuple[Any, ...]], dict[Any, int]]:
    from lark.parse_tree_builder import (
        ChildFilter,
        ChildFilterLALR,
        ChildFilterLALR_NoPlaceholders,
        ExpandSingleChild,
    )

    rules: list[tuple[Any, ...]] = []
    index: dict[Any, int] = {}
    for rule, chain in parser._parse_tree_builder.rule_builders:
        expand1, include, nones = False, None, 0
        for wrapper in chain:
            if wrapper is ExpandSingleChild:
                expand1 = True
            elif isinstance(wrapper, partial) and wrapper.func in (ChildFilter, ChildFilterLALR):
                include = [(int(i), bool(e), int(n)) for i, e, n in wrapper.args[0]]
                nones = int(wrapper.args[1])
            elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR_NoPlaceholders:
                include = [(int(i), bool(expand), 0) for i, expand in wrapper.args[0]]
            else:
                raise Unsupported(f"rule wrapper {wrapper!r}")
        name = rule.alias or rule.options.template_source or rule.origin.name
        index[rule] = len(rules)
        rules.append((str(rule.origin.name), len(rule.expansion), str(name), expand1,
                       include, nones))
    return rules, index


def _lexers(contextual: Any, n_states: int) -> tuple[list[tuple[Any, ...]], list[int]]:
    from lark.lexer import PatternStr, UnlessCallback

    configs: list[tuple[Any, ...]] = []
    seen: dict[int, int] = {}
    of_state = [-1] * n_states
    for state, lexer in contextual.lexers.items():
        if id(lexer) not in seen:
            scanner = lexer.scanner  # builds Lark's alternation and its keyword callbacks
            unless: dict[str, dict[str, str]] = {}
            callbacks = []
            for name, callback in lexer.callback.items():
                if isinstance(callback, UnlessCallback):
                    literals = {}
                    for term in callback.scanner.terminals:
                        if not isinstance(term.pattern, PatternStr) or term.pattern.flags:
                            raise Unsupported(f"keyword {term.name} with flags")
                        literals[str(term.pattern.value)] = str(term.name)
                    unless[str(name)] = literals
                elif name in lexer.user_callbacks and callback is lexer.user_callbacks[name]:
                    callbacks.append(str(name))
                else:
                    raise Unsupported(f"lexer callback {callback!r}")
            terminals, groups, group_of = _terminals(scanner)
            seen[id(lexer)] = len(configs)
            configs.append((terminals, groups, group_of, unless,
                            sorted(map(str, lexer.ignore_types)),
                            sorted(map(str, lexer.newline_types)), sorted(callbacks)))
        of_state[state] = seen[id(lexer)]
    return configs, of_state


def _terminals(scanner: Any) -> tuple[list[tuple[str, str, int]], list[tuple[int, ...]],
                                      list[int]]:
    """A scanner's terminals, each its own expression (Lark joins them into one alternation,
    tried in this order), and which of them to try at each character."""
    from .firstchars import first_chars

    terminals = [(str(t.name), str(t.pattern.to_regexp()), int(scanner.g_regex_flags))
                 for t in scanner.terminals]
    joined = "|".join(f"(?P<{name}>{source})" for name, source, _ in terminals)
    if joined != "|".join(str(mre.pattern) for mre in scanner._mres):
        raise Unsupported("the lexer's alternation is not its terminals in order")
    starts = [first_chars(source, flags) for _, source, flags in terminals]
    index: dict[tuple[int, ...], int] = {}
    group_of = []
    for code in range(129):
        found = tuple(i for i, (chars, other) in enumerate(starts)
                      if (chr(code) in chars if code < 128 else other))
        group_of.append(index.setdefault(found, len(index)))
    return terminals, list(index), group_of
