"""Measure the ambiguous-instruction rules (vendorwatch.nlp.ambiguity).

Run `python eval/ambiguity.py [FOLDER] [-v]`. Prints:

1. Ambiguous-sentence precision/recall/F1 on a labeled thread folder (default
   shared/datasets/vendor-threads-dev), for all threads and for the fixed dev/held split of
   `dataset.split`, in two scopes: the owner's messages in vendor threads (what the product
   analyses) and every message (vendors, clients and newsletters too). A labeled sentence is
   found when a flagged sentence contains it or lies inside it (whitespace-normalised), since
   spaCy's sentence splits differ slightly from the labels. Then true and false alarms per
   rule. `-v` lists misses and false alarms.
2. Request detection (`is_instruction`) on the Parakweet email-intent test file.
3. The pronoun rule (`ambiguous_pronoun`) on the ReqEval anaphora test file.

Each message is analysed as the product does (`Analyzer.analyze`: the sentences that can carry
a finding parsed, the message-level finding), with the new text of the three messages before
it in the thread as context (`Store.thread_context`).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dataset import DEFAULT, Thread, load, prf, split

from vendorwatch.nlp import ambiguity, model
from vendorwatch.nlp.analyze import Analyzer, MessageInput

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
PARAKWEET = SHARED / "parakweet-email-intent" / "testSet-qualifiedBatch-fixed.txt"
REQEVAL = SHARED / "reqeval-anaphora" / "test.tsv"
PARAKWEET_BASELINE = 0.64  # regex baseline F1 (SOURCE.md of the task)
REQEVAL_BASELINE = 0.719  # flag every pronoun (SOURCE.md)


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    by_rule: dict[str, list[int]] = field(default_factory=dict)  # rule -> [true, false]

    def line(self, name: str) -> str:
        p, r, f = prf(self.tp, self.fp, self.fn)
        counts = f"tp={self.tp} fp={self.fp} fn={self.fn}"
        return f"  {name:<34} P={p:.2f} R={r:.2f} F1={f:.2f}  ({counts})"


def _matches(a: str, b: str) -> bool:
    return a in b or b in a


def score_message(flagged: list[str], labeled: list[str], where: str, score: Score) -> None:
    """Add one message's sentence matches to `score`."""
    for gold in labeled:
        if any(_matches(gold, f) for f in flagged):
            score.tp += 1
        else:
            score.fn += 1
            score.misses.append(f"{where}: {gold}")
    for f in flagged:
        if not any(_matches(gold, f) for gold in labeled):
            score.fp += 1
            score.false_alarms.append(f"{where}: {f}")


def evaluate_threads(threads: Iterable[Thread], analyzer: Analyzer, owner_only: bool) -> Score:
    score = Score()
    for thread in threads:
        context: list[str] = []
        for message in thread.messages:
            owner_vendor = message.direction == "out" and thread.is_vendor
            if owner_vendor or not owner_only:
                item = MessageInput("out", message.parsed.new_text, "\n\n".join(context[-3:]))
                [result] = analyzer.analyze([item])
                found = [f for f in result.findings if f.kind == "ambiguity"]
                evidence = found[0].evidence if found else ()
                flagged = list(dict.fromkeys(_norm(e.sentence) for e in evidence))
                labeled = [_norm(s) for s in message.label.get("ambiguous_sentences", [])]
                score_message(flagged, labeled, f"{thread.thread_id} n={message.n}", score)
                for e in evidence:
                    right = any(_matches(gold, _norm(e.sentence)) for gold in labeled)
                    score.by_rule.setdefault(e.rule, [0, 0])[0 if right else 1] += 1
            context.append(message.parsed.new_text)
    return score


def rule_lines(scores: dict[str, Score]) -> list[str]:
    """True/false alarms per rule (the rule leading each piece of evidence), per part."""
    rules = [r for r in ambiguity.RULES if any(r in s.by_rule for s in scores.values())]
    lines = []
    for rule in rules:
        cells = []
        for name, score in scores.items():
            right, wrong = score.by_rule.get(rule, [0, 0])
            cells.append(f"{name} {right} true / {wrong} false")
        lines.append(f"    {rule:<22} " + "; ".join(cells))
    return lines


def instruction_recall(threads: Iterable[Thread], nlp) -> Score:
    """Labeled instructions (clear + ambiguous) of owner messages that `instruction_kind` finds.

    False alarms here are sentences read as instructions that carry no label; some are
    instructions the labels leave out on purpose (offers, call times), so precision is a floor.
    """
    score = Score()
    for thread in threads:
        context: list[str] = []
        for message in thread.messages:
            if message.direction == "out" and thread.is_vendor:
                doc = nlp(model.prepare(message.parsed.new_text)[0])
                asked = "?" in "\n\n".join(context)
                found = [_norm(s.text) for s in doc.sents if ambiguity.instruction_kind(s, asked)]
                labeled = [
                    _norm(s)
                    for key in ("ambiguous_sentences", "clear_instruction_sentences")
                    for s in message.label.get(key, [])
                ]
                score_message(found, labeled, f"{thread.thread_id} n={message.n}", score)
            context.append(message.parsed.new_text)
    return score


