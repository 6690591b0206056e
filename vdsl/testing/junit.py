"""JUnit XML, as the test reporters of GitHub Actions and GitLab CI read it.

One `<testsuite>` per function (BAML groups tests the same way), one `<testcase>` per test
with `classname` = the function, `file` and `line` of the test block (GitLab links them,
GitHub reporter actions annotate them), `time` in seconds, and `<failure>`, `<error>` or
`<skipped>` with a one-line `message` and the details as text. The counts on every suite and
on the root are exact, so reporters show the same numbers as the summary table.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .results import CaseResult, Report, Status

__all__ = ["render_junit"]

_ELEMENT = {Status.FAILED: "failure", Status.ERRORED: "error", Status.SKIPPED: "skipped"}


def _counts(results: list[CaseResult], element: ET.Element, seconds: float) -> None:
    element.set("tests", str(len(results)))
    element.set("failures", str(sum(r.status is Status.FAILED for r in results)))
    element.set("errors", str(sum(r.status is Status.ERRORED for r in results)))
    element.set("skipped", str(sum(r.status is Status.SKIPPED for r in results)))
    element.set("time", f"{seconds:.3f}")


def _testcase(suite: ET.Element, result: CaseResult) -> None:
    case = ET.SubElement(suite, "testcase", name=result.case.name,
                         classname=result.case.function, file=result.case.span.file,
                         line=str(result.case.span.line), time=f"{result.seconds:.3f}")
    tag = _ELEMENT.get(result.status)
    if tag is None:
        return
    problem = ET.SubElement(case, tag, message=_clean(result.message))
    if tag != "skipped":
        problem.set("type", result.kind or tag)
        body = [f"{result.where}: {result.message}", result.detail, *result.notes]
        problem.text = _clean("\n".join(part for part in body if part))


def render_junit(report: Report) -> str:
    root = ET.Element("testsuites", name="vdsl test")
    _counts(report.results, root, report.seconds)
    by_function: dict[str, list[CaseResult]] = {}
    for result in report.results:
        by_function.setdefault(result.case.function, []).append(result)
    for name, results in by_function.items():
        suite = ET.SubElement(root, "testsuite", name=name)
        _counts(results, suite, sum(r.seconds for r in results))
        for result in results:
            _testcase(suite, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters (or lone surrogates), even escaped."""
    return _NOT_XML.sub("\ufffd", text)
