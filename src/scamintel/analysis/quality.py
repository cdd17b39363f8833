"""How well clustering found the true operations: pairwise precision and recall, and the
adjusted Rand index.

Pairwise scores look at every pair of reports: a pair is a true positive when both are in the
same found operation and the same true one. Precision is the share of pairs put together that
belong together (a hotline gluing two operations ruins it); recall is the share of pairs that
belong together and were put together (an operation split in two loses it). Singletons, such
as reports whose every value was rejected or benign, count honestly: their pairs are missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import adjusted_rand_score, pair_confusion_matrix


@dataclass(frozen=True, slots=True)
class ClusterScore:
    precision: float
    recall: float
    adjusted_rand: float
    reports: int
    true_operations: int
    found_operations: int
    singletons: int  # found operations of one report


def score_clustering(
    truth: Sequence[object] | NDArray[np.generic], found: Sequence[object] | NDArray[np.generic]
) -> ClusterScore:
    """Scores of ``found`` labels against ``truth`` labels, one of each per report."""
    true_codes = np.unique(np.asarray(truth), return_inverse=True)[1].ravel()
    found_codes = np.unique(np.asarray(found), return_inverse=True)[1].ravel()
    if true_codes.size != found_codes.size:
        raise ValueError("truth and found need one label per report each")
    if true_codes.size == 0:
        return ClusterScore(1.0, 1.0, 1.0, 0, 0, 0, 0)
    # pair_confusion_matrix counts ordered pairs: [[tn, fp], [fn, tp]].
    matrix = pair_confusion_matrix(true_codes, found_codes)
    false_positive, false_negative, true_positive = (
        int(matrix[0, 1]),
        int(matrix[1, 0]),
        int(matrix[1, 1]),
    )
    together = true_positive + false_positive
    belong = true_positive + false_negative
    sizes = np.bincount(found_codes)
    return ClusterScore(
        precision=true_positive / together if together else 1.0,
        recall=true_positive / belong if belong else 1.0,
        adjusted_rand=float(adjusted_rand_score(true_codes, found_codes)),
        reports=int(true_codes.size),
        true_operations=int(true_codes.max()) + 1,
        found_operations=int(sizes.size),
        singletons=int((sizes == 1).sum()),
    )
