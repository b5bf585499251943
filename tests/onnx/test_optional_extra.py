"""The ONNX extra is optional: skbackprop imports, and says how to install it, without it.

This runs whether or not the extra is installed: a child interpreter (one, as starting it
costs seconds) checks that importing skbackprop and skbackprop.onnx loads none of the
extra's packages, then hides skl2onnx and asks for an export.
"""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import sys
    import skbackprop
    import skbackprop.onnx
    extra = ("skl2onnx", "onnx", "onnxruntime")
    print(sorted(name for name in sys.modules if name.split(".")[0] in extra))
    sys.modules["skl2onnx"] = None  # any import of it now raises ImportError
    try:
        skbackprop.onnx.to_onnx(skbackprop.NormalEquationRegressor(), [[0.0]])
    except ImportError as exc:
        print(exc)
    """
)


def test_skbackprop_imports_without_the_extra_and_says_how_to_install_it():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    loaded, message = result.stdout.strip().split("\n", 1)
    assert loaded == "[]"
    assert 'pip install "skbackprop[onnx]"' in message
