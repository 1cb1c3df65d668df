"""Load: a 100,000-message mailbox synced from the private Dovecot, then the queries.

Generates the mailbox with bench/mailgen.py (about 30% vendor threads, the rest notices,
newsletters and personal mail), puts the owner's own messages in Sent and the rest in
INBOX, seeds both into a private Dovecot on 127.0.0.1, and runs `vendorwatch sync --once`
into an empty database as a user would: total time, messages/s, peak RSS (the largest
process: vendorwatch or a parse worker) and database size. Then it times `vendors`,
`vendor NAME` (the busiest vendor), `due` and `search` on the result, each in a fresh
process (median of --runs), against the goal of 0.5 s.

    python bench/scale.py [--count 100000] [--analysis off|on] [--runs 5] [--keep DIR]

Try `--count 5000` first. Figures depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from common import (  # noqa: E402
    account_config,
    file_mb,
    measure,
    vendor_config_lines,
    vendorwatch,
)
from queries import time_process  # noqa: E402

import mailgen  # noqa: E402
from servers.dovecot import Dovecot  # noqa: E402

OWNER = mailgen.DEFAULT_OWNER
GOAL_SECONDS = 0.5


def seed(server: Dovecot, count: int) -> tuple[int, int, float]:
    """Generate and APPEND the mailbox; (INBOX count, Sent count, seconds)."""
    inbox, sent = mailgen.by_folder(count, seed=7, owner=OWNER)
    started = time.perf_counter()
    server.append_many("INBOX", inbox)  # EXAMINEs the folder first: see TESTING-NOTES
    server.append_many("Sent", sent)
    return len(inbox), len(sent), time.perf_counter() - started


def write_config(work: Path, server: Dovecot, db: Path, analysis: bool) -> Path:
    path = work / "config.toml"
    path.write_text(
        account_config(
            server,
            name="scale",
            password_env="VW_SCALE_PASSWORD",
            folders=["INBOX", "Sent"],
            analysis=analysis,
            vendors=mailgen.vendor_config(0),
            owner=OWNER,
            account=("batch_size = 500",),
            database=db,
        )
    )
    path.chmod(0o600)
    return path


def busiest_vendor(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT vendor FROM messages WHERE vendor IS NOT NULL "
            "GROUP BY vendor ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return row[0] if row else mailgen.vendor_config(0)[0]["name"]


def has_command(name: str) -> bool:
    run = measure(vendorwatch(name, "--help"))
    return run.code == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000, help="messages to generate")
    parser.add_argument("--analysis", choices=["off", "on"], default="off")
    parser.add_argument("--runs", type=int, default=5, help="runs of each query (median)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the database here")
    parser.add_argument(
        "--db", type=Path, default=None, help="only time the queries on this (kept) database"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vw-scale-"))
    os.environ["VENDORWATCH_HOME"] = str(work / "home")
    if args.db:
        config = work / "config.toml"
        lines = ["[owner]", f'addresses = ["{OWNER}"]', ""]
        lines += vendor_config_lines(mailgen.vendor_config(0))  # the vendors it was built with
        config.write_text("\n".join([*lines, "[storage]", f'database = "{args.db}"', ""]))
        try:
            time_queries(args.db, config, args.runs)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    db = (args.keep or work) / "vw.db"
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if db.exists():
            raise SystemExit(f"{db} exists: choose an empty --keep directory")
    try:
        with Dovecot() as server:
            inbox, sent, seconds = seed(server, args.count)
            print(f"seeded {inbox + sent} messages ({inbox} INBOX, {sent} Sent) in {seconds:.1f} s")
            config = write_config(work, server, db, args.analysis == "on")
            env = dict(os.environ, VW_SCALE_PASSWORD=server.password)
            run = measure(vendorwatch("--config", str(config), "sync", "--once"), env)
            if run.code != 0:
                raise SystemExit(f"sync failed with status {run.code}:\n{run.err[-2000:]}")
        stored = sqlite3.connect(db).execute("SELECT count(*) FROM messages").fetchone()[0]
        size = file_mb(db, Path(f"{db}-wal"))
        print(
            f"sync --once (analysis {args.analysis}): {stored} messages in {run.seconds:.1f} s "
            f"= {stored / run.seconds:,.0f} messages/s, peak RSS {run.rss_mb} MB, "
            f"database {size:.0f} MB ({size * 1e6 / max(stored, 1) / 1000:.1f} KB/message)"
        )
        time_queries(db, config, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def time_queries(db: Path, config: Path, runs: int) -> None:
    vendor = busiest_vendor(db)
    queries = [["vendors"], ["vendor", vendor], ["due"], ["search", "invoice"]]
    print(f"{'command (fresh process, median of ' + str(runs) + ')':44} {'seconds':>8}")
    for query in queries:
        label = " ".join(query)
        if not has_command(query[0]):
            print(f"{label:44} {'skipped: no such command yet':>8}")
            continue
        seconds = time_process(query, config, runs=runs)
        verdict = "ok" if seconds < GOAL_SECONDS else f"over the {GOAL_SECONDS} s goal"
        print(f"{label:44} {seconds:8.3f}  {verdict}")


if __name__ == "__main__":
    main()
