"""The Sequential Attention algorithm (Yasuda et al., ICLR 2023, arXiv:2209.14881).

One pass over a training budget split into a warm-up and one phase per pick:

1. warm-up: the network trains on all candidates at input weight 1;
2. each phase: the attention logits (reset to a univariate prior, see below) and the
   network train together; at the END of the phase the unselected candidate(s) with the
   largest attention weight are selected (their input weight becomes exactly 1) and the
   logits reset.

Every pick comes from logits trained for a full phase (the public reference
implementation reads untrained logits for its first pick and wastes its last phase).

The rules, each checked on the synthetic redundancy and suppressor problems of
``tests/test_core.py`` (measurements: ``bench/README.md``):

- unselected inputs are scaled by ``sqrt(m) * softmax`` over the ``m`` candidates, so
  together they weigh one feature for any ``d`` (see :class:`AttentionEnsemble`);
- features are standardised with the mean and sd of the data passed in; classes are
  weighted to balance by default;
- the candidates' first-layer weights carry an L2 penalty ``c * sqrt(log d / n)``
  (``candidate_penalty=c``; ``n`` counts independent samples: subjects when ``groups``
  is given). This is the paper's regularised form (for a linear model it makes the
  attention follow orthogonal matching pursuit), at the lasso's rate in ``n``: a network
  trained on a small cohort cannot fit what the selected features leave unexplained
  through thousands of weakly attended candidates, so the attention follows signal that
  holds across samples rather than the individual rows; on large data the penalty
  vanishes. Selected features are not penalised;
- each phase's logits start at ``s * z`` rather than 0 (``logit_prior``, see
  :mod:`seqattn.core.prior`): ``z`` the candidates' standardised univariate association
  with ``y`` (sqrt of the ANOVA F, under each network's bootstrap weights) and
  ``s = logit_prior * sqrt(log d / n)``: the attention starts from what holds marginally
  and trains away from it where the selected features make a candidate redundant or
  useful; on large data the prior vanishes;
- the logits use their own optimiser (:class:`SharedScaleAdam`, 100x the network's
  learning rate, fresh at every phase) so noise logits among thousands stay put;
- the network (AdamW, small weight decay) keeps training across phases
  (``phase_lr_scale=1``, the paper's joint training); ``hold_candidate_norms`` is an
  alternative way to keep candidates from being amplified through their own weights;
- four networks train side by side, each on its own Bayesian-bootstrap weighting of the
  rows (Exp(1) weights drawn once, one per subject with ``groups``), and each pick goes
  to the candidate most networks rank first, the mean attention breaking ties: a
  candidate that helps only one resample loses the vote (``n_restarts=1``: the paper's
  single network);
- ``pick="held_out"`` cross-fits the networks instead and lets held-out rows judge the
  attention's short list (:mod:`seqattn.core.heldout`);
- with ``blocks`` there is one logit per block of columns (as in SequentialAttention++'s
  block sparsification): a column of an unselected block enters at ``sqrt(M / s)`` times
  its block's softmax weight (``M`` candidate blocks, ``s`` columns in the block), so a
  block weighs one feature whatever its size, and a picked block's columns enter at 1;
- with a ``budget`` each pick goes to the block with the most attention per unit cost
  among those that still fit (votes first with ``bootstrap``), and selection stops when
  none fits; the schedule plans the most picks the budget allows.

The loop keeps the data as one tensor on the device, indexes mini-batches through a
permutation and never synchronises with the host inside a phase (losses are written into
a device tensor and read once at the end). Each step's forward and backward are written
out by hand (:mod:`seqattn.core.backprop`, checked against autograd in the tests).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from seqattn._constraints import effective_costs
from seqattn._errors import SeqattnError
from seqattn.core.backprop import PhaseMask, multipliers, train_step
from seqattn.core.data import FeatureSource, encode_targets
from seqattn.core.device import resolve_device
from seqattn.core.heldout import cross_fit_folds, held_out_importance, judge_rows
from seqattn.core.network import AttentionEnsemble
from seqattn.core.optim import SharedScaleAdam
from seqattn.core.prior import prior_strength, univariate_z
from seqattn.core.schedule import Schedule, make_schedule

#: Below this many GEMM floating-point operations per step a CPU fit runs on one thread:
#: such small products gain nothing from intra-op threads, and on a shared machine
#: (parallel workflow jobs) spinning OpenMP threads made tiny fits >10x slower.
SINGLE_THREAD_FLOPS = 2**24

#: Attention logits learn this many times faster than the network: a phase has a few
#: hundred steps and the logits restart from zero in each, so at the network's rate they
#: could move only ~0.2 and the pick would be close to a tie. At 100x (0.1 by default)
#: the softmax can concentrate within a phase, yet no logit moves more than ~0.1 per step
#: (see ``SharedScaleAdam``), so one noisy batch cannot lock the choice in. Chosen on the
#: synthetic problems of the tests (10, 30, 100, 300 compared), then checked on Mice
#: Protein and pbmc68k_reduced; not tuned further to either.
ATTENTION_LR_FACTOR = 100.0


@dataclass
class SelectionResult:
    """What one run of :func:`sequential_attention` returns.

    Attributes
    ----------
    order : ndarray of int64, shape (k,)
        Selected columns in selection order (preselected ones first).
    scores : ndarray of float64, shape (k,)
        Attention weight (softmax over the unselected, ensemble mean) each feature had
        when picked; 1.0 for preselected features.
    attention_history : ndarray of float32, shape (k, d)
        Row ``j``: the attention weight of every candidate just before pick ``j`` (NaN for
        features already selected; all NaN for preselected rows).
    final_attention : ndarray of float32, shape (d,)
        Attention of the last phase with every selected feature set to NaN (ranks the
        features that were not selected).
    loss_curve : ndarray of float32, shape (total_steps,)
        Training loss per gradient step (ensemble mean).
    pick_steps : ndarray of int64, shape (k,)
        Gradient step after which each feature was picked (0 for preselected ones).
    schedule : Schedule
    device : str
    task : str
    classes : ndarray or None
    blocks : ndarray of int64 or None
        With ``blocks``: the block of each pick, in pick order (``order`` lists the
        columns of each block together; ``scores``, ``pick_steps`` are per column and
        ``attention_history`` has one row per block, each column showing its block's
        weight).
    block_attention : ndarray of float32 or None
        With ``blocks``: the last phase's attention of every block (NaN when selected).
    """

    order: np.ndarray
    scores: np.ndarray
    attention_history: np.ndarray
    final_attention: np.ndarray
    loss_curve: np.ndarray
    pick_steps: np.ndarray
    schedule: Schedule
    device: str
    task: str
    classes: np.ndarray | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    blocks: np.ndarray | None = None
    block_attention: np.ndarray | None = None


class _BatchIndices:
    """Mini-batch row indices from successive random permutations (on the device)."""

    def __init__(self, n: int, batch_size: int, device: torch.device, seed: int) -> None:
        self.n, self.batch_size, self.device = n, batch_size, device
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self._perm = torch.empty(0, dtype=torch.int64, device=device)
        self._pos = 0

    def next(self) -> torch.Tensor:
        # Fixed-size batches: the tail of a permutation is dropped (a different tail
        # every epoch), so every step costs the same.
        if self._pos + self.batch_size > self._perm.shape[0]:
            self._perm = torch.randperm(self.n, generator=self.generator, device=self.device)
            self._pos = 0
        index = self._perm[self._pos : self._pos + self.batch_size]
        self._pos += self.batch_size
        return index


def _check_hidden(hidden: Any, model: str) -> tuple[int, ...]:
    if model == "linear":
        return ()
    if model != "mlp":
        raise SeqattnError(f"model={model!r}; use 'mlp' or 'linear'")
    if hidden is None:
        return ()
    widths = (hidden,) if isinstance(hidden, int | np.integer) else tuple(hidden)
    if not all(isinstance(w, int | np.integer) and w >= 1 for w in widths):
        raise SeqattnError(f"hidden={hidden!r} must be a positive int or a tuple of them")
    return tuple(int(w) for w in widths)


def _check_preselected(preselected: Sequence[int] | None, d: int, k: int) -> list[int]:
    if preselected is None:
        return []
    chosen = [int(i) for i in np.asarray(preselected, dtype=np.int64).ravel()]
    if len(set(chosen)) != len(chosen):
        raise SeqattnError("preselected lists a feature twice; give each index once")
    if any(not 0 <= i < d for i in chosen):
        raise SeqattnError(f"preselected indices must lie in [0, {d}); got {chosen}")
    if len(chosen) > k:
        raise SeqattnError(
            f"{len(chosen)} preselected features exceed n_features_to_select={k}; "
            "raise n_features_to_select or preselect fewer"
        )
    return chosen


@torch.no_grad()
def _hold_norms(weight: torch.Tensor, norms: torch.Tensor, rows: torch.Tensor) -> None:
    """Rescale ``weight[i, r, :]`` to norm ``norms[i, r]`` where ``rows[i]`` is set.

    ``weight`` is the first layer, shape ``(d, R, width)``; ``norms`` has shape
    ``(d, R, 1)`` and ``rows`` ``(d, 1, 1)`` (boolean).
    """
    current = weight.norm(dim=-1, keepdim=True).clamp_min_(1e-12)
    weight.mul_(torch.where(rows, norms / current, 1.0))


@contextlib.contextmanager
def _threads_for(device: torch.device, flops_per_step: int) -> Iterator[None]:
    """Run small CPU fits single-threaded (restoring the caller's setting afterwards)."""
    if device.type != "cpu" or flops_per_step >= SINGLE_THREAD_FLOPS:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def sequential_attention(
    X: Any,
    y: Any,
    n_features_to_select: int,
    *,
    n_per_step: int = 1,
    model: str = "mlp",
    hidden: int | Sequence[int] | None = (64,),
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
    preselected: Sequence[int] | None = None,
    pick: str = "attention",
    shortlist: int = 10,
    groups: Any = None,
    device: str | torch.device = "auto",
    random_state: int = 0,
    verbose: bool = False,
    blocks: Sequence[int] | None = None,
    block_costs: Sequence[float] | None = None,
    budget: float | None = None,
) -> SelectionResult:
    """Select ``n_features_to_select`` columns of ``X`` with Sequential Attention.

    Parameters
    ----------
    X : ndarray, scipy.sparse matrix or torch.Tensor, shape (n, d)
        Finite features; standardised internally with the mean and sd of ``X``.
    y : array-like, shape (n,)
        Class labels (any dtype) or real targets.
    n_features_to_select : int
        Panel size ``k`` (preselected features included).
    n_per_step : int
        Features picked at the end of each phase.
    model : {"mlp", "linear"}
        Network behind the attention; ``"linear"`` is a (generalised) linear model.
    hidden : int or tuple of int
        Hidden-layer widths of the MLP.
    epochs : float or None
        Total training budget in passes over the data; None applies the rule of
        :mod:`seqattn.core.schedule`.
    batch_size : int or None
        Rows per gradient step; None applies the rule of :mod:`seqattn.core.schedule`.
    lr : float
        AdamW learning rate of the network (the logits use ``100 * lr``).
    weight_decay : float
        Decoupled (AdamW) weight decay of the network parameters.
    n_restarts : int
        Independently initialised models trained side by side; each pick goes to the
        candidate with the largest ensemble-mean attention, or by vote with ``bootstrap``.
        1 is the paper's single network (the fastest).
    bootstrap : bool
        Train each of the ``n_restarts`` models on its own Bayesian-bootstrap weighting of
        the rows (one Exp(1) weight per row and model, drawn once) and give each pick to
        the candidate most models rank first (ties: the largest mean attention). No
        effect with ``n_restarts=1``. See the module notes.
    phase_lr_scale : float
        The network's learning rate in the selection phases, as a multiple of ``lr``
        (the warm-up trains at ``lr``); see the module notes.
    hold_candidate_norms : bool
        During each phase, hold the norm of every unselected candidate's first-layer
        weights at its end-of-warm-up value, so only the attention can raise a
        candidate's influence (see the module notes). False (default) is the paper's
        plain joint training.
    candidate_penalty : float
        L2 penalty on the unselected candidates' first-layer weights, in units of
        ``sqrt(log d / n)`` (``n``: samples, or subjects with ``groups``); 0 is the
        unregularised training.
    logit_prior : float
        At the start of each phase the logits reset to ``s * z`` rather than 0, ``z`` the
        candidates' standardised univariate association with ``y`` (each network under its
        own row weights) and ``s = logit_prior * sqrt(log d / n)`` (``n``: samples, or
        subjects with ``groups``); see :mod:`seqattn.core.prior`. 0: every phase starts
        from uniform attention (the paper's form).
    class_weight : {"balanced", None} or dict
        Loss weighting of classes (a dict ``{class: weight}``: classes left out weigh 1).
    task : {"auto", "classification", "regression"}
    preselected : sequence of int, optional
        Columns forced into the panel first (weight 1 from the start).
    pick : {"attention", "held_out"}
        ``"attention"``: each pick goes to the most attended candidate (by vote with
        ``bootstrap``). ``"held_out"``: the networks are cross-fitted (network ``r`` never
        trains on fold ``r`` of the rows) and the pick goes to the candidate, among the
        ``shortlist`` most attended, whose removal raises the held-out loss most (see
        :mod:`seqattn.core.heldout`). Needs ``n_restarts >= 2``.
    shortlist : int
        Candidates the attention proposes to the held-out judge at each pick.
    groups : array-like of shape (n,), optional
        Subject of each row. The bootstrap weights subjects instead of rows, the penalty
        counts subjects as the independent samples, and with ``pick="held_out"`` a
        subject's rows are held out together.
    device : str or torch.device
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"``.
    random_state : int
        Seed of the initial weights and the mini-batch order.
    verbose : bool
        Show a progress bar (one tick per phase).
    blocks : sequence of int, optional
        Block (0..B-1) of every column: one attention logit per block, a pick takes all
        its columns, and ``n_features_to_select`` counts blocks (preselected columns bring
        their blocks).
    block_costs : sequence of float, optional
        Cost of each block (of each column without ``blocks``); used with ``budget``.
    budget : float, optional
        Most the picked blocks may cost; ``n_features_to_select`` is then an upper limit.

    Returns
    -------
    SelectionResult
    """
    dev = resolve_device(device)
    widths = _check_hidden(hidden, model)
    if int(n_restarts) < 1:
        raise SeqattnError(f"n_restarts={n_restarts} must be a positive integer")
    if not lr > 0:
        raise SeqattnError(f"lr={lr} must be positive")
    if not weight_decay >= 0:
        raise SeqattnError(f"weight_decay={weight_decay} must be non-negative")
    if not phase_lr_scale >= 0:
        raise SeqattnError(f"phase_lr_scale={phase_lr_scale} must be non-negative")
    source = FeatureSource(X, dev)
    n, d = source.n_samples, source.n_features
    if n < 2:
        raise SeqattnError(f"X has {n} sample(s); n_samples = 1 is too few to train on")
    k = int(n_features_to_select)
    if not 1 <= k <= d:
        raise SeqattnError(f"n_features_to_select={k} must be between 1 and n_features={d}")
    forced = _check_preselected(preselected, d, d if blocks is not None else k)
    targets = encode_targets(y, n, task, class_weight, dev)
    grouped = blocks is not None
    if grouped:
        block_np = np.asarray(blocks, dtype=np.int64).ravel()
        if block_np.shape != (d,) or block_np.min() < 0:
            raise SeqattnError(f"blocks must give a block index >= 0 to each of the {d} columns")
        n_units = int(block_np.max()) + 1
        unit_of = torch.as_tensor(block_np, device=dev)
    else:
        block_np, n_units, unit_of = np.arange(d), d, None
    cost_np = np.ones(n_units) if block_costs is None else np.asarray(block_costs, float)
    if cost_np.shape != (n_units,) or not np.all(np.isfinite(cost_np) & (cost_np >= 0)):
        raise SeqattnError(f"block_costs must give a finite cost >= 0 to each of {n_units} blocks")
    if budget is not None and not 0 < float(budget) < np.inf:
        raise SeqattnError(f"budget={budget!r} must be a positive finite number or None")
    if (grouped or budget is not None) and pick == "held_out":
        raise SeqattnError(
            "pick='held_out' judges single features; use pick='attention' with "
            "feature_groups or a budget"
        )
    forced_units = list(dict.fromkeys(int(block_np[f]) for f in forced))
    if len(forced_units) > k:
        raise SeqattnError(
            f"{len(forced_units)} preselected blocks exceed n_features_to_select={k}; "
            "raise n_features_to_select or preselect fewer"
        )
    if grouped:  # a preselected column brings its block
        forced = [int(c) for u in forced_units for c in np.flatnonzero(block_np == u)]
    if pick not in ("attention", "held_out"):
        raise SeqattnError(f"pick={pick!r}; use 'attention' or 'held_out'")
    held_out = pick == "held_out"
    if held_out and int(n_restarts) < 2:
        raise SeqattnError("pick='held_out' needs n_restarts >= 2 (one held-out fold each)")
    if int(shortlist) < 1:
        raise SeqattnError(f"shortlist={shortlist} must be a positive integer")
    if not candidate_penalty >= 0:
        raise SeqattnError(f"candidate_penalty={candidate_penalty} must be non-negative")
    if not logit_prior >= 0:
        raise SeqattnError(f"logit_prior={logit_prior} must be non-negative")
    group_codes = None
    n_independent = n
    if groups is not None:
        groups = np.asarray(groups)
        if groups.ndim != 1 or groups.shape[0] != n:
            raise SeqattnError(
                f"groups has shape {groups.shape} for {n} samples; give one subject per row"
            )
        _, group_codes = np.unique(groups.astype(str), return_inverse=True)
        n_independent = int(group_codes.max()) + 1
    # Candidate blocks (columns without blocks): those with a varying column, not forced.
    varying_np = (source.inv_sd != 0).cpu().numpy()
    unit_open = np.bincount(block_np, weights=varying_np, minlength=n_units) > 0
    unit_open[forced_units] = False
    to_pick = k - len(forced_units)
    tolerance = 0.0 if budget is None else 1e-9 * max(1.0, float(budget))
    if budget is not None:
        left = float(budget) - float(cost_np[forced_units].sum())
        if left < -tolerance:
            raise SeqattnError(
                f"the preselected features cost {budget - left:g}, over budget={budget:g}; "
                "raise the budget or preselect fewer"
            )
        # The most further blocks the budget can buy: the cheapest first.
        fits = np.cumsum(np.sort(cost_np[unit_open])) <= left + tolerance
        to_pick = min(to_pick, int(fits.sum()))
    schedule = make_schedule(n, to_pick, int(n_per_step), epochs, batch_size)

    generator = torch.Generator().manual_seed(int(random_state))
    net = AttentionEnsemble(
        d, targets.n_outputs, widths, int(n_restarts), generator, None if not grouped else n_units
    ).to(dev)
    weights, biases = net.network_parameters()
    # One parameter group and the fused kernel: a single optimiser call per step (the
    # per-step Python overhead dominates small fits). Decay on biases too is immaterial.
    net_opt = torch.optim.AdamW([*weights, *biases], lr=lr, weight_decay=weight_decay, fused=True)
    batches = _BatchIndices(n, schedule.batch_size, dev, int(random_state))
    row_weight = None
    bootstrap = bool(bootstrap) and net.n_restarts > 1
    if bootstrap:
        # Bayesian bootstrap (Rubin 1981): Exp(1) weights keep every row in every model
        # (a plain bootstrap drops a third of the rows, too many of ~50 samples); with
        # groups, one weight per subject, so a resample reweights subjects, not replicates.
        row_weight = torch.empty(net.n_restarts, n_independent, device="cpu")
        row_weight = row_weight.exponential_(generator=generator)
        if group_codes is not None:
            row_weight = row_weight[:, torch.as_tensor(group_codes)]
    if held_out:
        codes = targets.values.cpu().numpy() if targets.task == "classification" else None
        fold = cross_fit_folds(codes, n, net.n_restarts, groups, int(random_state))
        held_np = fold[None, :] == np.arange(net.n_restarts)[:, None]  # (R, n)
        in_bag = torch.as_tensor(~held_np, dtype=torch.float32)
        row_weight = in_bag if row_weight is None else row_weight * in_bag
        judged = judge_rows(fold, int(random_state))
        judge_index = torch.as_tensor(judged, device=dev)
        judge_held = torch.as_tensor(held_np[:, judged], dtype=torch.float32, device=dev)
    if row_weight is not None:
        row_weight = row_weight.to(dev)
    losses = torch.zeros(schedule.total_steps, dtype=torch.float32, device=dev)
    # The candidates' L2 penalty follows the number of independent samples (lasso-like
    # rate sqrt(log d / n)): see the module notes.
    penalty = float(candidate_penalty) * float(np.sqrt(np.log(max(d, 2)) / n_independent))
    selected = torch.zeros(d, dtype=torch.bool, device=dev)
    if forced:
        selected[torch.as_tensor(forced, device=dev)] = True
    # Constant columns carry nothing: never candidates (a preselected one stays selected).
    constant = source.inv_sd == 0
    constant_np = constant.cpu().numpy()
    n_varying = d - int(constant_np.sum())
    free = int(unit_open.sum())
    if budget is None and k - len(forced_units) > free:
        raise SeqattnError(
            (
                f"only {free} blocks have a varying column (the others are constant); "
                f"lower n_features_to_select to at most {len(forced_units) + free}"
                if grouped
                else f"only {n_varying} of the {d} features vary (the others are constant); "
                f"lower n_features_to_select to at most {len(forced) + free}"
            )
            if n_varying
            else "every feature of X is constant; there is nothing to select from"
        )
    closed = selected | constant  # not a candidate: selected or constant
    # The same for blocks (a block per column without blocks): the attention's mask.
    unit_empty = ~np.isin(np.arange(n_units), block_np[~constant_np])
    unit_picked = np.zeros(n_units, dtype=bool)
    unit_picked[forced_units] = True
    unit_closed = closed if not grouped else torch.as_tensor(unit_picked | unit_empty, device=dev)
    cost_key = effective_costs(cost_np)  # attention per unit cost (zero costs: see there)
    left = np.inf if budget is None else float(budget) - float(cost_np[forced_units].sum())
    prior_logits = None
    if logit_prior > 0:  # one logit per candidate (block): its univariate prior
        strength = prior_strength(logit_prior, n_units, n_independent)
        z = univariate_z(
            source,
            targets,
            row_weight,
            net.n_restarts,
            ~constant_np,
            blocks=block_np if grouped else None,
            n_blocks=n_units,
        )
        prior_logits = (strength * z).to(dev)

    order: list[int] = list(forced)
    scores: list[float] = [1.0] * len(forced)
    picked_units: list[int] = list(forced_units)
    history = np.full((k, d), np.nan, dtype=np.float32)
    pick_steps = [0] * len(forced)
    final_attention = np.full(d, np.nan, dtype=np.float32)
    unit_attention = np.full(n_units, np.nan, dtype=np.float32)
    step = 0

    def phase_mask() -> PhaseMask:
        if not grouped:
            return PhaseMask.build(closed, source.inv_sd)
        return PhaseMask.build_blocks(closed, source.inv_sd, unit_of, unit_closed)

    def train(n_steps: int, attention_opt: torch.optim.Optimizer | None):
        nonlocal step
        candidate_rows = (~closed).view(d, 1, 1)
        cand_mask = candidate_rows.to(torch.float32)
        # Warm-up (no attention optimiser): every feature at weight 1, so the network
        # learns from all of them; in a phase the logits train with the network.
        phase = None if attention_opt is None else phase_mask()
        for group in net_opt.param_groups:
            group["lr"] = lr if phase is None else lr * phase_lr_scale
        for _ in range(n_steps):
            index = batches.next()
            loss = train_step(
                net,
                source.batch(index),
                targets.values[index],
                targets,
                source.inv_sd,
                phase,
                None if row_weight is None else row_weight[:, index],
            )
            if penalty > 0:
                # Gradient of penalty * ||w||^2 over the unselected candidates' rows.
                net.first_weight.grad.addcmul_(net.first_weight, cand_mask, value=2.0 * penalty)
            net_opt.step()
            if attention_opt is not None:
                attention_opt.step()
                if hold_candidate_norms:
                    _hold_norms(net.first_weight, row_norms, candidate_rows)
            losses[step] = loss  # divided by the restarts once, at the end
            step += 1

    def _judge(ranked: np.ndarray, n_pick: int) -> np.ndarray:
        """Reorder the attention's short list by held-out importance (largest first)."""
        short = ranked[: max(int(shortlist), n_pick)]
        short = short[np.isin(short, order, invert=True)]
        phase = PhaseMask.build(closed, source.inv_sd)
        with torch.no_grad():
            scale = multipliers(net, phase)
            gain = held_out_importance(
                net,
                source.batch(judge_index),
                targets.values[judge_index],
                judge_held,
                targets,
                scale,
                torch.as_tensor(short, device=dev),
            )
        best = np.argsort(-gain.cpu().numpy(), kind="stable")
        return short[best]

    from tqdm.auto import tqdm

    flops_per_step = (
        4 * schedule.batch_size * d * net.first_weight.shape[1] * net.first_weight.shape[2]
    )
    with (
        _threads_for(dev, flops_per_step),
        tqdm(
            total=schedule.n_phases + 1,
            disable=not verbose,
            desc="sequential attention",
            unit="phase",
        ) as bar,
    ):
        bar.set_postfix_str("warm-up")
        train(schedule.warmup_steps, None)
        if hold_candidate_norms:
            with torch.no_grad():
                row_norms = net.first_weight.norm(dim=-1, keepdim=True).clamp_min_(1e-12)
        bar.update()
        for n_pick in schedule.picks:
            unit_open_np = ~(closed if not grouped else unit_closed).cpu().numpy()
            if budget is not None:
                unit_open_np &= cost_np <= left + tolerance
                if not unit_open_np.any():
                    break  # nothing left fits the budget
            n_unselected = int(unit_open_np.sum())
            with torch.no_grad():
                if prior_logits is None:
                    net.logits.zero_()
                else:
                    net.logits.copy_(prior_logits)
            if n_unselected > n_pick:
                # A fresh optimiser per phase: momentum must not carry over the reset.
                attention_opt = SharedScaleAdam([net.logits], lr=lr * ATTENTION_LR_FACTOR)
                train(schedule.steps_per_phase, attention_opt)
            else:
                # Nothing left to choose between: skip the phase's training.
                losses[step : step + schedule.steps_per_phase] = float("nan")
                step += schedule.steps_per_phase
            with torch.no_grad():
                per_model = net.attention(unit_closed)
                attention = per_model.mean(dim=0).cpu().numpy()
            if grouped:
                attention[unit_picked | unit_empty] = np.nan
            else:
                attention[np.asarray(order, dtype=np.int64)] = np.nan
                attention[constant_np] = np.nan
            unit_attention = attention.astype(np.float32)
            final_attention = unit_attention[block_np] if grouped else unit_attention
            if budget is None:
                rank_key = np.nan_to_num(attention, nan=-np.inf)
                if bootstrap:
                    # Votes first (each model's top candidate), the mean attention (< 1)
                    # breaks ties.
                    votes = per_model.argmax(dim=1).cpu().numpy()
                    rank_key += np.bincount(votes, minlength=n_units)
                ranked = np.argsort(-rank_key, kind="stable")
            else:
                # Attention per unit cost among the blocks that fit; votes first.
                fits = torch.as_tensor(unit_open_np, device=per_model.device)
                cost_t = torch.as_tensor(cost_key, dtype=per_model.dtype, device=fits.device)
                ratio = per_model / cost_t
                ratio = ratio.masked_fill(~fits, float("-inf"))
                votes = np.zeros(n_units)
                if bootstrap:
                    votes = np.bincount(ratio.argmax(dim=1).cpu().numpy(), minlength=n_units)
                key = np.where(unit_open_np, np.nan_to_num(attention, nan=0.0) / cost_key, -np.inf)
                ranked = np.lexsort((np.arange(n_units), -key, -votes))
            if held_out and n_unselected > n_pick:
                ranked = _judge(ranked, n_pick)
            n_taken = 0
            for unit in ranked:
                if n_taken == n_pick:
                    break
                if budget is not None:
                    if not unit_open_np[unit] or cost_np[unit] > left + tolerance:
                        continue
                    left -= float(cost_np[unit])
                columns = np.flatnonzero(block_np == unit) if grouped else [int(unit)]
                row = final_attention.copy()
                row[np.asarray(order, dtype=np.int64)] = np.nan
                history[len(picked_units)] = row
                for feature in columns:
                    if grouped and constant_np[feature]:
                        continue
                    order.append(int(feature))
                    scores.append(float(attention[unit]))
                    pick_steps.append(step)
                picked_units.append(int(unit))
                unit_picked[unit] = True
                n_taken += 1
            selected[torch.as_tensor(order, device=dev)] = True
            closed = selected | constant
            unit_closed = (
                closed if not grouped else torch.as_tensor(unit_picked | unit_empty, device=dev)
            )
            bar.set_postfix_str(f"picked {len(picked_units)}/{k}")
            bar.update()
    final_attention[np.asarray(order, dtype=np.int64)] = np.nan
    if budget is not None:  # stopped when nothing fitted: keep the steps that ran
        history = history[: len(picked_units)]
        losses = losses[:step]

    return SelectionResult(
        order=np.asarray(order, dtype=np.int64),
        scores=np.asarray(scores, dtype=np.float64),
        attention_history=history,
        final_attention=final_attention,
        loss_curve=(losses / net.n_restarts).cpu().numpy(),
        pick_steps=np.asarray(pick_steps, dtype=np.int64),
        schedule=schedule,
        device=str(dev),
        task=targets.task,
        classes=targets.classes,
        blocks=np.asarray(picked_units, dtype=np.int64) if grouped else None,
        block_attention=unit_attention if grouped else None,
    )
