"""LassoNet: a network whose inputs are pruned along a hierarchical-lasso path (``lassonet``)."""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any, ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from seqattn.methods._base import PanelSelector, register
from seqattn.methods._prep import (
    check_positive_ints,
    dense,
    encode_labels,
    import_peer,
    standardize,
    torch_device,
    torch_seeded,
)


@register
class LassoNetPath(PanelSelector):
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
    hidden_dims : tuple of int, default=(32,)
        Hidden layer sizes.
    path_multiplier : float, default=1.05
        Factor between successive ``lambda`` (> 1); smaller is finer and slower.
    lambda_start : "auto" or float, default="auto"
        First ``lambda`` of the path; ``"auto"`` lets lassonet estimate it (a search that
        can take a large share of the run time on small problems).
    M : float, default=10.0
        Hierarchy coefficient.
    n_iters : tuple of int, default=(1000, 100)
        Maximum epochs for the dense fit and for each path step.
    patience : tuple of int, default=(100, 10)
        Early-stopping patience for the dense fit and for each path step.
    device : str, default="auto"
        ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Attributes
    ----------
    n_path_steps_ : int
    lambda_start_ : float
        The path's first ``lambda`` (lassonet's estimate with ``"auto"``).
    lambda_leave_ : list of float
        The ``lambda`` at which each panel feature left the model.
    device_ : str
        Device the fit ran on.
    """

    name = "lassonet"
    supports_blocks = True  # one path ranks every feature; a block ranks by its best
    constraint_limit = (
        "ranks features by the lambda at which they leave its path, not by a gain a cost can divide"
    )

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "hidden_dims": [tuple, list],
        "path_multiplier": [Interval(Real, 1, None, closed="neither")],
        "lambda_start": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "M": [Interval(Real, 0, None, closed="neither")],
        "n_iters": [tuple, list],
        "patience": [tuple, list],
        "device": [str],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        hidden_dims: tuple[int, ...] = (32,),
        path_multiplier: float = 1.05,
        lambda_start: float | str = "auto",
        M: float = 10.0,
        n_iters: tuple[int, int] = (1000, 100),
        patience: tuple[int, int] = (100, 10),
        device: str = "auto",
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.hidden_dims = hidden_dims
        self.path_multiplier = path_multiplier
        self.lambda_start = lambda_start
        self.M = M
        self.n_iters = n_iters
        self.patience = patience
        self.device = device

    def _check_options(self) -> None:
        check_positive_ints(self.name, "hidden_dims", self.hidden_dims, example="(32,)")
        for option in ("n_iters", "patience"):
            check_positive_ints(
                self.name, option, getattr(self, option), length=2, example="(dense, path)"
            )

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        import torch

        LassoNetClassifier = import_peer("lassonet", self.name).LassoNetClassifier

        device = torch_device(self.name, self.device)
        codes, _ = encode_labels(y, self.name, min_per_class=2)
        Xs = standardize(dense(X, self.name))
        d = Xs.shape[1]
        skip_norms: list[np.ndarray] = []

        def record(model: Any, history: list) -> None:
            weight = model.model.skip.weight.detach()
            skip_norms.append(torch.linalg.vector_norm(weight, dim=0).cpu().numpy())

        lambda_start = (
            self.lambda_start if self.lambda_start == "auto" else float(self.lambda_start)
        )
        model = LassoNetClassifier(
            hidden_dims=tuple(self.hidden_dims),
            path_multiplier=float(self.path_multiplier),
            lambda_start=lambda_start,
            M=float(self.M),
            n_iters=tuple(self.n_iters),
            patience=tuple(self.patience),
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
        order = np.lexsort((np.arange(d), -last_alive, -finite_leave))
        self.n_path_steps_ = len(path)
        self.lambda_start_ = float(getattr(model, "lambda_start_", lambda_start))
        self.lambda_leave_ = leave[order[:k]].tolist()
        self.device_ = str(device)
        return order, leave[order]
