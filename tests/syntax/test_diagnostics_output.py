"""The diagnostic renderers, on a real compile: exact text is the product here."""

import json

import pytest

import vdsl
from vdsl.diagnostics import render

SOURCE = """\
class Receipt {
  total float
}

function ExtractReceipt(photo: image) -> Reciept {
  client "vertex-ai/gemini-2.5-flash"
  prompt #"{{ photo }}"#
}
"""


def diagnostics():
    try:
        vdsl.loads(SOURCE, "samples/receipts.vdsl")
    except vdsl.CompileError as error:
        return error.diagnostics, error
    raise AssertionError("expected a compile error")


def test_full_format_points_at_the_name_with_help():
    diags, error = diagnostics()
    sources = {"samples/receipts.vdsl": vdsl.loads.__globals__["SourceFile"](
        "samples/receipts.vdsl", SOURCE)}
    assert render(diags, "full", sources) == (
        "error[unknown-type]: Type `Reciept` does not exist\n"
        " --> samples/receipts.vdsl:5:42\n"
        "  |\n"
        "5 | function ExtractReceipt(photo: image) -> Reciept {\n"
        "  |                                          ^^^^^^^ not defined\n"
        "  = help: did you mean `Receipt`?"
    )
    assert str(error) == "samples/receipts.vdsl:5:42: Type `Reciept` does not exist"


def test_concise_json_and_github_formats():
    diags, _ = diagnostics()
    assert render(diags, "concise", {}) == (
        "samples/receipts.vdsl:5:42: error[unknown-type] Type `Reciept` does not exist")
    (item,) = json.loads(render(diags, "json", {}))
    assert item == {"code": "unknown-type", "severity": "error",
                    "message": "Type `Reciept` does not exist", "file": "samples/receipts.vdsl",
                    "line": 5, "column": 42, "end_line": 5, "end_column": 49,
                    "help": "did you mean `Receipt`?"}
    assert render(diags, "github", {}).startswith(
        "::error file=samples/receipts.vdsl,line=5,col=42,endLine=5,endColumn=49,"
        "title=vdsl unknown-type::[unknown-type] Type `Reciept` does not exist")
    sarif = json.loads(render(diags, "sarif", {}))
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"][0]["ruleId"] == "unknown-type"


@pytest.mark.parametrize("line", [1, 9, 10, 99, 100, 999, 1000, 12345])
def test_help_and_notes_line_up_with_the_gutter_whatever_the_line_number(line):
    """The `=` of `= help:`/`= note:` sits under the snippet's `|`, and a help spanning
    several lines keeps its later lines under the first."""
    from vdsl.diagnostics import Diagnostic, Label, Severity
    from vdsl.source import SourceFile
    text = "\n" * (line - 1) + "class Oops {\n"
    source = SourceFile("x.vdsl", text)
    span = source.line_span(line)
    diagnostic = Diagnostic("x-code", Severity.ERROR, "message", help="one\ntwo",
                            labels=(Label(span, "here"), Label(span, "also", primary=False)),
                            notes=("a note",))
    lines = render([diagnostic], "full", {"x.vdsl": source}).split("\n")
    bar = lines[2].index("|")
    footers = [t for t in lines if t.lstrip().startswith("= ")]
    assert len(footers) == 3 and all(t.index("=") == bar for t in footers)
    help_line = next(i for i, t in enumerate(lines) if "= help: one" in t)
    assert lines[help_line + 1] == " " * lines[help_line].index("one") + "two"
