"""An ensemble of attention-gated MLPs evaluated as one batched computation.

Each of ``R`` restarts has its own attention logits (one per candidate feature) and its
own MLP. The attention multiplies the input elementwise; since
``(x * a) @ W == x @ (a[:, None] * W)``, the multiplier is folded into the first-layer
weights, so the whole ensemble's first layer is a single ``(batch, d) @ (d, R * h)``
matrix product and no ``batch x d`` tensor is created besides the batch itself.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn


def _uniform(shape: tuple[int, ...], fan_in: int, generator: torch.Generator) -> torch.Tensor:
    """PyTorch's default ``nn.Linear`` initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / math.sqrt(max(fan_in, 1))
    return (torch.rand(shape, generator=generator, device="cpu") * 2.0 - 1.0) * bound


class AttentionEnsemble(nn.Module):
    """``R`` MLPs (or linear models) behind masked, rescaled softmax attention.

    Parameters
    ----------
    n_features : int
        Candidate features ``d``.
    n_outputs : int
        Classes, or 1 for regression.
    hidden : tuple of int
        Hidden-layer widths; empty for a linear model.
    n_restarts : int
        Independent models trained side by side on the same mini-batches.
    generator : torch.Generator
        CPU generator for the initial weights (so CPU and GPU fits start identically).
    n_blocks : int, optional
        One attention logit per block of columns instead of one per column (see
        :class:`~seqattn.core.backprop.PhaseMask`).

    Notes
    -----
    Input multiplier of candidate ``i`` in restart ``r``: ``1`` if ``i`` is selected,
    else ``sqrt(m) * softmax(logits[r])[i]`` over the ``m`` unselected candidates.

    Why ``sqrt(m)``: at uniform attention each unselected input is scaled by
    ``1/sqrt(m)``, so together they carry the input energy of one feature
    (``sum_i w_i^2 = 1``) for any ``d``, while a candidate that wins all the attention
    enters at ``sqrt(m) >= 1``. This is the comparison greedy forward selection makes
    (the selected features plus *one* more). A plain softmax (the paper's form) gives
    ``sum_i w_i^2 = 1/m``: with thousands of candidates the inputs are starved and the
    first pick reduces to a univariate screen. Rescaling by ``m`` (mean weight 1) feeds
    every candidate at full strength, the network then uses all of them, the attention
    gradient vanishes and redundant copies are no longer penalised (we measured both
    failures on the tests' redundancy and suppressor problems).
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden: tuple[int, ...],
        n_restarts: int,
        generator: torch.Generator,
        n_blocks: int | None = None,
    ) -> None:
        super().__init__()
        self.n_features = n_features
        self.n_restarts = n_restarts
        widths = [*hidden, n_outputs]
        n_logits = n_features if n_blocks is None else n_blocks
        self.logits = nn.Parameter(torch.zeros(n_restarts, n_logits, device="cpu"))
        # First layer stored (d, R, width) so that its flattened view is (d, R * width).
        self.first_weight = nn.Parameter(
            _uniform((n_features, n_restarts, widths[0]), n_features, generator)
        )
        self.first_bias = nn.Parameter(_uniform((n_restarts, widths[0]), n_features, generator))
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in itertools.pairwise(widths):
            self.weights.append(
                nn.Parameter(_uniform((n_restarts, fan_in, fan_out), fan_in, generator))
            )
            self.biases.append(nn.Parameter(_uniform((n_restarts, 1, fan_out), fan_in, generator)))

    def network_parameters(self) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
        """(weight matrices, biases) of the networks, i.e. everything but the logits."""
        return [self.first_weight, *self.weights], [self.first_bias, *self.biases]

    def attention(self, selected: torch.Tensor) -> torch.Tensor:
        """Softmax attention over unselected candidates, shape (R, d) (or (R, blocks)); 0 at
        selected ones."""
        masked = self.logits.masked_fill(selected, float("-inf"))
        return torch.softmax(masked, dim=1)

    def forward(self, x: torch.Tensor, multipliers: torch.Tensor) -> torch.Tensor:
        """Outputs of every restart, shape (R, batch, n_outputs).

        Parameters
        ----------
        x : torch.Tensor, shape (batch, d)
            Centred features.
        multipliers : torch.Tensor, shape (R, d) or (d,)
            Per-feature input multiplier (attention times the ``1/sd`` standardisation).
        """
        scale = multipliers.expand(self.n_restarts, self.n_features).t()
        first = (self.first_weight * scale.unsqueeze(-1)).reshape(self.n_features, -1)
        h = (x @ first).view(x.shape[0], self.n_restarts, -1).transpose(0, 1)
        h = h + self.first_bias.unsqueeze(1)
        for weight, bias in zip(self.weights, self.biases, strict=True):
            h = torch.baddbmm(bias, torch.relu(h), weight)
        return h
