"""Compare two `results/` trees of the workflow: same panels, same tables.

    python tests/slurm/compare_results.py RESULTS_A RESULTS_B

Everything that must not depend on where or when a job ran is compared exactly: every panel
table (fold and final panels, attention weights), the fold tables and the aggregated tables.
What legitimately differs between runs is left out: the selector's own cost (wall time, peak
RSS: ``tables/cost.tsv``) and the JSON sidecars (wall time, host).
Exit status 1 and one line per difference when they differ. Also imported by the tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

#: Tables whose content depends on when and where a job ran.
RUN_DEPENDENT = ("cost.tsv",)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t")


def compared_files(results: Path) -> list[Path]:
    """The files (relative to `results`) whose content must be identical across runs."""
    out = []
    for pattern in ("*/folds.tsv", "*/panels/*/*.tsv", "*/tables/*.tsv"):
        out += [
            p.relative_to(results) for p in results.glob(pattern) if p.name not in RUN_DEPENDENT
        ]
    return sorted(out)


def compare(a: str | Path, b: str | Path) -> list[str]:
    """One line per difference between two results trees (empty when they agree)."""
    a, b = Path(a), Path(b)
    files_a, files_b = compared_files(a), compared_files(b)
    problems = [f"only in {a}: {f}" for f in sorted(set(files_a) - set(files_b))]
    problems += [f"only in {b}: {f}" for f in sorted(set(files_b) - set(files_a))]
    if not files_a:
        problems.append(f"no result tables under {a}")
    for rel in sorted(set(files_a) & set(files_b)):
        left, right = _read(a / rel), _read(b / rel)
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=True)
        except AssertionError as err:
            first = str(err).strip().splitlines()
            problems.append(f"{rel}: {' '.join(first[:3])}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    problems = compare(*argv)
    for line in problems:
        print(line)
    n = len(compared_files(Path(argv[0])))
    print(f"{n} files compared, {len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
