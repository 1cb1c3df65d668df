"""Analysis throughput: messages/s and peak RSS for the full analysis pipeline.

Takes 2,000 generated vendor messages (bench/mailgen.py, about 80 words of new text
each, both directions), runs `Analyzer.analyze` over them in ingest-sized batches, and
prints messages per second and the process's peak RSS.

    python bench/analysis.py [--messages 2000] [--batch 200]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import mailgen  # noqa: E402
from vendorwatch.daemon.parse import parse  # noqa: E402
from vendorwatch.nlp.analyze import Analyzer, MessageInput  # noqa: E402


def vendor_messages(count: int, words: int = 80) -> list[MessageInput]:
    """Vendor-thread texts of about `words` words: short generated ones are joined."""
    vendors = {a for v in mailgen.vendor_config(0) for a in v["addresses"]}
    items: list[MessageInput] = []
    pending = {"in": "", "out": ""}
    for raw in mailgen.generate(count * 20, seed=5, vendor_share=0.9):
        parsed = parse(raw)
        recipients = {a for _, a in parsed.to}
        side = "in" if parsed.from_addr in vendors else "out" if recipients & vendors else None
        if side is None:
            continue
        pending[side] = (pending[side] + "\n\n" + parsed.new_text).strip()
        if len(pending[side].split()) >= words - 10:
            items.append(MessageInput(side, pending[side]))
            pending[side] = ""
        if len(items) == count:
            break
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    items = vendor_messages(args.messages)
    words = sorted(len(i.text.split()) for i in items)
    print(
        f"{len(items)} vendor messages ({sum(i.direction == 'out' for i in items)} from the "
        f"owner), median {words[len(words) // 2]} words of new text"
    )
    analyzer = Analyzer()
    started = time.perf_counter()
    analyzer.analyze(items[:10])  # loads the model and langdetect's profiles
    print(f"model and profiles loaded in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    findings = 0
    for start in range(0, len(items), args.batch):
        for result in analyzer.analyze(items[start : start + args.batch]):
            findings += len(result.findings)
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"analysed {len(items)} messages in {elapsed:.2f} s = {len(items) / elapsed:,.0f} "
        f"messages/s ({findings} findings); peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
