"""Placing a few new reports into the existing operations without recomputing the graph.

The storage layer reads, for the batch only, which linkable values the new reports name and
which operations the other reports naming those values belong to. A union-find over the new
reports and those operations then says, per group: join the one operation, merge several (the
largest survives; ties go to the oldest id), or start a new operation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Batch:
    """What the new reports connect to. Reports are numbered ``0 .. report_count - 1``."""

    report_count: int
    reports_of_value: Mapping[int, Sequence[int]]  # linkable value -> new reports naming it
    operations_of_value: Mapping[int, set[int]]  # linkable value -> operations already naming it
    operation_sizes: Mapping[int, int]  # operation -> reports it holds now


@dataclass(frozen=True, slots=True)
class Group:
    """New reports that end up together, and the existing operations they join."""

    reports: tuple[int, ...]
    operations: tuple[int, ...]  # survivor first, then the operations it absorbs
    survivor: int | None  # None: a new operation


@dataclass(frozen=True, slots=True)
class Plan:
    groups: tuple[Group, ...]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, node: int) -> int:
        root = node
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[node] != root:  # path compression
            self.parent[node], node = root, self.parent[node]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def plan_batch(batch: Batch) -> Plan:
    """Group the batch's reports with the operations their values lead to."""
    operation_node: dict[int, int] = {}
    for operations in batch.operations_of_value.values():
        for operation in sorted(operations):
            operation_node.setdefault(operation, batch.report_count + len(operation_node))
    forest = _UnionFind(batch.report_count + len(operation_node))
    for value, named_by in batch.reports_of_value.items():
        nodes = list(named_by) + [
            operation_node[op] for op in batch.operations_of_value.get(value, ())
        ]
        for node in nodes[1:]:
            forest.union(nodes[0], node)
    members: dict[int, tuple[list[int], list[int]]] = {}
    for report in range(batch.report_count):
        members.setdefault(forest.find(report), ([], []))[0].append(report)
    for operation, node in operation_node.items():
        root = forest.find(node)
        if root in members:  # always: an operation is only here through a new report
            members[root][1].append(operation)
    groups = [
        _group(reports, operations, batch.operation_sizes)
        for reports, operations in members.values()
    ]
    return Plan(tuple(sorted(groups, key=lambda group: group.reports[0])))


def _group(reports: list[int], operations: list[int], sizes: Mapping[int, int]) -> Group:
    ranked = sorted(operations, key=lambda op: (-sizes.get(op, 0), op))
    return Group(tuple(reports), tuple(ranked), ranked[0] if ranked else None)
