"""The model catalog: lookups by every Vertex spelling, family guesses, did-you-mean."""

from __future__ import annotations

import pytest

from vdsl.providers.catalog import FAMILIES, MODELS, all_ids, guess_family, lookup, suggest


@pytest.mark.parametrize(("spelling", "expected"), [
    ("claude-opus-4-1@20250805", "claude-opus-4-1@20250805"),
    ("claude-opus-4-1", "claude-opus-4-1@20250805"),
    ("CLAUDE-SONNET-4@20250514", "claude-sonnet-4@20250514"),
    ("meta/llama-3.3-70b-instruct-maas", "meta/llama-3.3-70b-instruct-maas"),
    ("llama-3.3-70b-instruct-maas", "meta/llama-3.3-70b-instruct-maas"),
    ("publishers/meta/models/llama-4-scout-17b-16e-instruct-maas",
     "meta/llama-4-scout-17b-16e-instruct-maas"),
    ("projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro",
     "gemini-2.5-pro"),
    ("google/gemini-2.5-flash", "gemini-2.5-flash"),
    ("jamba-1.5-large", "jamba-1.5-large@001"),
    ("mistral-large-2411@001", "mistral-large-2411"),
    ("gemini-1.0-pro-002", "gemini-1.0-pro"),
    ("deepseek-ai/deepseek-r1-0528-maas", "deepseek-ai/deepseek-r1-0528-maas"),
])
def test_lookup_accepts_every_vertex_spelling(spelling: str, expected: str) -> None:
    info = lookup(spelling)
    assert info is not None and info.id == expected


def test_lookup_rejects_another_version_and_unknown_ids() -> None:
    assert lookup("claude-opus-4-1@20990101") is None
    assert lookup("gemini-9-ultra") is None


def test_catalog_covers_the_seed_list() -> None:
    wanted = ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite", "claude-opus-4-6",
              "claude-sonnet-4-6", "claude-opus-4-5@20251101", "claude-haiku-4-5@20251001",
              "claude-sonnet-4-5@20250929", "claude-3-7-sonnet@20250219",
              "claude-3-5-sonnet-v2@20241022", "claude-3-5-haiku@20241022",
              "claude-3-5-sonnet@20240620", "claude-3-opus@20240229", "claude-3-haiku@20240307",
              "meta/llama-4-maverick-17b-128e-instruct-maas", "meta/llama-3.1-405b-instruct-maas",
              "meta/llama-3.1-70b-instruct-maas", "meta/llama-3.1-8b-instruct-maas",
              "meta/llama-3.2-90b-vision-instruct-maas", "mistral-small-2503", "codestral-2501",
              "mistral-ocr-2505", "jamba-1.5-mini@001"]
    assert set(wanted) <= set(all_ids())


def test_entries_are_consistent() -> None:
    for info in MODELS:
        assert info.family in FAMILIES
        assert info.inputs <= {"text", "image", "pdf", "audio", "video"}
        assert info.default_max_tokens <= info.max_output_tokens
        assert set(info.multi_region) <= {"us", "eu"}
        assert not info.api_key or info.family == "gemini"
        assert info.confirmed or info.notes, f"{info.id}: unconfirmed facts need a note"


def test_retired_and_global_flags() -> None:
    assert lookup("gemini-1.0-pro").retired
    assert lookup("claude-sonnet-4-5@20250929").global_endpoint
    assert not lookup("claude-3-haiku@20240307").global_endpoint
    assert lookup("gemini-2.5-flash").api_key and not lookup("claude-opus-4-6").api_key


@pytest.mark.parametrize(("model_id", "family"), [
    ("claude-next-9", "anthropic"), ("meta/llama-5-maas", "openai_compat"),
    ("llama-3.9-1b", "openai_compat"), ("deepseek-ai/deepseek-v9-maas", "openai_compat"),
    ("mistral-medium-3", "mistral"), ("codestral-2", "mistral"),
    ("mistral-ocr-2512", "mistral_ocr"), ("jamba-2-large", "ai21"),
    ("gemini-3-pro", "gemini"), ("mistral-ocr-2505", "mistral_ocr"),
])
def test_guess_family_by_id_pattern(model_id: str, family: str) -> None:
    assert guess_family(model_id) == family


def test_suggest_offers_close_live_ids() -> None:
    assert suggest("gemini-2.5-flsh")[0] == "gemini-2.5-flash"
    assert "claude-sonnet-4@20250514" in suggest("claude-sonet-4")
    assert "gemini-1.0-pro" not in suggest("gemini-1.0-pro")
    assert suggest("zzzzzz") == []