def report_threads(folder: Path, analyzer: Analyzer, verbose: bool) -> None:
    threads = load(folder)
    dev, held = split(threads)
    print(
        f"Ambiguous sentences, {folder.name} ({len(threads)} threads: dev {len(dev)}, held "
        f"{len(held)})"
    )
    for scope, owner_only in (("owner -> vendor messages", True), ("all messages", False)):
        print(f" {scope}:")
        scores = {}
        for name, part in (("all", threads), ("dev", dev), ("held", held)):
            score = scores[name] = evaluate_threads(part, analyzer, owner_only)
            print(score.line(name))
            if verbose and name != "all":
                for miss in score.misses:
                    print(f"      MISS  [{name}] {miss}")
                for alarm in score.false_alarms:
                    print(f"      FALSE [{name}] {alarm}")
        if owner_only:
            print("   per rule (evidence lines; a sentence can carry two):")
            print("\n".join(rule_lines({"dev": scores["dev"], "held": scores["held"]})))
    print(" instruction detection, owner -> vendor (labeled clear + ambiguous sentences):")
    for name, part in (("all", threads), ("dev", dev), ("held", held)):
        print(instruction_recall(part, analyzer.nlp).line(name))


def report_parakweet(nlp, verbose: bool) -> None:
    """Request detection: a line is a request when any of its sentences is one.

    Parakweet's "intent" also covers questions put to the reader and proposals, which the
    vendor-thread labels do not count as instructions: `is_instruction` is the product's
    narrower notion, `is_request` adds those two.
    """
    if not PARAKWEET.exists():
        print(f"Parakweet: {PARAKWEET} not found, skipped")
        return
    rows = [line.split("\t", 1) for line in PARAKWEET.read_text("utf-8").splitlines()]
    rows = [(label.strip() == "Yes", text.strip()) for label, text in rows if text.strip()]
    docs = list(nlp.pipe(t for _, t in rows))
    print(
        f"Request detection, Parakweet test ({len(rows)} sentences; regex baseline F1 "
        f"{PARAKWEET_BASELINE:.2f}):"
    )
    for name, detect in (
        ("is_instruction", ambiguity.is_instruction),
        ("is_request", ambiguity.is_request),
    ):
        tp = fp = fn = 0
        wrong = []
        for (gold, text), doc in zip(rows, docs, strict=True):
            guess = any(detect(s) for s in doc.sents)
            tp += gold and guess
            fp += guess and not gold
            fn += gold and not guess
            if gold != guess:
                wrong.append(f"{'FN' if gold else 'FP'}  {text}")
        p, r, f = prf(tp, fp, fn)
        print(f"  {name:<34} P={p:.2f} R={r:.2f} F1={f:.2f}  (tp={tp} fp={fp} fn={fn})")
        if verbose and name == "is_request":
            for line in wrong:
                print(f"      {line}")


_REFERENTIAL = re.compile(r"<referential>(.*?)</referential>")


def reqeval_items(path: Path) -> list[tuple[str, str, int, bool]]:
    """(id, plain sentence, char offset of the marked pronoun, is NOCUOUS) per row."""
    items = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            marked = row["Sentence"]
            match = _REFERENTIAL.search(marked)
            if match is None:
                continue
            plain = _REFERENTIAL.sub(r"\1", marked)
            offset = len(_REFERENTIAL.sub(r"\1", marked[: match.start()]))
            items.append((row["ID"], plain, offset, row["Detected as"].strip() == "NOCUOUS"))
    return items


def report_reqeval(nlp, verbose: bool) -> None:
    if not REQEVAL.exists():
        print(f"ReqEval: {REQEVAL} not found, skipped")
        return
    items = reqeval_items(REQEVAL)
    docs = list(nlp.pipe(i[1] for i in items))
    print(
        f"Pronoun rule, ReqEval test ({len(items)} pronouns; flag-every-pronoun F1 "
        f"{REQEVAL_BASELINE:.2f}):"
    )
    tp = fp = fn = 0
    wrong = []
    for (ident, text, offset, gold), doc in zip(items, docs, strict=True):
        token = next((t for t in doc if t.idx == offset), None)
        guess = token is not None and ambiguity.ambiguous_pronoun(token)
        tp += gold and guess
        fp += guess and not gold
        fn += gold and not guess
        if gold != guess:
            wrong.append(f"{'FN' if gold else 'FP'}  {ident}: {text}")
    p, r, f = prf(tp, fp, fn)
    name = "no antecedent or several"
    print(f"  {name:<34} P={p:.2f} R={r:.2f} F1={f:.2f}  (tp={tp} fp={fp} fn={fn})")
    print("  (not a mail rule: bare pronouns in briefs found no ambiguous sentence on the threads)")
    if verbose:
        for line in wrong:
            print(f"      {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and FPs")
    parser.add_argument("--model", default=None, help="spaCy model name (default: the product's)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    analyzer = Analyzer(args.model)
    report_threads(args.folder, analyzer, args.verbose)
    report_parakweet(analyzer.nlp, args.verbose)
    report_reqeval(analyzer.nlp, args.verbose)
    print(f"({time.perf_counter() - started:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
