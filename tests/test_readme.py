"""Every ```python block of the README runs as written, on its own, without a warning."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks():
    text = README.read_text(encoding="utf-8")
    return [
        pytest.param(match[1], id=f"README.md:{text.count(chr(10), 0, match.start()) + 2}")
        for match in _BLOCK.finditer(text)
    ]


def test_readme_has_python_blocks():
    assert len(_blocks()) >= 2


@pytest.mark.parametrize("code", _blocks())
def test_readme_block_runs(code):
    # Each block in a fresh namespace: a block may not lean on names another one defined.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(code, str(README), "exec"), {"__name__": "__readme__"})
