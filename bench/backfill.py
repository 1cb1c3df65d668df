"""Backfill benchmark: vendorwatch `sync --once` against mbsync on the same private Dovecot.

Seeds a generated mailbox into a private Dovecot on 127.0.0.1, then times, in the same
run, (a) mbsync copying the folder into a Maildir and (b) `vendorwatch sync --once` into
an empty database. Prints messages/s, the ratio b/a and each process's peak RSS.

    python bench/backfill.py [--messages 10000] [--analysis off|on]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from common import account_config, timed  # noqa: E402

import mailgen  # noqa: E402
from servers.dovecot import Dovecot  # noqa: E402


def mbsync_config(server: Dovecot, maildir: Path, path: Path) -> Path:
    path.write_text(f"""IMAPAccount bench
Host {server.host}
Port {server.port}
User {server.user}
Pass {server.password}
SSLType None
AuthMechs LOGIN

IMAPStore bench-remote
Account bench

MaildirStore bench-local
Path {maildir}/
Inbox {maildir}/INBOX

Channel bench
Far :bench-remote:
Near :bench-local:
Patterns INBOX
Create Near
Sync Pull
Expunge None
SyncState *
""")
    path.chmod(0o600)
    return path


def vendorwatch_config(server: Dovecot, db: Path, path: Path, analysis: bool) -> Path:
    path.write_text(
        account_config(
            server,
            name="bench",
            password_env="VW_BENCH_PASSWORD",
            folders=["INBOX"],
            analysis=analysis,
            vendors=mailgen.vendor_config(0),
            account=("batch_size = 500",),
            database=db,
        )
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--analysis", choices=["off", "on"], default="off")
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="runs of each side; the medians are compared, since mbsync is "
        "disk-bound and varies between runs",
    )
    args = parser.parse_args()
    if not shutil.which("mbsync"):
        raise SystemExit("mbsync not found: apt-get install isync")
    work = Path(tempfile.mkdtemp(prefix="vw-bench-"))
    try:
        with Dovecot() as server:
            raws = list(mailgen.generate(args.messages, seed=1))
            sizes = sorted(len(r) for r in raws)
            started = time.perf_counter()
            server.append_many("INBOX", raws)
            seed_s = time.perf_counter() - started
            print(
                f"seeded {len(raws)} messages (median {sizes[len(sizes) // 2]} bytes, "
                f"{sum(sizes) / 1e6:.1f} MB) in {seed_s:.1f} s"
            )

            a_runs, b_runs = [], []
            for run in range(args.runs):
                a_runs.append(run_mbsync(server, work, run))
                b_runs.append(run_vendorwatch(server, work, run, args.analysis == "on"))
                print(
                    f"run {run + 1}: mbsync {a_runs[-1][0]:,.0f}/s, "
                    f"vendorwatch {b_runs[-1][0]:,.0f}/s"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    a_rate, a_s, a_rss, copied = statistics.median_low(a_runs)
    b_rate, b_s, b_rss, stored = statistics.median_low(b_runs)
    print(
        f"(a) mbsync -> Maildir, median of {args.runs}: {copied} messages in {a_s:.2f} s = "
        f"{a_rate:,.0f} messages/s, peak RSS {a_rss} MB"
    )
    print(
        f"(b) vendorwatch sync --once (analysis {args.analysis}), median of {args.runs}: "
        f"{stored} messages in {b_s:.2f} s = {b_rate:,.0f} messages/s, peak RSS {b_rss} MB "
        "(largest single process: main or a parse worker)"
    )
    print(f"ratio b/a: {b_rate / a_rate:.2f} (goal >= 0.5)")


def run_mbsync(server: Dovecot, work: Path, run: int) -> tuple[float, float, int, int]:
    """One mbsync pull into a fresh Maildir: (messages/s, seconds, peak RSS MB, messages)."""
    maildir = work / f"maildir{run}"
    maildir.mkdir()
    rc = mbsync_config(server, maildir, work / f"mbsyncrc{run}")
    seconds, rss, _ = timed(["mbsync", "-c", str(rc), "-q", "bench"])
    copied = sum(1 for sub in ("cur", "new") for _ in (maildir / "INBOX" / sub).iterdir())
    shutil.rmtree(maildir)
    return copied / seconds, seconds, rss, copied


def run_vendorwatch(
    server: Dovecot, work: Path, run: int, analysis: bool
) -> tuple[float, float, int, int]:
    """One `vendorwatch sync --once` into an empty database, as a user runs it."""
    import sqlite3

    db = work / f"vw{run}.db"
    config = vendorwatch_config(server, db, work / "config.toml", analysis)
    env = dict(os.environ, VW_BENCH_PASSWORD=server.password, VENDORWATCH_HOME=str(work / "home"))
    seconds, rss, _ = timed(
        [sys.executable, "-m", "vendorwatch.daemon", "--config", str(config), "sync", "--once"], env
    )
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM messages").fetchone()[0]
    return stored / seconds, seconds, rss, stored


if __name__ == "__main__":
    main()
