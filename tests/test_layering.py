"""Layers import only downward: every import of every module of skbackprop, read with ast.

The ladder, from the bottom: the autodiff engine, the optimizers, the network pieces, the
one training loop, the estimators, and inspection on top. A package may import the
packages on lower rungs, never one on its own rung or above -- not even inside a function,
where an import would hide a cycle until it runs. The imports are read from the source, so
every import counts: absolute or relative, at module level or inside a function or a
method, and ``importlib.import_module`` of a constant name.
"""

import ast
import textwrap
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "skbackprop"

# The package of the one training loop every iterative estimator uses; if it is renamed,
# this is the one line to change.
TRAINER = "training"

ESTIMATORS = ("neural_network", "linear_model", "mixture", "tabular")

LAYER = {
    "autodiff": 0,
    "optim": 1,
    "nn": 2,
    TRAINER: 3,
    **dict.fromkeys(ESTIMATORS, 4),
    "inspection": 5,
    # ONNX export converts fitted estimators, as inspection looks inside them.
    "onnx": 5,
    # Beside the ladder: what several estimators share (linear algebra, validation, Dask
    # helpers). On rung 1 it may import the engine and nothing else of skbackprop ...
    "utils": 1,
}
# ... and only the estimators and the layers above them may import it.
LOWEST_IMPORTER = {"utils": LAYER[ESTIMATORS[0]]}

# Rungs that may not use every rung below them: the network pieces are compositions of
# engine operations and know nothing of how they are optimized.
ONLY_FROM = {"optim": {"autodiff"}, "nn": {"autodiff"}}

# Imports between two packages of one rung that are allowed, as (importer, imported).
# Each estimator family stands alone; a helper two of them need goes down into utils.
SAME_RUNG = frozenset()

# skbackprop/__init__.py and __main__.py put everything together and may import anything.
# For any other module, importing the top-level package means importing every estimator.
TOP = "skbackprop"


def _module_name(path):
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module, is_package, node):
    """The absolute names an ``import`` or ``from ... import`` statement loads."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        base = node.module
    else:
        # ``from .x import y`` in a.b.c means a.b.x; in the package a.b (its
        # __init__.py) it means a.b.x as well.
        parts = module.split(".")
        package = parts if is_package else parts[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    if base == TOP:
        # ``from skbackprop import nn`` loads the subpackage skbackprop.nn.
        return [f"{base}.{alias.name}" for alias in node.names]
    return [base]


def imports_of(source, module, is_package=False):
    """``(line, imported module)`` for every skbackprop import in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = _resolve(module, is_package, node)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        else:
            continue
        found.extend((node.lineno, name) for name in names if name.split(".")[0] == TOP)
    return found


def package_of(name):
    """The subpackage that the dotted skbackprop name ``name`` belongs to, or TOP."""
    parts = name.split(".")
    # skbackprop.MLPClassifier is a name of the top level; skbackprop.nn a subpackage.
    if len(parts) > 1 and ((PACKAGE_ROOT / parts[1]).is_dir() or parts[1] in LAYER):
        return parts[1]
    return TOP


def importer_of(path):
    """The subpackage whose module is at ``path``; a top-level module is a leaf."""
    parts = path.relative_to(PACKAGE_ROOT).parts
    if len(parts) > 1:
        return parts[0]
    if path.name in ("__init__.py", "__main__.py"):
        return TOP
    # A module beside __init__ (such as _version.py) must not import the packages.
    return "autodiff"


def violation(importer, imported):
    """Why ``importer`` may not import ``imported`` (packages), or None when it may."""
    if importer in (imported, TOP):
        return None
    for package in (importer, imported):
        if package != TOP and package not in LAYER:
            return f"{package} has no layer: add it to LAYER in tests/test_layering.py"
    if imported == TOP:
        return "imports the top-level package, which imports every estimator"
    if importer == "autodiff":
        return "autodiff imports nothing else of skbackprop"
    if LAYER[importer] < LOWEST_IMPORTER.get(imported, 0):
        return f"{imported} is for the estimators and above"
    if LAYER[imported] > LAYER[importer]:
        return (
            f"upward, from {importer} (layer {LAYER[importer]}) to {imported} "
            f"(layer {LAYER[imported]})"
        )
    if LAYER[imported] == LAYER[importer] and (importer, imported) not in SAME_RUNG:
        return f"sideways: {importer} and {imported} share layer {LAYER[importer]}"
    if importer in ONLY_FROM and imported not in ONLY_FROM[importer]:
        return f"{importer} imports only {', '.join(sorted(ONLY_FROM[importer]))}"
    return None


