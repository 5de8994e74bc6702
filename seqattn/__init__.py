"""seqattn: Sequential Attention marker-panel selection for omics data."""

from seqattn._version import __version__

__all__ = ["__version__"]
