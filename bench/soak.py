"""Soak: 1,000 incremental messages through a running `vendorwatch run`; memory over time.

A daemon that runs for months must not grow. This APPENDs generated mail (vendor threads
and noise) to a private Dovecot one message at a time, as mail arrives in real life,
while `vendorwatch run` stores and analyses it, and samples the daemon's resident memory
every 100 messages once they are stored. Prints RSS at the start (daemon warm, analysis
model loaded), the middle and the end, the least-squares trend per 1,000 messages, and
checks that every message was stored exactly once. Goal: steady state under 300 MB and no
growth trend.

    python bench/soak.py [--messages 1000] [--pause 0.01]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from latency import RunningDaemon, message_id  # noqa: E402

import mailgen  # noqa: E402
from servers.dovecot import Dovecot  # noqa: E402

SAMPLE_EVERY = 100
GOAL_MB = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--pause", type=float, default=0.01, help="seconds between APPENDs")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vw-soak-"))
    try:
        with Dovecot() as server:
            raws = list(mailgen.generate(args.messages + 1, seed=11))
            daemon = RunningDaemon(server, work, analysis=True)
            try:
                samples, seconds = soak(server, daemon, raws, args.pause)
                stored, distinct = daemon_counts(daemon)
            finally:
                code, _ = daemon.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(samples, seconds, stored, distinct, len(raws), code)


def soak(
    server: Dovecot, daemon: RunningDaemon, raws: list[bytes], pause: float
) -> tuple[list[tuple[int, float, float]], float]:
    """(messages stored, main RSS MB, children RSS MB) samples and the wall time."""
    server.append("INBOX", raws[0])  # the warm-up: daemon connected, analysis loaded
    daemon.wait_stored(message_id(raws[0]), timeout=120)
    deadline = time.perf_counter() + 120
    while "analysis ready" not in daemon.tail(200) and time.perf_counter() < deadline:
        time.sleep(0.1)
    samples = [(0, *daemon.rss_mb())]
    started = time.perf_counter()
    for i, raw in enumerate(raws[1:], start=1):
        server.append("INBOX", raw)
        if i % SAMPLE_EVERY == 0 or i == len(raws) - 1:
            daemon.wait_stored(message_id(raw), timeout=300)
            samples.append((i, *daemon.rss_mb()))
            print(
                f"{i:5d} stored: RSS {samples[-1][1]:.0f} MB (+ {samples[-1][2]:.0f} MB children)"
            )
        time.sleep(pause)
    return samples, time.perf_counter() - started


def daemon_counts(daemon: RunningDaemon) -> tuple[int, int]:
    import sqlite3

    conn = sqlite3.connect(f"file:{daemon.db}?mode=ro", uri=True, timeout=10)
    try:
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT message_key) FROM messages"
        ).fetchone()
    finally:
        conn.close()
    return total, distinct


def slope_per_1000(samples: list[tuple[int, float, float]]) -> float:
    """Least-squares growth of the main process's RSS, in MB per 1,000 messages."""
    xs = [s[0] for s in samples]
    ys = [s[1] for s in samples]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    if not var:
        return 0.0
    return 1000 * sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var


def report(samples, seconds: float, stored: int, distinct: int, sent: int, code: int) -> None:
    start, middle, end = samples[0], samples[len(samples) // 2], samples[-1]
    print(
        f"{end[0]} incremental messages in {seconds:.0f} s ({end[0] / seconds:.0f}/s); "
        f"stored {stored} rows for {sent} messages sent ({distinct} distinct)"
    )
    for label, (count, main, children) in (("start", start), ("middle", middle), ("end", end)):
        print(
            f"RSS at {label:6s} ({count:4d} messages): {main:.0f} MB (+ {children:.0f} MB children)"
        )
    peak = max(s[1] + s[2] for s in samples)
    trend = slope_per_1000(samples[1:])  # from the first sample after warm-up
    verdict = "ok" if peak < GOAL_MB and trend < 10 else "CHECK"
    print(
        f"peak {peak:.0f} MB (goal < {GOAL_MB} MB), trend {trend:+.1f} MB per 1,000 messages "
        f"after the first {SAMPLE_EVERY}: {verdict}; SIGTERM -> exit {code}"
    )


if __name__ == "__main__":
    main()
