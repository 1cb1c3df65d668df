"""Shared fixtures: every test runs with vendorwatch's config and data in a temp dir."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["servers.plugin"]

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def vendorwatch_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point paths.config_dir/data_dir at a temp dir, so no test sees the user's files."""
    home = tmp_path / "vw-home"
    home.mkdir()
    monkeypatch.setenv("VENDORWATCH_HOME", str(home))
    monkeypatch.delenv("VENDORWATCH_CONFIG", raising=False)
    return home


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run the `vendorwatch` entry point in-process; returns exit code, stdout, stderr."""
    from vendorwatch.daemon.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


sys.path.insert(0, str(Path(__file__).resolve().parent))
