"""Supervised concrete selector (``concrete``): k Gumbel-softmax selection neurons feeding a
classifier, the supervised form of the concrete autoencoder (Abid, Balin & Zou, ICML 2019).

Implemented here in torch: the authors' package (``concrete-autoencoder`` 0.0.1, 2019) is
Keras/TensorFlow-only and unsupervised.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval

from seqattn._errors import SeqattnError
from seqattn.methods._base import PanelSelector, register
from seqattn.methods._nets import minibatches, mlp, training_tensors
from seqattn.methods._prep import check_positive_ints, torch_seeded


def distinct_argmax(probs: np.ndarray) -> np.ndarray:
    """One distinct feature per selector row: rows pick in order of confidence (their
    largest probability), each taking its most probable feature not yet taken."""
    k, d = probs.shape
    chosen = np.full(k, -1, dtype=np.int64)
    taken = np.zeros(d, dtype=bool)
    for row in np.argsort(-probs.max(axis=1), kind="stable"):
        p = np.where(taken, -np.inf, probs[row])
        j = int(np.argmax(p))
        chosen[row] = j
        taken[j] = True
    return chosen


@register
class ConcreteSelector(PanelSelector):
    """Concrete selector: ``k`` selection neurons, each a relaxed one-hot choice of one
    input feature (Gumbel-softmax over learned logits, temperature annealed from
    ``start_temp`` to ``end_temp``), followed by an MLP classifier trained end to end with
    cross-entropy. At the end each neuron picks its most probable feature; a feature chosen
    by two neurons goes to the more confident one and the other takes its next best
    (``distinct_argmax`` on the softmax of the logits at temperature 1). Scores are those
    probabilities; the panel is sorted by them. ``mean_max_probability_`` (at
    ``end_temp``) near 1 means the selectors converged (the paper's criterion).

    The supervised form of the concrete autoencoder (the decoder predicts the class instead
    of reconstructing the input), as used for supervised selection in the paper's
    follow-ups. Fixed-k by construction: refitted per k (not ordered). Inputs are
    standardised inside. Optimises cross-entropy of the classifier fed by the k relaxed
    selections, with Adam; logits start near uniform. Cost: ``steps`` minibatch updates, each
    a (batch x d) @ (d x k) product; about 15-30 s of CPU for 1000 x 2000 at k = 50 with
    the defaults on a quiet machine. Reference: Abid, Balin & Zou, "Concrete Autoencoders:
    Differentiable Feature Selection and Reconstruction", ICML 2019; Maddison, Mnih & Teh /
    Jang, Gu & Poole, ICLR 2017 (concrete / Gumbel-softmax).

    Parameters
    ----------
    hidden_dims : tuple of int, default=(64,)
        Hidden layers of the classifier after the selector.
    steps : int, default=3000
        Optimiser steps (minibatches) in all; the temperature is annealed exponentially
        over them. Counted in steps, not epochs, because small data sets have few
        minibatches per epoch and the selectors need enough updates to settle.
    batch_size : int, default=128
        Minibatch size.
    lr : float, default=1e-2
        Adam learning rate.
    start_temp, end_temp : float, default=10.0, 0.01
        Temperature schedule (paper: 10 -> 0.01), ``end_temp <= start_temp``.
    device : str, default="auto"
        ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Attributes
    ----------
    loss_curve_ : list of float
        Mean training loss of every epoch.
    mean_max_probability_ : float
    device_ : str
        Device the fit ran on.
    """

    name = "concrete"
    constraint_limit = "learns a fixed number of single-feature selector neurons"
    ordered = False

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "hidden_dims": [tuple, list],
        "steps": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "start_temp": [Interval(Real, 0, None, closed="neither")],
        "end_temp": [Interval(Real, 0, None, closed="neither")],
        "device": [str],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        hidden_dims: tuple[int, ...] = (64,),
        steps: int = 3000,
        batch_size: int = 128,
        lr: float = 1e-2,
        start_temp: float = 10.0,
        end_temp: float = 0.01,
        device: str = "auto",
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.hidden_dims = hidden_dims
        self.steps = steps
        self.batch_size = batch_size
        self.lr = lr
        self.start_temp = start_temp
        self.end_temp = end_temp
        self.device = device

    def _check_options(self) -> None:
        check_positive_ints(self.name, "hidden_dims", self.hidden_dims, allow_empty=True)
        if self.end_temp > self.start_temp:
            raise SeqattnError(
                f"concrete: end_temp={self.end_temp!r} must be <= start_temp={self.start_temp!r}"
            )

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        import torch
        from torch import nn

        device, Xt, yt, classes = training_tensors(self.name, self.device, X, y)
        n, d = Xt.shape
        steps, batch_size = int(self.steps), int(self.batch_size)
        start_temp, end_temp = float(self.start_temp), float(self.end_temp)
        hidden_dims = tuple(int(h) for h in self.hidden_dims)
        ratio = end_temp / start_temp
        loss_curve: list[float] = []
        with torch_seeded(random_state):
            logits = nn.Parameter(1e-2 * torch.randn(k, d, device=device))
            net = mlp(k, hidden_dims, len(classes)).to(device)
            optimizer = torch.optim.Adam([logits, *net.parameters()], lr=float(self.lr))
            ce = nn.CrossEntropyLoss()
            step = 0
            while step < steps:
                total, batches = 0.0, 0
                for idx in minibatches(n, batch_size, device):
                    if step == steps:
                        break
                    temp = start_temp * ratio ** (step / max(1, steps - 1))
                    step += 1
                    u = torch.rand_like(logits).clamp_(1e-10, 1.0)
                    weights = torch.softmax((logits - torch.log(-torch.log(u))) / temp, dim=1)
                    loss = ce(net(Xt[idx] @ weights.T), yt[idx])
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += float(loss.detach())
                    batches += 1
                loss_curve.append(total / batches)
            with torch.no_grad():
                probs = torch.softmax(logits.double(), dim=1).cpu().numpy()
                final = torch.softmax(logits / end_temp, dim=1)
                mean_max = float(final.max(dim=1).values.mean())
        chosen = distinct_argmax(probs)
        score = probs[np.arange(k), chosen]
        rank = np.lexsort((chosen, -score))
        self.loss_curve_ = loss_curve
        self.mean_max_probability_ = mean_max
        self.device_ = str(device)
        return chosen[rank], score[rank]
