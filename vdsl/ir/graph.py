"""Graphs over declarations: strongly connected components, for cycle checks (classes,
aliases, strategy clients), output_format hoisting and the order codegen writes types in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def strongly_connected(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Every strongly connected component, dependencies first (Tarjan, iterative: no
    recursion limit on long chains). Successors are visited in the order given, names the
    graph does not hold are ignored, and members are listed in the graph's key order."""
    position = {name: i for i, name in enumerate(graph)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def enter(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)

    for root in graph:
        if root in index:
            continue
        enter(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, successors = work[-1]
            for succ in successors:
                if succ not in position:
                    continue
                if succ not in index:
                    enter(succ)
                    work.append((succ, iter(graph[succ])))
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component, key=position.__getitem__))
    return components


def find_cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The components that recurse (two or more members, or one that names itself)."""
    ordered = {name: sorted(successors) for name, successors in graph.items()}
    return [c for c in strongly_connected(ordered)
            if len(c) > 1 or c[0] in graph[c[0]]]
