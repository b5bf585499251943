"""Sphinx configuration of the skbackprop documentation.

Build with ``pip install ".[docs]" && python -m sphinx -W -b html docs docs/_build/html``.
Nothing is fetched from the network at build time: intersphinx is off, and the gallery runs
the examples on this machine. Nothing is fetched when the site is read either: MathJax is
copied into the site from the ``sphinx-mathjax-offline`` package (the ``docs`` extra), so
the math renders offline; ``tests/test_docs_offline.py`` checks that no page loads a script or a
stylesheet from the network.
"""

import importlib
import inspect
import re
import shutil
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import skbackprop  # noqa: E402

project = "skbackprop"
copyright = "skbackprop developers, BSD-3-Clause"
author = "skbackprop developers"
release = skbackprop.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax 3 from a pip package, copied into _static/mathjax/ and loaded from there
    # instead of a CDN, so a site read offline or behind a firewall still shows its math.
    "sphinx-mathjax-offline",
    "sphinx.ext.doctest",
    "sphinx.ext.graphviz",
    "myst_parser",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = [
    "_build",
    "gen_modules/api_*.rst",
    "gen_modules/backreferences",
    "conftest.py",
    "**.ipynb_checkpoints",
]
root_doc = "index"

# --- API reference ---------------------------------------------------------------------
# The API pages list every public name that each module exports *now*: the listing is
# generated from ``__all__`` at build time, so a new estimator appears without an edit here.
API_MODULES = {
    "skbackprop": "Estimators",
    "skbackprop.autodiff": "Automatic differentiation",
    "skbackprop.optim": "Optimizers and schedules",
    "skbackprop.inspection": "Inspection and plotting",
}


_CLASS_STUB = """\
{title}
{underline}

.. currentmodule:: {module}

.. autoclass:: {name}
   :members:
   :inherited-members: {own_bases}
   :exclude-members: {excluded}

.. minigallery:: {module}.{name}
   :add-heading: Examples using ``{name}``
"""

_FUNCTION_STUB = """\
{title}
{underline}

.. currentmodule:: {module}

.. autofunction:: {name}

.. minigallery:: {module}.{name}
   :add-heading: Examples using ``{name}``
"""

_DATA_STUB = """\
{title}
{underline}

.. currentmodule:: {module}

.. autodata:: {name}
   :no-value:

"""

# Members that scikit-learn's base classes add to every estimator; their docstrings
# cross-reference scikit-learn's own site, which this build does not fetch.
_SKLEARN_BASES = "BaseEstimator, ClassifierMixin, RegressorMixin, DensityMixin, TransformerMixin"
_SKLEARN_MEMBERS = (
    "set_fit_request, set_partial_fit_request, set_predict_request, set_score_request, "
    "set_transform_request, set_output, get_metadata_routing"
)


def _write_if_changed(path, text):
    # Rewriting an unchanged file would make Sphinx rebuild every page.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _write_api_pages():
    """One autosummary table per module and one page per public name, in gen_modules/."""
    out_dir = HERE / "gen_modules"
    out_dir.mkdir(exist_ok=True)
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        names = sorted(
            (n for n in module.__all__ if not n.startswith("_")), key=lambda n: n.lower()
        )
        table = [
            f".. currentmodule:: {module_name}",
            "",
            ".. autosummary::",
            "   :toctree: gen_modules/",
            "   :nosignatures:",
            "",
            *(f"   {name}" for name in names),
            "",
        ]
        _write_if_changed(out_dir / f"api_{module_name.replace('.', '_')}.rst", "\n".join(table))
        for name in names:
            obj = getattr(module, name)
            title = f"{module_name}.{name}"
            fields = {
                "title": title,
                "underline": "=" * len(title),
                "module": module_name,
                "name": name,
                "own_bases": _SKLEARN_BASES,
                "excluded": _SKLEARN_MEMBERS,
            }
            if inspect.isclass(obj):
                stub = _CLASS_STUB
            else:
                stub = _FUNCTION_STUB if callable(obj) else _DATA_STUB
            _write_if_changed(out_dir / f"{title}.rst", stub.format(**fields))


