"""Request parity with BAML: build BAML's request (through `baml_driver.py`, run by a python
that has baml-py) and vdsl's for the same function and arguments, and compare them.

A case directory holds `*.baml` sources (no `generator` block: the driver adds one) and
`cases.json`: `{"env": {...}, "cases": [{"id", "fn", "args", "stream"?, "raw"?}]}` (`raw`: the arguments go
to BAML's runtime as given, so an omitted key stays omitted, as in a test block), or
`{"id", "fn", "test"}`: the test block's own `args`, as `baml-cli test` sends them (the
client must send `x-parity-case` from `env.PARITY_CASE` and use `base_url "{SERVER}/…"`
from env, so the request reaches the loopback server below). In arguments,
`{"$media": "image"|"pdf"|"audio"|"video", "url"|"base64", "media_type"?}` is a media value
and `{SERVER}` the loopback server below; `"$SERVICE_ACCOUNT"` in env is a fake
service-account JSON whose token endpoint is that server.

What is compared: method, URL, headers (lower-cased; auth and client-identification headers
left out) and the JSON body *with its key order*. `DELIBERATE` lists vdsl's documented
differences from BAML (README "Deliberate differences from BAML"); each is one function that
rewrites BAML's request into what vdsl sends on purpose, and nothing else is forgiven.
"""

from __future__ import annotations

import copy
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

HERE = Path(__file__).parent
DRIVER = HERE / "baml_driver.py"
CASES = HERE / "cases"

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# path -> (bytes, content-type the server announces)
MEDIA = {
    "/pixel.png": (PNG, "image/png"),
    "/pixel": (PNG, "image/png"),
    "/untyped": (PNG, "application/octet-stream"),
    "/doc.pdf": (PDF, "application/pdf"),
}
IGNORED_HEADERS = {"authorization", "user-agent", "x-goog-api-client", "x-goog-user-project",
                   # added by the HTTP client when BAML really sends (test-block cases)
                   "accept", "accept-encoding", "host", "content-length", "connection"}


# ---- loopback server: token endpoint + media --------------------------------------------

CAPTURED: dict[str, dict[str, Any]] = {}
"""Requests BAML really sent while running a test block (`baml-cli test`), by the case id in
their `x-parity-case` header: the only way to see how BAML reads a test's `args`."""

