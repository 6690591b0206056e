"""Gemini request checks, with the error texts Vertex gives (docs/wire.md, "Gemini").

Vertex parses the body as proto3 JSON: it takes both lowerCamelCase and snake_case names,
rejects unknown fields and bad enum values with "Invalid JSON payload received…"/"Invalid
value at…" messages, and then applies model rules ("Please use a valid role: user, model.",
"…empty contents field", numeric ranges).
"""

from __future__ import annotations

import re
from typing import Any

from ..providers.catalog import ModelInfo
from . import errors
from .reply import Reply

__all__ = ["normalize", "validate"]

TOP_LEVEL = {"contents", "systemInstruction", "generationConfig", "safetySettings", "tools",
             "toolConfig", "cachedContent", "labels", "modelArmorConfig", "model", "instances"}
CONFIG_FIELDS = {
    "temperature": float, "topP": float, "topK": float, "candidateCount": int,
    "maxOutputTokens": int, "stopSequences": list, "responseLogprobs": bool, "logprobs": int,
    "presencePenalty": float, "frequencyPenalty": float, "seed": int, "responseMimeType": str,
    "responseSchema": dict, "responseJsonSchema": object, "routingConfig": dict,
    "audioTimestamp": bool, "responseModalities": list, "mediaResolution": str,
    "speechConfig": dict, "imageConfig": dict, "thinkingConfig": dict,
    "enableAffectiveDialog": bool,
}
THINKING_FIELDS = {"includeThoughts": bool, "thinkingBudget": int, "thinkingLevel": str}
CATEGORIES = {
    "HARM_CATEGORY_UNSPECIFIED", "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_CIVIC_INTEGRITY", "HARM_CATEGORY_JAILBREAK",
    "HARM_CATEGORY_IMAGE_HATE", "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT",
    "HARM_CATEGORY_IMAGE_HARASSMENT", "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT",
}
THRESHOLDS = {"HARM_BLOCK_THRESHOLD_UNSPECIFIED", "BLOCK_LOW_AND_ABOVE",
              "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_ONLY_HIGH", "BLOCK_NONE", "OFF"}
METHODS = {"HARM_BLOCK_METHOD_UNSPECIFIED", "SEVERITY", "PROBABILITY"}
MIME_TYPES = {"text/plain", "application/json", "text/x.enum"}
EMPTY_CONTENTS = ("Unable to submit request because it has an empty contents field. Learn more: "
                  "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini")
NO_PARTS = ("Unable to submit request because it must include at least one parts field, which "
            "describes the prompt input. Learn more: "
            "https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/gemini")
BAD_ROLE = "Please use a valid role: user, model."


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)


def _camel_keys(value: Any) -> Any:
    return {_camel(k): v for k, v in value.items()} if isinstance(value, dict) else value


def normalize(body: dict[str, Any]) -> dict[str, Any]:
    """Accept snake_case like Vertex's proto3 JSON parser: camelCase the structural keys.

    Only message field names are rewritten; schema property names and function args are data.
    """
    out = _camel_keys(body)
    config = _camel_keys(out.get("generationConfig"))
    if isinstance(config, dict):
        config["thinkingConfig"] = _camel_keys(config.get("thinkingConfig"))
        out["generationConfig"] = {k: v for k, v in config.items() if v is not None}
    if isinstance(out.get("safetySettings"), list):
        out["safetySettings"] = [_camel_keys(s) for s in out["safetySettings"]]
    if isinstance(out.get("contents"), list):
        out["contents"] = [_content(c) for c in out["contents"]]
    if isinstance(out.get("systemInstruction"), dict):
        out["systemInstruction"] = _content(out["systemInstruction"])
    return out


def _content(content: Any) -> Any:
    content = _camel_keys(content)
    if isinstance(content, dict) and isinstance(content.get("parts"), list):
        content["parts"] = [{k: _camel_keys(v) for k, v in _camel_keys(p).items()}
                            if isinstance(p, dict) else p for p in content["parts"]]
    return content


def validate(body: dict[str, Any], info: ModelInfo, version: str) -> Reply | None:
    """The first rule the body breaks, as Vertex's 400; None when it is acceptable."""
    for check in (_unknown_fields, _contents, _safety, _config):
        problem = check(body, info, version)
        if problem is not None:
            return problem
    return None


def _unknown_fields(body: dict[str, Any], info: ModelInfo, version: str) -> Reply | None:
    for key in body:
        if key not in TOP_LEVEL:
            return errors.invalid_json(f'Unknown name "{key}": Cannot find field.')
    return None


