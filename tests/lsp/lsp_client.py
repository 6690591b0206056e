"""A minimal LSP client for the tests: spawns `vdsl lsp` and talks JSON-RPC over its stdio with
Content-Length frames, as an editor does. Replies and notifications are read on a thread."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

TIMEOUT = 60.0


class LspClient:
    def __init__(self, root: Path, env: dict[str, str] | None = None) -> None:
        self.root = root
        environ = dict(os.environ, **(env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vdsl", "lsp"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, cwd=root)
        self._next_id = 0
        self._replies: dict[int, Any] = {}
        self._reply_ready = threading.Condition()
        self.notifications: queue.Queue[dict[str, Any]] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stderr: list[str] = []
        self._errors = threading.Thread(target=self._read_stderr, daemon=True)
        self._errors.start()
        self.versions: dict[str, int] = {}

    # ---- frames ----------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            assert length is not None
            message = json.loads(stream.read(length))
            if "id" in message and "method" not in message:
                with self._reply_ready:
                    self._replies[message["id"]] = message
                    self._reply_ready.notify_all()
            elif "id" in message:  # a request from the server (registerCapability, …)
                self.send({"id": message["id"], "result": None})
            else:
                self.notifications.put(message)

    def _read_stderr(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        for line in iter(stream.readline, b""):
            self.stderr.append(line.decode("utf-8", "replace"))

    @property
    def logged_errors(self) -> str:
        """What the server wrote to stderr (its handlers log failures there)."""
        return "".join(self.stderr)

    def request(self, method: str, params: Any) -> Any:
        """The reply's `result`; a JSON-RPC error fails the test."""
        reply = self.request_raw(method, params)
        assert "error" not in reply, reply
        return reply.get("result")

    def request_raw(self, method: str, params: Any) -> dict[str, Any]:
        self._next_id += 1
        ident = self._next_id
        self.send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + TIMEOUT
        with self._reply_ready:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                assert left > 0, f"no reply to {method} within {TIMEOUT} s"
                self._reply_ready.wait(left)
            return self._replies.pop(ident)  # type: ignore[no-any-return]

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    # ---- editor actions --------------------------------------------------------------------

    def initialize(self) -> dict[str, Any]:
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": self.root.as_uri(),
            "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown"]}}},
            "workspaceFolders": [{"uri": self.root.as_uri(), "name": "root"}]})
        self.notify("initialized", {})
        return result  # type: ignore[no-any-return]

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "baml", "version": 1,
            "text": path.read_text("utf-8") if text is None else text}})
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"text": text}]})

    def edit(self, uri: str, line: int, character: int, end_line: int, end_character: int,
             text: str) -> None:
        self.versions[uri] += 1
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": self.versions[uri]},
            "contentChanges": [{"range": {
                "start": {"line": line, "character": character},
                "end": {"line": end_line, "character": end_character}}, "text": text}]})

    def diagnostics(self, uri: str, version: int | None = None,
                    timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        """The next diagnostics published for `uri` (for `version`, when given)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no diagnostics for {uri}"
            message = self.notifications.get(timeout=left)
            if message.get("method") != "textDocument/publishDiagnostics":
                continue
            params = message["params"]
            if params["uri"] == uri and (version is None or params.get("version") == version):
                return params["diagnostics"]  # type: ignore[no-any-return]

    def drain(self) -> None:
        while not self.notifications.empty():
            self.notifications.get_nowait()

    def at(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}

    def close(self) -> int:
        """shutdown, exit; the exit status."""
        if self.process.poll() is None:
            try:
                self.request("shutdown", None)
                self.notify("exit", None)
            except (OSError, AssertionError):
                self.process.kill()
        try:
            return self.process.wait(timeout=20)
        finally:
            self._errors.join(timeout=5)
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


def position_of(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """(line, character) of the first `needle` in `text`, plus `offset` characters (0-based,
    UTF-16 = characters for the ASCII test files)."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)
