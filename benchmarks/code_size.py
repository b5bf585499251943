"""The size of skbackprop's code, as a reader meets it.

Counts code lines (no docstrings, comments or blank lines), modules, and the functions
longer than 60 code lines, so a simplification can be measured rather than claimed::

    python benchmarks/code_size.py            # the package
    python benchmarks/code_size.py skbackprop/__main__.py  # one module
    python benchmarks/code_size.py --long 40  # list functions over 40 code lines
"""

import argparse
import ast
import io
import tokenize
from pathlib import Path

_SKIPPED = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}
_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def code_lines(source):
    """The line numbers of ``source`` that hold code, and its syntax tree."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, _DOCUMENTED) and node.body:
            first = node.body[0]
            value = getattr(first, "value", None)
            if isinstance(first, ast.Expr) and isinstance(getattr(value, "value", None), str):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in _SKIPPED:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings, tree


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="skbackprop", help="a folder or a module")
    parser.add_argument("--long", type=int, default=60, help="report functions longer than this")
    args = parser.parse_args()
    total, modules, long_functions = 0, 0, []
    root = Path(args.root)
    for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
        if path.name == "conftest.py":
            continue  # doctest set-up, not the package's code
        lines, tree = code_lines(path.read_text())
        total += len(lines)
        modules += 1
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = sum(node.lineno <= line <= node.end_lineno for line in lines)
                if length > args.long:
                    long_functions.append((length, f"{path}:{node.name}"))
    print(f"code lines: {total}")
    print(f"modules: {modules}")
    print(f"functions over {args.long} code lines: {len(long_functions)}")
    for length, name in sorted(long_functions, reverse=True):
        print(f"  {length:4d}  {name}")


if __name__ == "__main__":
    main()
