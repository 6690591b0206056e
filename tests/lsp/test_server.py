"""`vdsl lsp` driven over stdio as an editor drives it: JSON-RPC frames in, replies asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lsp_client import LspClient, position_of
from lsp_project import CLIENTS, ENV, FILES, FUNCTIONS, TYPES

from vdsl.fmt import format_text


def _open_all(server: LspClient, project: Path) -> dict[str, str]:
    uris = {}
    for name, text in FILES.items():
        uri = (project / name).as_uri()
        if uri not in server.versions:
            server.open(project / name)
        else:
            server.change(uri, text)
        uris[name] = uri
    return uris


def _labels(items: list[dict[str, Any]]) -> set[str]:
    return {item["label"] for item in items}


def _hover(server: LspClient, uri: str, text: str, needle: str, offset: int = 1) -> str:
    line, character = position_of(text, needle, offset)
    reply = server.request("textDocument/hover", server.at(uri, line, character))
    assert reply is not None, needle
    return reply["contents"]["value"]  # type: ignore[no-any-return]


def test_initialize_advertises_the_features(project: Path) -> None:
    client = LspClient(project)
    try:
        capabilities = client.initialize()["capabilities"]
    finally:
        assert client.close() == 0
    assert capabilities["hoverProvider"] and capabilities["definitionProvider"]
    assert capabilities["referencesProvider"]
    assert "." in capabilities["completionProvider"]["triggerCharacters"]
    assert capabilities["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
    assert capabilities["textDocumentSync"]["change"] == 2  # incremental edits
    assert capabilities["documentFormattingProvider"]
    assert "documentRangeFormattingProvider" not in capabilities


def test_diagnostics_follow_edits(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["functions.vdsl"]
    server.drain()
    line, character = position_of(FUNCTIONS, "-> Priority", 3)
    server.edit(uri, line, character, line, character + len("Priority"), "Priorty")
    found = server.diagnostics(uri, server.versions[uri])
    assert [d["code"] for d in found] == ["unknown-type"]
    only = found[0]
    assert only["severity"] == 1 and only["source"] == "vdsl"
    assert only["range"] == {"start": {"line": line, "character": character},
                             "end": {"line": line, "character": character + len("Priorty")}}
    assert only["data"] == {"code": "unknown-type", "help": "did you mean `Priority`?",
                            "fixes": ["Priority"]}
    assert "did you mean `Priority`?" in only["message"]
    server.edit(uri, line, character, line, character + len("Priorty"), "Priority")
    assert server.diagnostics(uri, server.versions[uri]) == []


def test_diagnostics_are_published_when_a_request_came_first(server: LspClient,
                                                            project: Path) -> None:
    """A request right after an edit analyses it at once; its diagnostics still go out."""
    uris = _open_all(server, project)
    uri = uris["functions.vdsl"]
    server.drain()
    server.change(uri, FUNCTIONS.replace("client Flash", "client Flsh"))
    server.request("textDocument/hover", server.at(uri, 0, 10))
    found = server.diagnostics(uri, server.versions[uri])
    assert [d["code"] for d in found] == ["unknown-client"]
    server.change(uri, FUNCTIONS)
    assert server.diagnostics(uri, server.versions[uri]) == []


def test_an_edit_in_one_file_updates_another(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    server.drain()
    renamed = TYPES.replace("class Ticket {", "class Tickets {")
    server.change(uris["types.vdsl"], renamed)
    found = server.diagnostics(uris["functions.vdsl"])
    assert [d["code"] for d in found] == ["unknown-type"]
    assert found[0]["data"]["fixes"] == ["Tickets"]
    server.change(uris["types.vdsl"], TYPES)
    assert server.diagnostics(uris["functions.vdsl"]) == []


def test_related_locations_and_warnings(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    server.drain()
    doubled = FUNCTIONS + "\nclass Ticket {\n  x string\n}\n"
    server.change(uris["functions.vdsl"], doubled)
    # files are checked in path order: the second declaration (types.vdsl) is the duplicate
    found = server.diagnostics(uris["types.vdsl"])
    duplicate = next(d for d in found if d["code"] == "duplicate-name")
    assert duplicate["range"]["start"]["line"] == TYPES.split("\n").index("class Ticket {")
    related = duplicate["relatedInformation"][0]
    assert related["location"]["uri"] == uris["functions.vdsl"]
    assert related["location"]["range"]["start"]["line"] == doubled.split("\n").index(
        "class Ticket {")
    server.change(uris["functions.vdsl"], FUNCTIONS)
    server.diagnostics(uris["functions.vdsl"], server.versions[uris["functions.vdsl"]])
    server.change(uris["clients.vdsl"], CLIENTS.replace("gemini-2.5-flash", "gemini-2.5-flsh"))
    found = server.diagnostics(uris["clients.vdsl"], server.versions[uris["clients.vdsl"]])
    warning = next(d for d in found if d["code"] == "unknown-model")
    assert warning["severity"] == 2
    assert "gemini-2.5-flash" in warning["data"]["fixes"]
    server.change(uris["clients.vdsl"], CLIENTS)
    assert server.diagnostics(uris["clients.vdsl"], server.versions[uris["clients.vdsl"]]) == []


def test_hover(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    ticket = _hover(server, uris["functions.vdsl"], FUNCTIONS, "ticket: Ticket", 9)
    assert "class Ticket" in ticket and "A support ticket as the model reads it." in ticket
    assert "`customer_id`: `int?` — alias `customerId`" in ticket
    assert "`summary`: `string` — One line" in ticket
    priority = _hover(server, uris["functions.vdsl"], FUNCTIONS, "-> Priority", 4)
    assert "`HIGH` — alias `urgent` — Needs attention today" in priority
    client = _hover(server, uris["functions.vdsl"], FUNCTIONS, "client Flash", 8)
    assert "Provider `vertex-ai`" in client and "Retry policy `Steady`" in client
    assert "family `gemini`" in client and "$0.3 in / $2.5 out per 1M" in client
    assert "inputs: audio, image, pdf, text, video" in client and "us-central1" in client
    signature = _hover(server, uris["functions.vdsl"], FUNCTIONS, "test TriageUrgent", 6)
    assert "Tests `Triage`" in signature
    function = _hover(server, uris["functions.vdsl"], FUNCTIONS, "functions [Triage", 12)
    assert "function Triage(text: string, ticket: Ticket) -> Priority" in function
    claude = _hover(server, uris["clients.vdsl"], CLIENTS, "claude-sonnet-4-5", 2)
    assert "family `anthropic`" in claude and "$3 in / $15 out" in claude


def test_hover_on_env_says_set_or_unset_never_the_value(server: LspClient,
                                                        project: Path) -> None:
    uris = _open_all(server, project)
    set_ = _hover(server, uris["clients.vdsl"], CLIENTS, "env.VDSL_LSP_TEST_PROJECT", 5)
    unset = _hover(server, uris["clients.vdsl"], CLIENTS, "env.VDSL_LSP_TEST_UNSET_KEY", 5)
    assert "`env.VDSL_LSP_TEST_PROJECT` is set" in set_
    assert "`env.VDSL_LSP_TEST_UNSET_KEY` is **not set**" in unset
    assert ENV["VDSL_LSP_TEST_PROJECT"] not in set_ + unset


def _locations(reply: list[dict[str, Any]]) -> set[tuple[str, int, int]]:
    return {(Path(r["uri"]).name if "://" not in r["uri"] else r["uri"].rsplit("/", 1)[-1],
             r["range"]["start"]["line"], r["range"]["start"]["character"]) for r in reply}


@pytest.mark.parametrize(("file", "needle", "offset", "defined_in", "definition"), [
    ("functions.vdsl", "client Flash", 8, "clients.vdsl", "client<llm> Flash"),
    ("functions.vdsl", "-> Priority", 4, "types.vdsl", "enum Priority"),
    ("functions.vdsl", "Instructions(Priority", 2, "types.vdsl", "template_string Instructions"),
    ("functions.vdsl", "Priority.LOW", 2, "types.vdsl", "enum Priority"),
    ("functions.vdsl", "functions [Triage", 12, "functions.vdsl", "function Triage"),
    ("clients.vdsl", "retry_policy Steady\n  options", 14, "clients.vdsl", "retry_policy Steady"),
    ("clients.vdsl", "[Flash, Sonnet]", 9, "clients.vdsl", "client<llm> Sonnet"),
    ("functions.vdsl", "{{ ticket.summary", 4, "functions.vdsl", "function Triage(text"),
])
def test_definition(server: LspClient, project: Path, file: str, needle: str, offset: int,
                    defined_in: str, definition: str) -> None:
    uris = _open_all(server, project)
    text = FILES[file]
    line, character = position_of(text, needle, offset)
    reply = server.request("textDocument/definition", server.at(uris[file], line, character))
    assert len(reply) == 1
    target = reply[0]
    assert target["uri"] == uris[defined_in]
    target_line = FILES[defined_in].split("\n")[target["range"]["start"]["line"]]
    assert target_line.startswith(definition)


def test_references_across_files(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    line, character = position_of(CLIENTS, "client<llm> Flash", 13)
    at = server.at(uris["clients.vdsl"], line, character)
    everywhere = server.request("textDocument/references",
                                {**at, "context": {"includeDeclaration": True}})
    assert _locations(everywhere) == {
        ("clients.vdsl", line, 12),
        ("clients.vdsl", *position_of(CLIENTS, "Flash, Sonnet")),
        ("functions.vdsl", *position_of(FUNCTIONS, "Flash"))}
    uses = server.request("textDocument/references",
                          {**at, "context": {"includeDeclaration": False}})
    assert len(uses) == 2
    line, character = position_of(TYPES, "enum Priority", 6)
    priority = server.request("textDocument/references", {
        **server.at(uris["types.vdsl"], line, character),
        "context": {"includeDeclaration": False}})
    assert _locations(priority) == {
        ("types.vdsl", *position_of(TYPES, "priority Priority", 9)),
        ("types.vdsl", *position_of(TYPES, "p: Priority", 3)),
        ("functions.vdsl", *position_of(FUNCTIONS, "-> Priority", 3)),
        ("functions.vdsl", *position_of(FUNCTIONS, "Priority.LOW"))}


def _complete(server: LspClient, uri: str, text: str) -> list[dict[str, Any]]:
    """Completion at the `|` in `text` (sent as the buffer's content first; the file's own text
    is put back after)."""
    cursor = text.index("|")
    server.change(uri, text.replace("|", "", 1))
    line = text.count("\n", 0, cursor)
    character = cursor - (text.rfind("\n", 0, cursor) + 1)
    items = server.request("textDocument/completion", server.at(uri, line, character))
    server.change(uri, FILES[uri.rsplit("/", 1)[-1]])
    return items  # type: ignore[no-any-return]


def test_completion(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    fn_uri, client_uri, types_uri = uris["functions.vdsl"], uris["clients.vdsl"], uris["types.vdsl"]
    types = _labels(_complete(server, fn_uri, FUNCTIONS.replace("text: string", "text: |")))
    assert {"Ticket", "Priority", "string", "image"} <= types
    assert "Flash" not in types
    clients = _labels(_complete(server, fn_uri, FUNCTIONS.replace("client Flash", "client |")))
    assert {"Flash", "Sonnet", "Both"} <= clients
    assert "vertex-ai/gemini-2.5-flash" in clients
    attributes = _labels(_complete(server, types_uri, TYPES.replace(
        'summary string @description("One line")', "summary string @|")))
    assert {"alias", "description", "check", "assert", "skip"} <= attributes
    options = _complete(server, client_uri, CLIENTS.replace(
        "    location us-central1\n", "    location us-central1\n    |\n", 1))
    by_label = {item["label"]: item for item in options}
    assert {"generationConfig", "safetySettings", "location", "http"} <= set(by_label)
    assert "max_tokens" not in by_label  # a Claude field, not Gemini's
    assert "generationConfig" in by_label["generationConfig"]["documentation"]["value"] or \
        "temperature" in by_label["generationConfig"]["documentation"]["value"]
    claude = _labels(_complete(server, client_uri, CLIENTS.replace(
        "    location us-east5\n", "    location us-east5\n    |\n", 1)))
    assert {"max_tokens", "thinking", "anthropic_version"} <= claude
    models = _labels(_complete(server, client_uri, CLIENTS.replace(
        "model gemini-2.5-flash", "model |")))
    assert {"gemini-2.5-flash", "claude-sonnet-4-5@20250929", "mistral-large-2411"} <= models
    prompt = FUNCTIONS.replace("{{ text }}", "{{ | }}")
    assert {"text", "ticket", "ctx", "_", "Instructions", "Priority"} <= _labels(
        _complete(server, fn_uri, prompt))
    assert _labels(_complete(server, fn_uri, FUNCTIONS.replace("ctx.output_format",
                                                                "ctx.|"))) == {
        "output_format", "client"}
    assert {"role", "suffix"} <= _labels(_complete(server, fn_uri, FUNCTIONS.replace(
        '_.role("user")', "_.|")))
    assert _labels(_complete(server, fn_uri, FUNCTIONS.replace("ticket.summary",
                                                                "ticket.|"))) == {
        "summary", "customer_id", "priority"}
    assert _labels(_complete(server, fn_uri, FUNCTIONS.replace("Priority.LOW",
                                                                "Priority.|"))) == {"LOW", "HIGH"}


def _fix(server: LspClient, uri: str, text: str, old: str, new: str) -> None:
    """The quick fix offered for `old` replaces exactly `old` with `new`."""
    server.change(uri, text)
    diagnostics = server.diagnostics(uri, server.versions[uri])
    assert diagnostics, text
    line, character = position_of(text, old)
    actions = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": line, "character": 0},
                  "end": {"line": line, "character": 200}},
        "context": {"diagnostics": diagnostics}})
    titles = [a["title"] for a in actions]
    assert f"Replace `{old}` with `{new}`" in titles, titles
    action = actions[titles.index(f"Replace `{old}` with `{new}`")]
    assert action["kind"] == "quickfix"
    (edit,) = action["edit"]["changes"][uri]
    assert edit["newText"] == new
    assert edit["range"] == {"start": {"line": line, "character": character},
                             "end": {"line": line, "character": character + len(old)}}


def test_did_you_mean_quick_fixes(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    server.drain()
    fn_uri, client_uri = uris["functions.vdsl"], uris["clients.vdsl"]
    _fix(server, fn_uri, FUNCTIONS.replace("ticket: Ticket", "ticket: Tiket"), "Tiket", "Ticket")
    _fix(server, fn_uri, FUNCTIONS.replace("client Flash", "client Flsh"), "Flsh", "Flash")
    _fix(server, client_uri, CLIENTS.replace("model gemini-2.5-flash", "model gemini-2.5-flsh"),
         "gemini-2.5-flsh", "gemini-2.5-flash")
    _fix(server, client_uri, CLIENTS.replace("location us-central1\n",
                                             "location us-central1\n    generationConfig "
                                             "{ temprature 0.1 }\n", 1),
         "temprature", "temperature")
    _fix(server, fn_uri, FUNCTIONS.replace("{{ text }}", "{{ txt }}"), "txt", "text")
    server.change(fn_uri, FUNCTIONS)
    server.change(client_uri, CLIENTS)


def test_formatting(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["types.vdsl"]
    messy = TYPES.replace("  summary string", "      summary     string")
    server.change(uri, messy)
    options = {"tabSize": 2, "insertSpaces": True}
    (edit,) = server.request("textDocument/formatting",
                             {"textDocument": {"uri": uri}, "options": options})
    assert edit["newText"] == format_text(messy) and "      summary" not in edit["newText"]
    lines = messy.split("\n")
    assert edit["range"] == {"start": {"line": 0, "character": 0},
                             "end": {"line": len(lines) - 1, "character": len(lines[-1])}}
    server.change(uri, edit["newText"])
    assert server.request("textDocument/formatting",
                          {"textDocument": {"uri": uri}, "options": options}) == []
    server.change(uri, "class Broken {\n  x\n")  # never formatted: syntax errors
    assert server.request("textDocument/formatting",
                          {"textDocument": {"uri": uri}, "options": options}) == []
    server.change(uri, TYPES)


def test_render_prompt(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["functions.vdsl"]
    reply = server.request("vdsl/renderPrompt", {"uri": uri, "function": "Triage",
                                                 "test": "TriageUrgent"})
    assert reply["client"] == "Flash"
    assert [m["role"] for m in reply["messages"]] == ["system", "user"]
    user = reply["messages"][1]["parts"][0]["text"]
    assert user.startswith("The site is down down")
    request = reply["request"]
    assert request["method"] == "POST"
    assert request["url"] == (
        "https://us-central1-aiplatform.googleapis.com/v1/projects/project-value-123/locations/"
        "us-central1/publishers/google/models/gemini-2.5-flash:generateContent")
    assert "x-goog-api-key" in request["headers"]  # the API key travels in a header
    assert request["body"]["contents"][0]["parts"][0]["text"].startswith("The site is down")
    with_args = server.request("vdsl/renderPrompt", {
        "uri": uri, "function": "Triage",
        "args": {"text": "hello", "ticket": {"summary": "s", "priority": "LOW"}}})
    assert with_args["messages"][1]["parts"][0]["text"].startswith("hello s")
    missing = server.request("vdsl/renderPrompt", {"uri": uri, "function": "Nope"})
    assert missing == {"function": "Nope", "error": "no function `Nope` in this project"}
    bad_test = server.request("vdsl/renderPrompt", {"uri": uri, "function": "Triage",
                                                    "test": "Nope"})
    assert bad_test["error"] == "no test `Nope` in this project"
    assert "error" in server.request("vdsl/renderPrompt", {"function": "Triage"})


def test_render_prompt_keeps_argument_names_as_sent(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["functions.vdsl"]
    echo = FUNCTIONS + 'function Echo(from: string) -> string {\n  client Flash\n  prompt #"{{ from }}"#\n}\n'
    server.change(uri, echo)
    reply = server.request("vdsl/renderPrompt", {"uri": uri, "function": "Echo",
                                                 "args": {"from": "kept"}})
    assert reply["messages"][0]["parts"][0]["text"] == "kept"
    server.change(uri, FUNCTIONS)


def test_render_prompt_never_shows_a_secret(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    keyed = CLIENTS.replace("env.VDSL_LSP_TEST_UNSET_KEY", "env.VDSL_LSP_TEST_KEY")
    server.change(uris["clients.vdsl"], keyed)
    reply = server.request("vdsl/renderPrompt", {"uri": uris["functions.vdsl"],
                                                 "function": "Triage", "test": "TriageUrgent"})
    assert ENV["VDSL_LSP_TEST_KEY"] not in str(reply)
    assert reply["request"]["headers"]["x-goog-api-key"] == "<redacted>"
    assert "key=" not in reply["request"]["url"]
    server.change(uris["clients.vdsl"], CLIENTS)


def test_a_broken_file_still_answers(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["functions.vdsl"]
    half = FUNCTIONS.replace("test TriageUrgent {", "test TriageUrgent {\n  functions [Tri")
    half = half.replace("  client Flash\n", "  client Flash\n  prompt #\"\n    {{ tex", 1)
    server.change(uri, half)
    found = server.diagnostics(uri, server.versions[uri])
    assert any(d["code"].startswith("syntax") for d in found)
    ticket = _hover(server, uris["types.vdsl"], TYPES, "class Ticket", 7)
    assert "class Ticket" in ticket
    line, character = position_of(CLIENTS, "client<llm> Flash", 13)
    reply = server.request("textDocument/references", {
        **server.at(uris["clients.vdsl"], line, character),
        "context": {"includeDeclaration": True}})
    assert len(reply) >= 2  # the declaration and the strategy entry survive
    assert isinstance(server.request("textDocument/completion", server.at(uri, 0, 0)), list)
    server.change(uri, FUNCTIONS)
    assert server.diagnostics(uri, server.versions[uri]) == []


def test_without_the_extra_it_says_how_to_install(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "pygls"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no pygls here')\n")
    result = subprocess.run([sys.executable, "-m", "vdsl", "lsp"], capture_output=True, check=False,
                            text=True, timeout=60, stdin=subprocess.DEVNULL,
                            env={"PYTHONPATH": str(shadow.parent), "PATH": ""})
    assert result.returncode == 2
    assert "pip install 'vdsl[lsp]'" in result.stderr
    assert result.stdout == ""


def test_pygls_is_imported_only_by_the_server() -> None:
    code = ("import sys, vdsl, vdsl.cli, vdsl.lsp, vdsl.lsp.cli; "
            "vdsl.cli.build_parser(['lsp', '--help']); vdsl.check('samples/resume'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                            timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]", result.stderr


def test_files_created_on_disk_join_the_project(server: LspClient, project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["functions.vdsl"]
    server.drain()
    server.change(uri, FUNCTIONS.replace("ticket: Ticket", "ticket: Note"))
    assert [d["code"] for d in server.diagnostics(uri, server.versions[uri])] == [
        "unknown-type"]
    extra = project / "notes.vdsl"
    extra.write_text("class Note {\n  summary string\n  priority Priority\n}\n")
    try:
        server.notify("workspace/didChangeWatchedFiles",
                      {"changes": [{"uri": extra.as_uri(), "type": 1}]})
        assert server.diagnostics(uri) == []
    finally:
        extra.unlink()
        server.notify("workspace/didChangeWatchedFiles",
                      {"changes": [{"uri": extra.as_uri(), "type": 3}]})
    assert [d["code"] for d in server.diagnostics(uri)] == ["unknown-type"]
    server.change(uri, FUNCTIONS)
    assert server.diagnostics(uri, server.versions[uri]) == []


def test_closing_an_unsaved_buffer_goes_back_to_the_file(server: LspClient,
                                                         project: Path) -> None:
    uris = _open_all(server, project)
    uri = uris["types.vdsl"]
    server.drain()
    server.change(uri, TYPES.replace("priority Priority", "priority Priorty"))
    assert [d["code"] for d in server.diagnostics(uri, server.versions[uri])] == [
        "unknown-type"]
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    del server.versions[uri]
    assert server.diagnostics(uri) == []


@pytest.mark.parametrize(("encoding", "column"), [("utf-16", 33), ("utf-32", 32)])
def test_positions_in_the_negotiated_encoding(tmp_path: Path, encoding: str,
                                              column: int) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "vdsl.toml").write_text("")
    path = root / "emoji.vdsl"
    path.write_text('class A {\n  note string @description("😀") @alas("x")\n}\n')
    client = LspClient(root, {"VDSL_CACHE_DIR": str(tmp_path / "cache")})
    try:
        reply = client.request("initialize", {
            "processId": None, "rootUri": root.as_uri(),
            "capabilities": {"general": {"positionEncodings": [encoding]}}})
        assert reply["capabilities"]["positionEncoding"] == encoding
        client.notify("initialized", {})
        uri = client.open(path)
        (found,) = client.diagnostics(uri)
        assert found["code"] == "unknown-attribute"
        assert found["range"]["start"] == {"line": 1, "character": column}
        hover = client.request("textDocument/hover", client.at(uri, 1, column + 2))
        assert hover is None  # nothing to say about an unknown attribute, and no error
    finally:
        assert client.close() == 0


def test_an_edit_just_before_shutdown_publishes_nothing_after_exit(tmp_path: Path) -> None:
    """A publish still pending at `shutdown` must not write to the pipe `exit` closes."""
    root = tmp_path / "p"
    root.mkdir()
    (root / "vdsl.toml").write_text("")
    path = root / "a.vdsl"
    path.write_text("class A {\n  x int\n}\n")
    for attempt in range(3):
        client = LspClient(root, {"VDSL_CACHE_DIR": str(tmp_path / "cache")})
        client.initialize()
        uri = client.open(path)
        client.change(uri, f"class A {{\n  x Missing{attempt}\n}}\n")
        assert client.close() == 0
        assert "Error sending data" not in client.logged_errors, client.logged_errors
        assert "Traceback" not in client.logged_errors, client.logged_errors