def violations_in(source, path):
    """Every forbidden import of the module at ``path`` whose text is ``source``."""
    module = _module_name(path)
    importer = importer_of(path)
    found = []
    for line, name in imports_of(source, module, path.name == "__init__.py"):
        why = violation(importer, package_of(name))
        if why is not None:
            found.append(f"{path.relative_to(PACKAGE_ROOT.parent)}:{line} imports {name}: {why}")
    return found


def test_every_package_is_on_the_ladder():
    packages = {p.name for p in PACKAGE_ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert packages - set(LAYER) == set(), "give each new package a layer in LAYER"


def test_layers_import_only_downward():
    found = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        found.extend(violations_in(path.read_text(encoding="utf-8"), path))
    assert found == [], "\n".join(found)


# The checker itself, on made-up modules: each of these must be caught (or, with no
# fragment, allowed).
@pytest.mark.parametrize(
    ("relative_path", "source", "fragment"),
    [
        (
            "autodiff/dot.py",
            """
            def to_dot(x):
                from ..nn.fitted_graph import forward_graph
            """,
            "autodiff/dot.py:3 imports skbackprop.nn.fitted_graph: autodiff imports nothing else",
        ),
        (
            "nn/fitted_graph.py",
            """
            class A:
                def method(self):
                    from skbackprop.linear_model import LogisticBackprop
            """,
            "imports skbackprop.linear_model: upward, from nn (layer 2) to linear_model (layer 4)",
        ),
        ("optim/sgd.py", "import skbackprop.nn.network\n", "upward, from optim (layer 1) to nn"),
        ("nn/x.py", "from .. import inspection\n", "imports skbackprop.inspection: upward"),
        ("nn/__init__.py", "from ..utils import linalg\n", "utils is for the estimators"),
        ("nn/objective.py", "from ..optim import SGD\n", "nn imports only autodiff"),
        ("inspection/x.py", "from ..utils import linalg\n", None),
        ("utils/linalg.py", "from ..optim import sgd\n", "sideways: utils and optim"),
        ("mixture/_em.py", "from ..linear_model import _x\n", "sideways: mixture and"),
        ("inspection/_g.py", "from .. import MLPClassifier\n", "imports the top-level"),
        (
            "optim/x.py",
            "import importlib\nimportlib.import_module('skbackprop.neural_network')\n",
            "x.py:2 imports skbackprop.neural_network: upward",
        ),
        ("newthing/x.py", "from ..nn import forward\n", "newthing has no layer"),
        ("_version.py", "from .nn import forward\n", "autodiff imports nothing"),
    ],
)
def test_the_checker_catches_each_kind_of_import(relative_path, source, fragment):
    found = violations_in(textwrap.dedent(source), PACKAGE_ROOT / relative_path)
    if fragment is None:  # allowed
        assert found == []
        return
    assert len(found) == 1
    assert fragment in found[0]


@pytest.mark.parametrize(
    ("relative_path", "source"),
    [
        ("inspection/_g.py", "from ..linear_model import LogisticBackprop\n"),
        ("linear_model/_l.py", "from ..utils.linalg import solve_psd\nfrom ..optim import x\n"),
        (f"{TRAINER}/loop.py", "from ..nn import forward\nfrom ..optim import Adam\n"),
        ("nn/network.py", "from ..autodiff import dense\nfrom .activations import table\n"),
        ("utils/_dask.py", "from ..autodiff import Tensor\nimport numpy\n"),
        ("__init__.py", "from .inspection import LossCurveDisplay\n"),
        ("__main__.py", "from skbackprop.mixture import GaussianMixtureEM\n"),
    ],
)
def test_the_checker_allows_downward_imports(relative_path, source):
    assert violations_in(source, PACKAGE_ROOT / relative_path) == []
