"""Nasty real-world replies, end to end: what models actually send back."""

from __future__ import annotations

import pytest
from outputs_cases import SCHEMA, parse

RESUME = SCHEMA + '''
class Experience {
  company string
  title string
  years float?
}

class Resume {
  name string
  email string?
  skills string[]
  experience Experience[]
  seniority Priority @alias(level)
}
'''

ADA = {"name": "Ada Lovelace", "email": "ada@example.com", "skills": ["math", "poetry"],
       "experience": [{"company": "Analytical Engines Ltd", "title": "Programmer",
                       "years": 2.5}],
       "seniority": "HIGH"}

CASES = [
    ("prose-fence-prose", """Sure! Based on the document, here's the extracted resume:

```json
{
  "name": "Ada Lovelace",
  "email": "ada@example.com",
  "skills": ["math", "poetry"],
  "experience": [
    {"company": "Analytical Engines Ltd", "title": "Programmer", "years": 2.5}
  ],
  "level": "HIGH"
}
```

Let me know if you'd like me to adjust anything!""", ADA),
    ("chain-of-thought-then-answer", """Let me think step by step.
1. The name is clearly Ada Lovelace.
2. Her email appears in the header: ada@example.com.
3. Skills: math {and} poetry.
4. She worked 2.5 years as a Programmer.

Final answer:
{name: "Ada Lovelace", email: "ada@example.com", skills: ["math", "poetry"],
 experience: [{company: "Analytical Engines Ltd", title: Programmer, years: "2.5"}],
 level: "**High**"}""", ADA),
    ("two-json-blocks-draft-then-final", """Draft:
```json
{"name": "Ada"}
```
Corrected (the draft missed fields):
```json
{"name": "Ada Lovelace", "email": "ada@example.com", "skills": ["math", "poetry"],
 "experience": [{"company": "Analytical Engines Ltd", "title": "Programmer", "years": 2.5}],
 "level": "high"}
```""", ADA),
    ("python-dict-style", """{'name': 'Ada Lovelace', 'email': 'ada@example.com',
 'skills': ['math', 'poetry'], 'experience': [{'company': 'Analytical Engines Ltd',
 'title': 'Programmer', 'years': 2.5}], 'level': 'HIGH', 'extra': None}""",
     ADA),
    ("commented-json5", """```json5
{
  // who
  name: 'Ada Lovelace',
  email: 'ada@example.com', /* from the header */
  skills: ['math', 'poetry',],
  experience: [{company: 'Analytical Engines Ltd', title: 'Programmer', years: 2.5,},],
  level: HIGH,
}
```""", ADA),
    ("truncated-mid-string", """```json
{"name": "Ada Lovelace", "email": "ada@example.com", "skills": ["math", "poetry"],
 "experience": [{"company": "Analytical Engines Ltd", "title": "Programmer", "years": 2.5}],
 "level": "HIGH", "summary": "A pioneer of comp""", ADA),
    ("single-skill-and-single-job", """{"name": "Ada Lovelace", "email": null,
 "skills": "math", "experience": {"company": "Analytical Engines Ltd",
 "title": "Programmer"}, "level": "very high"}""",
     {"name": "Ada Lovelace", "email": None, "skills": ["math"],
      "experience": [{"company": "Analytical Engines Ltd", "title": "Programmer",
                      "years": None}],
      "seniority": "VERY_HIGH"}),
    ("unicode-non-english", """Voici le CV extrait :
```json
{"name": "Zoë Ångström", "email": "zoe@example.fr", "skills": ["mathématiques", "日本語"],
 "experience": [{"company": "Société Générale", "title": "Ingénieure", "years": "1,5"}],
 "level": "LOW"}
```""", {"name": "Zoë Ångström", "email": "zoe@example.fr",
        "skills": ["mathématiques", "日本語"],
        "experience": [{"company": "Société Générale", "title": "Ingénieure", "years": 1.5}],
        "seniority": "LOW"}),
    ("key-case-and-alias-spelling", """{"NAME": "Ada Lovelace", "Email": "ada@example.com",
 "Skills": ["math", "poetry"], "Experience": [{"Company": "Analytical Engines Ltd",
 "Title": "Programmer", "Years": 2.5}], "Level": "HIGH"}""", ADA),
    ("xml-ish-wrapper", """<answer>
{"name": "Ada Lovelace", "email": "ada@example.com", "skills": ["math", "poetry"],
 "experience": [{"company": "Analytical Engines Ltd", "title": "Programmer", "years": 2.5}],
 "level": "HIGH"}
</answer>""", ADA),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_real_world_resume(text: str, expected: object) -> None:
    assert parse("Resume", text, schema=RESUME) == expected


def test_streamed_resume_grows_then_completes() -> None:
    text = CASES[0][1]
    seen_names = set()
    for end in range(0, len(text) + 1, 7):
        value = parse("Resume", text[:end], partial=True, schema=RESUME)
        if value is not None and value["name"] is not None:
            seen_names.add(value["name"])
            assert "Ada Lovelace".startswith(value["name"])
    assert "Ada Lovelace" in seen_names
    assert parse("Resume", text, partial=True, schema=RESUME) == ADA
