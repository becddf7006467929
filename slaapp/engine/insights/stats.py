"""Small statistics in numpy: binomial tail, Benjamini-Hochberg, logistic fit, AUC and Brier."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): the one-sided p-value of k successes in n trials."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    i = np.arange(k, n + 1, dtype=np.float64)
    log_pmf = (
        math.lgamma(n + 1)
        - np.array([math.lgamma(x + 1) for x in i])
        - np.array([math.lgamma(n - x + 1) for x in i])
        + i * math.log(p)
        + (n - i) * math.log1p(-p)
    )
    top = float(log_pmf.max())
    return float(min(1.0, math.exp(top) * float(np.exp(log_pmf - top).sum())))


def benjamini_hochberg(p_values: F64) -> F64:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    m = p_values.size
    if m == 0:
        return np.zeros(0, dtype=np.float64)
    order = np.argsort(p_values, kind="stable")
    ranked = p_values[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(m, dtype=np.float64)
    q[order] = np.minimum(adjusted, 1.0)
    return q


def sigmoid(z: F64) -> F64:
    result: F64 = 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))
    return result


def fit_logistic(x: F64, y: F64, ridge: float = 1e-3, iterations: int = 50) -> F64:
    """Logistic regression weights (intercept first) by Newton/IRLS with a small ridge penalty."""
    design = np.column_stack((np.ones(x.shape[0]), x))
    w = np.zeros(design.shape[1], dtype=np.float64)
    base = float(np.clip(y.mean(), 1e-6, 1 - 1e-6)) if y.size else 0.5
    w[0] = math.log(base / (1 - base))
    penalty = np.eye(design.shape[1]) * ridge
    penalty[0, 0] = 0.0
    for _ in range(iterations):
        p = sigmoid(design @ w)
        gradient = design.T @ (y - p) - penalty @ w
        weight = np.maximum(p * (1 - p), 1e-9)
        hessian = (design * weight[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        w = w + step
        if float(np.abs(step).max()) < 1e-8:
            break
    return w


def predict_logistic(weights: F64, x: F64) -> F64:
    return sigmoid(weights[0] + x @ weights[1:])


def auc(score: F64, label: B) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half); nan without both classes."""
    positives = int(label.sum())
    negatives = int(label.size - positives)
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    sorted_score = score[order]
    ranks = np.empty(score.size, dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, sorted_score[1:] != sorted_score[:-1]])
    ends = np.r_[starts[1:], score.size]
    average = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(average, ends - starts)
    return float((ranks[label].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def brier(probability: F64, label: B) -> float:
    return float(np.mean((probability - label.astype(np.float64)) ** 2)) if label.size else 0.0
