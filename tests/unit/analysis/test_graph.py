"""Operations as connected components: what links reports and what must not."""

from __future__ import annotations

import numpy as np
import pytest

from scamintel.analysis.graph import (
    Links,
    cluster,
    linkable_values,
    operation_labels,
    pair_counts,
    reporter_degrees,
)
from scamintel.analysis.incremental import Batch, plan_batch
from scamintel.analysis.quality import score_clustering


def links(pairs: list[tuple[int, int]], reports: int, given: list[bool] | None = None) -> Links:
    report_index = np.asarray([report for report, _ in pairs], dtype=np.int64)
    value_index = np.asarray([value for _, value in pairs], dtype=np.int64)
    values = int(value_index.max()) + 1 if pairs else 0
    flags = None if given is None else np.asarray(given, dtype=np.bool_)
    return Links(report_index, value_index, reports, values, flags)


def test_reports_sharing_a_value_chain_into_one_operation() -> None:
    # 0-1 share value 0, 1-2 share value 1; 3 and 4 share value 2; 5 names only its own value.
    graph = links([(0, 0), (1, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3)], 6)
    labels = cluster(graph, fanout_cap=10)
    assert labels.tolist() == [0, 0, 0, 1, 1, 2]


def test_a_value_past_the_fanout_cap_links_nothing() -> None:
    # Two operations (values 0 and 1) and a switchboard (value 2) that every report names.
    pairs = [(0, 0), (1, 0), (2, 1), (3, 1)] + [(report, 2) for report in range(4)]
    graph = links(pairs, 4)
    assert cluster(graph, fanout_cap=3).tolist() == [0, 0, 1, 1]
    assert cluster(graph, fanout_cap=4).tolist() == [0, 0, 0, 0]


def test_a_busy_value_of_one_operation_links_past_the_cap_and_a_switchboard_does_not() -> None:
    # Reports 0-3 are one operation joined through value 1; value 0, its busy wallet, is
    # named by them and by report 4 (which names nothing else). Reports 5-6 and 7-8 are two
    # other operations (values 2 and 3); value 4, a switchboard, is named by one report of
    # each, by report 4 and by reports 9 and 10 that name nothing else.
    pairs = [(r, 0) for r in range(5)] + [(r, 1) for r in range(4)]
    pairs += [(5, 2), (6, 2), (7, 3), (8, 3)] + [(r, 4) for r in (4, 5, 7, 9, 10)]
    graph = links(pairs, 11)
    assert cluster(graph, fanout_cap=4).tolist() == [0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 4]
    # Without the cap the switchboard glues everything.
    assert cluster(graph, fanout_cap=10).tolist() == [0] * 11


def test_benign_values_link_nothing() -> None:
    graph = links([(0, 0), (1, 0), (1, 1), (2, 1)], 3)
    benign = np.asarray([False, True])
    assert cluster(graph, fanout_cap=10, benign=benign).tolist() == [0, 0, 1]


def test_a_value_only_found_in_narratives_links_nothing_until_somebody_gives_it() -> None:
    # Value 0 was only read from narratives (an amount that parses as a phone number).
    graph = links([(0, 0), (1, 0)], 2, given=[False, False])
    assert cluster(graph, fanout_cap=10).tolist() == [0, 1]
    named = links([(0, 0), (1, 0)], 2, given=[True, False])
    assert cluster(named, fanout_cap=10).tolist() == [0, 0]


def test_the_cap_counts_distinct_reporters() -> None:
    # One person filing three reports naming the same value counts once.
    graph = links([(0, 0), (1, 0), (2, 0), (3, 0)], 4)
    reporter = np.asarray([7, 7, 7, -1], dtype=np.int64)
    assert reporter_degrees(graph, reporter).tolist() == [2]
    assert reporter_degrees(graph).tolist() == [4]
    assert cluster(graph, fanout_cap=2, reporter_of_report=reporter).tolist() == [0, 0, 0, 0]
    assert cluster(graph, fanout_cap=2).tolist() == [0, 1, 2, 3]
    # Two reports of one reporter about the same number do belong together.
    same = links([(0, 0), (1, 0)], 2)
    one_person = np.asarray([3, 3], dtype=np.int64)
    assert cluster(same, fanout_cap=2, reporter_of_report=one_person).tolist() == [0, 0]


def test_labels_follow_the_first_report_of_each_operation() -> None:
    graph = links([(0, 1), (2, 1), (1, 0), (3, 0)], 4)
    labels = operation_labels(graph, np.ones(2, dtype=np.bool_))
    assert labels.tolist() == [0, 1, 0, 1]


def test_reports_without_links_are_operations_of_their_own() -> None:
    assert cluster(links([], 3), fanout_cap=5).tolist() == [0, 1, 2]


def test_bad_cap_and_mismatched_arrays_are_refused() -> None:
    with pytest.raises(ValueError, match="fanout_cap"):
        linkable_values(np.asarray([2]), 0)
    with pytest.raises(ValueError, match="one entry per link"):
        Links(np.zeros(2, dtype=np.int64), np.zeros(3, dtype=np.int64), 2, 1)


def test_pair_counts() -> None:
    pairs, counts = pair_counts(np.asarray([1, 0, 1, 1]), np.asarray([2, 5, 2, 0]))
    assert pairs.tolist() == [[0, 1, 1], [5, 0, 2]]
    assert counts.tolist() == [1, 1, 2]


def test_a_new_report_bridging_two_operations_merges_them_into_the_larger() -> None:
    batch = Batch(
        report_count=2,
        reports_of_value={10: [0], 11: [0], 12: [1]},
        operations_of_value={10: {5}, 11: {9}, 12: set()},
        operation_sizes={5: 3, 9: 8},
    )
    plan = plan_batch(batch)
    assert [(g.reports, g.operations, g.survivor) for g in plan.groups] == [
        ((0,), (9, 5), 9),
        ((1,), (), None),
    ]


def test_new_reports_sharing_a_new_value_start_one_operation() -> None:
    batch = Batch(2, {10: [0, 1]}, {10: set()}, {})
    assert [(g.reports, g.survivor) for g in plan_batch(batch).groups] == [((0, 1), None)]


def test_equal_sizes_keep_the_oldest_operation() -> None:
    batch = Batch(1, {1: [0], 2: [0]}, {1: {4}, 2: {3}}, {3: 2, 4: 2})
    assert plan_batch(batch).groups[0].survivor == 3


def test_scores_count_pairs() -> None:
    truth = ["a", "a", "a", "b", "b", "c"]
    perfect = score_clustering(truth, [1, 1, 1, 2, 2, 3])
    assert (perfect.precision, perfect.recall, perfect.adjusted_rand) == (1.0, 1.0, 1.0)
    # Splitting "a" loses two of its three pairs; gluing "b" and "c" adds two false pairs.
    found = score_clustering(truth, [1, 1, 2, 3, 3, 3])
    assert found.recall == pytest.approx(2 / 4)
    assert found.precision == pytest.approx(2 / 4)
    assert (found.found_operations, found.singletons) == (3, 1)
