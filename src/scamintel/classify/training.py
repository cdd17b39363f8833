"""Training the message classifier (``scamintel model train``) with scikit-learn.

Data: every ``DIR/<dataset>/train.csv`` (schema ``text,label,lang``; label ``scam``, ``spam`` or
``ham``) except the evaluation-only sets (``ph_spam_sms``: its licence is non-commercial and it
has spam only). A text found in more than one data set (whitespace runs collapsed, case
folded) is kept only from the set with the most label classes, first by name on a tie: the
UCI collection's ``spam`` lumps scams with adverts, and the Mendeley set repeats ~4,900 of its
texts with the finer scam/spam labels.

Model (see :mod:`scamintel.classify.model` for the features): TF-IDF over hashed character
n-grams (shared and tagged with the language) and word n-grams, a one-vs-rest linear SVM with
balanced class weights, and a multinomial logistic regression over the SVM's three scores as
calibrator, fitted on five-fold out-of-fold scores
(folds grouped by normalised text, stratified by data set and label). The same out-of-fold
probabilities set the ham-protecting threshold per language (the P(ham) below which a
message is flagged) at the largest value that flags at most ``target_ham_flag_rate`` of the
language's legitimate messages, capped at 0.5.

Everything is seeded and single-threaded, the stored arrays are float32-rounded before the
shipped pipeline uses them, and the file is written with fixed zip timestamps: the same data,
seed and library versions give the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from scamintel.classify.language import detect_language
from scamintel.classify.model import (
    CLASSES,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    FeatureSpec,
    FloatArray,
    ModelParameters,
    hashed_ngram_counts,
)

SEED: Final = 20260118
EVALUATION_ONLY: Final = frozenset({"ph_spam_sms"})
LABELS: Final = frozenset(CLASSES)
MIN_HAM_FOR_OWN_THRESHOLD: Final = 200


class TrainingDataError(ValueError):
    """The training folder or one of its files is not usable."""


@dataclass(frozen=True)
class Message:
    text: str
    label: str
    lang: str
    dataset: str


@dataclass(frozen=True)
class DatasetFile:
    name: str
    sha256: str
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class TrainingConfig:
    """The choices a model is trained with; all of them go into the model header."""

    features: FeatureSpec = field(default_factory=FeatureSpec)
    svm_c: float = 1.0
    calibration_c: float = 100.0
    folds: int = 5
    target_ham_flag_rate: float = 0.003
    max_ham_threshold: float = 0.5
    seed: int = SEED


def normalised_key(text: str) -> str:
    """Whitespace runs collapsed to one space, trimmed, case folded (the data split's key)."""
    return " ".join(text.split()).casefold()


def read_dataset(path: Path, name: str) -> DatasetFile:
    """One ``train.csv``: its digest and its rows; a bad label or header is an error."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise TrainingDataError(f"cannot read {path}: {error}") from error
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
    if reader.fieldnames is None or not {"text", "label", "lang"} <= set(reader.fieldnames):
        raise TrainingDataError(f"{path}: header must have text,label,lang")
    messages: list[Message] = []
    for number, row in enumerate(reader, start=2):
        if row["label"] not in LABELS:
            raise TrainingDataError(f"{path}:{number}: unknown label {row['label']!r}")
        messages.append(Message(row["text"], row["label"], row["lang"], name))
    return DatasetFile(name, hashlib.sha256(raw).hexdigest(), tuple(messages))


def discover_datasets(data_dir: Path, *, include_evaluation_only: bool = False) -> list[Path]:
    """``DIR/<dataset>/train.csv`` files, sorted by data set name."""
    if not data_dir.is_dir():
        raise TrainingDataError(f"{data_dir} is not a folder")
    found = sorted(data_dir.glob("*/train.csv"), key=lambda p: p.parent.name)
    chosen = [p for p in found if include_evaluation_only or p.parent.name not in EVALUATION_ONLY]
    if not chosen:
        raise TrainingDataError(f"no <dataset>/train.csv under {data_dir}")
    return chosen


def load_training_sets(data_dir: Path) -> list[DatasetFile]:
    return [read_dataset(path, path.parent.name) for path in discover_datasets(data_dir)]


def deduplicate(datasets: Sequence[DatasetFile]) -> list[Message]:
    """Rows to train on: a text shared by several data sets is kept from one of them only."""
    classes = {d.name: len({m.label for m in d.messages}) for d in datasets}
    owner: dict[str, str] = {}
    for dataset in sorted(datasets, key=lambda d: (-classes[d.name], d.name)):
        for message in dataset.messages:
            owner.setdefault(normalised_key(message.text), dataset.name)
    return [
        message
        for dataset in datasets
        for message in dataset.messages
        if owner[normalised_key(message.text)] == dataset.name
    ]


def count_matrix(texts: Iterable[str], spec: FeatureSpec) -> sp.csr_matrix:
    """Hashed n-gram counts, one row per text (the model's step 2)."""
    indptr = [0]
    index_parts: list[npt.NDArray[np.int64]] = []
    value_parts: list[FloatArray] = []
    for text in texts:
        indices, counts = hashed_ngram_counts(text, spec, detect_language(text))
        index_parts.append(indices)
        value_parts.append(counts)
        indptr.append(indptr[-1] + indices.size)
    indices_all = np.concatenate(index_parts) if index_parts else np.zeros(0, np.int64)
    values_all = np.concatenate(value_parts) if value_parts else np.zeros(0)
    return sp.csr_matrix(
        (values_all, indices_all, np.asarray(indptr)), shape=(len(indptr) - 1, spec.n_features)
    )


def _float32(values: npt.NDArray[Any]) -> FloatArray:
    return np.asarray(values, dtype=np.float32).astype(np.float64)


def _new_svm(config: TrainingConfig) -> LinearSVC:
    return LinearSVC(
        C=config.svm_c,
        class_weight="balanced",
        dual=True,
        max_iter=20_000,
        random_state=config.seed,
    )


@dataclass
class TrainedPipeline:
    """The fitted scikit-learn pieces; :meth:`parameters` is what the model file stores."""

    config: TrainingConfig
    tfidf: TfidfTransformer
    svm: LinearSVC
    calibrator: LogisticRegression
    ham_thresholds: dict[str, float]
    default_threshold: float
    training_report: dict[str, Any]

    def decision_function(self, texts: Sequence[str]) -> FloatArray:
        counts = count_matrix(texts, self.config.features)
        return np.asarray(self.svm.decision_function(self.tfidf.transform(counts)))

    def predict_proba(self, texts: Sequence[str]) -> FloatArray:
        return np.asarray(self.calibrator.predict_proba(self.decision_function(texts)))

    def parameters(self, datasets: Sequence[DatasetFile]) -> ModelParameters:
        config = self.config
        header: dict[str, Any] = {
            "format": MODEL_FORMAT,
            "version": MODEL_FORMAT_VERSION,
            "classes": list(CLASSES),
            "features": config.features.to_json(),
            "model": {
                "kind": "one-vs-rest linear SVM (scikit-learn LinearSVC, liblinear)",
                "C": config.svm_c,
                "class_weight": "balanced",
            },
            "calibration": {
                "kind": "multinomial logistic regression on out-of-fold SVM scores",
                "C": config.calibration_c,
                "folds": config.folds,
            },
            "ham_thresholds": {
                "rule": "flag when P(ham) < threshold of the detected language",
                "target_ham_flag_rate": config.target_ham_flag_rate,
                "languages": self.ham_thresholds,
                "default": self.default_threshold,
            },
            "seed": config.seed,
            "training_data": [
                {"dataset": d.name, "sha256": d.sha256, "rows": len(d.messages)} for d in datasets
            ],
            "evaluation_only": sorted(EVALUATION_ONLY),
            "training_report": self.training_report,
            "trained_with": {
                package: version(package) for package in ("numpy", "scipy", "scikit-learn")
            },
        }
        return ModelParameters(
            header=header,
            idf=np.asarray(self.tfidf.idf_, dtype=np.float32),
            coef=np.asarray(self.svm.coef_, dtype=np.float32),
            intercept=np.asarray(self.svm.intercept_, dtype=np.float64),
            calibration_coef=np.asarray(self.calibrator.coef_, dtype=np.float64),
            calibration_intercept=np.asarray(self.calibrator.intercept_, dtype=np.float64),
        )


def _fit_svm(
    counts: sp.csr_matrix, labels: npt.NDArray[np.str_], config: TrainingConfig
) -> tuple[TfidfTransformer, LinearSVC]:
    tfidf = TfidfTransformer(sublinear_tf=True).fit(counts)
    tfidf.idf_ = _float32(tfidf.idf_)
    svm = _new_svm(config)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        svm.fit(tfidf.transform(counts), labels)
    svm.coef_ = _float32(svm.coef_)
    return tfidf, svm


def choose_thresholds(
    ham_probability: FloatArray,
    labels: Sequence[str],
    languages: Sequence[str],
    config: TrainingConfig,
) -> tuple[dict[str, float], float, dict[str, Any]]:
    """Per-language P(ham) thresholds from out-of-fold probabilities (module docstring)."""
    thresholds: dict[str, float] = {}
    report: dict[str, Any] = {}
    label_array = np.asarray(labels)
    language_array = np.asarray(languages)
    for language in sorted(set(languages)):
        in_language = language_array == language
        ham = np.sort(ham_probability[in_language & (label_array == "ham")])
        if ham.size < MIN_HAM_FOR_OWN_THRESHOLD:
            continue
        allowed = int(np.floor(config.target_ham_flag_rate * ham.size))
        threshold = min(float(ham[allowed]), config.max_ham_threshold)
        thresholds[language] = threshold
        flagged = ham_probability[in_language] < threshold
        positives = label_array[in_language] != "ham"
        report[language] = {
            "ham": int(ham.size),
            "ham_flagged": round(float(np.mean(ham < threshold)), 5),
            "positives": int(positives.sum()),
            "positives_caught": round(float(np.mean(flagged[positives])), 5)
            if positives.any()
            else None,
        }
    # Languages without enough legitimate messages of their own: the threshold of all of them
    # pooled (the training languages weighted by their numbers of legitimate messages).
    all_ham = np.sort(ham_probability[label_array == "ham"])
    if all_ham.size:
        allowed = int(np.floor(config.target_ham_flag_rate * all_ham.size))
        default = min(float(all_ham[allowed]), config.max_ham_threshold)
    else:
        default = config.max_ham_threshold
    return thresholds, default, report


def fit_pipeline(messages: Sequence[Message], config: TrainingConfig) -> TrainedPipeline:
    """Fit the model, its calibrator and its thresholds on ``messages`` (deduplicated)."""
    if not messages:
        raise TrainingDataError("no training messages")
    texts = [m.text for m in messages]
    labels = np.asarray([m.label for m in messages])
    if set(labels) != LABELS:
        raise TrainingDataError(
            f"training needs all of {sorted(LABELS)}; found {sorted(set(labels))}"
        )
    counts = count_matrix(texts, config.features)
    keys: dict[str, int] = {}
    groups = np.asarray([keys.setdefault(normalised_key(t), len(keys)) for t in texts])
    strata = np.asarray([f"{m.dataset}:{m.label}" for m in messages])
    splitter = StratifiedGroupKFold(n_splits=config.folds, shuffle=True, random_state=config.seed)
    out_of_fold = np.zeros((len(messages), len(CLASSES)))
    for train_rows, test_rows in splitter.split(counts, strata, groups):
        tfidf, svm = _fit_svm(counts[train_rows], labels[train_rows], config)
        out_of_fold[test_rows] = svm.decision_function(tfidf.transform(counts[test_rows]))
    calibrator = LogisticRegression(C=config.calibration_c, max_iter=1000)
    calibrator.fit(out_of_fold, labels)
    if tuple(calibrator.classes_) != CLASSES:
        raise TrainingDataError(f"unexpected class order {calibrator.classes_}")
    probabilities = calibrator.predict_proba(out_of_fold)
    languages = [detect_language(t) for t in texts]
    thresholds, default, report = choose_thresholds(
        probabilities[:, 0], labels.tolist(), languages, config
    )
    tfidf, svm = _fit_svm(counts, labels, config)
    training_report = {
        "messages": len(messages),
        "labels": dict(sorted(Counter(labels.tolist()).items())),
        "out_of_fold_by_language": report,
    }
    return TrainedPipeline(config, tfidf, svm, calibrator, thresholds, default, training_report)


@dataclass(frozen=True)
class TrainingResult:
    pipeline: TrainedPipeline
    parameters: ModelParameters
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def train(datasets: Sequence[DatasetFile], config: TrainingConfig | None = None) -> TrainingResult:
    """Train on the given data sets and return the pipeline and the model file's bytes."""
    config = config or TrainingConfig()
    pipeline = fit_pipeline(deduplicate(datasets), config)
    parameters = pipeline.parameters(datasets)
    return TrainingResult(pipeline, parameters, parameters.to_bytes())


def train_from_folder(data_dir: Path, config: TrainingConfig | None = None) -> TrainingResult:
    return train(load_training_sets(data_dir), config)
