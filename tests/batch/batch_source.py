"""The project the batch tests run: per-row JSON echo replies, one client per family."""

SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options { model gemini-2.5-flash
            location us-central1
            project_id batch-proj }
}
client<llm> Haiku {
  provider vertex-ai
  options { model "claude-3-5-haiku@20241022"
            location us-east5
            project_id batch-proj }
}
client<llm> Llama {
  provider vertex-ai
  options { model "meta/llama-3.3-70b-instruct-maas"
            location us-central1
            project_id batch-proj }
}
client<llm> Mistral {
  provider vertex-ai
  options { model mistral-large-2411
            location us-central1
            project_id batch-proj }
}
client<llm> Both {
  provider fallback
  options { strategy [Flash, Haiku] }
}
class Item {
  n int
  word string
}
function Describe(n: int, word: string) -> Item {
  client Flash
  prompt #"
    {{ _.role("system") }}
    Return the item.
    {{ _.role("user") }}
    {"n": {{ n }}, "word": "{{ word }}"}
  "#
}
function Label(text: string) -> string {
  client Flash
  prompt #"{{ text }}"#
}
"""
