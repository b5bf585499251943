"""The docstring examples here export with skl2onnx and run onnxruntime, the optional extra
``onnx``: without it, pytest does not collect them (tests/onnx skips the same way), nor the
modules that import skl2onnx."""

from importlib.util import find_spec

HAVE_EXTRA = find_spec("skl2onnx") is not None and find_spec("onnxruntime") is not None
collect_ignore = [] if HAVE_EXTRA else ["__init__.py", "_network.py", "_registration.py"]
