"""Analysis throughput: messages/s and peak RSS for the full per-message analysis.

Takes 2,000 generated vendor messages (bench/mailgen.py, about 80 words of new text each,
both directions, in threads of up to six messages) and runs what ingest runs on them
(daemon/analysis.py): `Analyzer.analyze` in ingest-sized batches (language of every message,
ambiguity of the owner's with the last three messages of the thread as context, confusion and
language barrier of the vendor's), then `Analyzer.assess_thread` on every thread the batch
touched (thread-level confusion and barrier, episodes, risk). Prints messages per second for
each run, the spread over runs, the share of each stage, and the process's peak RSS.

    python bench/analysis.py [--messages 2000] [--batch 200] [--runs 3]

The machine is shared: compare medians of several runs, not single figures. Messages per
CPU-second (this process's CPU time) moves less with other load than the wall-clock figure.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import mailgen  # noqa: E402
from vendorwatch.daemon.parse import parse  # noqa: E402
from vendorwatch.nlp.analyze import (  # noqa: E402
    Analyzer,
    MessageInput,
    MessageResult,
    forget_texts,
)
from vendorwatch.nlp.risk import ThreadMessage  # noqa: E402

THREAD_LENGTH = 6
CONTEXT_MESSAGES = 3  # Store.thread_context's default


@dataclass
class Item:
    thread: str
    direction: str
    text: str


@dataclass
class Timings:
    analyze: float = 0.0
    risk: float = 0.0
    findings: int = 0
    suggestions: int = 0
    per_run: list[float] = field(default_factory=list)
    per_run_cpu: list[float] = field(default_factory=list)


def vendor_messages(count: int, words: int = 80) -> list[Item]:
    """Vendor-thread texts of about `words` words (short generated ones are joined), grouped
    per vendor into threads of up to `THREAD_LENGTH` messages."""
    vendors = {a: v["name"] for v in mailgen.vendor_config(0) for a in v["addresses"]}
    items: list[Item] = []
    pending: dict[tuple[str, str], str] = {}
    length: dict[str, int] = {}
    for raw in mailgen.generate(count * 20, seed=5, vendor_share=0.9):
        parsed = parse(raw)
        recipients = [a for _, a in parsed.to if a in vendors]
        if parsed.from_addr in vendors:
            side, vendor = "in", vendors[parsed.from_addr]
        elif recipients:
            side, vendor = "out", vendors[recipients[0]]
        else:
            continue
        key = (vendor, side)
        pending[key] = (pending.get(key, "") + "\n\n" + parsed.new_text).strip()
        if len(pending[key].split()) < words - 10:
            continue
        n = length[vendor] = length.get(vendor, 0) + 1
        items.append(Item(f"{vendor}/{(n - 1) // THREAD_LENGTH}", side, pending.pop(key)))
        if len(items) == count:
            break
    return items


def run(analyzer: Analyzer, items: list[Item], batch: int, timings: Timings) -> tuple[float, float]:
    """One pass over all items as ingest does it; returns the elapsed and the CPU seconds.

    Starts with nothing remembered per text: every message is new to the analyzer, as in ingest.
    """
    forget_texts()
    threads: dict[str, list[ThreadMessage]] = {}
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(items), batch):
        part = items[start : start + batch]
        inputs = [MessageInput(i.direction, i.text, _context(threads, i)) for i in part]
        begun = time.perf_counter()
        results = analyzer.analyze(inputs)
        timings.analyze += time.perf_counter() - begun
        touched = _record(threads, part, results)
        begun = time.perf_counter()
        for thread in touched:
            for episode in analyzer.assess_thread(threads[thread]):
                timings.suggestions += episode.risk.suggest_call
        timings.risk += time.perf_counter() - begun
        timings.findings += sum(len(r.findings) for r in results)
    return time.perf_counter() - started, time.process_time() - cpu


def _context(threads: dict[str, list[ThreadMessage]], item: Item) -> str:
    if item.direction != "out":
        return ""
    earlier = threads.get(item.thread, [])[-CONTEXT_MESSAGES:]
    return "\n\n".join(m.new_text for m in earlier)


def _record(
    threads: dict[str, list[ThreadMessage]], part: list[Item], results: list[MessageResult]
) -> list[str]:
    for item, result in zip(part, results, strict=True):
        message = ThreadMessage(item.direction, item.text, result.lang, tuple(result.findings))
        threads.setdefault(item.thread, []).append(message)
    return list(dict.fromkeys(i.thread for i in part))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    items = vendor_messages(args.messages)
    words = sorted(len(i.text.split()) for i in items)
    print(
        f"{len(items)} vendor messages ({sum(i.direction == 'out' for i in items)} from the "
        f"owner) in {len({i.thread for i in items})} threads, median {words[len(words) // 2]} "
        "words of new text"
    )
    analyzer = Analyzer()
    started = time.perf_counter()
    analyzer.analyze([MessageInput(i.direction, i.text) for i in items[:10]])  # loads models
    print(f"model and profiles loaded in {time.perf_counter() - started:.1f} s")
    timings = Timings()
    for number in range(1, args.runs + 1):
        elapsed, cpu = run(analyzer, items, args.batch, timings)
        rate, cpu_rate = len(items) / elapsed, len(items) / cpu
        timings.per_run.append(rate)
        timings.per_run_cpu.append(cpu_rate)
        print(
            f"run {number}: {len(items)} messages in {elapsed:.2f} s = {rate:,.0f} messages/s "
            f"({cpu:.2f} s of CPU = {cpu_rate:,.0f} messages per CPU-second)"
        )
    rates, cpu_rates = timings.per_run, timings.per_run_cpu
    total = timings.analyze + timings.risk
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"median {statistics.median(rates):,.0f} messages/s (min {min(rates):,.0f}, max "
        f"{max(rates):,.0f}, {len(rates)} runs; per CPU-second {statistics.median(cpu_rates):,.0f}"
        f"); per-message analysis "
        f"{100 * timings.analyze / total:.0f}%, thread risk {100 * timings.risk / total:.0f}%; "
        f"{timings.findings // len(rates)} findings, {timings.suggestions // len(rates)} "
        f"open or resolved call suggestions per run; peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
