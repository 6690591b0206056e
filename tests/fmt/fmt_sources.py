"""Hypothesis strategies: valid `.vdsl` projects written in a random layout.

A project is built from declarations that compile together (classes, enums, aliases,
clients, retry policies, template strings, functions, tests, a generator). Each declaration
is a list of lines of atomic tokens; the layout is then drawn at random: indentation (spaces
or tabs), the spaces between tokens (none where the language allows it), blank lines,
standalone and trailing `//` comments, `{// //}` block comments, and `///` docs. Raw prompt
strings, unquoted values with inner spaces and quoted strings are drawn too, and never
touched by the layout: only what the formatter may change is random.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

WORDY = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_\"#")


@dataclass
class Line:
    tokens: list[str]
    continuation: bool = False
    """A line that starts with a single-@ attribute (it continues the line above)."""


@dataclass
class Decl:
    lines: list[Line]
    doc: list[str] = field(default_factory=list)


names = st.sampled_from(["alpha", "beta", "gamma", "delta", "eps", "zeta"])
words = st.text("abcdefghij klm", min_size=1, max_size=12).map(str.strip).filter(bool)
quoted = words.map(lambda w: '"' + w.replace("\\", "") + '"')
prompt_lines = st.sampled_from([
    "Extract the data.", "    indented more", "", "{{ _.role(\"user\") }}",
    "{{ ctx.output_format }}", "Use {{ text }} here.", "  trailing  ", "{% if text %}x{% endif %}",
    "# not a comment", "// not a comment either", "@not_an_attribute", "}} {{ text }} {",
])


@st.composite
def raw_string(draw: st.DrawFn, needs: tuple[str, ...] = ()) -> str:
    hashes = draw(st.integers(1, 3))
    indent = draw(st.sampled_from(["", "  ", "    ", "\t"]))
    body = draw(st.lists(prompt_lines, max_size=5)) + [f"{{{{ {n} }}}}" for n in needs]
    if hashes > 1:
        body.append('a "# inside')
    inline = draw(st.booleans()) and len(body) <= 1
    mark = "#" * hashes
    if inline:
        return f'{mark}"{" ".join(body)}"{mark}'
    return f'{mark}"\n' + "\n".join(indent + line for line in body) + f'\n{indent}"{mark}'


@st.composite
def field_type(draw: st.DrawFn, classes: list[str]) -> list[str]:
    base = draw(st.sampled_from(["string", "int", "float", "bool", *classes]))
    choice = draw(st.integers(0, 5))
    if choice == 1:
        return [base, "?"]
    if choice == 2:
        return [base, "[", "]"]
    if choice == 3:
        return ["map", "<", "string", ",", base, ">"]
    if choice == 4:
        return ["(", "int", "|", "string", ")", "[", "]"]
    if choice == 5:
        return ['"lit"', "|", '"other"']
    return [base]


@st.composite
def description(draw: st.DrawFn) -> list[str]:
    return ["@description", "(", draw(st.one_of(quoted, raw_string())), ")"]


@st.composite
def class_decl(draw: st.DrawFn, name: str, classes: list[str]) -> Decl:
    lines = [Line(["class", name, "{"])]
    fields = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    for index, fname in enumerate(fields):
        tokens = [fname, *draw(field_type(classes))]
        if draw(st.booleans()):
            tokens += ["@alias", "(", draw(quoted), ")"]
        lines.append(Line(tokens))
        if draw(st.integers(0, 3)) == 0:
            lines.append(Line(draw(description()), continuation=True))
        if index == 0 and draw(st.booleans()):
            lines.append(Line(["@@description", "(", draw(quoted), ")"]))
    lines.append(Line(["}"]))
    return Decl(lines, draw(st.lists(words, max_size=2)))


@st.composite
def enum_decl(draw: st.DrawFn, name: str) -> Decl:
    lines = [Line(["enum", name, "{"])]
    for value in draw(st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, unique=True)):
        tokens = [value]
        if draw(st.booleans()):
            tokens += ["@description", "(", draw(quoted), ")"]
        lines.append(Line(tokens))
    lines.append(Line(["}"]))
    return Decl(lines, draw(st.lists(words, max_size=1)))


@st.composite
def client_decl(draw: st.DrawFn, name: str, policy: str | None) -> Decl:
    lines = [Line(["client<llm>", name, "{"]), Line(["provider", "vertex-ai"])]
    if policy:
        lines.append(Line(["retry_policy", policy]))
    lines.append(Line(["options", "{"]))
    lines.append(Line(["model", draw(st.sampled_from(["gemini-2.5-flash", '"gemini-2.5-pro"']))]))
    lines.append(Line(["location", "us-central1"]))
    if draw(st.booleans()):
        lines.append(Line(["generationConfig", "{", "temperature", "0.5", ",",
                           "maxOutputTokens", "100", "}"]))
    else:
        lines += [Line(["generationConfig", "{"]), Line(["temperature", "0.2"]),
                  Line(["topP", "0.9"]), Line(["}"])]
    if draw(st.booleans()):
        lines.append(Line(["labels", "{", "team", draw(quoted), "}"]))
    if draw(st.booleans()):
        lines.append(Line(["stop_words", "[", '"END"', ",", '"STOP"', "]"]))
    lines += [Line(["}"]), Line(["}"])]
    return Decl(lines, draw(st.lists(words, max_size=1)))


def retry_decl(name: str) -> Decl:
    return Decl([Line(["retry_policy", name, "{"]), Line(["max_retries", "2"]),
                 Line(["strategy", "{"]), Line(["type", "exponential_backoff"]),
                 Line(["delay_ms", "100"]), Line(["}"]), Line(["}"])])


@st.composite
def function_decl(draw: st.DrawFn, name: str, client: str, returns: list[str]) -> Decl:
    multi = draw(st.booleans())
    head = ["function", name, "("]
    params = [["text", ":", "string"], ["count", ":", "int", "?"]]
    if multi:
        lines = [Line(head), Line(params[0] + [","]), Line(params[1]),
                 Line([")", "->", *returns, "{"])]
    else:
        lines = [Line(head + params[0] + [","] + params[1] + [")", "->", *returns, "{"])]
    lines.append(Line(["client", client]))
    lines.append(Line(["prompt", draw(raw_string(needs=("text",)))]))
    lines.append(Line(["}"]))
    return Decl(lines, draw(st.lists(words, max_size=2)))


@st.composite
def test_decl(draw: st.DrawFn, name: str, function: str) -> Decl:
    lines = [Line(["test", name, "{"]), Line(["functions", "[", function, "]"])]
    value = draw(st.one_of(quoted, raw_string(), words.filter(lambda w: w[0].isalpha())
                           .map(lambda w: "x " + w)))
    if draw(st.booleans()):
        lines.append(Line(["args", "{", "text", value, "}"]))
    else:
        lines += [Line(["args", "{"]), Line(["text", value]), Line(["count", "3"]), Line(["}"])]
    if draw(st.booleans()):
        lines.append(Line(["@@assert", "(", "ok", ",", "{{ this is not none }}", ")"]))
    lines.append(Line(["}"]))
    return Decl(lines)


@st.composite
def project_decls(draw: st.DrawFn) -> list[Decl]:
    classes = [f"Thing{i}" for i in range(draw(st.integers(1, 3)))]
    decls = [draw(class_decl(name, classes[:i])) for i, name in enumerate(classes)]
    decls.append(draw(enum_decl("Mood")))
    decls.append(Decl([Line(["type", "Either", "=", classes[0], "|", "Mood"])]))
    decls.append(retry_decl("Careful"))
    decls.append(draw(client_decl("Main", "Careful")))
    decls.append(Decl([Line(["template_string", "Greeting", "(", "who", ":", "string", ")",
                             draw(raw_string(needs=("who",)))])]))
    returns = draw(st.sampled_from([[classes[-1]], ["string"], ["Mood", "[", "]"],
                                    ["Either", "?"]]))
    decls.append(draw(function_decl("Extract", "Main", returns)))
    decls.append(draw(test_decl("First", "Extract")))
    decls.append(Decl([Line(["generator", "python", "{"]),
                       Line(["output_type", '"python/pydantic"']), Line(["}"])]))
    return draw(st.permutations(decls))


def _gap(draw: st.DrawFn, left: str, right: str) -> str:
    if (left[-1] in WORDY or left.startswith("client<")) and right[0] in WORDY:
        return draw(st.sampled_from([" ", "  ", "\t"]))
    return draw(st.sampled_from(["", "", " ", "  "]))


@st.composite
def layout_source(draw: st.DrawFn) -> str:
    """A valid project in a random layout."""
    out: list[str] = []
    for decl in draw(project_decls()):
        out.extend([""] * draw(st.integers(0, 2)))
        if draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(["// a comment", "{// block\n   comment //}"])))
        out.extend(f"/// {line}" for line in decl.doc)
        for index, line in enumerate(decl.lines):
            if index and not line.continuation and draw(st.integers(0, 5)) == 0:
                out.append(draw(st.sampled_from(["", "  // inside", "\t// tab comment"])))
            indent = draw(st.sampled_from(["", " ", "  ", "    ", "\t", "      "]))
            text = line.tokens[0]
            for left, right in zip(line.tokens, line.tokens[1:], strict=False):
                text += _gap(draw, left, right) + right
            if draw(st.integers(0, 6)) == 0:
                text += draw(st.sampled_from([" // note", "  // two", "\t//tab"]))
            out.append(indent + text + draw(st.sampled_from(["", " ", "\t"])))
    out.extend([""] * draw(st.integers(0, 2)))
    return "\n".join(out) + draw(st.sampled_from(["", "\n", "\n\n"]))