_SSE_REPLY = (b'data: {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]},'
              b' "finishReason": "STOP"}]}\r\n\r\n')


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        case = self.headers.get("x-parity-case")
        if case is None:
            self._reply(json.dumps({"access_token": "parity-token", "expires_in": 3600,
                                    "token_type": "Bearer"}).encode(), "application/json")
            return
        CAPTURED[case] = {"method": "POST", "url": self.path, "headers": dict(self.headers),
                          "body": json.loads(body)}
        self._reply(_SSE_REPLY, "text/event-stream")

    def do_GET(self) -> None:
        found = MEDIA.get(self.path)
        if found is None:
            self.send_response(404)
            self.end_headers()
            return
        self._reply(*found)

    def _reply(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def loopback_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def fake_service_account(token_uri: str) -> str:
    """A service-account JSON with a throwaway RSA key (BAML signs a JWT with it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return json.dumps({
        "type": "service_account", "project_id": "sa-project", "private_key_id": "k1",
        "private_key": pem, "client_email": "parity@sa-project.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": token_uri})


# ---- BAML side ---------------------------------------------------------------------------

def baml_python() -> str | None:
    """A python with baml-py: `$VDSL_BAML_PYTHON`, or this one if it has baml-py."""
    configured = os.environ.get("VDSL_BAML_PYTHON")
    if configured:
        return configured
    try:
        import baml_py  # noqa: F401
    except ImportError:
        return None
    return sys.executable


def baml_requests(python: str, case_dirs: list[Path], server: str, sa: str) -> dict[str, Any]:
    env = {**os.environ, "PARITY_SERVER": server, "PARITY_SERVICE_ACCOUNT": sa,
           "NO_PROXY": "127.0.0.1,localhost", "BAML_LOG": "off"}
    proc = subprocess.run([python, str(DRIVER), *map(str, case_dirs)], capture_output=True,
                          text=True, env=env, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"baml driver failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


# ---- vdsl side ---------------------------------------------------------------------------

def _vdsl_value(value: Any, server: str) -> Any:
    from vdsl.media import Audio, Image, Pdf, Video
    kinds = {"image": Image, "pdf": Pdf, "audio": Audio, "video": Video}
    if isinstance(value, str):
        return value.replace("{SERVER}", server)
    if isinstance(value, list):
        return [_vdsl_value(v, server) for v in value]
    if isinstance(value, dict):
        if "$media" in value:
            cls = kinds[value["$media"]]
            if "url" in value:
                return cls.from_url(value["url"].replace("{SERVER}", server),
                                    value.get("media_type"))
            return cls.from_base64(value["base64"], value["media_type"])
        return {k: _vdsl_value(v, server) for k, v in value.items()}
    return value


def _settings(project: Any, case: dict[str, Any]) -> Any:
    """The call settings a case's `tb` / `registry` snippets make — the same Python text the
    BAML driver runs against BAML's TypeBuilder and ClientRegistry."""
    from vdsl import ClientRegistry, TypeBuilder
    from vdsl.runtime.settings import resolve
    options: dict[str, Any] = {}
    if "tb" in case:
        tb = TypeBuilder(project)
        exec(case["tb"], {"tb": tb})  # noqa: S102 - the case's own builder calls
        options["tb"] = tb
    if "registry" in case:
        cr = ClientRegistry()
        exec(case["registry"], {"cr": cr})  # noqa: S102
        options["client_registry"] = cr
    return resolve(project, options, {})


def vdsl_requests(case_dir: Path, server: str, sa: str) -> dict[str, Any]:
    """The request each case's call would send (the bearer token is added when sending).

    `Runtime.build_request` is the offline preview (placeholders for the project and for
    media downloads), so this builds the request the way a call does: media are fetched
    (from the loopback server) and the project comes from the credentials.
    """
    import vdsl
    from vdsl.runtime import MediaPolicy, Runtime
    spec = json.loads((case_dir / "cases.json").read_text())
    env = {k: (sa if v == "$SERVICE_ACCOUNT" else v) for k, v in spec.get("env", {}).items()}
    out: dict[str, Any] = {}
    try:
        project = vdsl.load(case_dir)
    except Exception as exc:  # noqa: BLE001 (reported as a difference)
        return {"$compile_error": str(exc)}
    env = {k: v.replace("{SERVER}", server) for k, v in env.items()}
    # the media this harness serves lives on 127.0.0.1, which downloads refuse unless allowed
    with Runtime(project, env=env, media=MediaPolicy(allow=("loopback",))) as rt:
        for case in spec["cases"]:
            args = _vdsl_value(case.get("args", {}), server)
            headers = None
            if "test" in case:  # the test block's args, as `vdsl test` would pass them
                from vdsl.render.snapshots import test_arguments
                args, _base = test_arguments(project.test(case["test"], case["fn"]),
                                             project.function(case["fn"]))
                headers = {"x-parity-case": case["id"]}
            try:
                settings = _settings(project, case)
                req = rt._prepare(case["fn"], args, settings.client, None, headers,
                                  stream=bool(case.get("stream") or "test" in case),
                                  settings=settings)
            except Exception as exc:  # noqa: BLE001 (vdsl's error is compared too)
                out[case["id"]] = {"error": f"{type(exc).__name__}: {exc}"}
                continue
            r = req.request
            url, headers = r.sendable()  # what goes on the wire, secrets included
            out[case["id"]] = {"method": r.method, "url": url, "headers": headers,
                               "body": r.body}
    return out


# ---- deliberate differences --------------------------------------------------------------

@dataclass
class Ctx:
    source: str            # the case's .baml text
    fn: str                # the function called
    baml: dict[str, Any]   # BAML's request (being rewritten)
    vdsl: dict[str, Any]   # vdsl's request
    notes: list[str] = field(default_factory=list)
    registry: bool = False  # the case adds clients with a ClientRegistry


def _is_claude(req: dict[str, Any]) -> bool:
    return ":rawPredict" in req.get("url", "") or ":streamRawPredict" in req.get("url", "")


def _blocks(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from body["system"] if isinstance(body.get("system"), list) else []
    for message in body.get("messages", []):
        if isinstance(message.get("content"), list):
            yield from message["content"]


def gemini_assistant_is_model(ctx: Ctx) -> None:
    # README: "Gemini roles: `assistant` is sent as `model` (Gemini rejects `assistant`; BAML
    # sends it as is) unless `remap_roles` says otherwise."
    body = ctx.baml.get("body")
    if not body or _is_claude(ctx.baml) or "assistant" in _remaps(_client_block(ctx)):
        return
    for content in body.get("contents", []):
        if content.get("role") == "assistant":
            content["role"] = "model"
            ctx.notes.append("gemini_assistant_is_model")


def _client_block(ctx: Ctx) -> str:
    """The source of the client the called function uses (text match, enough for the cases)."""
    fn = re.search(rf"function\s+{re.escape(ctx.fn)}\s*\(.*?\bclient\s+\"?([\w-]+)",
                   ctx.source, re.DOTALL)
    if not fn:
        return ctx.source
    client = re.search(rf"client<llm>\s+{re.escape(fn.group(1))}\s*\{{(.*?)\n\}}",
                       ctx.source, re.DOTALL)
    return client.group(1) if client else ctx.source


def _remaps(source: str) -> str:
    found = re.findall(r"remap_roles\s*\{([^}]*)\}", source)
    return "\n".join(found)


def claude_anthropic_version_default(ctx: Ctx) -> None:
    # README: "`anthropic_version` defaults to `vertex-2023-10-16` (BAML: `2023-06-01`, which
    # Vertex rejects)". Only when the client does not set it.
    body = ctx.baml.get("body")
    if (body and _is_claude(ctx.baml) and "anthropic_version" not in _client_block(ctx)
            and body.get("anthropic_version") == "2023-06-01"):
        body["anthropic_version"] = "vertex-2023-10-16"
        ctx.notes.append("claude_anthropic_version_default")


def claude_max_tokens_default(ctx: Ctx) -> None:
    # README: "`max_tokens` defaults to the model's catalog value (BAML: 4096)". Only when
    # the client does not set it; the key keeps BAML's position.
    body, theirs = ctx.baml.get("body"), (ctx.vdsl.get("body") or {}).get("max_tokens")
    if (body and _is_claude(ctx.baml) and "max_tokens" not in _client_block(ctx)
            and body.get("max_tokens") == 4096 and isinstance(theirs, int) and theirs > 0):
        body["max_tokens"] = theirs
        ctx.notes.append("claude_max_tokens_default")


def claude_cache_control_kept(ctx: Ctx) -> None:
    # README: "`cache_control` role metadata is honoured (BAML drops it)" on Claude. BAML's
    # blocks lack it: take vdsl's cache_control over, when allowed_role_metadata allows it.
    if not (ctx.baml.get("body") and ctx.vdsl.get("body") and _is_claude(ctx.baml)):
        return
    if "allowed_role_metadata" not in _client_block(ctx):
        return
    mine = list(_blocks(ctx.baml["body"]))
    theirs = list(_blocks(ctx.vdsl["body"]))
    if len(mine) != len(theirs):
        return
    for a, b in zip(mine, theirs):
        if "cache_control" in b and "cache_control" not in a:
            a["cache_control"] = b["cache_control"]
            ctx.notes.append("claude_cache_control_kept")


def gemini_cache_control_dropped(ctx: Ctx) -> None:
    # README: "`cache_control` on a Gemini client marks where a context cache ends; it is not
    # sent inside Gemini parts (BAML copies it there, and Vertex refuses unknown part fields)".
    mine = ctx.baml.get("body")
    if not mine or _is_claude(ctx.baml):
        return
    contents = [mine.get("system_instruction"), *mine.get("contents", [])]
    for content in contents:
        for part in (content or {}).get("parts", []) if isinstance(content, dict) else []:
            if isinstance(part, dict) and "cache_control" in part:
                del part["cache_control"]
                ctx.notes.append("gemini_cache_control_dropped")


def claude_url_media_inlined(ctx: Ctx) -> None:
    # README: "URL images and PDFs are downloaded and sent as base64 (Vertex rejects URL
    # sources)". BAML's `{"type": "url"}` source becomes vdsl's base64 source for the same
    # block; the data must be what the URL serves.
    if not (ctx.baml.get("body") and ctx.vdsl.get("body") and _is_claude(ctx.baml)):
        return
    mine = list(_blocks(ctx.baml["body"]))
    theirs = list(_blocks(ctx.vdsl["body"]))
    if len(mine) != len(theirs):
        return
    import base64
    for a, b in zip(mine, theirs):
        src, other = a.get("source") or {}, b.get("source") or {}
        if src.get("type") == "url" and other.get("type") == "base64":
            served = MEDIA.get("/" + src["url"].split("/", 3)[-1])
            if served and base64.b64decode(other["data"]) == served[0]:
                a["source"] = copy.deepcopy(other)
                ctx.notes.append("claude_url_media_inlined")


def send_url_type_from_name(ctx: Ctx) -> None:
    # README: "Media URLs with `send_url` get their media type from the file name when it
    # shows one (BAML asks for one); so do `gs://` URLs under `send_url_add_mime_type` (BAML
    # tries to download them and fails)." BAML refuses to build the request; vdsl sends it.
    error = ctx.baml.get("error", "")
    gs = "gs://" in error and "URL scheme is not allowed" in error
    if ("Please specify a media type" in error or gs) and ctx.vdsl.get("body"):
        ctx.baml.clear()
        ctx.baml.update(copy.deepcopy(ctx.vdsl))
        ctx.notes.append("send_url_type_from_name")


def express_mode_without_project(ctx: Ctx) -> None:
    # README: "express mode (an API key and no project: BAML errors)".
    if ("project_id is required when using API key auth" in ctx.baml.get("error", "")
            and ctx.vdsl.get("url", "").startswith("https://aiplatform.googleapis.com/v1/publishers/")):
        ctx.baml.clear()
        ctx.baml.update(copy.deepcopy(ctx.vdsl))
        ctx.notes.append("express_mode_without_project")


def api_key_header(ctx: Ctx) -> None:
    # README: "The API key travels in the `x-goog-api-key` header ... not as `?key=` in the
    # URL". BAML's URL with `key=K` equals vdsl's URL plus the header `x-goog-api-key: K`.
    url, headers = ctx.baml.get("url", ""), ctx.vdsl.get("headers", {})
    base, sep, query = url.partition("?")
    pairs = query.split("&") if sep else []
    keys = [p for p in pairs if p.startswith("key=")]
    if len(keys) != 1 or "x-goog-api-key" not in headers:
        return
    if unquote_plus(keys[0][4:]) != headers["x-goog-api-key"]:
        return
    rest = [p for p in pairs if p != keys[0]]
    ctx.baml["url"] = base + ("?" + "&".join(rest) if rest else "")
    ctx.baml.setdefault("headers", {})["x-goog-api-key"] = headers["x-goog-api-key"]
    ctx.notes.append("api_key_header")


def baml_metadata_order(ctx: Ctx) -> None:
    # Not a vdsl difference: BAML keeps role metadata in a hash map, so the order of the
    # metadata keys on a Gemini part changes from run to run. vdsl keeps the template's order;
    # only the order is forgiven (same keys, same values).
    mine, theirs = ctx.baml.get("body"), ctx.vdsl.get("body")
    if not (mine and theirs) or _is_claude(ctx.baml):
        return
    pairs = [(mine.get("system_instruction"), theirs.get("system_instruction")),
             *zip(mine.get("contents", []), theirs.get("contents", []))]
    for a, b in pairs:
        if not (isinstance(a, dict) and isinstance(b, dict)):
            continue
        for pa, pb in zip(a.get("parts", []), b.get("parts", [])):
            if pa != pb or list(pa) == list(pb):
                continue
            reordered = {k: pa[k] for k in pb}
            pa.clear()
            pa.update(reordered)


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def registry_option_order(ctx: Ctx) -> None:
    # README: "ClientRegistry options keep the order you give them (BAML's order changes
    # from run to run)". Only the order is forgiven (same keys, same values).
    mine, theirs = ctx.baml.get("body"), ctx.vdsl.get("body")
    if not (ctx.registry and mine and theirs) or json.dumps(mine) == json.dumps(theirs):
        return
    if _sorted(mine) == _sorted(theirs):
        ctx.baml["body"] = copy.deepcopy(theirs)
        ctx.notes.append("registry_option_order")


DELIBERATE: list[Callable[[Ctx], None]] = [
    gemini_cache_control_dropped,
    baml_metadata_order,
    api_key_header,
    registry_option_order,
    gemini_assistant_is_model,
    claude_anthropic_version_default,
    claude_max_tokens_default,
    claude_cache_control_kept,
    claude_url_media_inlined,
    send_url_type_from_name,
    express_mode_without_project,
]


# ---- comparison --------------------------------------------------------------------------

def _headers(req: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): v for k, v in req.get("headers", {}).items()
            if k.lower() not in IGNORED_HEADERS}


def compare(source: str, fn: str, baml: dict[str, Any],
            vdsl: dict[str, Any], registry: bool = False) -> tuple[list[str], list[str]]:
    """(differences, deliberate differences applied) between BAML's and vdsl's request."""
    ctx = Ctx(source, fn, copy.deepcopy(baml), vdsl, registry=registry)
    for rule in DELIBERATE:
        rule(ctx)
    b, v = ctx.baml, vdsl
    if "error" in b or "error" in v:
        if "error" in b and "error" in v:
            return [], ctx.notes
        return [f"error: baml={b.get('error', '-')!r} vdsl={v.get('error', '-')!r}"], ctx.notes
    diffs = []
    if b["method"] != v["method"]:
        diffs.append(f"method: {b['method']} != {v['method']}")
    if b["url"] != v["url"]:
        diffs.append(f"url:\n  baml {b['url']}\n  vdsl {v['url']}")
    if _headers(b) != _headers(v):
        diffs.append(f"headers:\n  baml {_headers(b)}\n  vdsl {_headers(v)}")
    bj, vj = json.dumps(b["body"]), json.dumps(v["body"])
    if bj != vj:
        diffs.append(f"body:\n  baml {bj}\n  vdsl {vj}")
    return diffs, ctx.notes


def _with_captured(theirs: dict[str, Any], server: str) -> dict[str, Any]:
    """Test-block cases: the driver ran `baml-cli test`; what BAML sent is in CAPTURED."""
    out = dict(theirs)
    for case_id, result in theirs.items():
        if isinstance(result, dict) and result.get("test_ran"):
            sent = CAPTURED.get(case_id)
            out[case_id] = ({**sent, "url": server + sent["url"]} if sent else
                            {"error": "BAML sent no request: " + result.get("log", "")[-600:]})
    return out


def case_dirs(root: Path = CASES) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "cases.json").exists())


