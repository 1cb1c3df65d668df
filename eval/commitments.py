"""Dated commitments on a labeled folder: are promises and deadlines found, with the right date?

Runs `extract_commitments` on the new text of every message of the vendor threads (direction from
the labels, `sent` = the parsed Date header, numeric date order from `day_first_for` on the
vendor's own signals: the domains, UTC offsets and texts of all their messages in the folder) and
compares with the labeled commitments. A found commitment matches a labeled one of the same
message when the due date or the sentence (whitespace collapsed) is the same. Prints, for the
dev and held-out parts (eval.dataset.split) separately: precision / recall / F1 of finding them,
accuracy of the due date and of the kind on the matched ones; and how many were "found" in noise
threads (the product does not analyse those, but it should stay quiet there too).

    python eval/commitments.py [FOLDER] [-v] [--held-notes]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import DEFAULT, Thread, load, prf, split  # noqa: E402

from vendorwatch.nlp.commitments import Commitment, extract_commitments  # noqa: E402
from vendorwatch.nlp.locale import day_first_for  # noqa: E402


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def vendor_day_first(threads: list[Thread]) -> dict[str, bool | None]:
    """Numeric date order per vendor from what the product would know of them."""
    domains: dict[str, set[str]] = defaultdict(set)
    offsets: dict[str, list[int]] = defaultdict(list)
    texts: dict[str, list[str]] = defaultdict(list)
    for thread in threads:
        vendor = (thread.label.get("vendor") or {}).get("name")
        if not vendor or not thread.is_vendor:
            continue
        for msg in thread.messages:
            if msg.direction != "in":
                continue
            parsed = msg.parsed
            if parsed.from_addr and "@" in parsed.from_addr:
                domains[vendor].add(parsed.from_addr.rsplit("@", 1)[1])
            if parsed.date is not None and parsed.date.utcoffset() is not None:
                offsets[vendor].append(int(parsed.date.utcoffset().total_seconds()))
            texts[vendor].append(parsed.new_text)
    return {
        v: day_first_for(domains=sorted(domains[v]), utc_offsets=offsets[v], texts=texts[v])
        for v in set(domains) | set(offsets) | set(texts)
    }


@dataclass
class Tally:
    labeled: int = 0
    found: int = 0
    matched: int = 0
    due_ok: int = 0
    kind_ok: int = 0
    noise_found: int = 0
    notes: list[str] = field(default_factory=list)


def match(found: list[Commitment], labeled: list[dict]) -> list[tuple[Commitment, dict]]:
    pairs = []
    free = list(labeled)
    for c in found:
        for lab in free:
            if c.due.isoformat() == lab["due"] or collapse(c.text) == collapse(lab["text"]):
                pairs.append((c, lab))
                free.remove(lab)
                break
    return pairs


def evaluate(threads: list[Thread], order: dict[str, bool | None]) -> Tally:
    tally = Tally()
    for thread in threads:
        vendor = (thread.label.get("vendor") or {}).get("name")
        day_first = order.get(vendor) if vendor else None
        for msg in thread.messages:
            if msg.parsed.date is None or not msg.label:
                continue
            found = extract_commitments(
                msg.parsed.new_text, msg.parsed.date, msg.direction, day_first
            )
            if not thread.is_vendor:
                tally.noise_found += len(found)
                tally.notes += [f"  noise {thread.thread_id} n={msg.n}: {c}" for c in found]
                continue
            labeled = [c for c in thread.label.get("commitments", []) if c["n"] == msg.n]
            pairs = match(found, labeled)
            tally.labeled += len(labeled)
            tally.found += len(found)
            tally.matched += len(pairs)
            for c, lab in pairs:
                tally.due_ok += c.due.isoformat() == lab["due"]
                tally.kind_ok += c.kind == lab["kind"]
                if c.due.isoformat() != lab["due"] or c.kind != lab["kind"]:
                    tally.notes.append(
                        f"  wrong {thread.thread_id} n={msg.n}: {c.kind} {c.due} "
                        f"{c.span!r} vs {lab['kind']} {lab['due']}"
                    )
            matched_found = [c for c, _ in pairs]
            matched_labels = [lab for _, lab in pairs]
            tally.notes += [
                f"  extra {thread.thread_id} n={msg.n}: {c.kind} {c.due} {c.span!r} | {c.text}"
                for c in found
                if c not in matched_found
            ]
            tally.notes += [
                f"  missed {thread.thread_id} n={msg.n}: {lab['kind']} {lab['due']} | {lab['text']}"
                for lab in labeled
                if lab not in matched_labels
            ]
    return tally


def report(name: str, tally: Tally, verbose: bool) -> None:
    precision, recall, f1 = prf(
        tally.matched, tally.found - tally.matched, tally.labeled - tally.matched
    )
    due = tally.due_ok / tally.matched if tally.matched else 1.0
    kind = tally.kind_ok / tally.matched if tally.matched else 1.0
    print(
        f"{name:9} commitments: labeled {tally.labeled}, found {tally.found}, matched "
        f"{tally.matched} | P {precision:.2f} R {recall:.2f} F1 {f1:.2f} | due date "
        f"{due:.2f} ({tally.due_ok}/{tally.matched}) | kind {kind:.2f} "
        f"({tally.kind_ok}/{tally.matched}) | found in noise threads: {tally.noise_found}"
    )
    if verbose:
        print("\n".join(tally.notes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every dev miss")
    parser.add_argument(
        "--held-notes", action="store_true", help="list held-out misses too (not while tuning)"
    )
    args = parser.parse_args(argv)
    threads = load(args.folder)
    order = vendor_day_first(threads)
    if args.verbose:
        for vendor, value in sorted(order.items()):
            print(f"  day_first {vendor}: {value}")
    dev, held = split(threads)
    report("dev", evaluate(dev, order), args.verbose)
    report("held-out", evaluate(held, order), args.held_notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
