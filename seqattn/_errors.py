"""The one exception type users see for bad input."""

from __future__ import annotations


class SeqattnError(ValueError):
    """Bad input or configuration: the message names the problem and the fix.

    The CLI prints it as a single line and exits with status 2; no output file
    is written when it is raised.
    """
