"""Picks judged on rows the judging network never trained on.

With ``pick="held_out"`` the ``R`` networks of the ensemble are cross-fitted: the rows are
split into ``R`` folds (stratified by class; whole groups together when ``groups`` is
given) and network ``r`` trains on every fold but ``r``. At the end of a phase the
attention proposes a short list (the usual vote), and the pick goes to the short-listed
candidate whose removal from the trained networks raises the loss on their held-out rows
the most (summed over the ``R`` folds, so every row is judged once, by the one network
that did not see it). The networks and their attention are still trained jointly on the
selected features and all candidates, so a candidate that helps only together with
another (a suppressor pair) keeps the importance the joint network gives it; only
importance that does not carry over to unseen rows (memorisation) is discounted.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

from seqattn._errors import SeqattnError
from seqattn.core.data import Targets
from seqattn.core.network import AttentionEnsemble

#: At most this many rows (the folds' union) are used to judge a pick: more cost forward
#: passes without changing which candidate matters.
MAX_JUDGE_ROWS = 4096


def cross_fit_folds(
    codes: np.ndarray | None,
    n_samples: int,
    n_folds: int,
    groups: np.ndarray | None,
    seed: int,
) -> np.ndarray:
    """Fold of each row, shape ``(n_samples,)``: stratified by class, groups kept whole."""
    from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold

    index = np.zeros((n_samples, 1))
    if groups is not None:
        groups = np.asarray(groups)
        if groups.shape[0] != n_samples:
            raise SeqattnError(f"groups has {groups.shape[0]} entries for {n_samples} samples")
        n_groups = np.unique(groups).shape[0]
        if n_groups < n_folds:
            raise SeqattnError(
                f"groups has {n_groups} distinct values, fewer than n_restarts={n_folds}; "
                "lower n_restarts or pass groups=None"
            )
        if codes is not None:
            splitter = StratifiedGroupKFold(n_folds, shuffle=True, random_state=seed)
        else:
            splitter = GroupKFold(n_folds)
    elif codes is not None:
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    else:
        splitter = KFold(n_folds, shuffle=True, random_state=seed)
    fold = np.empty(n_samples, dtype=np.int64)
    with warnings.catch_warnings():
        # A class smaller than the number of folds is fine here: it is judged where it is.
        warnings.simplefilter("ignore", UserWarning)
        for i, (_, test) in enumerate(splitter.split(index, codes, groups)):
            fold[test] = i
    return fold


def judge_rows(fold: np.ndarray, seed: int) -> np.ndarray:
    """Rows used to judge picks: all of them, or a seeded subset of ``MAX_JUDGE_ROWS``."""
    n = fold.shape[0]
    if n <= MAX_JUDGE_ROWS:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, MAX_JUDGE_ROWS, replace=False))


@torch.no_grad()
def held_out_importance(
    net: AttentionEnsemble,
    x: torch.Tensor,
    y: torch.Tensor,
    held: torch.Tensor,
    targets: Targets,
    scale: torch.Tensor,
    candidates: torch.Tensor,
) -> torch.Tensor:
    """Rise of the held-out loss when each candidate is removed, shape ``(c,)``.

    Parameters
    ----------
    net : AttentionEnsemble
    x : torch.Tensor, shape (n, d)
        Centred features of the judging rows.
    y : torch.Tensor, shape (n,)
        Their targets (class codes or standardised values).
    held : torch.Tensor, shape (R, n)
        True where row ``i`` is held out of network ``r``.
    targets : Targets
    scale : torch.Tensor, shape (R, d)
        The networks' input multipliers (attention times ``1/sd``; ``1/sd`` if selected).
    candidates : torch.Tensor, shape (c,)
        Candidate columns to judge.
    """
    restarts, d = net.n_restarts, net.n_features
    n = x.shape[0]
    first = (net.first_weight * scale.t().unsqueeze(-1)).reshape(d, -1)
    base = torch.addmm(net.first_bias.reshape(-1), x, first).view(n, restarts, -1)
    base = base.transpose(0, 1)  # (R, n, width)
    # Removing candidate j subtracts its rank-one contribution x[:, j] * (w_j * scale_j).
    delta = net.first_weight[candidates] * scale.t()[candidates].unsqueeze(-1)  # (c, R, width)
    h = base.unsqueeze(0) - x[:, candidates].t().reshape(-1, 1, n, 1) * delta.unsqueeze(2)
    h = torch.cat([base.unsqueeze(0), h], dim=0)  # (1 + c, R, n, width)
    for weight, bias in zip(net.weights, net.biases, strict=True):
        h = torch.matmul(torch.relu(h), weight) + bias
    if targets.task == "classification":
        log_p = torch.log_softmax(h, dim=-1)
        index = y.view(1, 1, n, 1).expand(h.shape[0], restarts, n, 1)
        loss = -log_p.gather(-1, index).squeeze(-1)  # (1 + c, R, n)
        if targets.class_weight is not None:
            loss = loss * targets.class_weight[y]
    else:
        loss = (h.squeeze(-1) - y).square()
    total = (loss * held).sum(dim=(1, 2))
    return total[1:] - total[0]