def _contents(body: dict[str, Any], info: ModelInfo, version: str) -> Reply | None:
    contents = body.get("contents")
    if not contents and body.get("instances"):
        return None
    if not isinstance(contents, list) or not contents:
        return errors.google_error(400, EMPTY_CONTENTS)
    for index, content in enumerate(contents):
        if not isinstance(content, dict):
            return errors.invalid_json(f"Invalid value at 'contents[{index}]': not an object.")
        role = content.get("role", "user")
        if role not in ("user", "model") and not (role == "system" and index == 0):
            return errors.google_error(400, BAD_ROLE)
        if not content.get("parts"):
            return errors.google_error(400, NO_PARTS)
    return None


def _safety(body: dict[str, Any], info: ModelInfo, version: str) -> Reply | None:
    settings = body.get("safetySettings") or []
    if not isinstance(settings, list):
        return _bad_value(version, "safety_settings", "SafetySetting", settings)
    enums = (("category", "HarmCategory", CATEGORIES),
             ("threshold", "SafetySetting.HarmBlockThreshold", THRESHOLDS),
             ("method", "SafetySetting.HarmBlockMethod", METHODS))
    for index, setting in enumerate(settings):
        if not isinstance(setting, dict):
            return _bad_value(version, f"safety_settings[{index}]", "SafetySetting", setting)
        for name, type_name, allowed in enums:
            value = setting.get(name)
            if (value is not None or name != "method") and value not in allowed:
                return _bad_value(version, f"safety_settings[{index}].{name}", type_name, value)
        extra = set(setting) - {"category", "threshold", "method"}
        if extra:
            return errors.invalid_json(f'Unknown name "{min(extra)}" at '
                                       f"'safety_settings[{index}]': Cannot find field.")
    return None


def _bad_value(version: str, field: str, type_name: str, value: Any) -> Reply:
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    message = (f"Invalid value at '{field}' "
               f"(type.googleapis.com/google.cloud.aiplatform.{version}.{type_name}), {shown}")
    return errors.google_error(400, message,
                               details=[errors.field_violation(field, message)])


def _config(body: dict[str, Any], info: ModelInfo, version: str) -> Reply | None:
    config = body.get("generationConfig")
    if config is None:
        return None
    if not isinstance(config, dict):
        return errors.invalid_json("Invalid value at 'generation_config': not an object.")
    problem = _fields(config, CONFIG_FIELDS, "generation_config")
    if problem is None and isinstance(config.get("thinkingConfig"), dict):
        problem = _fields(config["thinkingConfig"], THINKING_FIELDS,
                          "generation_config.thinking_config")
    return problem or _ranges(config, info)


_PROTO_TYPE = {float: "TYPE_FLOAT", int: "TYPE_INT32", bool: "TYPE_BOOL", str: "TYPE_STRING",
               list: "TYPE_LIST", dict: "TYPE_MESSAGE"}


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _fields(config: dict[str, Any], known: dict[str, Any], where: str) -> Reply | None:
    for key, value in config.items():
        if key not in known:
            return errors.invalid_json(f"Unknown name \"{key}\" at '{where}': Cannot find field.")
        expected = known[key]
        if expected is object or _fits(value, expected):
            continue
        shown = f'"{value}"' if isinstance(value, str) else str(value)
        return errors.invalid_json(
            f"Invalid value at '{where}.{_snake(key)}' ({_PROTO_TYPE[expected]}), {shown}")
    return None


def _fits(value: Any, expected: type) -> bool:
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.lstrip("-").isdigit())
    return isinstance(value, expected)


def _ranges(config: dict[str, Any], info: ModelInfo) -> Reply | None:
    checks = (("temperature", 0, 2.0001), ("topP", 0, 1.0001), ("candidateCount", 1, 9),
              ("maxOutputTokens", 1, info.max_output_tokens + 1))
    for key, low, high in checks:
        value = config.get(key)
        if value is not None and not low <= float(value) < high:
            return errors.google_error(400, (
                f"Unable to submit request because it has a {key} value of {value} but the "
                f"supported range is from {low} (inclusive) to {high} (exclusive). "
                "Update the value and try again."))
    mime = config.get("responseMimeType")
    if mime is not None and mime not in MIME_TYPES:
        return errors.google_error(400, (
            f"Unable to submit request because it has a response_mime_type of {mime} which is "
            f"not supported. Supported values: {', '.join(sorted(MIME_TYPES))}."))
    return _budget((config.get("thinkingConfig") or {}).get("thinkingBudget"), info)


def _budget(budget: Any, info: ModelInfo) -> Reply | None:
    """The model's thinkingBudget range from the catalog; -1 is dynamic, 0 turns it off.
    The range message's wording is not confirmed against a real Vertex reply."""
    if budget is None or info.thinking_budget is None or int(budget) == -1:
        return None
    if int(budget) == 0:
        if info.thinking_off:
            return None
        return errors.google_error(400, "Budget 0 is invalid. This model only works in "
                                        "thinking mode.")
    low, high = info.thinking_budget
    if not low <= int(budget) <= high:
        return errors.google_error(400, (
            f"Unable to submit request because the thinking budget {budget} is invalid. "
            f"The supported range is from {low} to {high}."))
    return None
