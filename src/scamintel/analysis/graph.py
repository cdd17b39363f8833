"""Scam operations as connected components of the report–value graph.

Reports and the canonical values they name form a bipartite graph; two reports belong to the
same operation when a chain of shared values joins them. Some values must not join anything:

* benign values (a warninglist's official hotlines, big platforms' own domains): intake
  already leaves them out, but a value stored before a list named it is still in the links;
* over-connected values: a value named by more than ``fanout_cap`` distinct reporters is
  somebody's switchboard, not one operation's phone (an unlisted bank hotline, a victim
  support line, a number people paste from a warning post). One such value would glue
  hundreds of operations into one.

Everything here is plain numpy and ``scipy.sparse.csgraph``: the links come in as two integer
arrays (report index, value index), the operations go out as one label per report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# A value past the fan-out cap still links when more than this share of the reports naming
# it already sit in one operation; see concentrated_values.
CONCENTRATION = 0.5
CONCENTRATION_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Links:
    """Report–value links as dense indices: link ``k`` joins report ``reports[k]`` and value
    ``values[k]``. Each (report, value) pair appears once (the table's primary key)."""

    reports: IntArray
    values: IntArray
    report_count: int
    value_count: int
    # Per link: whether the reporter gave the value as an indicator (rather than the node
    # finding it in the narrative); None means all were given.
    given: BoolArray | None = None

    def __post_init__(self) -> None:
        if self.reports.shape != self.values.shape or (
            self.given is not None and self.given.shape != self.reports.shape
        ):
            raise ValueError("reports, values and given must have one entry per link")

    def given_values(self) -> BoolArray:
        """Values that at least one reporter gave as an indicator."""
        if self.given is None:
            return np.ones(self.value_count, dtype=np.bool_)
        return np.bincount(self.values[self.given], minlength=self.value_count) > 0


def reporter_degrees(links: Links, reporter_of_report: IntArray | None = None) -> IntArray:
    """For every value, how many distinct reporters named it.

    ``reporter_of_report`` gives each report a reporter number (the same person filing five
    reports counts once); ``-1`` or no array at all means "a reporter of its own", so a
    value's degree is then its number of reports.
    """
    if reporter_of_report is None or links.reports.size == 0:
        return np.bincount(links.values, minlength=links.value_count).astype(np.int64)
    reporters = reporter_of_report[links.reports]
    # Reports without a known reporter stand alone: each gets a number past the known ones.
    known = int(reporters.max()) + 1 if reporters.size else 0
    reporters = np.where(reporters < 0, known + links.reports, reporters)
    pairs, _ = pair_counts(links.values, reporters)
    return np.bincount(pairs[0], minlength=links.value_count).astype(np.int64)


def pair_counts(first: IntArray, second: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct (first, second) pairs of two non-negative arrays (a 2 x n array, sorted)
    and how often each occurs; one 1-D sort of combined keys, far faster than ``np.unique``
    over an axis."""
    if first.size == 0:
        return np.zeros((2, 0), dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = int(second.max()) + 1
    keys, counts = np.unique(first.astype(np.int64) * base + second, return_counts=True)
    return np.stack(np.divmod(keys, base)).astype(np.int64), counts.astype(np.int64)


def linkable_values(
    reports: IntArray,
    fanout_cap: int,
    benign: BoolArray | None = None,
    given: BoolArray | None = None,
    reporters: IntArray | None = None,
) -> BoolArray:
    """Which values may join reports: named in at least two reports, by at most
    ``fanout_cap`` distinct reporters (``reporters``; the report count when not given), not
    benign, and given as an indicator by at least one reporter.

    A value named once joins nothing, so it is left out too: that keeps the graph small (two
    reports of one reporter about the same number do belong together). A value only ever
    found in narratives is a guess of the extractor (a Vietnamese amount such as
    "190.000.000" reads as a phone number), so it links only once somebody names it.
    """
    if fanout_cap < 1:
        raise ValueError("fanout_cap must be at least 1")
    mask = (reports >= 2) & ((reports if reporters is None else reporters) <= fanout_cap)
    if benign is not None:
        mask &= ~benign
    if given is not None:
        mask &= given
    return mask


def operation_labels(links: Links, linkable: BoolArray) -> IntArray:
    """One label per report, ``0 .. operations - 1``, numbered in order of each operation's
    first report; a report that shares no linkable value is an operation of its own."""
    if links.report_count == 0:
        return np.zeros(0, dtype=np.int64)
    keep = linkable[links.values]
    return _components(
        links.reports[keep], links.values[keep], links.report_count, links.value_count
    )


def _components(
    left: IntArray, right: IntArray, left_count: int, right_count: int | None = None
) -> IntArray:
    """Connected components of the bipartite graph with edges ``left[k]``–``right[k]``, as a
    label per left node numbered by first appearance. ``right_count`` says the right nodes
    are already numbered ``0 .. right_count - 1``; otherwise they are numbered here, only
    those that have an edge (a sort, worth it when they are few)."""
    if right_count is None:
        right_nodes, right_index = np.unique(right, return_inverse=True)
        right, right_count = right_index.ravel(), int(right_nodes.size)
    size = left_count + right_count
    graph = coo_array(
        (np.ones(left.size, dtype=np.int8), (left, right + left_count)), shape=(size, size)
    ).tocsr()
    _, labels = connected_components(graph, directed=False)
    return _by_first_appearance(labels[:left_count])


def _by_first_appearance(labels: NDArray[np.int32] | IntArray) -> IntArray:
    """Renumber labels so that they count up in order of their first occurrence (scipy's
    own order is an implementation detail)."""
    count = int(labels.max()) + 1
    first = np.empty(count, dtype=np.int64)
    # With repeated indices the last assignment wins: walking backwards leaves the first.
    first[labels[::-1]] = np.arange(labels.size - 1, -1, -1, dtype=np.int64)
    rank = np.empty(count, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(count, dtype=np.int64)
    renumbered: IntArray = rank[labels]
    return renumbered


def merge_through(links: Links, labels: IntArray, values: BoolArray) -> IntArray:
    """``labels`` after also linking through ``values``: a graph of the current operations
    and those values only, small however many reports there are."""
    keep = values[links.values]
    if not keep.any():
        return labels
    operation_count = int(labels.max()) + 1
    merged = _components(labels[links.reports[keep]], links.values[keep], operation_count)
    return _by_first_appearance(merged[labels])


def concentrated_values(links: Links, labels: IntArray, candidates: BoolArray) -> BoolArray:
    """Which ``candidates`` are one operation's busy value rather than a switchboard: more
    than ``CONCENTRATION`` of the reports naming them already sit in one operation.

    A large operation's wallet is named by hundreds of its own victims, most of them already
    joined through the operation's other numbers and accounts; a switchboard's reports are
    spread over as many operations as there are callers. Reports that are still alone count
    against the value, so a value named mostly by reports that name nothing else never links
    past the cap.
    """
    keep = candidates[links.values]
    pairs, counts = pair_counts(links.values[keep], labels[links.reports[keep]])
    total = np.bincount(pairs[0], weights=counts, minlength=links.value_count)
    top = np.zeros(links.value_count, dtype=np.float64)
    np.maximum.at(top, pairs[0], counts)
    return candidates & (total > 0) & (top > CONCENTRATION * total)


@dataclass(frozen=True, slots=True)
class Clustering:
    labels: IntArray  # operation of every report
    linkable: BoolArray  # the values that linked, after every rule


def cluster_links(
    links: Links,
    *,
    fanout_cap: int,
    benign: BoolArray | None = None,
    reporter_of_report: IntArray | None = None,
) -> Clustering:
    """Operation label of every report (see :func:`operation_labels`) and the values that
    linked them.

    Values within the cap link first. A value past the cap then still links when it is
    concentrated in one of the operations found (:func:`concentrated_values`); that can join
    an operation's fragments, after which another busy value may be concentrated too, so this
    repeats a few times (``CONCENTRATION_ROUNDS``).
    """
    reports = reporter_degrees(links)
    reporters = (
        reports if reporter_of_report is None else reporter_degrees(links, reporter_of_report)
    )
    eligible = linkable_values(reports, np.iinfo(np.int64).max, benign, links.given_values())
    linkable = eligible & (reporters <= fanout_cap)
    labels = operation_labels(links, linkable)
    over = eligible & ~linkable
    for _ in range(CONCENTRATION_ROUNDS):
        if not over.any():
            break
        admitted = concentrated_values(links, labels, over)
        if not admitted.any():
            break
        linkable |= admitted
        over &= ~admitted
        labels = merge_through(links, labels, admitted)
    return Clustering(labels, linkable)


def cluster(
    links: Links,
    *,
    fanout_cap: int,
    benign: BoolArray | None = None,
    reporter_of_report: IntArray | None = None,
) -> IntArray:
    """Operation label of every report (see :func:`cluster_links`)."""
    return cluster_links(
        links, fanout_cap=fanout_cap, benign=benign, reporter_of_report=reporter_of_report
    ).labels
