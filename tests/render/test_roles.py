"""Role handling and message splitting (docs/rendering.md, "How messages are made")."""

from __future__ import annotations

from builders import client, function, project

from vdsl.render import RenderedPrompt, render_prompt


def render(prompt: str, options: dict | None = None, **args: object) -> RenderedPrompt:
    params = ", ".join(f"{k}: string" for k in args)
    p = project(client("Gem", options), function("F", params, "string", prompt))
    return render_prompt(p, "F", args)


def roles(prompt: RenderedPrompt) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in prompt.messages]


def test_no_markers_is_one_default_role_message_kept_verbatim() -> None:
    out = render("{{t}}", t="  x  ")
    assert roles(out) == [("user", "  x  ")]
    assert out.system_index is None


def test_leading_system_is_the_system_prompt() -> None:
    out = render('{{ _.role("system") }} Be terse. {{ _.role("user") }} hi')
    assert roles(out) == [("system", "Be terse."), ("user", "hi")]
    assert out.system_index == 0


def test_text_parts_trimmed_and_empty_messages_dropped() -> None:
    out = render('  lead  \n{{ _.role("assistant") }}   \n{{ _.role("user") }}\n  q  ')
    # The empty assistant turn is dropped, so the two user turns merge (parts kept apart).
    assert [m.role for m in out.messages] == ["user"]
    assert [p.text for p in out.messages[0].parts] == ["lead", "q"]


def test_disallowed_role_becomes_default_then_merges() -> None:
    out = render('{{ _.role("user") }} a {{ _.role("model") }} b {{ _.role("weird") }} c')
    assert [m.role for m in out.messages] == ["user"]
    assert [p.text for p in out.messages[0].parts] == ["a", "b", "c"]


def test_remap_applies_after_merge() -> None:
    options = {"remap_roles": {"assistant": "model", "tool": "function"},
               "allowed_roles": ["system", "user", "assistant", "tool"]}
    out = render('{{ _.role("user") }} a {{ _.role("assistant") }} b {{ _.role("assistant") }} c'
                 '{{ _.role("tool") }} d', options)
    assert roles(out) == [("user", "a"), ("model", "b\n\nc"), ("function", "d")]


def test_later_system_is_separate_user_message_even_if_user_remapped() -> None:
    out = render('{{ _.role("system") }} s1 {{ _.role("user") }} u {{ _.role("system") }} s2',
                 {"remap_roles": {"user": "human"}})
    assert roles(out) == [("system", "s1"), ("human", "u"), ("user", "s2")]
    assert out.system_index == 0


def test_system_only_prompt_is_sent_as_user() -> None:
    out = render('{{ _.role("system") }} only')
    assert roles(out) == [("user", "only")]
    assert out.system_index is None


def test_without_system_allowed_system_text_merges_into_default() -> None:
    out = render('{{ _.role("system") }} s {{ _.role("user") }} u',
                 {"allowed_roles": ["user", "assistant"]})
    assert roles(out) == [("user", "s\n\nu")]


def test_default_role_option() -> None:
    out = render("hello", {"allowed_roles": ["user", "model"], "default_role": "model"})
    assert roles(out) == [("model", "hello")]


def test_role_metadata_dropped_by_default() -> None:
    out = render('{{ _.role("user", cache_control={"type": "ephemeral"}) }} hi')
    assert out.messages[0].metadata == {}


def test_role_metadata_kept_when_allowed() -> None:
    out = render('{{ _.role("user", cache_control={"type": "ephemeral"}, other=1) }} hi',
                 {"allowed_role_metadata": ["cache_control"]})
    assert out.messages[0].metadata == {"cache_control": {"type": "ephemeral"}}
    assert out.to_dict()["messages"][0] == {
        "role": "user", "parts": [{"type": "text", "text": "hi"}],
        "metadata": {"cache_control": {"type": "ephemeral"}}}


def test_role_metadata_all() -> None:
    out = render('{{ _.role("user", a=1, b="x") }} hi', {"allowed_role_metadata": "all"})
    assert out.messages[0].metadata == {"a": 1, "b": "x"}


def test_role_keyword_and_chat_alias() -> None:
    out = render('{{ _.chat(role="system") }} s {{ _.role(role="user") }} u')
    assert roles(out) == [("system", "s"), ("user", "u")]


def test_allow_dupe_role_prevents_merge() -> None:
    out = render('{{ _.role("user") }} a {{ _.role("user", __baml_allow_dupe_role__=true) }} b')
    assert roles(out) == [("user", "a"), ("user", "b")]


def test_client_context() -> None:
    out = render("{{ ctx.client.name }} {{ ctx.client.provider }}")
    assert roles(out) == [("user", "Gem vertex-ai")]
