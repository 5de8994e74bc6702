"""One training step of the attention ensemble with a hand-written forward and backward.

The network is small (an attention-scaled first layer, a few ReLU layers, a softmax or
squared-error loss), so its gradients are a handful of matrix products. Writing them out
instead of recording an autograd graph removes the per-operation bookkeeping that
dominated a step on the CPU (about a quarter of the step time at batch 781 x 2,000 on two
threads, measured in ``bench/``): the loop is then bound by its two large products
(``x @ W`` forward and ``x.T @ g`` backward), not by Python. :func:`autograd_loss` is the
same loss through autograd; the tests check that both give the same gradients.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from seqattn.core.data import Targets
from seqattn.core.network import AttentionEnsemble

#: The ``m`` unselected candidates enter at ``m ** CANDIDATE_SCALE_POWER * softmax``
#: (see :class:`~seqattn.core.network.AttentionEnsemble` for why 1/2).
CANDIDATE_SCALE_POWER = 0.5


@dataclass(frozen=True)
class PhaseMask:
    """What the multipliers of one selection phase need besides the logits.

    ``multiplier = fixed + softmax(logits + mask) * candidate``: ``fixed`` is the ``1/sd``
    standardisation of the selected features (0 elsewhere), ``candidate`` is
    ``sqrt(m) / sd`` for the ``m`` unselected candidates (0 at selected ones) and ``mask``
    is ``-inf`` at selected features, so they take no attention.

    With blocks (``block``: the block of every column), there is one logit per block and
    a column takes its block's softmax weight: ``candidate`` is ``sqrt(M / s) / sd`` for a
    column of an unselected block with ``s`` unselected columns among ``M`` unselected
    blocks, so a block carries the input energy of one feature whatever its size.
    """

    mask: torch.Tensor
    fixed: torch.Tensor
    candidate: torch.Tensor
    block: torch.Tensor | None = None

    @classmethod
    def build_blocks(
        cls,
        closed: torch.Tensor,
        inv_sd: torch.Tensor,
        block: torch.Tensor,
        block_closed: torch.Tensor,
    ) -> PhaseMask:
        """The phase's constants with one logit per block.

        ``closed`` (shape ``(d,)``) marks selected or constant columns, ``block`` (int64,
        ``(d,)``) the block of each column and ``block_closed`` (``(B,)``) the blocks
        that are not candidates.
        """
        dtype = inv_sd.dtype
        size = torch.zeros(block_closed.shape[0], dtype=dtype, device=inv_sd.device)
        size.index_add_(0, block, (~closed).to(dtype))
        n_open = (~block_closed).sum(dtype=torch.float64).to(dtype)
        scale = (n_open / size.clamp_min(1.0)).index_select(0, block) ** CANDIDATE_SCALE_POWER
        return cls(
            mask=torch.zeros_like(size).masked_fill_(block_closed, float("-inf")),
            fixed=torch.where(closed, inv_sd, 0.0),
            candidate=torch.where(closed, 0.0, inv_sd * scale),
            block=block,
        )

    @classmethod
    def build(cls, selected: torch.Tensor, inv_sd: torch.Tensor) -> PhaseMask:
        """The phase's constants for the boolean ``selected`` mask (shape ``(d,)``).

        Computed on the mask's device without reading it back to the host.
        """
        scale = ((~selected).sum(dtype=torch.float64) ** CANDIDATE_SCALE_POWER).to(inv_sd.dtype)
        return cls(
            mask=torch.zeros_like(inv_sd).masked_fill_(selected, float("-inf")),
            fixed=torch.where(selected, inv_sd, 0.0),
            candidate=torch.where(selected, 0.0, inv_sd) * scale,
        )


def _sample_weights(
    row_weight: torch.Tensor | None, y: torch.Tensor, targets: Targets
) -> torch.Tensor:
    """Per-restart sample weights of a batch, each row summing to 1.

    ``row_weight`` (the restarts' bootstrap weights of the batch's rows, shape
    ``(R, batch)``) times the class weight of each row's class; either may be absent, not
    both. Shape ``(R, batch)``, or ``(1, batch)`` (shared by the restarts) without
    ``row_weight``.
    """
    if targets.class_weight is None:
        w = row_weight
    else:
        class_weight = targets.class_weight[y]
        w = class_weight.unsqueeze(0) if row_weight is None else row_weight * class_weight
    return w / w.sum(dim=1, keepdim=True).clamp_min(torch.finfo(w.dtype).tiny)


def multipliers(net: AttentionEnsemble, phase: PhaseMask) -> torch.Tensor:
    """Input multiplier per restart and feature, shape ``(R, d)``."""
    attention = torch.softmax(net.logits + phase.mask, dim=1)
    if phase.block is not None:
        attention = attention.index_select(1, phase.block)
    return torch.addcmul(phase.fixed, attention, phase.candidate)


def autograd_loss(
    net: AttentionEnsemble,
    x: torch.Tensor,
    y: torch.Tensor,
    targets: Targets,
    inv_sd: torch.Tensor,
    phase: PhaseMask | None,
    row_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """The loss :func:`train_step` differentiates, as an autograd graph (for checks)."""
    mult = inv_sd if phase is None else multipliers(net, phase)
    out = net(x, mult)
    restarts, batch, outputs = out.shape
    if row_weight is not None:
        w = _sample_weights(row_weight, y, targets)
        if targets.task == "classification":
            nll = F.cross_entropy(
                out.reshape(restarts * batch, outputs), y.repeat(restarts), reduction="none"
            )
            return (nll.view(restarts, batch) * w).sum()
        return ((out.squeeze(-1) - y).square() * w).sum()
    if targets.task == "classification":
        mean = F.cross_entropy(
            out.reshape(restarts * batch, outputs),
            y.repeat(restarts),
            weight=targets.class_weight,
        )
    else:
        mean = F.mse_loss(out.squeeze(-1), y.expand(restarts, batch))
    return mean * restarts


@torch.no_grad()
def train_step(
    net: AttentionEnsemble,
    x: torch.Tensor,
    y: torch.Tensor,
    targets: Targets,
    inv_sd: torch.Tensor,
    phase: PhaseMask | None,
    row_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Forward and backward of one mini-batch; writes ``.grad`` of the parameters.

    Parameters
    ----------
    net : AttentionEnsemble
    x : torch.Tensor, shape (batch, d)
        Centred features.
    y : torch.Tensor, shape (batch,)
        Class codes (int64) or standardised targets (float32).
    targets : Targets
        Task and class weights.
    inv_sd : torch.Tensor, shape (d,)
        ``1/sd`` of every feature (the warm-up multiplier).
    phase : PhaseMask or None
        None in the warm-up (every feature at weight 1, the logits untouched); otherwise
        the logits get their gradient too.
    row_weight : torch.Tensor, shape (R, batch), optional
        Each restart's weight of each row (its bootstrap weights); the loss is then, per
        restart, the mean over the batch weighted by row weight times class weight.

    Returns
    -------
    torch.Tensor
        Scalar loss: the sum over restarts of each restart's mean loss (class-weighted
        mean for classification, mean squared error for regression).
    """
    restarts, d = net.n_restarts, net.n_features
    batch = x.shape[0]
    if phase is None:
        attention = None
        scale = inv_sd.expand(restarts, d)
    else:
        attention = torch.softmax(net.logits + phase.mask, dim=1)
        per_column = attention if phase.block is None else attention.index_select(1, phase.block)
        scale = torch.addcmul(phase.fixed, per_column, phase.candidate)
    scale_t = scale.t().unsqueeze(-1)  # (d, R, 1)
    first = (net.first_weight * scale_t).reshape(d, -1)
    h = torch.addmm(net.first_bias.reshape(-1), x, first)
    h = h.view(batch, restarts, -1).transpose(0, 1)  # (R, batch, width)
    activations = []
    for weight, bias in zip(net.weights, net.biases, strict=True):
        a = torch.relu(h)
        activations.append(a)
        h = torch.baddbmm(bias, a, weight)

    # Loss and its gradient with respect to the outputs h, shape (R, batch, outputs).
    if targets.task == "classification":
        log_p = torch.log_softmax(h, dim=-1)
        index = y.view(1, batch, 1).expand(restarts, batch, 1)
        nll = -log_p.gather(-1, index).squeeze(-1)  # (R, batch)
        grad = log_p.exp_()
        grad.scatter_add_(-1, index, torch.full_like(index, -1, dtype=grad.dtype))
        if row_weight is None and targets.class_weight is None:
            loss = nll.mean(dim=1).sum()
            grad.mul_(1.0 / batch)
        else:
            w = _sample_weights(row_weight, y, targets)
            loss = (nll * w).sum()
            grad.mul_(w.unsqueeze(-1))
    else:
        diff = h.squeeze(-1) - y
        if row_weight is None:
            loss = diff.square().mean(dim=1).sum()
            grad = (diff * (2.0 / batch)).unsqueeze(-1)
        else:
            w = _sample_weights(row_weight, y, targets)
            loss = (diff.square() * w).sum()
            grad = (diff * w * 2.0).unsqueeze(-1)

    for i in reversed(range(len(net.weights))):
        a = activations[i]
        net.weights[i].grad = torch.bmm(a.transpose(1, 2), grad)
        net.biases[i].grad = grad.sum(dim=1, keepdim=True)
        grad = torch.ops.aten.threshold_backward(
            torch.bmm(grad, net.weights[i].transpose(1, 2)), a, 0.0
        )
    grad = grad.transpose(0, 1).reshape(batch, -1)  # (batch, R * width)
    grad_first = (x.t() @ grad).view_as(net.first_weight)
    net.first_bias.grad = grad.sum(dim=0).view_as(net.first_bias)
    net.first_weight.grad = grad_first * scale_t
    if attention is not None:
        grad_scale = (grad_first * net.first_weight).sum(dim=-1).t()  # (R, d)
        grad_attention = grad_scale * phase.candidate
        if phase.block is not None:  # a block's weight reaches each of its columns
            grad_attention = torch.zeros_like(attention).index_add_(1, phase.block, grad_attention)
        net.logits.grad = attention * (
            grad_attention - (attention * grad_attention).sum(dim=1, keepdim=True)
        )
    return loss
