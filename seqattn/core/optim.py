"""The optimiser of the attention logits.

Adam normalises every coordinate by its own gradient scale, so among thousands of
candidates each pure-noise logit moves as fast as the informative one and the largest
of many random walks can overtake it. Here each logit is normalised by the larger of its
own second moment and the mean second moment of its row (restart): a logit whose
gradient is small compared with the typical logit gradient (a candidate the network
barely uses) barely moves, while no logit moves faster than Adam would move it (so one
early spike cannot saturate the softmax).
"""

from __future__ import annotations

import math

import torch


class SharedScaleAdam(torch.optim.Optimizer):
    """Adam whose per-coordinate scale is floored at the row's mean scale.

    Parameters
    ----------
    params : iterable of torch.Tensor
        2-d parameters (rows are normalised independently).
    lr : float
        Step size.
    betas : tuple of float
        Decay of the first and (shared) second moment.
    eps : float
        Added to the root of the second moment.
    """

    def __init__(self, params, lr: float = 1e-2, betas=(0.9, 0.999), eps: float = 1e-12) -> None:
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                g, m, v = p.grad, state["m"], state["v"]
                m.lerp_(g, 1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                # lr * (m / c1) / (sqrt(max(v, row mean) / c2) + eps) with the bias
                # corrections c1, c2 folded into two scalars (fewer passes per step).
                root_c2 = math.sqrt(1 - beta2**t)
                denom = torch.maximum(v, v.mean(dim=1, keepdim=True)).sqrt_()
                denom.add_(group["eps"] * root_c2)
                p.addcdiv_(m, denom, value=-group["lr"] * root_c2 / (1 - beta1**t))
        return None
