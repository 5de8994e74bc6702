"""Small torch building blocks shared by the differentiable selectors (stg, concrete)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def mlp(n_in: int, hidden_dims: tuple[int, ...], n_out: int) -> Any:
    """A ReLU multilayer perceptron ``n_in -> hidden_dims -> n_out`` (logits).

    Built on the CPU whatever torch's default device (the same initial weights from the
    same seed on every device); move it with ``.to(device)``.
    """
    from torch import nn

    layers: list[Any] = []
    width = n_in
    for h in hidden_dims:
        layers += [nn.Linear(width, h, device="cpu"), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, n_out, device="cpu"))
    return nn.Sequential(*layers)


def minibatches(n: int, batch_size: int, device: Any) -> Iterator[Any]:
    """Index tensors of one shuffled epoch: ``round(n / batch_size)`` (at least one)
    batches of near-equal size covering every sample (torch's global generator; seed it
    outside)."""
    import torch

    perm = torch.randperm(n, device="cpu").to(device)
    n_batches = max(1, round(n / batch_size))
    yield from torch.tensor_split(perm, n_batches)


def training_tensors(method: str, device: str, X: Any, y: Any) -> tuple[Any, Any, Any, Any]:
    """``(torch device, standardised X tensor, label codes tensor, classes)`` for a fit.

    Dense float64 X is standardised with its own column means and sds (the training fold's:
    the method only ever sees training samples); labels need at least one sample a class.
    """
    import torch

    from seqattn.methods._prep import dense, encode_labels, standardize, torch_device

    dev = torch_device(method, device)
    codes, classes = encode_labels(y, method, min_per_class=1)
    Xt = torch.as_tensor(standardize(dense(X, method)), device=dev)
    return dev, Xt, torch.as_tensor(codes, device=dev), classes
