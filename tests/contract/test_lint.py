"""The checks STYLE.md promises run inside the suite, so a change that breaks one fails
`make test`: ruff's wider rule set at 100 columns, the formatter, mypy strict on the domain
and the service layer, import-linter's contracts (README, "How the code is laid out"), and
the module size limit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "mahrem"
MAX_LINES = 400


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing_in_src_tests_and_benches() -> None:
    result = _run("ruff", "check", "src", "tests", "benches")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it() -> None:
    result = _run("ruff", "format", "--check", "src", "tests", "benches")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes_on_the_domain_and_the_services() -> None:
    result = _run("mypy")  # files and strictness from [tool.mypy] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_import_linter_contract_is_kept() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_is_over_400_lines_migrations_aside() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
