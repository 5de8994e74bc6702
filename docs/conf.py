"""Sphinx configuration of the seqattn documentation (``make docs``).

The tutorials are MyST text notebooks executed at every build (``nb_execution_mode =
"force"``), so every figure comes from the code beside it and a broken cell fails the
build (``-W``: a cell error is a warning, and warnings are errors). Nothing here reaches
the network: the data are scanpy's bundled ``pbmc68k_reduced``, seqattn's bundled Mice
Protein and the repository's ``data/nafld_plasma_maxquant``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
# Notebook kernels start in the notebook's folder; tell them where the repository is.
os.environ.setdefault("SEQATTN_REPO", str(ROOT))
# A kernel draws figures into the page only with its own inline backend, which it picks
# when MPLBACKEND is unset; CI exports MPLBACKEND=Agg, which would leave the pages blank.
os.environ.pop("MPLBACKEND", None)
# The tutorials' networks are small: one thread per kernel is faster than torch's default
# (one per core), which spins and slows down by 10x or more when the cores are shared.
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from seqattn._version import __version__  # noqa: E402

project = "seqattn"
author = "seqattn developers"
copyright = "seqattn developers"
version = release = __version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md", "jupyter_execute"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# API reference: one page per public function or class, members as each module's __all__.
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# MyST and the executed notebooks.
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3
# bench/README.md (included by concepts/benchmark.md, maintained with the benchmark) steps
# from ## to #### headings; that is its layout, not an error.
suppress_warnings = ["myst.header"]
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

html_theme = "sphinx_book_theme"
html_title = f"seqattn {release}"
html_theme_options = {"show_toc_level": 2}
html_static_path: list[str] = []


# One API page per public module, listing the functions and classes of its ``__all__``
# (written here, before autosummary generates a page for each of them, so a new public
# function appears without editing the docs).
API_MODULES = {
    "seqattn.tl": "Scanpy-style tools on AnnData",
    "seqattn.pp": "Preprocessing",
    "seqattn.io": "Readers",
    "seqattn.evaluate": "Nested cross-validation and the recommended panel",
    "seqattn.pl": "Figures",
    "seqattn.methods": "The method registry",
    "seqattn.datasets": "Data sets",
    "seqattn.report": "The summary page",
}


def _write_api_pages() -> None:
    import importlib
    import inspect

    out = DOCS / "api"
    out.mkdir(exist_ok=True)
    for name, title in API_MODULES.items():
        module = importlib.import_module(name)
        public = getattr(module, "__all__", None) or [
            n for n in dir(module) if not n.startswith("_")
        ]
        functions, classes = [], []
        for item in public:
            obj = getattr(module, item, None)
            if inspect.isclass(obj):
                classes.append(item)
            elif callable(obj):
                functions.append(item)
        lines = [f"{name}: {title}", "=" * (len(name) + len(title) + 2), ""]
        lines += [f".. automodule:: {name}", "", f".. currentmodule:: {name}", ""]
        for heading, items in (("Functions", functions), ("Classes", classes)):
            if items:
                lines += [f".. rubric:: {heading}", "", ".. autosummary::"]
                lines += ["   :toctree: ../generated", "   :nosignatures:", ""]
                lines += [f"   {item}" for item in items] + [""]
        text = "\n".join(lines)
        path = out / f"{name}.rst"
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


_write_api_pages()
