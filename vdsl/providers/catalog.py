"""The Vertex AI model catalog, as data.

One frozen `ModelInfo` per model id. The emulator reads it to decide which models exist and
where (404 for unknown, retired or wrong-location models); the adapters and the compile-time
checks read it to pick a wire format and to reject impossible requests (an image to a text-only
model, `location global` for a model without a global endpoint, an API key on a partner model).

Facts come from the public Vertex and Anthropic docs (docs/models.md says which, and when the
list was last checked against Vertex's model pages). Where a fact could not be
confirmed (regions, output limits, prices of older models), the entry has `confirmed=False` and
`notes` says what is uncertain; callers should warn rather than fail on those facts.
Prices are USD per 1M tokens for on-demand, regional, text; `None` when not published per token.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["BATCH_PRICE_FACTOR", "FAMILIES", "MODELS", "ModelInfo", "all_ids", "does_fim",
           "estimate_cost", "guess_family", "lookup", "suggest"]

FAMILIES = ("gemini", "anthropic", "openai_compat", "mistral", "mistral_ocr", "ai21")
"""Adapter names: one wire format each (mistral_ocr is Mistral's OCR body on rawPredict)."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What vdsl knows about one Vertex model id."""

    id: str
    """The exact id Vertex expects (URL segment, or body `model` for the OpenAI-style route)."""
    family: str
    """The adapter / wire format: one of FAMILIES."""
    publisher: str
    """The `publishers/{publisher}` URL segment."""
    inputs: frozenset[str]
    """Input modalities: subset of text, image, pdf, audio, video."""
    regions: tuple[str, ...]
    """Regional locations serving the model (not exhaustive for Gemini)."""
    global_endpoint: bool
    """Whether `locations/global` on aiplatform.googleapis.com serves it."""
    max_output_tokens: int
    default_max_tokens: int
    """What vdsl sends when the user sets no max_tokens (Claude requires one)."""
    input_price: float | None = None
    output_price: float | None = None
    cached_input_price: float | None = None
    """USD per 1M prompt tokens read from a cache; None: priced as fresh input."""
    long_context: tuple[int, float, float] | None = None
    """(prompt tokens above which, input price, output price): the long-prompt tier."""
    page_price: float | None = None
    """USD per page, for per-page models (OCR)."""
    multi_region: tuple[str, ...] = ()
    """Multi-region locations (`us`, `eu`) on aiplatform.{us,eu}.rep.googleapis.com."""
    api_key: bool = False
    """Whether express mode (API key, no project) works. Gemini only."""
    thinking: bool = False
    """Whether the model can return thought parts / thinking blocks / reasoning_content."""
    thinking_budget: tuple[int, int] | None = None
    """Gemini: the (lowest, highest) `thinkingBudget` the model takes; -1 means dynamic."""
    thinking_off: bool = True
    """Gemini: whether `thinkingBudget 0` turns thinking off (2.5 Pro cannot)."""
    context_window: int | None = None
    """Input tokens the model reads at most (prompt + cached part); None: not recorded."""
    caching: bool = False
    """Whether Vertex's explicit context caching (`cachedContents`) serves the model."""
    cache_min_tokens: int | None = None
    """The fewest tokens a cached content may hold for this model (Vertex refuses less)."""
    count_tokens: bool = False
    """Whether Vertex has a token-count endpoint for the model (Gemini `countTokens`,
    Claude `count-tokens:rawPredict`); others are counted by a local estimate."""
    fim: bool = False
    """Whether the model does fill-in-the-middle (Codestral)."""
    batch: bool | None = False
    """Whether Vertex batch prediction (`batchPredictionJobs`) serves the model: True when
    Google's batch pages list it, None when it is likely but not confirmed, False otherwise."""
    inputs_confirmed: bool = True
    """False when `inputs` is a best guess from public model cards (see `notes`)."""
    retired: bool = False
    """Retired models answer 404 on every endpoint."""
    aliases: tuple[str, ...] = ()
    confirmed: bool = True
    """False when some fact above is a best guess; `notes` says which."""
    notes: str = ""

    @property
    def base_id(self) -> str:
        """The id without its `@version` suffix and without a `publisher/` prefix."""
        return _strip_version(self.id.split("/", 1)[-1])


_TEXT = frozenset({"text"})
_VISION = frozenset({"text", "image"})
_DOCS = frozenset({"text", "image", "pdf"})
_ALL = frozenset({"text", "image", "pdf", "audio", "video"})

_GEMINI_REGIONS = (
    "us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west4",
    "europe-central2", "europe-north1", "europe-southwest1", "europe-west1", "europe-west4",
    "europe-west8", "europe-west9", "asia-northeast1", "asia-southeast1",
)
_CLAUDE_REGIONS = ("us-east5", "europe-west1", "asia-southeast1")
_CLAUDE_NEW_REGIONS = ("us-east5", "europe-west1", "asia-east1", "asia-southeast1")
_PARTNER_REGIONS = ("us-central1", "europe-west4")


def _gemini(model_id: str, in_price: float | None, out_price: float | None,
            **kw: Any) -> ModelInfo:
    base = ModelInfo(
        id=model_id, family="gemini", publisher="google", inputs=_ALL, regions=_GEMINI_REGIONS,
        global_endpoint=True, max_output_tokens=65536, default_max_tokens=65536,
        input_price=in_price, output_price=out_price, api_key=True, thinking=True,
        cached_input_price=round(in_price * 0.1, 4) if in_price is not None else None,
        multi_region=("us", "eu"), confirmed=False, context_window=1_048_576, caching=True,
        cache_min_tokens=2048, count_tokens=True, batch=True,
        notes="multi-region us/eu availability unverified; regions list not exhaustive",
    )
    return replace(base, **kw)


def _claude(model_id: str, max_out: int, prices: tuple[float, float], **kw: Any) -> ModelInfo:
    base = ModelInfo(
        id=model_id, family="anthropic", publisher="anthropic", inputs=_DOCS,
        regions=_CLAUDE_REGIONS, global_endpoint=True, max_output_tokens=max_out,
        default_max_tokens=min(max_out, 8192), input_price=prices[0], output_price=prices[1],
        cached_input_price=round(prices[0] * 0.1, 4), thinking=True, context_window=200_000,
        count_tokens=True, batch=None,
    )
    return replace(base, **kw)


def _maas(model_id: str, publisher: str, region: str, **kw: Any) -> ModelInfo:
    base = ModelInfo(
        id=model_id, family="openai_compat", publisher=publisher, inputs=_TEXT,
        regions=(region,), global_endpoint=False, max_output_tokens=8192,
        default_max_tokens=4096, confirmed=False,
        notes="output limit and global availability unverified",
    )
    return replace(base, **kw)


def _partner(model_id: str, family: str, publisher: str, **kw: Any) -> ModelInfo:
    base = ModelInfo(
        id=model_id, family=family, publisher=publisher, inputs=_TEXT,
        regions=_PARTNER_REGIONS, global_endpoint=False, max_output_tokens=8192,
        default_max_tokens=4096, confirmed=False,
        notes="output limit and regions unverified; global assumed unsupported",
    )
    return replace(base, **kw)


_OLD_CLAUDE: dict[str, Any] = {
    "global_endpoint": False, "confirmed": False,
    "notes": "not in the global-endpoint launch list, assumed regional only; PDF input "
             "unconfirmed for Claude 3",
}
_NEW_CLAUDE: dict[str, Any] = {
    "regions": _CLAUDE_NEW_REGIONS, "multi_region": ("us", "eu"), "confirmed": False,
    "notes": "regions and multi-region availability unverified",
}

MODELS: tuple[ModelInfo, ...] = (
    # --- Gemini (publisher google) -------------------------------------------------------
    _gemini("gemini-2.5-pro", 1.25, 10.0, long_context=(200_000, 2.50, 15.0),
            thinking_budget=(128, 32768), thinking_off=False,
            notes="multi-region us/eu unverified; regions list not exhaustive"),
    _gemini("gemini-2.5-flash", 0.30, 2.50, thinking_budget=(1, 24576)),
    _gemini("gemini-2.5-flash-lite", 0.10, 0.40, thinking_budget=(512, 24576)),
    _gemini("gemini-2.0-flash", 0.15, 0.60, aliases=("gemini-2.0-flash-001",), thinking=False,
            max_output_tokens=8192, default_max_tokens=8192,
            notes="stable version gemini-2.0-flash-001 (released 2025-02-05); multi-region "
                  "us/eu, prices and caching minimum unverified"),
    _gemini("gemini-2.0-flash-lite", 0.075, 0.30, aliases=("gemini-2.0-flash-lite-001",),
            thinking=False, max_output_tokens=8192, default_max_tokens=8192,
            notes="stable version gemini-2.0-flash-lite-001 (released 2025-02-25); multi-region "
                  "us/eu, prices and caching minimum unverified"),
    _gemini("gemini-1.5-pro", None, None, retired=True, batch=False, multi_region=(),
            confirmed=True, caching=False, cache_min_tokens=None, context_window=2_097_152,
            thinking=False, aliases=("gemini-1.5-pro-001", "gemini-1.5-pro-002"),
            notes="-001 retired 2025-05-24, -002 on 2025-09-24; Vertex answers 404"),
    _gemini("gemini-1.5-flash", None, None, retired=True, batch=False, multi_region=(),
            confirmed=True, caching=False, cache_min_tokens=None, thinking=False,
            aliases=("gemini-1.5-flash-001", "gemini-1.5-flash-002"),
            notes="-001 retired 2025-05-24, -002 on 2025-09-24; Vertex answers 404"),
    _gemini("gemini-1.0-pro", None, None, retired=True, batch=False, multi_region=(),
            confirmed=True, caching=False, cache_min_tokens=None, context_window=32_760,
            thinking=False, aliases=("gemini-1.0-pro-001", "gemini-1.0-pro-002"),
            notes="shut down 2025-04-09; Vertex answers 404"),
    # --- Claude (publisher anthropic) ----------------------------------------------------
    _claude("claude-opus-4-6", 128000, (5.0, 25.0), **_NEW_CLAUDE),
    _claude("claude-sonnet-4-6", 64000, (3.0, 15.0), **_NEW_CLAUDE),
    _claude("claude-opus-4-5@20251101", 64000, (5.0, 25.0), **_NEW_CLAUDE),
    _claude("claude-sonnet-4-5@20250929", 64000, (3.0, 15.0), long_context=(200_000, 6.0, 22.5),
            **_NEW_CLAUDE),
    _claude("claude-haiku-4-5@20251001", 64000, (1.0, 5.0), **_NEW_CLAUDE),
    _claude("claude-opus-4-1@20250805", 32000, (15.0, 75.0), batch=True, confirmed=False,
            notes="global endpoint likely but unverified"),
    _claude("claude-opus-4@20250514", 32000, (15.0, 75.0), batch=True),
    _claude("claude-sonnet-4@20250514", 64000, (3.0, 15.0), batch=True,
            long_context=(200_000, 6.0, 22.5)),
    _claude("claude-3-7-sonnet@20250219", 64000, (3.0, 15.0), batch=True),
    _claude("claude-3-5-sonnet-v2@20241022", 8192, (3.0, 15.0), batch=True, thinking=False),
    _claude("claude-3-5-haiku@20241022", 8192, (0.80, 4.0), batch=True, thinking=False,
            inputs=_VISION,
            inputs_confirmed=False, global_endpoint=False, confirmed=False,
            notes="Anthropic lists image input, Google's launch card text only; PDF "
                  "unconfirmed; not in the global-endpoint launch list"),
    _claude("claude-3-5-sonnet@20240620", 8192, (3.0, 15.0), batch=False, thinking=False,
            inputs=_VISION,
            inputs_confirmed=False, global_endpoint=False, confirmed=False,
            notes="PDF input came with 3.5 Sonnet v2, so assumed absent here; regional only"),
    _claude("claude-3-opus@20240229", 4096, (15.0, 75.0), batch=False, thinking=False,
            inputs=_VISION,
            inputs_confirmed=False, **_OLD_CLAUDE),
    _claude("claude-3-haiku@20240307", 4096, (0.25, 1.25), batch=False, thinking=False,
            inputs=_VISION,
            inputs_confirmed=False, **_OLD_CLAUDE),
    _claude("claude-3-sonnet@20240229", 4096, (3.0, 15.0), batch=False, thinking=False,
            inputs=_VISION,
            global_endpoint=False, retired=True, notes="legacy; retired"),
    # --- Llama and DeepSeek (OpenAI-compatible MaaS endpoint) -----------------------------
    _maas("meta/llama-4-maverick-17b-128e-instruct-maas", "meta", "us-east5", batch=True,
          inputs=_VISION,
          input_price=0.35, output_price=1.15),
    _maas("meta/llama-4-scout-17b-16e-instruct-maas", "meta", "us-east5", batch=True,
          inputs=_VISION,
          input_price=0.25, output_price=0.70),
    _maas("meta/llama-3.3-70b-instruct-maas", "meta", "us-central1", batch=True,
          input_price=0.72, output_price=0.72, context_window=128_000),
    _maas("meta/llama-3.2-90b-vision-instruct-maas", "meta", "us-central1", inputs=_VISION,
          context_window=128_000),
    _maas("meta/llama-3.1-405b-instruct-maas", "meta", "us-central1", batch=True,
          input_price=5.0, output_price=16.0, context_window=128_000),
    _maas("meta/llama-3.1-70b-instruct-maas", "meta", "us-central1", batch=True,
          context_window=128_000),
    _maas("meta/llama-3.1-8b-instruct-maas", "meta", "us-central1", batch=True,
          context_window=128_000),
    _maas("deepseek-ai/deepseek-r1-0528-maas", "deepseek-ai", "us-central1", thinking=True,
          batch=None,
          max_output_tokens=32768, input_price=1.35, output_price=5.40),
    # --- Mistral (rawPredict, model in body) ---------------------------------------------
    _partner("mistral-large-2411", "mistral", "mistralai", input_price=2.0, output_price=6.0,
             context_window=128_000),
    _partner("mistral-small-2503", "mistral", "mistralai", inputs=_VISION, context_window=128_000,
             input_price=0.10, output_price=0.30),
    _partner("codestral-2501", "mistral", "mistralai", input_price=0.30, output_price=0.90,
             context_window=256_000,
             fim=True, notes="chat and fill-in-the-middle; regions unverified"),
    _partner("mistral-ocr-2505", "mistral_ocr", "mistralai", inputs=frozenset({"image", "pdf"}),
             notes="priced per page (price not recorded); base64 data: URIs only; regions "
                   "unverified"),
    # --- AI21 Jamba ----------------------------------------------------------------------
    _partner("jamba-1.5-large@001", "ai21", "ai21", input_price=2.0, output_price=8.0,
             context_window=256_000),
    _partner("jamba-1.5-mini@001", "ai21", "ai21", input_price=0.20, output_price=0.40,
             context_window=256_000),
)

_PREFIX = re.compile(r"^(?:projects/[^/]+/locations/[^/]+/)?publishers/([^/]+)/models/")


def _strip_version(model_id: str) -> str:
    return model_id.split("@", 1)[0]


def _index() -> dict[str, ModelInfo]:
    """Every spelling a user may write → its entry; exact ids win over derived forms."""
    table: dict[str, ModelInfo] = {}
    for info in MODELS:
        short = info.id.split("/", 1)[-1]
        for key in (info.base_id, short, *info.aliases, info.id):
            table[key] = info
    return table


_BY_NAME = _index()


def lookup(model_id: str) -> ModelInfo | None:
    """Find a model by any Vertex spelling, or None.

    Accepts `claude-opus-4-1@20250805` and `claude-opus-4-1`, `meta/llama-…-maas` and
    `llama-…-maas`, `google/gemini-2.5-flash`, and full `publishers/x/models/y` or
    `projects/p/locations/l/publishers/x/models/y` names. A different `@version` than the
    catalog's is a different (unknown) model, except for ids the catalog lists unversioned,
    where a suffix such as Mistral's `@001` is tolerated.
    """
    name = _PREFIX.sub("", model_id.strip().lower())
    if name.startswith("google/"):
        name = name.removeprefix("google/")
    info = _BY_NAME.get(name)
    if info is not None or "@" not in name:
        return info
    base = _BY_NAME.get(_strip_version(name))
    if base is not None and "@" not in base.id:
        return base
    return None


def all_ids() -> list[str]:
    """Every catalog id (not aliases), in table order."""
    return [info.id for info in MODELS]


_FAMILY_PATTERNS = (
    (re.compile(r"^claude-"), "anthropic"),
    (re.compile(r"^meta/|llama"), "openai_compat"),
    (re.compile(r"^deepseek"), "openai_compat"),
    (re.compile(r"^mistral-ocr"), "mistral_ocr"),
    (re.compile(r"^(mistral|codestral|ministral|pixtral)"), "mistral"),
    (re.compile(r"^jamba"), "ai21"),
    (re.compile(r"^gemini|^gemma"), "gemini"),
    (re.compile(r"^[a-z0-9-]+/.+-maas$"), "openai_compat"),
)


def guess_family(model_id: str) -> str:
    """The adapter for a model id by its shape; the catalog wins when it knows the id.

    Unknown shapes default to `gemini`, Vertex's native format.
    """
    info = lookup(model_id)
    if info is not None:
        return info.family
    name = _PREFIX.sub("", model_id.strip().lower()).removeprefix("google/")
    for pattern, family in _FAMILY_PATTERNS:
        if pattern.search(name):
            return family
    return "gemini"


def does_fim(model_id: str) -> bool:
    """Whether the model does fill-in-the-middle (`{{ _.suffix() }}`): Codestral."""
    info = lookup(model_id)
    if info is not None:
        return info.fim
    name = _PREFIX.sub("", model_id.strip().lower()).rsplit("/", 1)[-1]
    return guess_family(model_id) == "mistral" and name.startswith("codestral")


def suggest(model_id: str, limit: int = 3) -> list[str]:
    """Catalog ids close to a misspelt one ("did you mean"), best first; retired ones left out."""
    name = _PREFIX.sub("", model_id.strip().lower())
    live = [info for info in MODELS if not info.retired]
    spellings = {info.id: info.id for info in live}
    spellings.update({info.base_id: info.id for info in live})
    close = difflib.get_close_matches(name, list(spellings), n=limit * 2, cutoff=0.6)
    out: list[str] = []
    for spelling in close:
        if spellings[spelling] not in out:
            out.append(spellings[spelling])
    return out[:limit]


_MILLION = 1_000_000
BATCH_PRICE_FACTOR = 0.5
"""Batch prediction is billed at half the on-demand price (Gemini's and Claude's batch pages)."""


def estimate_cost(model_id: str, usage: Any) -> float | None:
    """Estimated USD for one call from its `Usage`, or None when the catalog has no price.

    On-demand list prices: cached prompt tokens at the cached price where the catalog has
    one, thinking tokens at the output price, the long-prompt tier when the prompt passes its
    threshold, pages at the page price. An estimate: batch, provisioned throughput, regional
    surcharges and cache writes are not modelled.
    """
    info = lookup(model_id)
    if info is None or usage is None:
        return None
    pages = getattr(usage, "pages", None)
    if isinstance(pages, int):
        return pages * info.page_price if info.page_price is not None else None
    prompt = getattr(usage, "input_tokens", None) or 0
    output = (getattr(usage, "output_tokens", None) or 0) + \
        (getattr(usage, "thinking_tokens", None) or 0)
    if info.input_price is None or info.output_price is None or not (prompt or output):
        return None
    in_price, out_price = info.input_price, info.output_price
    if info.long_context is not None and prompt > info.long_context[0]:
        _, in_price, out_price = info.long_context
    cached = min(getattr(usage, "cached_tokens", None) or 0, prompt)
    cached_price = info.cached_input_price if info.cached_input_price is not None else in_price
    if info.long_context is not None and prompt > info.long_context[0]:
        cached_price = in_price * (cached_price / info.input_price)
    total = (prompt - cached) * in_price + cached * cached_price + output * out_price
    return round(total / _MILLION, 8)
