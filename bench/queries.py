"""Query latency on a large database: `vendors`, `vendor NAME`, `messages`, `search`, `status`.

Builds a database of N generated messages (default 100,000) by importing a generated
Maildir, then times each query command as a user runs it (a fresh process) and inside
one process. Prints the figures; the goal is under 0.5 s each.

    python bench/queries.py [--messages 100000] [--db PATH to reuse]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from common import vendor_config_lines  # noqa: E402

import mailgen  # noqa: E402


def write_config(work: Path, db: Path) -> Path:
    lines = ["[owner]", 'addresses = ["owner@test.example"]', ""]
    lines += vendor_config_lines(mailgen.vendor_config(0))
    lines += ["[storage]", f'database = "{db}"', "", "[sync]", "analysis = false"]
    path = work / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def build(work: Path, config: Path, n: int) -> None:
    maildir = work / "maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for i, raw in enumerate(mailgen.generate(n, seed=3)):
        (maildir / "cur" / f"{i:07d}.bench:2,S").write_bytes(raw)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "vendorwatch.daemon",
            "--config",
            str(config),
            "import",
            str(maildir),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    print(f"imported {n} messages in {elapsed:.1f} s ({n / elapsed:,.0f} messages/s)")
    shutil.rmtree(maildir)


def time_process(args: list[str], config: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), *args, "--json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def time_in_process(call, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vw-queries-"))
    os.environ["VENDORWATCH_HOME"] = str(work / "home")
    db = args.db or work / "vw.db"
    config = write_config(work, db)
    try:
        if not db.exists():
            build(work, config, args.messages)
        from vendorwatch.daemon.store import Store

        vendor = mailgen.vendor_config(0)[0]["name"]
        with Store.open(db) as store:
            count = store.counts()["messages"]
            print(f"database: {count} messages, {db.stat().st_size / 1e6:.0f} MB")
            checks = {
                "vendors": (["vendors"], store.vendors_overview),
                "vendors --candidates": (
                    ["vendors", "--candidates"],
                    lambda: store.vendor_candidates([], []),
                ),
                f"vendor {vendor!r}": (["vendor", vendor], lambda: store.vendor(vendor)),
                "messages": (["messages"], lambda: store.messages(limit=50)),
                "search invoice": (["search", "invoice"], lambda: store.search("invoice")),
                "status": (["status"], store.status),
            }
            print(f"{'command':28} {'process (s)':>12} {'in-process (s)':>15}")
            for label, (cli_args, call) in checks.items():
                whole = time_process(cli_args, config)
                inner = time_in_process(call)
                print(f"{label:28} {whole:12.3f} {inner:15.3f}")
    finally:
        if args.db is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
