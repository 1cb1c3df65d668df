"""Measure confusion detection on a labeled folder (default: shared/datasets/vendor-threads-dev).

Run `python eval/confusion.py [FOLDER] [-v]`. Prints:

- message level: `is_clarification_request(new_text, earlier new texts)` against the label
  `clarification_request`, on all / dev / held threads (the fixed split of `dataset.split`), for
  all messages and for vendor-side messages (direction "in" in vendor threads) only;
- thread level, vendor threads only: `thread_confusion(...)` at severity medium or high (change
  with `--min-severity`) against "confusion" in `call_reasons`. A single quick question ("low")
  is deliberately not a call reason: the labels leave t02/t33-style threads without one.

`-v` lists every error of the dev and held parts with the rule that fired (false positives) or
the start of the message's new text (false negatives). Rules were written looking at the dev
part only; the held part says whether they generalise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dataset import DEFAULT, Message, Thread, load, prf, split

from vendorwatch.nlp.confusion import clarification_sentences, thread_confusion

SEVERITIES = ("low", "medium", "high")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, predicted: bool, expected: bool, what: str) -> None:
        self.tp += predicted and expected
        self.fp += predicted and not expected
        self.fn += expected and not predicted
        if predicted != expected:
            self.errors.append(("FP " if predicted else "FN ") + what)

    def line(self, name: str) -> str:
        p, r, f1 = prf(self.tp, self.fp, self.fn)
        counts = f"tp={self.tp} fp={self.fp} fn={self.fn}"
        return f"  {name:<26} P={p:.2f} R={r:.2f} F1={f1:.2f}   {counts}"


def new_text(message: Message) -> str:
    return message.parsed.new_text or ""


def describe(thread: Thread, message: Message, verbose: bool) -> str:
    """One error line: where, which rule fired (FP) or the start of the text (FN)."""
    earlier = [new_text(m) for m in thread.messages if m.n < message.n]
    fired = clarification_sentences(new_text(message), earlier)
    head = f"{thread.thread_id} n={message.n} {message.direction}"
    if fired:
        return f"{head}: " + " | ".join(f"[{e.rule}] {e.sentence}" for e in fired)
    text = " ".join(new_text(message).split())
    return f"{head}: (nothing fired) {text[:400] if verbose else text[:120]}"


def score_messages(
    threads: Iterable[Thread], keep: Callable[[Thread, Message], bool], verbose: bool
) -> Score:
    score = Score()
    for thread in threads:
        earlier: list[str] = []
        for message in thread.messages:
            text = new_text(message)
            if keep(thread, message):
                predicted = bool(clarification_sentences(text, earlier))
                expected = bool(message.label.get("clarification_request"))
                what = describe(thread, message, verbose) if predicted != expected else ""
                score.add(predicted, expected, what)
            earlier.append(text)
    return score


def score_threads(threads: Iterable[Thread], levels: tuple[str, ...]) -> Score:
    score = Score()
    for thread in threads:
        if not thread.is_vendor:
            continue
        finding = thread_confusion([(m.direction, new_text(m)) for m in thread.messages])
        predicted = finding is not None and finding.severity in levels
        expected = "confusion" in thread.label.get("call_reasons", [])
        severity = finding.severity if finding else "none"
        rounds = len({e.reason.split(":")[0] for e in finding.evidence}) if finding else 0
        score.add(predicted, expected, f"{thread.thread_id}: severity {severity}, {rounds} msgs")
    return score


def every(thread: Thread, message: Message) -> bool:
    return True


def vendor_side(thread: Thread, message: Message) -> bool:
    return thread.is_vendor and message.direction == "in"


def report(parts: dict[str, list[Thread]], verbose: bool, levels: tuple[str, ...]) -> None:
    print("message level: clarification_request")
    for part, threads in parts.items():
        for name, keep in (("all messages", every), ("vendor side", vendor_side)):
            score = score_messages(threads, keep, verbose)
            print(score.line(f"{part} / {name}"))
            if verbose and part != "all" and name == "all messages":
                for error in score.errors:
                    print(f"      {error}")
    print(
        f"thread level: 'confusion' in call_reasons (vendor threads, severity {'/'.join(levels)})"
    )
    for part, threads in parts.items():
        score = score_threads(threads, levels)
        print(score.line(part))
        if verbose and part != "all":
            for error in score.errors:
                print(f"      {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list errors")
    parser.add_argument(
        "--min-severity", choices=SEVERITIES, default="medium", help="thread-level threshold"
    )
    args = parser.parse_args(argv)
    threads = load(args.folder)
    dev, held = split(threads)
    levels = SEVERITIES[SEVERITIES.index(args.min_severity) :]
    report({"all": threads, "dev": dev, "held": held}, args.verbose, levels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
