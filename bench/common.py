"""Helpers the benchmark scripts share: run a process and measure it, write configs.

Imported by bench/*.py (bench/ is on sys.path when a script runs) and by tests that reuse
the benchmarks' builders. Standard library only.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    """One finished process: wall seconds, peak RSS in MB, exit status and output tails."""

    seconds: float
    rss_mb: int
    code: int
    out: str
    err: str


# Runs the command as its own child and writes the children's peak RSS to a file. Linux
# carries a process's peak RSS across fork and exec (the new image inherits the old one's
# high-water mark), so a child of a big parent (pytest, or a bench that holds a mailbox)
# would report the parent's size; a child of this small interpreter reports its own.
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(code)\n"
)


def measure(cmd: list[str], env: dict[str, str] | None = None, timeout: float | None = None) -> Run:
    """Run a command to the end: wall time, exit status, output tails and peak RSS, the
    largest of the process and the children it waited for (a parse worker can be larger)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss,
    ):
        started = time.perf_counter()
        code = subprocess.call(
            [sys.executable, "-c", _RSS_WRAPPER, rss.name, *cmd],
            env=env,
            stdout=out,
            stderr=err,
            timeout=timeout,
        )
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        out_text = out.read().decode(errors="replace")[-4000:]
        err_text = err.read().decode(errors="replace")[-4000:]
        peak_kb = int(rss.read() or 0)
    return Run(elapsed, peak_kb // 1024, code, out_text, err_text)


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run a command that must succeed; wall seconds, peak RSS in MB and its stderr tail."""
    run = measure(cmd, env)
    if run.code != 0:
        raise SystemExit(f"{cmd[0]} failed with status {run.code}:\n{run.err[-2000:]}")
    return run.seconds, run.rss_mb, run.err[-2000:]


def vendorwatch(*args: str) -> list[str]:
    """The command line of `vendorwatch ARGS` as a user runs it (a fresh interpreter)."""
    return [sys.executable, "-m", "vendorwatch.daemon", *args]


def vendor_config_lines(vendors: list[dict]) -> list[str]:
    """[[vendors]] tables for a config file, from mailgen.vendor_config()."""
    lines: list[str] = []
    for vendor in vendors:
        lines += [
            "[[vendors]]",
            f'name = "{vendor["name"]}"',
            "addresses = [" + ", ".join(f'"{a}"' for a in vendor["addresses"]) + "]",
            "domains = [" + ", ".join(f'"{d}"' for d in vendor["domains"]) + "]",
            "",
        ]
    return lines


def account_config(
    server,
    *,
    name: str,
    password_env: str,
    folders: list[str],
    analysis: bool,
    vendors: list[dict],
    owner: str = "owner@test.example",
    account: tuple[str, ...] = (),
    database: Path | None = None,
) -> str:
    """A config file's text for the private Dovecot `server`: the owner, the generated
    vendors, one account (plus `account` lines of its own) and the analysis switch."""
    lines = ["[owner]", f'addresses = ["{owner}"]', ""]
    lines += vendor_config_lines(vendors)
    lines += [
        "[[accounts]]",
        f'name = "{name}"',
        f'host = "{server.host}"',
        f"port = {server.port}",
        'tls = "none"',
        f'username = "{server.user}"',
        f'password_env = "{password_env}"',
        "folders = [" + ", ".join(f'"{f}"' for f in folders) + "]",
        *account,
        "",
    ]
    if database is not None:
        lines += ["[storage]", f'database = "{database}"', ""]
    lines += ["[sync]", f"analysis = {'true' if analysis else 'false'}"]
    return "\n".join(lines) + "\n"


def file_mb(*paths: Path) -> float:
    """Size on disk of the files that exist among `paths`, in MB (a database and its WAL)."""
    return sum(p.stat().st_size for p in paths if p.exists()) / 1e6
