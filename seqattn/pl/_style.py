"""One look for every figure: method colours and markers, class palettes, rc settings."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

from seqattn._defaults import REFERENCE_METHOD

#: Fixed colour of every method the package knows; the same in every figure.
METHOD_COLORS: dict[str, str] = {
    "sequential_attention": "#D62728",
    "random": "#7F7F7F",
    "variance": "#BCBD22",
    "anova": "#1F77B4",
    "mutual_info": "#17BECF",
    "wilcoxon": "#2CA02C",
    "t-test": "#006D2C",
    "logreg": "#FF7F0E",
    "cosg": "#9467BD",
    "l1_logistic": "#8C564B",
    "mrmr": "#E377C2",
    "lassonet": "#393B79",
    "forward_greedy": "#E7BA52",
    "stg": "#7B4173",
    "concrete": "#A6761D",
    "all_features": "#000000",
}

_METHOD_MARKERS: dict[str, str] = {
    "sequential_attention": "o",
    "random": "x",
    "variance": "v",
    "anova": "s",
    "mutual_info": "^",
    "wilcoxon": "D",
    "t-test": "d",
    "logreg": "P",
    "cosg": "X",
    "l1_logistic": "<",
    "mrmr": ">",
    "lassonet": "h",
    "forward_greedy": "p",
    "stg": "*",
    "concrete": "H",
    "all_features": "",
}

# Colours for methods the package does not know: none of them is in METHOD_COLORS.
_FALLBACK_COLORS: tuple[str, ...] = (
    "#1B9E77",
    "#D95F02",
    "#7570B3",
    "#E7298A",
    "#66A61E",
    "#4E79A7",
    "#F28E2B",
    "#B07AA1",
    "#76B7B2",
    "#EDC948",
    "#FF9DA7",
    "#9C755F",
    "#59A14F",
    "#E15759",
    "#BAB0AC",
    "#3D3D99",
)
_FALLBACK_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "p", "*")

#: Names that mean "the classifier on every feature": drawn as a horizontal line.
ALL_FEATURES = ("all_features", "all")

_ALIASES = {
    "ttest": "t-test",
    "t_test": "t-test",
    "sa": "sequential_attention",
    "sequentialattention": "sequential_attention",
    "mutual_information": "mutual_info",
    "mi": "mutual_info",
    "all": "all_features",
    "l1": "l1_logistic",
}

#: Matplotlib settings shared by every figure (applied with ``plt.rc_context``).
RC: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "pdf.fonttype": 42,
    "svg.fonttype": "none",
    "image.interpolation": "nearest",
}


def canonical_method(name: str) -> str:
    """The registry spelling of a method name (``"t_test"`` -> ``"t-test"``).

    Parameters
    ----------
    name
        A method name as it appears in a result table.

    Returns
    -------
    str
        The known name it refers to, or ``name`` unchanged.
    """
    key = str(name).strip()
    low = key.lower()
    if low in METHOD_COLORS:
        return low
    return _ALIASES.get(low.replace("-", "_"), _ALIASES.get(low, key))


def _fallback_index(name: str) -> int:
    return zlib.crc32(str(name).encode("utf-8"))


def method_colors(methods: Iterable[str]) -> dict[str, str]:
    """A stable colour per method name, the same in every figure.

    Known methods (:data:`METHOD_COLORS`) always get their fixed colour. Other
    names get a colour from a reserved fallback palette chosen by a hash of the
    name (so it does not depend on which other methods are drawn); when two
    unknown names in one call hash to the same colour, the later one (sorted
    by name) moves to the next free colour.

    Parameters
    ----------
    methods
        Method names as they appear in the result tables.

    Returns
    -------
    dict
        ``{method: "#RRGGBB"}`` for every distinct name, in input order.

    Examples
    --------
    Known methods keep their colour under any spelling; another name gets a fallback
    colour from a hash of the name, so the same in every call:

    >>> import seqattn
    >>> seqattn.pl.method_colors(["sequential_attention", "t_test", "my_method"])
    {'sequential_attention': '#D62728', 't_test': '#006D2C', 'my_method': '#9C755F'}
    >>> seqattn.pl.method_colors(["my_method"])
    {'my_method': '#9C755F'}
    """
    names = list(dict.fromkeys(str(m) for m in methods))
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        canon = canonical_method(name)
        if canon in METHOD_COLORS:
            out[name] = METHOD_COLORS[canon]
    for name in sorted(n for n in names if n not in out):
        n = len(_FALLBACK_COLORS)
        start = _fallback_index(name) % n
        for step in range(n):
            color = _FALLBACK_COLORS[(start + step) % n]
            if color not in used or step == n - 1:
                break
        used.add(color)
        out[name] = color
    return {name: out[name] for name in names}


def method_markers(methods: Iterable[str]) -> dict[str, str]:
    """A stable marker per method name (fixed for known methods, hashed otherwise).

    Examples
    --------
    >>> import seqattn
    >>> seqattn.pl.method_markers(["sequential_attention", "anova", "all_features", "my_method"])
    {'sequential_attention': 'o', 'anova': 's', 'all_features': 'o', 'my_method': 'D'}
    """
    out = {}
    for name in dict.fromkeys(str(m) for m in methods):
        canon = canonical_method(name)
        if canon in _METHOD_MARKERS:
            out[name] = _METHOD_MARKERS[canon] or "o"
        else:
            out[name] = _FALLBACK_MARKERS[_fallback_index(name) % len(_FALLBACK_MARKERS)]
    return out


def method_order(methods: Iterable[str]) -> list[str]:
    """Sort methods for legends and axes: the reference first, known ones, others, random last."""
    names = list(dict.fromkeys(str(m) for m in methods))
    known = list(METHOD_COLORS)

    def key(name: str) -> tuple[int, int, str]:
        canon = canonical_method(name)
        if canon == REFERENCE_METHOD:
            return (0, 0, name)
        if canon in ("random", "all_features"):
            return (3, known.index(canon), name)
        if canon in METHOD_COLORS:
            return (1, known.index(canon), name)
        return (2, 0, name)

    return sorted(names, key=key)


def method_label(name: str) -> str:
    """Human-readable method name for legends (``sequential_attention`` -> ``Sequential Attention``).

    Examples
    --------
    >>> import seqattn
    >>> names = ["sequential_attention", "t_test", "mrmr", "my_method"]
    >>> [seqattn.pl.method_label(m) for m in names]  # an unknown name is kept as it is
    ['Sequential Attention', 't-test', 'mRMR', 'my_method']
    """
    canon = canonical_method(name)
    labels = {
        "sequential_attention": "Sequential Attention",
        "anova": "ANOVA F",
        "mutual_info": "mutual information",
        "t-test": "t-test",
        "logreg": "logreg (scanpy)",
        "cosg": "COSG",
        "l1_logistic": "L1 logistic",
        "mrmr": "mRMR",
        "lassonet": "LassoNet",
        "forward_greedy": "forward greedy",
        "stg": "STG",
        "concrete": "concrete AE",
        "all_features": "all features",
    }
    return labels.get(canon, str(name))


def text_color(color: str, max_lightness: float = 0.33) -> str:
    """A darker shade of ``color`` (same hue) that reads well as text on white."""
    import colorsys

    from matplotlib import colors as mcolors

    r, g, b = mcolors.to_rgb(color)
    h, light, s = colorsys.rgb_to_hls(r, g, b)
    return mcolors.to_hex(colorsys.hls_to_rgb(h, min(light, max_lightness), s))


def is_reference(name: str) -> bool:
    """True for Sequential Attention (the method the package is about)."""
    return canonical_method(name) == REFERENCE_METHOD


def category_colors(
    categories: Sequence[str], uns_colors: Sequence[str] | None = None
) -> list[str]:
    """Colours for class or group categories, as scanpy would pick them.

    Parameters
    ----------
    categories
        The categories in display order.
    uns_colors
        ``adata.uns[f"{key}_colors"]`` when present; used when it has one colour
        per category.

    Returns
    -------
    list of str
        One colour per category.
    """
    n = len(categories)
    if uns_colors is not None and len(uns_colors) == n:
        return [str(c) for c in uns_colors]
    from matplotlib import colors as mcolors

    if n <= 20:
        palette = _scanpy_default_20()
    elif n <= 28:
        palette = list(_ZEILEIS_28)
    else:
        from scanpy.plotting import palettes  # imports scanpy: only for many categories

        palette = palettes.default_102
    return [mcolors.to_hex(palette[i % len(palette)]) for i in range(n)]


def _scanpy_default_20() -> list[str]:
    """scanpy's ``default_20`` palette (built as scanpy does, without importing scanpy)."""
    from matplotlib import colormaps
    from matplotlib import colors as mcolors

    tab20 = [mcolors.to_hex(c) for c in colormaps["tab20"].colors]
    pal = [*tab20[0:14:2], *tab20[16::2], *tab20[1:15:2], *tab20[17::2], "#ad494a", "#8c6d31"]
    pal[2], pal[4], pal[7] = "#279e68", "#aa40fc", "#b5bd61"
    return pal


# scanpy's default_28 (Zeileis et al.), copied so that small figures need not import scanpy
_ZEILEIS_28 = (
    "#023fa5",
    "#7d87b9",
    "#bec1d4",
    "#d6bcc0",
    "#bb7784",
    "#8e063b",
    "#4a6fe3",
    "#8595e1",
    "#b5bbe3",
    "#e6afb9",
    "#e07b91",
    "#d33f6a",
    "#11c638",
    "#8dd593",
    "#c6dec7",
    "#ead3c6",
    "#f0b98d",
    "#ef9708",
    "#0fcfc0",
    "#9cded6",
    "#d5eae7",
    "#f3e1eb",
    "#f6c4e1",
    "#f79cd4",
    "#7f7f7f",
    "#c7c7c7",
    "#1CE6FF",
    "#336600",
)
