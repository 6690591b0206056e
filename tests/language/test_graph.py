"""The one component finder every stage uses (cycles, hoisting, codegen order)."""

from vdsl.ir.graph import find_cycles, strongly_connected


def test_components_come_dependencies_first_in_key_order():
    graph = {"A": ["B"], "B": ["C", "A"], "C": [], "D": ["D"], "E": ["Z"]}
    assert strongly_connected(graph) == [["C"], ["A", "B"], ["D"], ["E"]]
    assert find_cycles({k: set(v) for k, v in graph.items()}) == [["A", "B"], ["D"]]


def test_a_long_chain_needs_no_recursion():
    size = 20_000
    graph = {f"N{i}": [f"N{i + 1}"] if i + 1 < size else ["N0"] for i in range(size)}
    (component,) = strongly_connected(graph)
    assert len(component) == size and component[0] == "N0"
