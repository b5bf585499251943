"""The ONNX extra is optional: skbackprop imports, and says how to install it, without it.

These run whether or not the extra is installed: a child interpreter hides skl2onnx.
"""

import subprocess
import sys
import textwrap


def test_import_without_the_extra():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["skl2onnx"] = None  # any import of it now raises ImportError
        import skbackprop
        import skbackprop.onnx
        try:
            skbackprop.onnx.to_onnx(skbackprop.NormalEquationRegressor(), [[0.0]])
        except ImportError as exc:
            print(exc)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert 'pip install "skbackprop[onnx]"' in result.stdout


def test_import_skbackprop_does_not_import_skl2onnx():
    script = textwrap.dedent(
        """
        import sys
        import skbackprop
        import skbackprop.onnx
        extra = ("skl2onnx", "onnx", "onnxruntime")
        print(sorted(name for name in sys.modules if name.split(".")[0] in extra))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
