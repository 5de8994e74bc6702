"""Stochastic gates (``stg``): a classifier whose inputs pass through learned Gaussian-relaxed
Bernoulli gates (Yamada, Lindenbaum, Negahban & Kluger, ICML 2020).

Implemented here in torch (~50 lines) rather than through the ``stg`` package (PyPI 0.1.2,
2020): it fails on every training step under Python >= 3.10 (``collections.Sequence``), its
``random_state`` argument is ignored, and it hard-depends on ``lifelines``.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from seqattn.methods._base import PanelSelector, register
from seqattn.methods._nets import minibatches, mlp, training_tensors
from seqattn.methods._prep import check_positive_ints, torch_seeded


@register
class StochasticGates(PanelSelector):
    """STG: gates ``z_d = clip(mu_d + eps_d, 0, 1)``, ``eps_d ~ N(0, sigma^2)``, multiply
    the inputs of an MLP classifier; the expected number of open gates
    ``sum_d Phi(mu_d / sigma)`` is penalised (a relaxed L0 norm). The panel is the ``k``
    gates with the largest final ``mu`` (ties, e.g. among gates that closed together, go to
    the larger ``mu`` averaged over training); scores are the final ``mu``.

    STG is not fixed-k by nature (``lam`` sets the sparsity). With ``lam="auto"`` (default)
    ``lam`` is steered during training towards ``k`` open gates: after a warm-up (first
    quarter of the epochs, ``lam = 0``) it starts at 0.01 and is multiplied by ``lam_step``
    after every epoch with more than ``k`` expected open gates, divided by it otherwise. A
    closed gate gets no gradient from the loss, so the count settles at or a little below
    ``k`` (``expected_open_gates_``); the rest of the panel is ranked by ``mu``.
    A number fixes ``lam`` as in the paper. Either way the method is refitted per k (not
    ordered).

    Optimises cross-entropy + ``lam * sum_d Phi(mu_d / sigma)`` on standardised inputs:
    Adam for the classifier, SGD with momentum for the gates (with Adam the gate step would
    not depend on ``lam``, and the controller could not act). ``mu`` starts at 0.5 (gates
    half open, as in the paper). Cost: ``epochs`` passes over n x d through a
    d -> hidden -> classes MLP; about 10-15 s of CPU for 1000 x 2000 with the defaults (one
    torch thread). Reference: Yamada, Lindenbaum, Negahban & Kluger, "Feature Selection
    using Stochastic Gates", ICML 2020.

    Parameters
    ----------
    lam : "auto" or float, default="auto"
        Sparsity weight (>= 0), or ``"auto"`` to steer towards ``k`` open gates.
    sigma : float, default=0.5
        Gate noise standard deviation (paper: 0.5).
    hidden_dims : tuple of int, default=(64,)
        Hidden layers of the classifier (``()`` for a gated logistic regression).
    epochs : int, default=300
        Training epochs.
    batch_size : int, default=128
        Minibatch size.
    lr : float, default=1e-2
        Adam learning rate of the classifier.
    gate_lr : float, default=0.1
        SGD learning rate of the gates.
    lam_step : float, default=1.1
        Multiplicative step of the ``lam="auto"`` controller (> 1).
    weight_decay : float, default=1e-4
        L2 on the classifier weights (not on the gates).
    device : str, default="auto"
        ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Attributes
    ----------
    loss_curve_ : list of float
        Training loss summed over each epoch's minibatches.
    expected_open_gates_ : list of float
        Expected open gates after each epoch.
    lam_final_ : float
    device_ : str
        Device the fit ran on.
    """

    name = "stg"
    constraint_limit = "tunes its gates to a fixed number of open single features"
    ordered = False

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "lam": [StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "hidden_dims": [tuple, list],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "gate_lr": [Interval(Real, 0, None, closed="neither")],
        "lam_step": [Interval(Real, 1, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "device": [str],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        lam: float | str = "auto",
        sigma: float = 0.5,
        hidden_dims: tuple[int, ...] = (64,),
        epochs: int = 300,
        batch_size: int = 128,
        lr: float = 1e-2,
        gate_lr: float = 0.1,
        lam_step: float = 1.1,
        weight_decay: float = 1e-4,
        device: str = "auto",
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.lam = lam
        self.sigma = sigma
        self.hidden_dims = hidden_dims
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.gate_lr = gate_lr
        self.lam_step = lam_step
        self.weight_decay = weight_decay
        self.device = device

    def _check_options(self) -> None:
        check_positive_ints(self.name, "hidden_dims", self.hidden_dims, allow_empty=True)

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        import torch
        from torch import nn

        device, Xt, yt, classes = training_tensors(self.name, self.device, X, y)
        n, d = Xt.shape
        epochs, batch_size = int(self.epochs), int(self.batch_size)
        sigma, lam_step = float(self.sigma), float(self.lam_step)
        auto = self.lam == "auto"
        lam = 0.0 if auto else float(self.lam)
        warmup = epochs // 4 if auto else 0
        sqrt2 = math.sqrt(2.0)
        open_curve: list[float] = []
        loss_curve: list[float] = []
        with torch_seeded(random_state):
            net = mlp(d, tuple(int(h) for h in self.hidden_dims), len(classes)).to(device)
            mu = nn.Parameter(torch.full((d,), 0.5, device=device))
            optimizer = torch.optim.Adam(
                net.parameters(), lr=float(self.lr), weight_decay=float(self.weight_decay)
            )
            gate_optimizer = torch.optim.SGD([mu], lr=float(self.gate_lr), momentum=0.9)
            ce = nn.CrossEntropyLoss()
            mu_sum = torch.zeros_like(mu.detach())
            for epoch in range(epochs):
                if auto and epoch == warmup:
                    lam = 0.01
                total = 0.0
                for idx in minibatches(n, batch_size, device):
                    gate = torch.clamp(mu + sigma * torch.randn_like(mu), 0.0, 1.0)
                    p_open = 0.5 * (1 + torch.erf(mu / (sigma * sqrt2)))
                    loss = ce(net(Xt[idx] * gate), yt[idx]) + lam * p_open.sum()
                    optimizer.zero_grad()
                    gate_optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    gate_optimizer.step()
                    total += float(loss.detach())
                loss_curve.append(total)
                with torch.no_grad():
                    expected_open = float((0.5 * (1 + torch.erf(mu / (sigma * sqrt2)))).sum())
                    mu_sum += mu.detach()
                open_curve.append(expected_open)
                if auto and epoch >= warmup:
                    step = lam_step if expected_open > k else 1 / lam_step
                    lam = max(lam * step, 1e-8)
        mu_np = mu.detach().cpu().numpy().astype(np.float64)
        mu_mean = mu_sum.cpu().numpy() / epochs
        order = np.lexsort((np.arange(d), -mu_mean, -mu_np))
        self.loss_curve_ = loss_curve
        self.expected_open_gates_ = open_curve
        self.lam_final_ = lam
        self.device_ = str(device)
        return order, mu_np[order]
