"""The language server: LSP over stdio with pygls, wired to the analysis and the features.

Every handler is guarded: a bug or a hostile input yields an empty answer and a log message,
never a crashed or silent server. Edits are analysed after a short pause (DEBOUNCE) so a burst
is analysed once; a request first brings its project up to date.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from cattrs import Converter
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCRequestMessage, default_converter

from .. import __version__
from ..diagnostics import Diagnostic
from ..source import SourceFile
from .actions import formatted, quick_fixes
from .analysis import Snapshot
from .completion import complete
from .convert import Positions, path_of, uri_of
from .hover import hover_text
from .place import place_at
from .preview import render_preview
from .symbols import Occurrence, SymbolIndex
from .workspace import Workspace

__all__ = ["DEBOUNCE", "VdslLanguageServer", "build_server"]

DEBOUNCE = 0.015
"""Seconds between an edit and its analysis; edits in between join it."""
RENDER_PROMPT = "vdsl/renderPrompt"
log = logging.getLogger("vdsl.lsp")
F = TypeVar("F", bound=Callable[..., Any])


def _converter() -> Converter:
    """pygls' converter, except that `vdsl/renderPrompt` keeps its params as plain JSON: pygls
    turns the params of methods it does not know into named tuples, which rename keys that are
    not Python identifiers (an argument named `from` or `_x`)."""
    converter = default_converter()
    structure = converter.get_structure_hook(JsonRPCRequestMessage)

    def hook(obj: Any, cls: type) -> Any:
        if isinstance(obj, dict) and obj.get("method") == RENDER_PROMPT:
            return cls(**obj)
        return structure(obj, cls)

    converter.register_structure_hook(JsonRPCRequestMessage, hook)
    return converter


class VdslLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("vdsl", __version__, converter_factory=_converter)
        self.vdsl = Workspace(self._buffer, self._open_paths)
        self._timer: asyncio.TimerHandle | None = None
        self._stopping = False  # after `shutdown`: nothing more is published

    # ---- text ------------------------------------------------------------------------------

    def _buffer(self, path: str) -> str | None:
        document = self.workspace.text_documents.get(uri_of(path))
        return document.source if document is not None else None

    def _open_paths(self) -> list[str]:
        return [p for uri in self.workspace.text_documents if (p := path_of(uri)) is not None]

    @property
    def positions(self) -> Positions:
        return Positions(self.workspace.position_codec)

    def stop_publishing(self) -> None:
        """On `shutdown`: a pending publish would write to the editor's pipe after `exit`
        closed it."""
        self._stopping = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # ---- analysis and publishing -----------------------------------------------------------

    def changed(self, uri: str, rescan: bool = False) -> None:
        path = path_of(uri)
        if path is None:
            return
        self.vdsl.touch(path, rescan)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None or self._stopping:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._timer = loop.call_later(DEBOUNCE, self.flush)

    def flush(self) -> None:
        self._timer = None
        if self._stopping:
            return
        try:
            self.vdsl.flush()
            for path, diagnostics, source in self.vdsl.take_unpublished():
                self.publish(path, diagnostics, source)
        except Exception:  # the server must keep serving
            log.exception("analysis failed")

    def publish(self, path: str, diagnostics: list[Diagnostic], source: SourceFile | None) -> None:
        sources = {path: source} if source is not None else {}
        positions = self.positions
        uri = uri_of(path)
        document = self.workspace.text_documents.get(uri)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, diagnostics=[positions.diagnostic(d, sources) for d in diagnostics],
            version=document.version if document is not None else None))

    def snapshot(self, path: str) -> Snapshot | None:
        """The project of `path`, up to date (what it found is published right after)."""
        found = self.vdsl.snapshot(path)
        self._schedule()
        return found

    def located(self, uri: str, position: lsp.Position
                ) -> tuple[SymbolIndex, SourceFile, int] | None:
        """The project index, the file and the offset of a request's position."""
        path = path_of(uri)
        if path is None:
            return None
        found = self.vdsl.index(path)
        self._schedule()  # publish what bringing the project up to date found
        if found is None:
            return None
        snapshot, index = found
        source = snapshot.source(path)
        if source is None:
            return None
        return index, source, self.positions.offset(source, position)

    def location(self, index: SymbolIndex, occurrence: Occurrence) -> lsp.Location:
        span = occurrence.span
        return lsp.Location(uri=uri_of(span.file),
                            range=self.positions.range(index.sources.get(span.file), span))


