"""LassoNet: a network whose inputs are pruned along a hierarchical-lasso path (``lassonet``)."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from seqattn._errors import SeqattnError
from seqattn.methods._base import SelectionMethod, register
from seqattn.methods._prep import (
    check_positive,
    dense,
    encode_labels,
    standardize,
    torch_device,
    torch_seeded,
)


@register
class LassoNetPath(SelectionMethod):
    """LassoNet classifier trained along its regularisation path, features ranked by
    ``feature_importances_`` (the penalty at which each feature leaves the model)
    (package ``lassonet``, ``LassoNetClassifier.path``).

    A one-hidden-layer network plus a linear skip connection is trained densely, then the
    penalty ``lambda`` grows by ``path_multiplier`` per step with a hierarchical proximal
    step (``M``) that removes a feature from the network when its skip weight is zero, until
    no feature is left. Features that leave later rank higher; features leaving at the
    same ``lambda`` are ordered by the norm of their skip-connection weights just before
    (recorded with the path callback). One path serves every k (ordered). Inputs are
    standardised inside; 10% of the samples are held out for early stopping (lassonet's
    default), split with ``random_state``.

    Optimises cross-entropy + ``lambda`` * group-lasso on the skip weights, subject to
    ``|W1_j| <= M * |theta_j|``. Cost: a few hundred path steps, each up to
    ``n_iters[1]`` full-batch epochs on n x d; about 1-3 minutes for 1000 x 2000 on two CPU
    cores with the defaults (a coarser ``path_multiplier`` than lassonet's 1.02 and a
    32-unit hidden layer keep it there). Reference: Lemhadri, Ruan, Abraham & Tibshirani,
    JMLR 2021.

    Parameters
    ----------
    hidden_dims : tuple of int
        Hidden layer sizes.
    path_multiplier : float
        Factor between successive ``lambda`` (> 1); smaller is finer and slower.
    lambda_start : "auto" or float
        First ``lambda`` of the path; ``"auto"`` lets lassonet estimate it (a search that
        can take a large share of the run time on small problems).
    M : float
        Hierarchy coefficient.
    n_iters : tuple of int
        Maximum epochs for the dense fit and for each path step.
    patience : tuple of int
        Early-stopping patience for the dense fit and for each path step.
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``.
    """

    name = "lassonet"

    def __init__(
        self,
        hidden_dims: tuple[int, ...] = (32,),
        path_multiplier: float = 1.05,
        lambda_start: float | str = "auto",
        M: float = 10.0,
        n_iters: tuple[int, int] = (1000, 100),
        patience: tuple[int, int] = (100, 10),
        device: str = "auto",
    ) -> None:
        super().__init__()
        hidden_dims = tuple(hidden_dims)
        if not hidden_dims or not all(
            isinstance(h, numbers.Integral) and h > 0 for h in hidden_dims
        ):
            raise SeqattnError(
                f"lassonet: hidden_dims={hidden_dims!r} must be positive integers, e.g. (32,)"
            )
        if not isinstance(path_multiplier, numbers.Real) or not path_multiplier > 1:
            raise SeqattnError(f"lassonet: path_multiplier={path_multiplier!r} must be > 1")
        check_positive(self.name, M=M)
        if lambda_start != "auto":
            check_positive(self.name, lambda_start=lambda_start)
        for option, pair in (("n_iters", n_iters), ("patience", patience)):
            if len(tuple(pair)) != 2 or not all(
                isinstance(v, numbers.Integral) and v > 0 for v in pair
            ):
                raise SeqattnError(
                    f"lassonet: {option}={pair!r} must be two positive integers (dense, path)"
                )
        self.hidden_dims = tuple(int(h) for h in hidden_dims)
        self.path_multiplier = float(path_multiplier)
        self.lambda_start = lambda_start if lambda_start == "auto" else float(lambda_start)
        self.M = float(M)
        self.n_iters = tuple(int(v) for v in n_iters)
        self.patience = tuple(int(v) for v in patience)
        self.device = device

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        import torch
        from lassonet import LassoNetClassifier

        device = torch_device(self.name, self.device)
        codes, _ = encode_labels(y, self.name, min_per_class=2)
        Xs = standardize(dense(X, self.name))
        d = Xs.shape[1]
        skip_norms: list[np.ndarray] = []

        def record(model: Any, history: list) -> None:
            weight = model.model.skip.weight.detach()
            skip_norms.append(torch.linalg.vector_norm(weight, dim=0).cpu().numpy())

        model = LassoNetClassifier(
            hidden_dims=self.hidden_dims,
            path_multiplier=self.path_multiplier,
            lambda_start=self.lambda_start,
            M=self.M,
            n_iters=self.n_iters,
            patience=self.patience,
            device=device,
            verbose=0,
            random_state=random_state,
            torch_seed=random_state,
        )
        with torch_seeded(random_state), warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "lambda_start might be too large"
            path = model.path(Xs, codes, return_state_dicts=False, callback=record)
        leave = model.feature_importances_.cpu().numpy().astype(np.float64)
        # Skip-weight norm of each feature at the step before it left (its last non-zero).
        norms = np.vstack(skip_norms)  # (len(path), d)
        last_alive = np.zeros(d)
        for step_norms in norms:
            alive = step_norms > 0
            last_alive[alive] = step_norms[alive]
        finite_leave = np.where(np.isfinite(leave), leave, np.inf)
        order = np.lexsort((np.arange(d), -last_alive, -finite_leave))[:k]
        self.info_ = {
            "n_path_steps": len(path),
            "lambda_start": float(getattr(model, "lambda_start_", self.lambda_start)),
            "lambda_leave": leave[order].tolist(),
            "device": str(device),
        }
        return order, leave[order]
