"""Arrival -> stored latency of `vendorwatch run` (IMAP IDLE push), on a private Dovecot.

Starts a private Dovecot and `vendorwatch run` as a subprocess (as systemd would run it),
then APPENDs generated messages to INBOX one at a time and polls the database until each
one is stored, parsed and analysed. "Arrival" is the moment the APPEND completed (the
server has the message); Dovecot itself waits about 0.5 s before it tells IDLE clients,
which is the floor of this figure. Prints the median, the 95th percentile and the
maximum, against the goal of 2 s.

    python bench/latency.py [--messages 50] [--analysis on|off]

Also the home of `RunningDaemon`, which bench/soak.py shares.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from common import account_config, vendorwatch  # noqa: E402

import mailgen  # noqa: E402
from servers.dovecot import Dovecot  # noqa: E402

GOAL_SECONDS = 2.0
STORE_TIMEOUT = 30.0  # a message not stored by then counts as lost and stops the run
PASSWORD_ENV = "VW_BENCH_PASSWORD"


def message_id(raw: bytes) -> str:
    """The Message-ID as vendorwatch stores it (no angle brackets)."""
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    value = str(headers.get("Message-ID", "")).strip()
    match = re.search(r"<([^<>\s]+)>", value)
    return match[1] if match else value


class RunningDaemon:
    """`vendorwatch run` on a fresh database in `work`, against `server`."""

    def __init__(self, server: Dovecot, work: Path, analysis: bool):
        self.work = work
        self.db = work / "vw.db"
        self.log_path = work / "daemon.log"
        config = work / "config.toml"
        config.write_text(
            account_config(
                server,
                name="bench",
                password_env=PASSWORD_ENV,
                folders=["INBOX"],
                analysis=analysis,
                vendors=mailgen.vendor_config(0),
                account=('idle = ["INBOX"]',),
            )
        )
        config.chmod(0o600)
        env = dict(os.environ, VENDORWATCH_HOME=str(work / "home"))
        env[PASSWORD_ENV] = server.password
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            vendorwatch(
                "--log-level", "info", "--config", str(config), "--db", str(self.db), "run"
            ),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        self._conn: sqlite3.Connection | None = None

    def stored(self, ident: str) -> bool:
        """Whether the message is in the database (with its analysis: same transaction)."""
        if self._conn is None:
            if not self.db.exists():
                return False
            self._conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            row = self._conn.execute(
                "SELECT 1 FROM messages WHERE message_id = ?", (ident,)
            ).fetchone()
        except sqlite3.OperationalError:  # the schema is still being created
            return False
        return row is not None

    def count(self) -> int:
        if not self.db.exists():
            return 0
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            conn.close()

    def wait_stored(self, ident: str, timeout: float = STORE_TIMEOUT, poll: float = 0.005) -> float:
        """Seconds until `ident` is stored (perf_counter time); raises if it never is."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.stored(ident):
                return time.perf_counter()
            if self.proc.poll() is not None:
                raise SystemExit(f"vendorwatch run exited ({self.proc.returncode}):\n{self.tail()}")
            time.sleep(poll)
        raise SystemExit(f"message {ident} not stored within {timeout:.0f} s:\n{self.tail()}")

    def rss_mb(self) -> tuple[float, float]:
        """Resident memory in MB of the daemon itself and of all its child processes."""
        main = _rss_kb(self.proc.pid)
        children = sum(_rss_kb(pid) for pid in _descendants(self.proc.pid))
        return main / 1024, children / 1024

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> tuple[int, float]:
        """SIGTERM; (exit status, seconds until it exited)."""
        if self._conn is not None:
            self._conn.close()
        started = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._log.close()
        return code, time.perf_counter() - started


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (the forkserver and the parse workers it started)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of them below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--analysis", choices=["on", "off"], default="on")
    parser.add_argument(
        "--pause", type=float, default=0.2, help="seconds between a store and the next APPEND"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vw-latency-"))
    try:
        with Dovecot() as server:
            raws = list(mailgen.generate(args.messages + 1, seed=3))
            daemon = RunningDaemon(server, work, args.analysis == "on")
            try:
                latencies = measure(server, daemon, raws, args.pause)
                rss, children = daemon.rss_mb()
            finally:
                code, stop_s = daemon.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(latencies, args.analysis, rss, children, code, stop_s)


def measure(server: Dovecot, daemon: RunningDaemon, raws: list[bytes], pause: float) -> list[float]:
    """APPEND each message, wait until stored; the first one only warms up (not counted)."""
    latencies = []
    started = time.perf_counter()
    for i, raw in enumerate(raws):
        ident = message_id(raw)
        server.append("INBOX", raw)
        arrived = time.perf_counter()
        stored = daemon.wait_stored(ident, timeout=STORE_TIMEOUT + (60 if i == 0 else 0))
        if i == 0:
            print(f"daemon up and first message stored after {stored - started:.1f} s")
        else:
            latencies.append(stored - arrived)
        time.sleep(pause)
    return latencies


def report(
    latencies: list[float], analysis: str, rss: float, children: float, code: int, stop_s: float
) -> None:
    median = statistics.median(latencies)
    p95 = percentile(latencies, 0.95)
    slow = sum(1 for x in latencies if x > GOAL_SECONDS)
    print(
        f"arrival -> stored over {len(latencies)} messages (analysis {analysis}): "
        f"median {median:.3f} s, p95 {p95:.3f} s, max {max(latencies):.3f} s, "
        f"{slow} over {GOAL_SECONDS:.0f} s (goal: every one under {GOAL_SECONDS:.0f} s; "
        "Dovecot adds ~0.5 s before it announces new mail)"
    )
    print(f"daemon RSS {rss:.0f} MB (+ {children:.0f} MB in child processes)")
    print(f"SIGTERM -> exit {code} in {stop_s:.2f} s")


if __name__ == "__main__":
    main()