_write_api_pages()
# The pages are written above; autosummary only draws the tables.
autosummary_generate = False
autodoc_typehints = "none"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# --- the graph drawings ------------------------------------------------------------------
# The computation graphs of the user guide are DOT source rendered by Graphviz at build
# time. A missing ``dot`` program must fail the build, not leave an empty picture.
graphviz_output_format = "svg"
if shutil.which("dot") is None:
    raise RuntimeError(
        "The documentation draws computation graphs with Graphviz, and its `dot` program "
        "is not on PATH. Install it (Debian/Ubuntu: `apt-get install graphviz`; macOS: "
        "`brew install graphviz`) and build again."
    )


def _write_graphs():
    """DOT files drawn by ``to_dot`` for the user guide, so each picture is the library's."""
    from skbackprop.autodiff import Tensor, cos, sin, to_dot

    x = Tensor(2.0, requires_grad=True, name="x")
    t = x**2
    u1 = sin(t)
    u2 = 3 * t
    u = u1 + u2
    J = cos(u)
    for node, name in [(t, "t"), (u1, "u1"), (u2, "u2"), (u, "u"), (J, "J")]:
        node.name = name
    out_dir = HERE / "gen_modules"
    out_dir.mkdir(exist_ok=True)
    _write_if_changed(out_dir / "graph_lecture_J.dot", to_dot(J) + "\n")


_write_graphs()


# --- the gallery -------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    # Only plot_*.py scripts run; the others (a Dask cluster) are shown, not executed.
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("skbackprop",),
    "reference_url": {"skbackprop": None},
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    # The execution-times pages load jQuery and DataTables from CDNs; the site is offline.
    "write_computation_times": False,
}

# --- HTML --------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skbackprop {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "header_links_before_dropdown": 6,
}
html_show_sourcelink = False


# --- example titles ----------------------------------------------------------------------
def _title_untitled_example(app, docname, source):
    """Give a gallery page a title when its script's docstring opens with a plain sentence.

    sphinx-gallery uses the docstring's first line as the thumbnail's caption whether or
    not it is underlined as a reStructuredText title; without the underline the page has
    no title and Sphinx cannot link to it. Underline that first line here.
    """
    if not docname.startswith("auto_examples/") or docname.endswith("index"):
        return
    lines = source[0].split("\n")
    for i, line in enumerate(lines):
        if line.startswith(".. _sphx_glr_auto_examples_") and line.endswith(".py:"):
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j >= len(lines):
                return
            following = lines[j + 1] if j + 1 < len(lines) else ""
            if following.strip() and set(following.strip()) <= set("=-~^*#"):
                return  # already a title
            end = j
            while end < len(lines) and lines[end].strip():
                end += 1
            title = " ".join(line.strip() for line in lines[j:end]).rstrip(".")
            lines[j:end] = [title, "=" * len(title)]
            source[0] = "\n".join(lines)
            return


# --- fitted-attribute names in numpydoc types --------------------------------------------
_FIELD_LINE = re.compile(r"^(\s*[*\w, ]+ : )(.*)$")
_BARE_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])(\w+_)(?![`\w])")


def _quote_fitted_names_in_types(app, what, name, obj, options, lines):
    """Write ``n_features_in_`` in a type such as ``ndarray of shape (n_features_in_,)``
    as literal text: reStructuredText reads a bare trailing underscore as a link target.
    """
    for i, line in enumerate(lines):
        match = _FIELD_LINE.match(line)
        if match and not line.lstrip().startswith((">>>", "...")):
            head, kind = match.groups()
            lines[i] = head + _BARE_TRAILING_UNDERSCORE.sub(r"``\1``", kind)


def setup(app):
    app.connect("source-read", _title_untitled_example)
    # Before numpydoc (priority 500) parses the sections.
    app.connect("autodoc-process-docstring", _quote_fitted_names_in_types, priority=400)
