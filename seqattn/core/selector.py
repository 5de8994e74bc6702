"""``SequentialAttentionSelector``: Sequential Attention as a scikit-learn selector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin
from sklearn.utils.validation import check_is_fitted

from seqattn._constraints import check_constraint_values, plan_panel
from seqattn._errors import SeqattnError
from seqattn._panel import check_X_y, panel_size, ranking_from_order, seed_of
from seqattn.core.training import sequential_attention


class SequentialAttentionSelector(SelectorMixin, BaseEstimator):
    """Select a small, ordered panel of features with Sequential Attention.

    Sequential Attention (Yasuda et al., ICLR 2023, arXiv:2209.14881) trains one network
    once; in each phase a softmax attention over the features not yet selected gates the
    input, and at the end of the phase the most attended feature joins the panel. It
    approximates greedy forward selection (for a linear model it behaves like
    orthogonal matching pursuit) at the cost of a single training run, and picks
    features that matter together rather than redundant copies of one signal.

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Panel size; a float in (0, 1) is a fraction of the features; None selects half.
        With ``feature_groups`` it counts blocks; with a ``budget`` it is an upper limit
        (None: the budget alone).
    n_per_step : int, default=1
        Features picked at the end of each phase (larger is faster, less greedy).
    model : {"mlp", "linear"}, default="mlp"
        Network behind the attention. ``"linear"`` is a linear (regression) or
        multinomial logistic (classification) model.
    hidden : int or tuple of int, default=(64,)
        Hidden-layer widths of the MLP.
    epochs : float or None, default=None
        Total training budget in passes over the data. None applies the size rule of
        :mod:`seqattn.core.schedule` (about 2,400 steps for k=10, 200-1,000 steps per
        pick, batches of 64-1,024 rows), which works from 50 to 10^6 samples.
    batch_size : int or None, default=None
        Rows per gradient step; None applies the size rule.
    lr : float, default=1e-3
        AdamW learning rate of the network (the attention logits use 100 times this).
    weight_decay : float, default=1e-4
        Decoupled (AdamW) weight decay of the network parameters.
    n_restarts : int, default=4
        Networks trained side by side (one batched computation, independently
        initialised); each pick goes to the feature with the highest mean attention, or
        by vote with ``bootstrap``. 1 is the paper's single network and the fastest.
    bootstrap : bool, default=True
        Train each of the ``n_restarts`` networks on its own Bayesian-bootstrap
        weighting of the samples (an Exp(1) weight per sample, or per subject with
        ``groups``, drawn once) and give each pick to the feature most networks rank
        first (ties: the highest mean attention), so a feature that only helps one
        network fit its own resample loses the vote. No effect with ``n_restarts=1``.
    phase_lr_scale : float, default=1.0
        The network's learning rate during the selection phases, as a multiple of
        ``lr`` (the warm-up always trains at ``lr``). 1 is the paper's joint training;
        smaller values leave more of the adapting to the attention, at the cost of
        picking redundant copies of a selected feature more often.
    hold_candidate_norms : bool, default=False
        During each selection phase, keep the norm of every unselected candidate's
        first-layer weights at its end-of-warm-up value (their direction still trains),
        so only the attention can raise a candidate's influence.
    candidate_penalty : float, default=0.1
        L2 penalty on the first-layer weights of the features not yet selected, scaled
        by ``sqrt(log(n_features) / n)`` with ``n`` the number of samples (of subjects
        when ``groups`` is given): on a small cohort the network can no longer fit what is
        left through weakly attended candidates, so the attention follows signal that
        holds across samples; selected features are not penalised. 0 turns it off.
    logit_prior : float, default=1.0
        Start every phase's attention logits at ``s * z`` instead of 0, with ``z`` each
        candidate's standardised univariate association with ``y`` (square root of the
        ANOVA F, under each network's bootstrap weights) and ``s = logit_prior *
        sqrt(log(n_features) / n)`` (``n``: samples, or subjects with ``groups``); the
        attention still trains away from it, and on large data it vanishes. With
        ``feature_groups`` a block's ``z`` is its best member's and ``n_features`` counts
        blocks. 0 starts every phase from uniform attention.
    class_weight : {"balanced", None} or dict, default="balanced"
        Loss weighting of classes; balanced makes rare classes count fully; a dict
        ``{class: weight}`` sets the weights (classes left out weigh 1), as in
        scikit-learn.
    task : {"auto", "classification", "regression"}, default="auto"
        ``"auto"`` treats float targets with non-integer values as regression.
    feature_groups : array-like of shape (n_features,), optional
        Block label of each column (None, NaN or "" = a block of its own). Each block has
        one attention logit; a picked block brings all its columns (weight 1 from then
        on). See :mod:`seqattn.core.training` for how a block's columns are scaled.
    feature_costs : array-like of shape (n_features,), optional
        Cost of each column (finite, >= 0; 1 each when None); a block costs the sum.
    budget : float, optional
        Most the panel may cost: each pick goes to the block with the most attention per
        unit cost among those that still fit (a zero cost counts as the smallest positive
        cost present), and selection stops when none fits.
    exclude : sequence of int or str, or str, optional
        Columns never to select (not even shown to the network): indices, names, or one
        regular expression searched in the column names (e.g. ``"^KRT|^IG[HKL]V"``).
    preselected : sequence of int or str, optional
        Features forced into the panel first (indices, or names when fitted on a
        DataFrame), with their blocks; they count towards ``n_features_to_select`` and
        the budget.
    pick : {"attention", "held_out"}, default="attention"
        ``"attention"``: each pick goes to the most attended feature. ``"held_out"``:
        the ``n_restarts`` networks are cross-fitted (each never trains on one fold of
        the rows, or of the ``groups`` passed to :meth:`fit`) and the pick goes to the
        feature, among the ``shortlist`` most attended, whose removal from the trained
        networks raises the loss on their held-out rows most.
    shortlist : int, default=10
        Features the attention proposes at each pick when ``pick="held_out"``.
    device : str, default="auto"
        ``"auto"`` (first CUDA GPU if any, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:1"``.
    random_state : int, RandomState or None, default=0
        Seed of the initial weights and mini-batch order; fits on the CPU are exactly
        reproducible.
    verbose : bool, default=False
        Show a progress bar.

    Attributes
    ----------
    selected_features_ : ndarray of int, shape (k,)
        Selected column indices in selection order.
    selection_scores_ : ndarray of float, shape (k,)
        Attention weight (softmax over the unselected features) of each feature when it
        was picked; 1.0 for preselected features.
    ranking_ : ndarray of int, shape (n_features,)
        1 for the first pick, ..., k for the last; the others rank after them by their
        attention in the last phase. The columns of a block share its rank; excluded
        and constant columns rank last.
    attention_history_ : ndarray of float32, shape (k, n_features)
        Attention of every feature just before each pick (NaN for features already in
        the panel; NaN rows for preselected features). With ``feature_groups``, one row
        per picked block, each column showing its block's weight; with a ``budget``, one
        row per pick made.
    selected_groups_ : list
        Label of each picked block in pick order (the column's name, else its index, for
        a column of its own).
    panel_cost_ : float
        Total cost of the panel's columns.
    excluded_features_ : ndarray of int
        Columns ``exclude`` named.
    loss_curve_ : ndarray of float32
        Training loss at every gradient step.
    pick_steps_ : ndarray of int
        Step after which each feature was picked (for plotting on ``loss_curve_``).
    classes_ : ndarray or None
        Class labels (classification).
    task_ : str
        ``"classification"`` or ``"regression"``.
    schedule_ : dict
        ``batch_size``, ``warmup_steps``, ``steps_per_phase``, ``total_steps``, ``epochs``.
    device_ : str
        Device the fit ran on.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    Notes
    -----
    ``transform`` keeps the selected columns in their original order (scikit-learn's
    convention); use ``X[:, selector.selected_features_]`` for selection order.

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn import SequentialAttentionSelector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 10)); y = (X[:, 3] + X[:, 7] > 0).astype(int)
    >>> sel = SequentialAttentionSelector(2, random_state=0).fit(X, y)
    >>> sorted(sel.selected_features_.tolist())
    [3, 7]
    """

    supports_blocks: ClassVar[bool] = True
    supports_budget: ClassVar[bool] = True

    def __init__(
        self,
        n_features_to_select: int | float | None = None,
        *,
        n_per_step: int = 1,
        model: str = "mlp",
        hidden: int | tuple[int, ...] = (64,),
        epochs: float | None = None,
        batch_size: int | None = None,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        n_restarts: int = 4,
        bootstrap: bool = True,
        phase_lr_scale: float = 1.0,
        hold_candidate_norms: bool = False,
        candidate_penalty: float = 0.1,
        logit_prior: float = 1.0,
        class_weight: str | dict[Any, float] | None = "balanced",
        task: str = "auto",
        feature_groups: Any = None,
        feature_costs: Any = None,
        budget: float | None = None,
        exclude: Any = None,
        preselected: Sequence[int | str] | None = None,
        pick: str = "attention",
        shortlist: int = 10,
        device: str = "auto",
        random_state: int | np.random.RandomState | None = 0,
        verbose: bool = False,
    ) -> None:
        self.n_features_to_select = n_features_to_select
        self.n_per_step = n_per_step
        self.model = model
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.n_restarts = n_restarts
        self.bootstrap = bootstrap
        self.phase_lr_scale = phase_lr_scale
        self.hold_candidate_norms = hold_candidate_norms
        self.candidate_penalty = candidate_penalty
        self.logit_prior = logit_prior
        self.class_weight = class_weight
        self.task = task
        self.feature_groups = feature_groups
        self.feature_costs = feature_costs
        self.budget = budget
        self.exclude = exclude
        self.preselected = preselected
        self.pick = pick
        self.shortlist = shortlist
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR is used as is, one densified batch at a time
        tags.target_tags.required = True  # supervised: y drives the attention
        # Selecting columns never changes their dtype.
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _check_params(self) -> None:
        """The constraint values that can be checked before the data (one line each)."""
        check_constraint_values(self)

    def _constrained(self) -> bool:
        keys = ("feature_groups", "feature_costs", "budget", "exclude")
        return any(getattr(self, key) is not None for key in keys)

    def _preselected_indices(self) -> list[int] | None:
        if self.preselected is None:
            return None
        names = getattr(self, "feature_names_in_", None)
        out = []
        for item in self.preselected:
            if isinstance(item, str):
                if names is None or item not in set(names):
                    raise SeqattnError(
                        f"preselected feature {item!r} is not a column name of X; "
                        "pass column indices or fit on a DataFrame with that column"
                    )
                out.append(int(np.flatnonzero(names == item)[0]))
            else:
                out.append(int(item))
        return out

    def fit(self, X: Any, y: Any, groups: Any = None) -> SequentialAttentionSelector:
        """Run Sequential Attention on ``X``, ``y``.

        Parameters
        ----------
        X : array-like, sparse matrix or torch.Tensor, shape (n_samples, n_features)
            Finite values (impute first). Sparse input is converted to CSR, never
            densified whole; a tensor is used on its device without a host copy.
        y : array-like, shape (n_samples,)
            Class labels (strings, ints, bools, categoricals) or real targets.
        groups : array-like of shape (n_samples,), optional
            Subject of each sample (mouse, patient): the bootstrap reweights subjects,
            ``candidate_penalty`` counts subjects as the independent samples, and with
            ``pick="held_out"`` a subject's samples are held out together.

        Returns
        -------
        self
        """
        if isinstance(X, torch.Tensor):
            if X.ndim != 2:
                raise SeqattnError(f"X must be 2-d, got a tensor of shape {tuple(X.shape)}")
            if not bool(torch.isfinite(X).all()):
                raise SeqattnError("X contains NaN or infinity; impute missing values first")
            if y is None:
                raise SeqattnError("y is required: pass the labels to select features for")
            self.n_features_in_ = int(X.shape[1])
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            X, y = check_X_y(self, X, y)
        d = self.n_features_in_
        if self._constrained():
            return self._fit_constrained(X, y, groups)
        k = panel_size(self.n_features_to_select, d)
        result = self._run(X, y, k, groups, self._preselected_indices())
        self._record(result, X.shape[0])
        rest = np.setdiff1d(np.arange(d), result.order)
        rest_attention = np.nan_to_num(result.final_attention[rest], nan=-np.inf)
        rest = rest[np.argsort(-rest_attention, kind="stable")]
        self.ranking_ = ranking_from_order(np.concatenate([result.order, rest]), d)
        names = getattr(self, "feature_names_in_", None)
        self.selected_groups_ = [
            str(names[j]) if names is not None else int(j) for j in self.selected_features_
        ]
        self.panel_cost_ = float(len(self.selected_features_))
        self.excluded_features_ = np.zeros(0, dtype=np.int64)
        return self

    def _fit_constrained(self, X: Any, y: Any, groups: Any) -> SequentialAttentionSelector:
        """``fit`` with constraints: the network sees the candidate columns only (not
        excluded, not constant), with one logit per block."""
        check_constraint_values(self)
        names = getattr(self, "feature_names_in_", None)
        plan = plan_panel(self, X, names)
        cand = plan.candidates
        if isinstance(X, torch.Tensor):
            sub = X.index_select(1, torch.as_tensor(cand, device=X.device))
        else:
            sub = X[:, cand]
        forced = [int(plan.members[b][0]) for b in plan.forced]  # a column brings its block
        k = plan.cap if plan.cap is not None else plan.n_blocks
        result = self._run(
            sub,
            y,
            k,
            groups,
            forced or None,
            blocks=plan.block if plan.grouped else None,
            block_costs=plan.cost,
            budget=plan.budget,
        )
        self._record(result, X.shape[0])
        d = self.n_features_in_
        self.selected_features_ = cand[result.order]
        history = np.full((result.attention_history.shape[0], d), np.nan, dtype=np.float32)
        history[:, cand] = result.attention_history
        self.attention_history_ = history
        if plan.grouped:
            picked, attention = result.blocks, result.block_attention
        else:  # a block per candidate column, numbered as the columns
            picked, attention = result.order, result.final_attention
        rest = np.argsort(-np.nan_to_num(attention, nan=-np.inf), kind="stable")
        self.ranking_ = plan.ranking(picked.tolist(), rest.tolist())
        self.selected_groups_ = plan.group_labels(picked.tolist(), names)
        self.panel_cost_ = float(plan.cost[picked].sum())
        return self

    def _run(self, X: Any, y: Any, k: int, groups: Any, preselected: Any, **blocks: Any):
        return sequential_attention(
            X,
            y,
            k,
            n_per_step=self.n_per_step,
            model=self.model,
            hidden=self.hidden,
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            weight_decay=self.weight_decay,
            n_restarts=self.n_restarts,
            bootstrap=self.bootstrap,
            phase_lr_scale=self.phase_lr_scale,
            hold_candidate_norms=self.hold_candidate_norms,
            candidate_penalty=self.candidate_penalty,
            logit_prior=self.logit_prior,
            class_weight=self.class_weight,
            task=self.task,
            preselected=preselected,
            pick=self.pick,
            shortlist=self.shortlist,
            groups=groups,
            device=self.device,
            random_state=seed_of(self.random_state),
            verbose=self.verbose,
            **blocks,
        )

    def _record(self, result: Any, n: int) -> None:
        self.selected_features_ = result.order
        self.selection_scores_ = result.scores
        self.attention_history_ = result.attention_history
        self.loss_curve_ = result.loss_curve
        self.pick_steps_ = result.pick_steps
        self.classes_ = result.classes
        self.task_ = result.task
        self.device_ = result.device
        self.schedule_ = {
            "batch_size": result.schedule.batch_size,
            "warmup_steps": result.schedule.warmup_steps,
            "steps_per_phase": result.schedule.steps_per_phase,
            "total_steps": result.schedule.total_steps,
            "epochs": result.schedule.epochs(n),
        }

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "selected_features_")
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[self.selected_features_] = True
        return mask

    def transform(self, X: Any) -> Any:
        """Keep the selected columns (original column order); tensors stay on their device."""
        if isinstance(X, torch.Tensor):
            check_is_fitted(self, "selected_features_")
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise SeqattnError(
                    f"X has shape {tuple(X.shape)}; expected {self.n_features_in_} columns"
                )
            index = torch.as_tensor(np.flatnonzero(self._get_support_mask()), device=X.device)
            return X.index_select(1, index)
        return super().transform(X)
