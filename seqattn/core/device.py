"""Choosing the torch device a fit runs on."""

from __future__ import annotations

import torch

from seqattn._errors import SeqattnError


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """Turn a device option into a usable ``torch.device``.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` (the first CUDA GPU when one is visible, else the CPU), ``"cpu"``,
        ``"cuda"`` or ``"cuda:<index>"``.

    Returns
    -------
    torch.device

    Raises
    ------
    SeqattnError
        When the option is malformed or names a GPU this machine does not have.
    """
    if isinstance(device, torch.device):
        name = str(device)
    elif isinstance(device, str):
        name = device.strip().lower()
    else:
        raise SeqattnError(
            f"device={device!r} is not understood; use 'auto', 'cpu', 'cuda' or 'cuda:<index>'"
        )
    if name == "auto":
        return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    try:
        parsed = torch.device(name)
    except (RuntimeError, ValueError):
        raise SeqattnError(
            f"device={device!r} is not understood; use 'auto', 'cpu', 'cuda' or 'cuda:<index>'"
        ) from None
    if parsed.type == "cpu":
        return parsed
    if parsed.type != "cuda":
        raise SeqattnError(
            f"device={device!r} is not supported; use 'auto', 'cpu', 'cuda' or 'cuda:<index>'"
        )
    if not torch.cuda.is_available():
        raise SeqattnError(
            f"device={device!r} was requested but CUDA is not available here; "
            "use device='cpu' or device='auto'"
        )
    index = parsed.index if parsed.index is not None else torch.cuda.current_device()
    if index >= torch.cuda.device_count():
        raise SeqattnError(
            f"device={device!r}: this machine has {torch.cuda.device_count()} CUDA device(s); "
            "pick an index below that"
        )
    return torch.device("cuda", index)
