"""Defaults shared by the CLI, the figures and the report.

The workflow's config schema states the same reference default for the config (it cannot
import Python); ``tests/test_defaults.py`` keeps the two equal.
"""

#: The method the paired tests compare every other method against, and the method the
#: figures and the summary page are about, when it ran (else every pair / the first method).
REFERENCE_METHOD = "sequential_attention"
