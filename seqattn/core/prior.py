"""A univariate prior for the attention logits (``logit_prior``, on by default).

At the start of every phase the logits are reset to ``s * z`` instead of zero, where
``z_j`` is candidate ``j``'s univariate association with the target, standardised across
the candidates (mean 0, sd 1): the square root of the ANOVA F statistic for a class label,
of the F statistic of a simple regression for a real target. Each network of the
ensemble computes ``z`` under its own row weights (its bootstrap weights times the class
weights of the loss), so the prior is resampled like the rest of the fit. The attention
then trains from the prior for the whole phase, so a candidate that helps only together
with the selected ones (a suppressor, the complement of a redundant pick) can still move
up, and a candidate the univariate test likes but the network does not use can move down.

Strength ``s = logit_prior * sqrt(log d / n)`` (``n``: independent samples), the rate of
the candidates' penalty: a selection of one among ``d`` from ``n`` samples is uncertain at
that rate, so the prior weighs most where the network's conditional evidence is weakest
(small cohorts, many candidates) and vanishes as ``n`` grows.
"""

from __future__ import annotations

import numpy as np
import torch

from seqattn.core.data import FeatureSource, Targets

#: Rows per chunk when the statistics are accumulated (bounds memory for large n).
_CHUNK = 4096


def univariate_z(
    source: FeatureSource,
    targets: Targets,
    row_weight: torch.Tensor | None,
    n_models: int,
    candidates: np.ndarray,
    blocks: np.ndarray | None = None,
    n_blocks: int | None = None,
) -> torch.Tensor:
    """Standardised univariate association of every feature, shape (n_models, d), or of
    every block, shape (n_models, n_blocks), when ``blocks`` is given (a block's statistic
    is its best candidate member's, as the ranking methods score a block).

    Parameters
    ----------
    source : FeatureSource
    targets : Targets
    row_weight : torch.Tensor of shape (n_models, n), or None
        Per-model row weights (the bootstrap); None weighs every row 1 in every model.
    n_models : int
    candidates : ndarray of bool, shape (d,)
        Features the standardisation runs over (the varying ones); the others get 0.
    blocks : ndarray of int, shape (d,), optional
        The block of each feature (``0 .. n_blocks - 1``); blocks without a candidate get 0.
    n_blocks : int, optional
    """
    n, d = source.n_samples, source.n_features
    dev = source.device
    w = torch.ones(n_models, n, dtype=torch.float64, device=dev)
    if row_weight is not None:
        w = w * row_weight.to(device=dev, dtype=torch.float64)
    if targets.task == "classification":
        codes = targets.values
        n_classes = targets.n_outputs
        if targets.class_weight is not None:
            w = w * targets.class_weight.to(torch.float64)[codes]
        onehot = torch.nn.functional.one_hot(codes, n_classes).to(torch.float64)  # (n, C)
        # Column (m, c): model m's weights on class c's rows.
        design = (w.t().unsqueeze(-1) * onehot.unsqueeze(1)).reshape(n, n_models * n_classes)
    else:
        yv = targets.values.to(torch.float64)
        design = torch.cat([w.t(), w.t() * yv[:, None], w.t() * (yv * yv)[:, None]], dim=1)
    first = torch.zeros(design.shape[1], d, dtype=torch.float64, device=dev)
    second = torch.zeros_like(first)
    for start in range(0, n, _CHUNK):
        index = torch.arange(start, min(start + _CHUNK, n), device=dev)
        xb = source.batch(index).to(torch.float64) * source.inv_sd.to(torch.float64)
        first += design[index].t() @ xb
        second += design[index].t() @ (xb * xb)
    if targets.task == "classification":
        mass = design.sum(dim=0).view(n_models, n_classes, 1)  # class weights
        s1 = first.view(n_models, n_classes, d)
        total_w = mass.sum(dim=1)
        total_1 = s1.sum(dim=1)
        total_2 = second.view(n_models, n_classes, d).sum(dim=1)
        within_mean = (s1 * s1 / mass.clamp_min(1e-12)).sum(dim=1)
        between = within_mean - total_1 * total_1 / total_w
        within = total_2 - within_mean
        stat = between / within.clamp_min(1e-12)
    else:
        W, Sy, Syy = (design[:, i * n_models : (i + 1) * n_models].sum(dim=0) for i in range(3))
        Sx = first[:n_models]
        Sxy = first[n_models : 2 * n_models]
        Sxx = second[:n_models]
        vx = Sxx / W[:, None] - (Sx / W[:, None]) ** 2
        vy = (Syy / W - (Sy / W) ** 2)[:, None]
        cov = Sxy / W[:, None] - (Sx / W[:, None]) * (Sy / W)[:, None]
        r2 = (cov * cov / (vx * vy).clamp_min(1e-24)).clamp(0.0, 1.0 - 1e-12)
        stat = r2 / (1.0 - r2)
    root = stat.clamp_min(0.0).sqrt()  # sqrt(F) up to a constant per model
    cand = torch.as_tensor(candidates, device=dev)
    if blocks is not None:
        index = torch.as_tensor(blocks, device=dev).expand(n_models, d)
        members = torch.where(cand, root, torch.full_like(root, -1.0))
        root = torch.full((n_models, n_blocks), -1.0, dtype=root.dtype, device=dev)
        root = root.scatter_reduce(1, index, members, reduce="amax")
        cand = root[0] >= 0  # blocks with a candidate member
        d = n_blocks
    z = torch.zeros(n_models, d, dtype=torch.float64, device=dev)
    if int(cand.sum()) >= 2:
        vals = root[:, cand]
        mu = vals.mean(dim=1, keepdim=True)
        sd = vals.std(dim=1, keepdim=True).clamp_min(1e-12)
        z[:, cand] = (vals - mu) / sd
    return z.to(torch.float32)


def prior_strength(logit_prior: float, n_features: int, n_independent: int) -> float:
    """``logit_prior * sqrt(log d / n)`` (see the module notes)."""
    return float(logit_prior) * float(np.sqrt(np.log(max(n_features, 2)) / n_independent))
