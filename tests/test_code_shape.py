"""The code's shape rules (issue 24), checked over the tree: Python functions under 70 lines,
PL/pgSQL functions under 100, and no SQL function called with a long positional list (more
than 6 arguments go by name: wallet/ledger/database.py `named_call`), the game-call path and
the studio adapters included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
PYTHON_LINES_MAX = 70
PLPGSQL_LINES_MAX = 100
POSITIONAL_MAX = 6
_POSITIONAL = re.compile(r"\w+\((?:\s*%s\s*,){" + str(POSITIONAL_MAX) + r",}\s*%s")
_FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION.*?\$\$;", re.S)


def _ours(pattern: str) -> list[Path]:
    return sorted(ROOT.glob(pattern))


def test_python_functions_are_short() -> None:
    long = []
    for path in _ours("wallet/**/*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines >= PYTHON_LINES_MAX:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} {lines}")
    assert not long, long


def test_plpgsql_functions_are_short() -> None:
    long = []
    for path in _ours("schema/functions/*.sql"):
        for body in _FUNCTION.findall(path.read_text()):
            if body.count("\n") + 1 >= PLPGSQL_LINES_MAX:
                long.append(f"{path.relative_to(ROOT)} {body.count(chr(10)) + 1}")
    assert not long, long


def test_long_argument_lists_are_named() -> None:
    positional = [
        str(path.relative_to(ROOT))
        for path in _ours("wallet/**/*.py")
        if _POSITIONAL.search(path.read_text()) or '["%s"] *' in path.read_text()
    ]
    assert not positional, positional
