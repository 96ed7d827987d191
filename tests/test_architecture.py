"""The pure text core must not pull in Flask or SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from termbase.config import PROJECT_ROOT

CORE_MODULES = [
    "termbase.text.normalize",
    "termbase.text.pinyin",
    "termbase.text.segment",
    "termbase.records",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_is_flask_free(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('flask', 'sqlalchemy', 'termbase.models') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