def guarded(default: Callable[[], Any]) -> Callable[[F], F]:
    """Answer `default()` (and log) instead of failing."""
    def wrap(handler: F) -> F:
        @functools.wraps(handler)
        def run(*args: Any) -> Any:
            try:
                return handler(*args)
            except Exception:  # the server must keep serving
                log.exception("%s failed", handler.__name__)
                return default()
        return run  # type: ignore[return-value]
    return wrap


def build_server() -> VdslLanguageServer:
    server = VdslLanguageServer()
    _documents(server)
    _navigation(server)
    _editing(server)
    return server


def _documents(server: VdslLanguageServer) -> None:
    @server.feature(lsp.SHUTDOWN)
    @guarded(lambda: None)
    def shutdown(ls: VdslLanguageServer, params: None) -> None:
        ls.stop_publishing()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @guarded(lambda: None)
    def did_open(ls: VdslLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.changed(params.text_document.uri, rescan=True)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(lambda: None)
    def did_change(ls: VdslLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(lambda: None)
    def did_close(ls: VdslLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @guarded(lambda: None)
    def did_save(ls: VdslLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(lambda: None)
    def watched(ls: VdslLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            ls.changed(change.uri, rescan=change.type != lsp.FileChangeType.Changed)


def _navigation(server: VdslLanguageServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @guarded(lambda: None)
    def hover(ls: VdslLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = ls.located(params.text_document.uri, params.position)
        if found is None:
            return None
        index, source, offset = found
        occurrence = index.at(source.path, offset)
        text = hover_text(index, occurrence) if occurrence is not None else None
        if text is None:
            return None
        assert occurrence is not None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
                         range=ls.positions.range(source, occurrence.span))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @guarded(list)
    def definition(ls: VdslLanguageServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
        found = ls.located(params.text_document.uri, params.position)
        if found is None:
            return []
        index, source, offset = found
        occurrence = index.at(source.path, offset)
        if occurrence is None:
            return []
        return [ls.location(index, o) for o in index.definitions(occurrence.key)]

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    @guarded(list)
    def references(ls: VdslLanguageServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        found = ls.located(params.text_document.uri, params.position)
        if found is None:
            return []
        index, source, offset = found
        occurrence = index.at(source.path, offset)
        if occurrence is None:
            return []
        include = params.context.include_declaration
        return [ls.location(index, o) for o in index.references(occurrence.key)
                if include or not o.definition]


def _editing(server: VdslLanguageServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=[".", "@", "\""]))
    @guarded(list)
    def completion(ls: VdslLanguageServer,
                   params: lsp.CompletionParams) -> list[lsp.CompletionItem]:
        found = ls.located(params.text_document.uri, params.position)
        if found is None:
            return []
        index, source, offset = found
        return complete(place_at(source.text, offset), index, source.text)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    @guarded(list)
    def code_action(ls: VdslLanguageServer,
                    params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        path = path_of(params.text_document.uri)
        snapshot = ls.snapshot(path) if path else None
        source = snapshot.source(path) if snapshot and path else None
        if snapshot is None or source is None or path is None:
            return []
        positions = ls.positions
        wanted = params.range
        actions: list[lsp.CodeAction] = []
        for fix in quick_fixes(snapshot.diagnostics.get(path, []), source):
            where = positions.range(source, fix.span)
            if where.end.line < wanted.start.line or where.start.line > wanted.end.line:
                continue
            edit = lsp.TextEdit(range=where, new_text=fix.replacement)
            actions.append(lsp.CodeAction(
                title=fix.title, kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[positions.diagnostic(fix.diagnostic, {path: source})],
                edit=lsp.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
                is_preferred=len(actions) == 0))
        return actions

    @server.feature(RENDER_PROMPT)
    @guarded(lambda: {"error": "vdsl/renderPrompt failed; see the server log"})
    def render_prompt(ls: VdslLanguageServer, given: Any) -> dict[str, Any]:
        if not isinstance(given, dict) or not isinstance(given.get("uri"), str):
            return {"error": "params must be {uri, function, test?, args?, client?}"}
        path = path_of(given["uri"])
        snapshot = ls.snapshot(path) if path else None
        if snapshot is None:
            return {"error": f"not a file URI: {given['uri']}"}
        return render_preview(snapshot, given)

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    @guarded(list)
    def formatting(ls: VdslLanguageServer,
                   params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
        document = ls.workspace.get_text_document(params.text_document.uri)
        path = path_of(params.text_document.uri) or "<buffer>"
        result = formatted(document.source, path)
        if result is None or result == document.source:
            return []
        source = SourceFile(path, document.source)
        end = ls.positions.position(source, source.line_count,
                                    len(source.line_text(source.line_count)) + 1)
        whole = lsp.Range(start=lsp.Position(line=0, character=0), end=end)
        return [lsp.TextEdit(range=whole, new_text=result)]
