"""How many gradient steps a fit takes, and in which phases.

The default rule is stated in terms of the data size only (never tuned to a data set):

- batch size ``b = min(n, clip(n // 64, 64, 1024))``: about 64 steps per epoch, at
  least 64 rows for a usable gradient, at most 1024 so large data still takes many steps;
- steps per selection phase ``S = clip(2 * ceil(n / b), 200, 1000)``: two epochs per
  phase, but never fewer than 200 steps (tiny data still trains the attention) and never
  more than 1000 (a million rows does not take hours);
- a warm-up of ``WARMUP_PHASES * S`` steps trains the network on all features before the
  first phase, so that even the first pick comes from a trained model.

A fit therefore takes ``(WARMUP_PHASES + n_phases) * S`` steps: e.g. about 2,400 steps
(~140 epochs) for Mice Protein at k=10, and at most 52,000 steps for k=50 on any data.
Passing ``epochs`` fixes the total instead and splits it the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from seqattn._errors import SeqattnError

#: Warm-up length, in phase lengths.
WARMUP_PHASES = 2
#: Bounds of the batch size rule.
MIN_BATCH, MAX_BATCH = 64, 1024
#: Bounds of the steps-per-phase rule.
MIN_STEPS_PER_PHASE, MAX_STEPS_PER_PHASE = 200, 1000
#: Epochs per phase before the bounds apply.
EPOCHS_PER_PHASE = 2


@dataclass(frozen=True)
class Schedule:
    """The training plan of one fit.

    Attributes
    ----------
    batch_size : int
        Rows per gradient step.
    warmup_steps : int
        Steps on all features (each at input weight 1) before the first phase.
    steps_per_phase : int
        Steps of each selection phase; a pick is made at the end of every phase.
    picks : tuple of int
        Features picked at the end of each phase (``n_per_step``, the last may be fewer).
    """

    batch_size: int
    warmup_steps: int
    steps_per_phase: int
    picks: tuple[int, ...]

    @property
    def n_phases(self) -> int:
        """Selection phases."""
        return len(self.picks)

    @property
    def total_steps(self) -> int:
        """Gradient steps of the whole fit."""
        return self.warmup_steps + self.steps_per_phase * self.n_phases

    def epochs(self, n_samples: int) -> float:
        """Passes over the data the fit makes."""
        return self.total_steps * self.batch_size / n_samples


def default_batch_size(n_samples: int) -> int:
    """The batch-size rule (see module docstring)."""
    return min(n_samples, max(MIN_BATCH, min(MAX_BATCH, n_samples // 64)))


def make_schedule(
    n_samples: int,
    n_to_pick: int,
    n_per_step: int = 1,
    epochs: float | None = None,
    batch_size: int | None = None,
) -> Schedule:
    """Plan a fit that picks ``n_to_pick`` features, ``n_per_step`` per phase.

    Parameters
    ----------
    n_samples : int
        Training rows ``n``.
    n_to_pick : int
        Features the algorithm picks (excluding preselected ones); may be 0.
    n_per_step : int
        Features picked at the end of each phase.
    epochs : float or None
        Total passes over the data (warm-up included); None for the default rule.
    batch_size : int or None
        Rows per step; None for the default rule. Capped at ``n``.

    Raises
    ------
    SeqattnError
        For non-positive ``epochs``, ``batch_size`` or ``n_per_step``.
    """
    if n_per_step < 1:
        raise SeqattnError(f"n_per_step={n_per_step} must be a positive integer")
    if batch_size is None:
        batch = default_batch_size(n_samples)
    else:
        if int(batch_size) < 1:
            raise SeqattnError(f"batch_size={batch_size} must be a positive integer or None")
        batch = min(int(batch_size), n_samples)
    full, rest = divmod(n_to_pick, n_per_step)
    picks = (n_per_step,) * full + ((rest,) if rest else ())
    if not picks:
        # Everything was preselected: nothing to train for.
        return Schedule(batch_size=batch, warmup_steps=0, steps_per_phase=0, picks=())
    steps_per_epoch = n_samples / batch
    if epochs is None:
        per_phase = math.ceil(EPOCHS_PER_PHASE * steps_per_epoch)
        per_phase = min(MAX_STEPS_PER_PHASE, max(MIN_STEPS_PER_PHASE, per_phase))
        warmup = WARMUP_PHASES * per_phase
    else:
        if not epochs > 0:
            raise SeqattnError(f"epochs={epochs} must be positive or None (automatic)")
        total = max(len(picks) + WARMUP_PHASES, math.ceil(epochs * steps_per_epoch))
        per_phase = total // (len(picks) + WARMUP_PHASES)
        warmup = total - per_phase * len(picks)
    return Schedule(batch_size=batch, warmup_steps=warmup, steps_per_phase=per_phase, picks=picks)
