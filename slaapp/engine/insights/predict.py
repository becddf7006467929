"""Breach prediction for open clocks: logistic regression on elapsed share, load and owner speed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from slaapp.engine.clocks import BREACHED, OPEN_STATUSES, ClockTable
from slaapp.engine.insights.frame import local_parts
from slaapp.engine.insights.stats import auc, brier, fit_logistic, predict_logistic
from slaapp.engine.matrix import Matrix

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
Obj = npt.NDArray[np.object_]

FEATURES = (
    "elapsed share",
    "remaining time (log hours)",
    "owner's open clocks (log)",
    "owner's late rate at this weekday and hour (logit)",
    "handoff and segment breach rate (logit)",
)
TRAIN_SHARE = 0.75
PRIOR = 20.0
MIN_SAMPLES = 200


@dataclass(frozen=True)
class Quality:
    """Held-out figures: later clocks scored by a model fitted on earlier ones."""

    train_samples: int
    test_samples: int
    split_at: int
    auc: float
    brier: float
    base_rate: float  # share of breaches among the held-out samples
    base_brier: float  # Brier score of always predicting the training base rate
    alert_threshold: float
    alert_precision: float | None  # held out: share of predictive alerts that breached
    alert_recall: float | None  # held out: share of breaches that got one


@dataclass(frozen=True, eq=False)
class BreachModel:
    """A fitted breach predictor with the rates it looks up; `breach_risk` applies it."""

    weights: F64
    mean: F64
    scale: F64
    zone: str
    rates: _Rates
    quality: Quality


def _logit(p: F64) -> F64:
    clipped = np.clip(p, 1e-4, 1 - 1e-4)
    result: F64 = np.log(clipped / (1 - clipped))
    return result


def _samples(clocks: ClockTable, matrix: Matrix, seed: int) -> tuple[I64, F64, I64, B]:
    """One instant per decided clock, before its end and its breach: rows, share, instant, label."""
    decided = ~np.isin(clocks.status, OPEN_STATUSES) | (clocks.status == BREACHED)
    decided &= clocks.has_due & (clocks.due_at <= clocks.as_of)
    rows = np.flatnonzero(decided)
    final = clocks.elapsed[rows] / clocks.target[rows]
    label = final > 1.0
    rng = np.random.default_rng(seed)
    share = rng.uniform(0.0, 1.0, rows.size) * np.minimum(final, 1.0)
    instant = np.zeros(rows.size, dtype=np.int64)
    for h, key in enumerate(clocks.handoff_keys):
        try:
            handoff = matrix.handoff(key)
        except KeyError:
            continue
        for s, segment in enumerate(clocks.segment_keys):
            if segment not in handoff.rules:
                continue
            mine = (clocks.handoff[rows] == h) & (clocks.segment[rows] == s)
            if not mine.any():
                continue
            calendar = matrix.calendar(handoff.rule_calendar(segment))
            start = clocks.started_at[rows[mine]]
            cum = calendar.cum(start) + np.round(share[mine] * clocks.target[rows[mine]])
            instant[mine] = calendar.at_cum(cum.astype(np.int64), int(start.min()))
    known = instant > 0
    return rows[known], share[known], instant[known], label[known]


def _open_load(clocks: ClockTable, owner: I64, at: I64) -> F64:
    """How many clocks each owner had open at each instant."""
    span = int(max(clocks.as_of, int(at.max()) if at.size else 0)) + 1
    ends = np.where(clocks.closed, clocks.stopped_at, span - 1)
    known = clocks.owner >= 0
    start_keys = np.sort(clocks.owner[known].astype(np.int64) * span + clocks.started_at[known])
    end_keys = np.sort(clocks.owner[known].astype(np.int64) * span + ends[known])
    query = owner * span + at
    load = np.searchsorted(start_keys, query, side="right") - np.searchsorted(
        end_keys, query, side="right"
    )
    return np.where(owner >= 0, load, 0).astype(np.float64)


def _slot(at: I64, zone: str) -> I64:
    _, weekday, hour = local_parts(at, zone)
    slot: I64 = weekday * 24 + hour
    return slot


@dataclass(frozen=True, eq=False)
class _Keys:
    """Integer group codes and the text of each code (texts carry across clock tables)."""

    codes: I64
    names: Obj  # text per code

    def __getitem__(self, where: B) -> _Keys:
        return _Keys(self.codes[where], self.names)


class _Rates:
    """Breach counts by owner, owner x weekday-hour slot and handoff x segment, from training."""

    def __init__(self, owners: _Keys, slots: _Keys, rules: _Keys, label: B) -> None:
        self.base = float(label.mean()) if label.size else 0.0
        self.owner = _tally(owners, label)
        self.slot = _tally(slots, label)
        self.rule = _tally(rules, label)

    def features(self, owners: _Keys, slots: _Keys, rules: _Keys) -> tuple[F64, F64]:
        """Slot rates (shrunk toward the owner's, then the base rate) and rule rates."""
        hits, n = _counts(self.owner, owners)
        owner_rate = (hits + PRIOR * self.base) / (n + PRIOR)
        hits, n = _counts(self.slot, slots)
        slot_rate = (hits + PRIOR * owner_rate) / (n + PRIOR)
        hits, n = _counts(self.rule, rules)
        return slot_rate, (hits + PRIOR * self.base) / (n + PRIOR)


def _cross_fitted(
    owners: _Keys, slots: _Keys, rules: _Keys, label: B, seed: int
) -> tuple[F64, F64]:
    """Rates for fitting: each sample's from the other half of the samples (no own outcome)."""
    fold = np.random.default_rng(seed).integers(0, 2, label.size).astype(np.bool_)
    slot_rate = np.empty(label.size)
    rule_rate = np.empty(label.size)
    for side in (False, True):
        source = fold != side
        rates = _Rates(owners[source], slots[source], rules[source], label[source])
        target = fold == side
        slot_rate[target], rule_rate[target] = rates.features(
            owners[target], slots[target], rules[target]
        )
    return slot_rate, rule_rate


def _tally(keys: _Keys, label: B) -> dict[str, tuple[float, int]]:
    unique, inverse = np.unique(keys.codes, return_inverse=True)
    hits = np.bincount(inverse, weights=label, minlength=unique.size)
    n = np.bincount(inverse, minlength=unique.size)
    return {
        str(keys.names[k]): (float(h), int(c))
        for k, h, c in zip(unique.tolist(), hits.tolist(), n.tolist(), strict=True)
    }


def _counts(table: dict[str, tuple[float, int]], keys: _Keys) -> tuple[F64, F64]:
    """Hits and sizes of each key's group (0 and 0 for keys never seen)."""
    unique, inverse = np.unique(keys.codes, return_inverse=True)
    found = [table.get(str(keys.names[k]), (0.0, 0)) for k in unique.tolist()]
    hits = np.array([f[0] for f in found], dtype=np.float64)
    n = np.array([f[1] for f in found], dtype=np.float64)
    return hits[inverse], n[inverse]


def _design(share: F64, remaining_hours: F64, load: F64, slot_rate: F64, rule_rate: F64) -> F64:
    return np.column_stack(
        (share, np.log1p(np.maximum(remaining_hours, 0.0)), np.log1p(load),
         _logit(slot_rate), _logit(rule_rate))
    )  # fmt: skip


SLOTS = 7 * 24


def _names(clocks: ClockTable, rows: I64, slots: I64) -> tuple[_Keys, _Keys, _Keys]:
    """Owner, owner x weekday-hour slot and handoff x segment keys of these clocks."""
    owner_names = np.array([*clocks.owners, ""], dtype=object)
    owner = np.where(clocks.owner[rows] >= 0, clocks.owner[rows], len(clocks.owners))
    owner = owner.astype(np.int64)
    slot_names = np.array(
        [f"{o}|{slot}" for o in owner_names.tolist() for slot in range(SLOTS)], dtype=object
    )
    width = len(clocks.segment_keys)
    rule_names = np.array(
        [f"{h}|{s}" for h in clocks.handoff_keys for s in clocks.segment_keys] or [""], dtype=object
    )
    rule = clocks.handoff[rows].astype(np.int64) * width + clocks.segment[rows]
    return (
        _Keys(owner, owner_names),
        _Keys(owner * SLOTS + slots, slot_names),
        _Keys(rule, rule_names),
    )


def fit_breach_model(
    clocks: ClockTable, matrix: Matrix, zone: str, seed: int = 11, train_share: float = TRAIN_SHARE
) -> BreachModel:
    """Fit on the earlier `train_share` of sampled instants, score the later ones, refit on all."""
    rows, share, instant, label = _samples(clocks, matrix, seed)
    if rows.size < MIN_SAMPLES or label.all() or not label.any():
        raise ValueError(
            f"too little decided history to fit a breach model ({rows.size} clocks with a "
            f"known outcome; at least {MIN_SAMPLES} with both breaches and met clocks are needed)"
        )
    owners, slots, rules = _names(clocks, rows, _slot(instant, zone))
    load = _open_load(clocks, clocks.owner[rows].astype(np.int64), instant)
    remaining = (1.0 - share) * clocks.target[rows] / 3600.0
    split_at = int(np.quantile(instant, train_share))
    train = instant < split_at
    test = ~train
    if not label[train].any() or label[train].all() or test.sum() == 0:
        raise ValueError("the training part of the history has no breaches or no met clocks")

    tr_owners, tr_slots, tr_rules = owners[train], slots[train], rules[train]
    first = _Rates(tr_owners, tr_slots, tr_rules, label[train])
    x_train = _design(
        share[train], remaining[train], load[train],
        *_cross_fitted(tr_owners, tr_slots, tr_rules, label[train], seed),
    )  # fmt: skip
    x_test = _design(
        share[test], remaining[test], load[test],
        *first.features(owners[test], slots[test], rules[test]),
    )  # fmt: skip
    mean, scale = _standard(x_train)
    weights = fit_logistic((x_train - mean) / scale, label[train].astype(np.float64))
    p_train = predict_logistic(weights, (x_train - mean) / scale)
    p_test = predict_logistic(weights, (x_test - mean) / scale)
    threshold = _best_threshold(p_train, label[train])
    flagged = p_test >= threshold
    y_test = label[test]
    quality = Quality(
        train_samples=int(train.sum()),
        test_samples=int(test.sum()),
        split_at=split_at,
        auc=auc(p_test, y_test),
        brier=brier(p_test, y_test),
        base_rate=float(y_test.mean()),
        base_brier=brier(np.full(y_test.size, first.base), y_test),
        alert_threshold=threshold,
        alert_precision=float(y_test[flagged].mean()) if flagged.any() else None,
        alert_recall=float(flagged[y_test].mean()) if y_test.any() else None,
    )
    if not beats_base_rate(quality):
        # No risk column and no predictive alerts from a predictor that guesses worse.
        raise ValueError(describe_quality(quality).rstrip(".").replace("The late", "the late", 1))
    x_all = _design(share, remaining, load, *_cross_fitted(owners, slots, rules, label, seed))
    mean, scale = _standard(x_all)
    weights = fit_logistic((x_all - mean) / scale, label.astype(np.float64))
    return BreachModel(weights, mean, scale, zone, _Rates(owners, slots, rules, label), quality)


def _standard(x: F64) -> tuple[F64, F64]:
    """Column means and spreads; a constant column keeps a spread of 1 (it only shifts)."""
    spread = x.std(axis=0)
    return x.mean(axis=0), np.where(spread > 1e-6, spread, 1.0)


def _best_threshold(probability: F64, label: B) -> float:
    """The probability cut with the best F1 on the training samples."""
    best, best_f1 = 0.5, -1.0
    for cut in np.linspace(0.05, 0.95, 91):
        flagged = probability >= cut
        hits = float((flagged & label).sum())
        f1 = 2 * hits / max(float(flagged.sum() + label.sum()), 1.0)
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best


def breach_risk(model: BreachModel, clocks: ClockTable, at: int | None = None) -> F64:
    """Probability that each open clock breaches: 1 when breached already, nan when closed."""
    at = clocks.as_of if at is None else at
    risk = np.full(len(clocks), np.nan, dtype=np.float64)
    status = clocks.status
    risk[status == BREACHED] = 1.0
    rows = np.flatnonzero(np.isin(status, OPEN_STATUSES) & (status != BREACHED))
    if rows.size == 0:
        return risk
    instants = np.full(rows.size, at, dtype=np.int64)
    owners, slots, rules = _names(clocks, rows, _slot(instants, model.zone))
    share = clocks.elapsed[rows] / clocks.target[rows]
    remaining = (clocks.target[rows] - clocks.elapsed[rows]) / 3600.0
    load = _open_load(clocks, clocks.owner[rows].astype(np.int64), instants)
    x = _design(share, remaining, load, *model.rates.features(owners, slots, rules))
    risk[rows] = predict_logistic(model.weights, (x - model.mean) / model.scale)
    return risk


def predictive_alerts(model: BreachModel, risk: F64) -> I64:
    """Rows of open, not yet breached clocks whose risk passes the model's alert threshold."""
    flagged: I64 = np.flatnonzero((risk >= model.quality.alert_threshold) & (risk < 1.0))
    return flagged


def beats_base_rate(quality: Quality) -> bool:
    """The predictor's Brier score is below the base rate's on the held-out clocks."""
    return quality.brier < quality.base_brier


def describe_quality(quality: Quality) -> str:
    if not beats_base_rate(quality):
        return (
            f"The late-clock predictor does not beat the base rate: on {quality.test_samples:,} "
            f"later clocks held out from fitting it scores no better than guessing "
            f"{quality.base_rate:.0%} late for every clock, so no risk is shown."
        )
    gain = 1.0 - quality.brier / quality.base_brier if quality.base_brier else 0.0
    return (
        f"On {quality.test_samples:,} later clocks held out from fitting, the late-clock "
        f"predictor ranks a late clock above an on-time one {quality.auc:.0%} of the time "
        f"(AUC {quality.auc:.2f}); its Brier score is {quality.brier:.3f} against "
        f"{quality.base_brier:.3f} for the base rate of {quality.base_rate:.0%} "
        f"({gain:.0%} better)."
    )
