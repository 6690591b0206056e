"""Where the cursor is, read from the text alone (the file may not parse): the top-level block
it is in, the `key { … }` maps around it, and whether it is inside a prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..syntax import split_blocks

__all__ = ["Place", "place_at"]

_HEAD = re.compile(r"[ \t]*(?:dynamic[ \t]+)?(client<[^>\n]*>|[A-Za-z_][\w-]*)(?:[ \t]+([A-Za-z_]\w*))?")
_TOKEN = re.compile(r'(#{1,5})"|"(?:\\.|[^"\\\n])*"?|\{//|//[^\n]*|[{}]|\n|[A-Za-z_][\w.-]*')
MAX_SCAN = 200_000
"""Characters of a block scanned before the cursor; beyond that the place is unknown."""


@dataclass
class Place:
    keyword: str = ""
    """The block's keyword (`class`, `function`, `client`, …); empty at the top level."""
    name: str = ""
    path: list[str] = field(default_factory=list)
    """Keys of the maps around the cursor inside the block, outermost first."""
    depth: int = 0
    """Braces open around the cursor inside the block."""
    prompt_start: int | None = None
    """Offset where the raw string holding the cursor starts (inside its `#"`)."""
    line_prefix: str = ""
    block_start: int = 0
    offset: int = 0


def place_at(text: str, offset: int) -> Place:
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    place = Place(line_prefix=text[line_start:offset], offset=offset)
    start = next((a for a, b in split_blocks(text) if a <= offset < b or b == offset == len(text)
                  and a <= offset), 0)
    head = _HEAD.match(text, start)
    if head is None or offset - start > MAX_SCAN:
        return place
    keyword = head.group(1)
    place.keyword = "client" if keyword.startswith("client") else keyword
    place.name = head.group(2) or ""
    place.block_start = start
    _scan(text, start, offset, place)
    if place.depth == 0 and place.prompt_start is None and not _in_head(text, start, offset):
        place.keyword, place.name = "", ""
    return place


def _in_head(text: str, start: int, offset: int) -> bool:
    """Whether the cursor is on the block's first lines before any `{` (a signature)."""
    brace = text.find("{", start, offset)
    return brace == -1 and "\n\n" not in text[start:offset]


def _scan(text: str, start: int, offset: int, place: Place) -> None:
    keys: list[str | None] = []
    last_word: str | None = None
    pos = start
    while pos < offset:
        match = _TOKEN.search(text, pos, offset)
        if match is None:
            break
        token = match.group(0)
        pos = match.end()
        if match.group(1):
            closing = '"' + match.group(1)
            end = text.find(closing, pos)
            if end == -1 or end >= offset:
                place.prompt_start = pos
                return
            pos = end + len(closing)
        elif token == "{//":
            end = text.find("//}", pos)
            pos = offset if end == -1 else end + 3
        elif token == "{":
            keys.append(last_word)
        elif token == "}":
            if keys:
                keys.pop()
        elif token == "\n":
            last_word = None
        elif token[0].isalpha() or token[0] == "_":
            last_word = token
    place.depth = len(keys)
    place.path = [k or "" for k in keys[1:]]
