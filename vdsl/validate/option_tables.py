"""What each Vertex model family accepts in a `vertex-ai` client's `options`, as data.

A client's options are of two kinds: the ones vdsl (and BAML) read themselves (`model`,
`location`, `http`, `allowed_roles`, …) and never send, and everything else, which goes into the
request body verbatim. Each family's body has its own fields (docs/wire.md lists them);
`vdsl check` walks the options against these tables: an unknown key is a warning (with
did-you-mean), a near miss of a known key is an error, a value of the wrong type or outside its
range is an error. A quoted key (`"newField" 1`) is sent unchecked: the escape hatch for a field
Vertex added after this table was written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

__all__ = ["BUILT", "CLIENT_OPTIONS", "FAMILY_BODIES", "FAMILY_ONLY", "Spec"]


@dataclass(frozen=True)
class Spec:
    """The shape of one option value.

    `kind` is one of string, int, number, bool, list, map, any. A map with `fields` has known
    keys (others are reported); one with `values` has free keys whose values follow that spec.
    `choices` restricts a string; `minimum`/`maximum` bound a number (inclusive).
    """

    kind: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    fields: Mapping[str, Spec] | None = None
    items: Spec | None = None
    values: Spec | None = None
    note: str = ""
    """Extra help shown with a type or range error."""
    required: tuple[str, ...] = ()
    """Keys a map must have."""
    camel: bool = False
    """Keys may be written in snake_case too (Google's proto JSON accepts both)."""
    also: tuple[str, ...] = field(default=())
    """Other kinds the value may have (e.g. `stop`: a string or a list)."""


def _m(camel: bool = False, **fields: Spec) -> Spec:
    return Spec("map", fields=MappingProxyType(fields), camel=camel)


def _free(values: Spec) -> Spec:
    return Spec("map", values=values)


def _enum(*choices: str) -> Spec:
    return Spec("string", choices=choices)


def _list(items: Spec) -> Spec:
    return Spec("list", items=items)


def _num(lo: float | None = None, hi: float | None = None) -> Spec:
    return Spec("number", minimum=lo, maximum=hi)


def _int(lo: float | None = None, hi: float | None = None) -> Spec:
    return Spec("int", minimum=lo, maximum=hi)


S, B, ANY, MAP = Spec("string"), Spec("bool"), Spec("any"), _free(Spec("any"))

# ---- options vdsl reads itself (every family) ---------------------------------------------

MEDIA_MODES = ("send_base64", "send_url", "send_url_add_mime_type",
               "send_base64_unless_google_url")
CLIENT_OPTIONS: Mapping[str, Spec] = MappingProxyType({
    "model": S, "location": S, "base_url": S, "project_id": S,
    "credentials": Spec("string", also=("map",)), "credentials_content": S,
    "headers": _free(S), "query_params": _free(S),
    "allowed_roles": _list(S), "default_role": S, "remap_roles": _free(S),
    "allowed_role_metadata": Spec("list", items=S, also=("string",)),
    "supports_streaming": B, "retry_on_parse_error": B,
    "finish_reason_allow_list": _list(S), "finish_reason_deny_list": _list(S),
    "media_url_handler": _m(image=_enum(*MEDIA_MODES), audio=_enum(*MEDIA_MODES),
                            pdf=_enum(*MEDIA_MODES), video=_enum(*MEDIA_MODES)),
    "http": _m(connect_timeout_ms=_int(0), request_timeout_ms=_int(0),
               time_to_first_token_timeout_ms=_int(0), idle_timeout_ms=_int(0)),
    "publisher": _enum("google", "anthropic", "meta", "deepseek-ai", "qwen", "openai",
                       "mistralai", "ai21"),
    "request_type": _enum("dedicated", "shared"),
    "shared_request_type": _enum("flex", "priority"),
    # vdsl's Vertex platform options (validate/platform.py checks their values)
    "cached_content": ANY, "max_input_tokens": ANY, "grounding": ANY, "structured_output": ANY,
})
"""Read by vdsl (as BAML reads them, or as vdsl's own platform options) for every vertex-ai
client; never sent in the body as written."""

FAMILY_ONLY: Mapping[str, tuple[Spec, tuple[str, ...]]] = MappingProxyType({
    "anthropic_version": (S, ("anthropic",)),
    "fim": (B, ("mistral",)),
})
"""Read by vdsl for some families only: (spec, families)."""

# ---- Gemini (generateContent) -------------------------------------------------------------

_HARM_CATEGORIES = (
    "HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_CIVIC_INTEGRITY", "HARM_CATEGORY_IMAGE_HATE",
    "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT", "HARM_CATEGORY_IMAGE_HARASSMENT",
    "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT", "HARM_CATEGORY_JAILBREAK")
_THRESHOLDS = ("HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE",
               "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF")
THINKING_CONFIG = _m(True, includeThoughts=B, thinkingBudget=_int(-1),
                     thinkingLevel=_enum("MINIMAL", "LOW", "MEDIUM", "HIGH", "minimal", "low",
                                         "medium", "high"))
GENERATION_CONFIG = _m(
    True,
    temperature=_num(0, 2), topP=_num(0, 1), topK=_num(1), candidateCount=_int(1, 8),
    maxOutputTokens=_int(1), stopSequences=_list(S), presencePenalty=_num(-2, 2),
    frequencyPenalty=_num(-2, 2), seed=_int(), responseLogprobs=B, logprobs=_int(1, 20),
    responseMimeType=_enum("text/plain", "application/json", "text/x.enum"),
    responseSchema=MAP, responseJsonSchema=ANY, routingConfig=MAP, audioTimestamp=B,
    responseModalities=_list(_enum("TEXT", "IMAGE", "AUDIO", "MODALITY_UNSPECIFIED")),
    mediaResolution=_enum("MEDIA_RESOLUTION_UNSPECIFIED", "MEDIA_RESOLUTION_LOW",
                          "MEDIA_RESOLUTION_MEDIUM", "MEDIA_RESOLUTION_HIGH"),
    speechConfig=MAP, imageConfig=MAP, modelConfig=MAP, enableAffectiveDialog=B,
    thinkingConfig=THINKING_CONFIG,
)
SAFETY_SETTING = replace(
    _m(True, category=_enum(*_HARM_CATEGORIES), threshold=_enum(*_THRESHOLDS),
       method=_enum("HARM_BLOCK_METHOD_UNSPECIFIED", "SEVERITY", "PROBABILITY")),
    required=("category", "threshold"), note="e.g. `{ category HARM_CATEGORY_HARASSMENT, "
                                              "threshold BLOCK_ONLY_HIGH }`")
GEMINI_TOOL = _m(True, functionDeclarations=_list(MAP), googleSearch=MAP,
                 googleSearchRetrieval=MAP, codeExecution=MAP, retrieval=MAP, urlContext=MAP,
                 enterpriseWebSearch=MAP, googleMaps=MAP, computerUse=MAP)
GEMINI: Mapping[str, Spec] = MappingProxyType({
    "generationConfig": GENERATION_CONFIG,
    "safetySettings": Spec("list", items=SAFETY_SETTING,
                           note="wrap it in brackets: `safetySettings [ { category … threshold "
                                "… } ]` (Vertex rejects a single map)"),
    "tools": _list(GEMINI_TOOL),
    "toolConfig": _m(True, functionCallingConfig=_m(
        True, mode=_enum("MODE_UNSPECIFIED", "AUTO", "ANY", "NONE", "VALIDATED"),
        allowedFunctionNames=_list(S)), retrievalConfig=MAP),
    "cachedContent": S, "labels": _free(S), "modelArmorConfig": MAP,
})

# ---- Claude (Anthropic Messages on rawPredict) --------------------------------------------

CLAUDE_THINKING = _m(type=_enum("enabled", "adaptive", "disabled"), budget_tokens=_int(1024),
                     display=_enum("summarized", "omitted"))
ANTHROPIC: Mapping[str, Spec] = MappingProxyType({
    "max_tokens": _int(1), "temperature": _num(0, 1), "top_p": _num(0, 1), "top_k": _int(0),
    "stop_sequences": _list(S), "metadata": _m(user_id=S), "tools": _list(MAP),
    "tool_choice": MAP, "thinking": CLAUDE_THINKING, "output_config": MAP,
    "service_tier": _enum("auto", "standard_only"), "container": ANY, "inference_geo": S,
    "cache_control": MAP, "anthropic_beta": _list(S), "mcp_servers": _list(MAP),
    "context_management": MAP,
})

# ---- OpenAI-compatible MaaS (Llama, DeepSeek, Qwen, …) ------------------------------------

_STOP = Spec("list", items=S, also=("string",))
OPENAI_COMPAT: Mapping[str, Spec] = MappingProxyType({
    "max_tokens": _int(1), "max_completion_tokens": _int(1), "temperature": _num(0, 2),
    "top_p": _num(0, 1), "top_k": _int(-1), "min_p": _num(0, 1), "n": _int(1),
    "stop": _STOP, "presence_penalty": _num(-2, 2), "frequency_penalty": _num(-2, 2),
    "repetition_penalty": _num(0), "seed": _int(), "response_format": MAP, "tools": _list(MAP),
    "tool_choice": Spec("map", values=ANY, also=("string",)), "parallel_tool_calls": B,
    "logprobs": B, "top_logprobs": _int(0, 20), "user": S, "extra_body": MAP,
    "chat_template_kwargs": MAP, "reasoning_effort": _enum("minimal", "low", "medium", "high"),
    "guided_json": ANY, "guided_regex": S, "guided_choice": _list(S), "logit_bias": MAP,
})

# ---- Mistral (chat, Codestral FIM, OCR) and AI21 ------------------------------------------

MISTRAL_CHAT: Mapping[str, Spec] = MappingProxyType({
    "temperature": _num(0), "top_p": _num(0, 1), "max_tokens": _int(1), "stop": _STOP,
    "random_seed": _int(0), "response_format": MAP, "tools": _list(MAP),
    "tool_choice": Spec("map", values=ANY, also=("string",)), "presence_penalty": _num(-2, 2),
    "frequency_penalty": _num(-2, 2), "n": _int(1), "prediction": MAP,
    "parallel_tool_calls": B, "prompt_mode": S, "safe_prompt": B, "guardrails": ANY,
    "metadata": MAP,
    # fill-in-the-middle (Codestral): the prompt decides whether a call is chat or FIM
    "min_tokens": _int(0),
})
MISTRAL_OCR: Mapping[str, Spec] = MappingProxyType({
    "pages": _list(_int(0)), "include_image_base64": B, "image_limit": _int(0),
    "image_min_size": _int(0), "bbox_annotation_format": MAP,
    "document_annotation_format": MAP,
})
AI21: Mapping[str, Spec] = MappingProxyType({
    "max_tokens": _int(1), "temperature": _num(0, 2), "top_p": _num(0, 1), "stop": _STOP,
    "n": _int(1, 16), "tools": _list(MAP), "response_format": MAP, "documents": _list(MAP),
    "seed": _int(),
})

FAMILY_BODIES: Mapping[str, Mapping[str, Spec]] = MappingProxyType({
    "gemini": GEMINI, "anthropic": ANTHROPIC, "openai_compat": OPENAI_COMPAT,
    "mistral": MISTRAL_CHAT, "mistral_ocr": MISTRAL_OCR, "ai21": AI21,
})
"""Per family: the body fields a client may set in `options` (sent verbatim)."""

BUILT: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "gemini": ("contents", "systemInstruction", "system_instruction"),
    "anthropic": ("messages", "system", "stream", "model"),
    "openai_compat": ("messages", "stream", "stream_options", "model"),
    "mistral": ("messages", "stream", "model", "prompt", "suffix"),
    "mistral_ocr": ("document", "model"),
    "ai21": ("messages", "stream", "model"),
})
"""Per family: body fields vdsl builds from the prompt and the model id."""