def source_of(case_dir: Path) -> str:
    return "\n".join(p.read_text() for p in sorted(case_dir.glob("*.baml")))


def run_all(python: str, dirs: list[Path]) -> list[tuple[str, str, list[str], list[str]]]:
    """[(case dir name, case id, differences, deliberate notes)] for every case."""
    rows = []
    with loopback_server() as server:
        sa = fake_service_account(f"{server}/token")
        CAPTURED.clear()
        baml = baml_requests(python, dirs, server, sa)
        for d in dirs:
            theirs = _with_captured(baml[str(d)], server)
            mine = vdsl_requests(d, server, sa)
            source = source_of(d)
            for key in ("$generate_error", "$compile_error"):
                if key in theirs or key in mine:
                    problem = f"{key}: baml={theirs.get(key)} vdsl={mine.get(key)}"
                    rows.append((d.name, key, [problem], []))
            if "$generate_error" in theirs or "$compile_error" in mine:
                continue
            specs = {c["id"]: c for c in json.loads((d / "cases.json").read_text())["cases"]}
            for case_id, req in theirs.items():
                diffs, notes = compare(source, specs[case_id]["fn"], req,
                                       mine.get(case_id, {"error": "missing"}),
                                       registry="registry" in specs[case_id])
                rows.append((d.name, case_id, diffs, notes))
    return rows
