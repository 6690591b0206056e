"""Point every client of a real-world project at Vertex AI Gemini, the same text for both sides.

Text-level, so it does not depend on the parser under test: strings, raw strings and comments
are masked first (same length, so offsets carry over), then blocks are found by brace
matching. Each LLM client becomes a `vertex-ai` Gemini client of the same name that sends to
`env.PARITY_BASE_URL` with an API key (no token needed) and a `x-parity-case` header (how the
loopback server tells test-block requests apart); the options that change how a prompt is
rendered into messages (`allowed_roles`, `default_role`, `remap_roles`,
`allowed_role_metadata`) are kept, everything else goes. Fallback and round-robin clients stay
as they are; `client "provider/model"` shorthands become the client `ParityShorthand`;
`generator` blocks are dropped (the drivers add their own) and retry policies become
`max_retries 0` (they never change a request; BAML ignores unknown keys in them).
"""

from __future__ import annotations

import re

KEPT_OPTIONS = ("allowed_roles", "default_role", "remap_roles", "allowed_role_metadata")
STRATEGIES = {"fallback", "baml-fallback", "round-robin", "baml-round-robin"}
SHORTHAND = "ParityShorthand"
CLIENT = """client<llm> {name} {{
  provider vertex-ai
  options {{
    model "gemini-2.5-flash"
    project_id "proj"
    base_url env.PARITY_BASE_URL
    query_params {{
      key "parity-key"
    }}
    headers {{
      "x-parity-case" env.PARITY_CASE
    }}
{kept}  }}
}}"""
ENV = {"PARITY_BASE_URL": "{SERVER}/v1/projects/proj/locations/us-central1",
       "PARITY_CASE": "none"}
_RAW = re.compile(r'(#+)"')


def mask(text: str) -> str:
    """`text` with the insides of strings, raw strings and comments replaced by spaces."""
    out, i, n = list(text), 0, len(text)

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        c = text[i]
        raw = _RAW.match(text, i)
        if raw:
            end = text.find('"' + raw.group(1), raw.end())
            end = n if end < 0 else end
            blank(raw.end(), end)
            i = end + 1 + len(raw.group(1))
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, j)
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        else:
            i += 1
    return "".join(out)


def _close(masked: str, open_at: int) -> int:
    """The index just past the bracket that closes the one at `open_at`."""
    pairs = {"{": "}", "[": "]", "(": ")"}
    depth, want = 0, pairs[masked[open_at]]
    for k in range(open_at, len(masked)):
        if masked[k] == masked[open_at]:
            depth += 1
        elif masked[k] == want:
            depth -= 1
            if depth == 0:
                return k + 1
    return len(masked)


_BLOCK = re.compile(r"^[ \t]*(client\s*<\s*llm\s*>|client|generator|function|retry_policy)\s+(\w+)"
                    r"(?:\s*\([^{]*)?[^{\n(]*\{", re.MULTILINE)


def blocks(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, name, start, end) of the client, generator, retry_policy and function blocks."""
    masked, out, pos = mask(text), [], 0
    while True:
        found = _BLOCK.search(masked, pos)
        if not found:
            return out
        end = _close(masked, found.end() - 1)
        kind = "client" if found.group(1).startswith("client") else found.group(1)
        out.append((kind, found.group(2), found.start(), end))
        pos = end


def _entries(text: str, masked: str, start: int, end: int) -> dict[str, tuple[int, int]]:
    """`key value` entries of a block body: key → (start, end) of the whole entry."""
    out: dict[str, tuple[int, int]] = {}
    pattern = re.compile(r"^[ \t]*([A-Za-z_][\w-]*)[ \t]*", re.MULTILINE)
    pos = start
    while True:
        found = pattern.search(masked, pos, end)
        if not found:
            return out
        k = found.end()
        if k < end and masked[k] in "{[":
            stop = _close(masked, k)
        else:
            stop = masked.find("\n", k, end)
            stop = end if stop < 0 else stop
        out.setdefault(found.group(1), (found.start(), stop))
        pos = max(stop, found.end() + 1)


def _option_text(body: str) -> tuple[str | None, str]:
    """A client block's provider and its kept options (indented for CLIENT)."""
    masked = mask(body)
    top = _entries(body, masked, body.index("{") + 1, len(body) - 1)
    provider = None
    if "provider" in top:
        a, b = top["provider"]
        words = body[a:b].split("//")[0].split()
        provider = words[1].strip('"') if len(words) > 1 else None
    kept = ""
    if "options" in top:
        a, b = top["options"]
        inner = body.index("{", a) + 1
        options = _entries(body, masked, inner, b - 1)
        for key in KEPT_OPTIONS:
            if key in options:
                x, y = options[key]
                kept += "    " + body[x:y].strip() + "\n"
    return provider, kept


def rewrite_file(text: str) -> str:
    """One file with its clients pointed at Vertex Gemini and its generators removed."""
    out, last = [], 0
    for kind, name, start, end in blocks(text):
        if kind == "generator":
            out.append(text[last:start])
            last = end
        elif kind == "retry_policy":
            out.append(text[last:start] + f"retry_policy {name} {{\n  max_retries 0\n}}")
            last = end
        elif kind == "client":
            provider, kept = _option_text(text[start:end])
            if provider in STRATEGIES:
                continue
            out.append(text[last:start] + CLIENT.format(name=name, kept=kept))
            last = end
        else:
            out.append(text[last:start] + _shorthand(text[start:end]))
            last = end
    out.append(text[last:])
    return "".join(out)


_SHORTHAND = re.compile(r'^([ \t]*client[ \t]+)(?:"[^"\n/]*/[^"\n]*"|[\w-]+/[\w.-]+)', re.MULTILINE)


def _shorthand(function: str) -> str:
    """`client "openai/gpt-4o"` in a function → `client ParityShorthand` (outside prompts)."""
    masked = mask(function)
    found = [m for m in _SHORTHAND.finditer(function)
             if re.match(r'^[ \t]*client[ \t]+["\w]', masked[m.start():m.end()])]
    for m in reversed(found):
        function = function[:m.start()] + m.group(1) + SHORTHAND + function[m.end():]
    return function


def rewrite_project(files: dict[str, str]) -> dict[str, str]:
    """Every file rewritten, plus `parity_clients.baml` when a shorthand needs its client."""
    out = {path: _strategy_shorthands(rewrite_file(text)) for path, text in files.items()}
    if any(SHORTHAND in text for text in out.values()):
        out["parity_clients.baml"] = CLIENT.format(name=SHORTHAND, kept="") + "\n"
    return out


def _strategy_shorthands(text: str) -> str:
    """`strategy ["openai/gpt-4o", B]` in fallback/round-robin clients → ParityShorthand."""
    for kind, _name, start, end in reversed(blocks(text)):
        if kind == "client":
            fixed = re.sub(r"strategy\s*\[[^\]]*", lambda m: re.sub(
                r'"[\w.-]+/[^"]*"', SHORTHAND, m.group(0)), text[start:end])
            text = text[:start] + fixed + text[end:]
    return text
