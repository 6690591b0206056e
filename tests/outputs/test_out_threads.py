"""Parsing from many threads at once: the first parse of a class in one thread must never
hand another thread a half-built class (found by `vdsl test`, which parses in parallel)."""

from __future__ import annotations

import threading

import vdsl
from vdsl.outputs import parse_output

SOURCE = "\n".join(
    [f"class C{i} {{\n  name string\n  inner D{i}?\n  tags string[]\n}}\n"
     f"class D{i} {{\n  x int\n  back C{i}?\n}}\n"
     f"function F{i}(t: string) -> C{i} {{\n  client \"vertex-ai/gemini-2.5-flash\"\n"
     f"  prompt #\"{{{{ t }}}}\"#\n}}\n" for i in range(30)])
REPLY = '{"name": "n", "inner": {"x": 1, "back": null}, "tags": ["a"]}'


def test_first_parses_race_from_many_threads() -> None:
    for _round in range(5):  # a fresh project each round: every class is built for the first time
        project = vdsl.loads(SOURCE)
        errors: list[BaseException] = []
        start = threading.Barrier(8)

        def work(project: vdsl.Project = project, start: threading.Barrier = start,
                 errors: list[BaseException] = errors) -> None:
            start.wait()
            try:
                for i in range(30):
                    value = parse_output(project, f"F{i}", REPLY)
                    assert value.name == "n" and value.inner.x == 1
            except BaseException as exc:  # noqa: BLE001 - collected and re-raised below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors[0]
