"""Measure message-language detection (`vendorwatch.nlp.language`) on a labeled folder.

Run `python eval/language.py [FOLDER] [-v]` (FOLDER defaults to
shared/datasets/vendor-threads-dev). Prints:
- accuracy of `detect_message(new_text).lang` against the `lang` label on all messages, on the
  dev part and on the held-back part (`eval.dataset.split`), for this module and for plain
  seeded langdetect on the whole new text (which cannot say "mixed" or "unknown");
- the confusion pairs (label -> answer) and, with -v, each miss with its judged parts;
- short text: how often English sentences of 1-3 words (and 4-6, 7+) from the dev part's
  English messages get a foreign answer, from plain langdetect and from `detect`; the same on
  the Enron sentences of shared/datasets/parakweet-email-intent when that folder is there;
- language-barrier evidence per vendor thread against `language_barrier` in `call_reasons`;
- speed: messages per second on ~80-word English texts and on the folder's messages.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eval.dataset import DEFAULT, Thread, load, split  # noqa: E402
from vendorwatch.nlp import language  # noqa: E402

ENRON = ("Ask0729-fixed.txt", "testSet-qualifiedBatch-fixed.txt")
BUCKETS = ((1, 3), (4, 6), (7, 10_000))


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    threads = load(args.folder)
    dev, held = split(threads)
    print(f"{args.folder}: {len(threads)} threads, dev {len(dev)}, held back {len(held)}\n")
    detectors = {"vendorwatch": _ours, "langdetect alone": _plain_langdetect}
    print("Message language accuracy (label = language of the new text, or mixed)")
    for name, detector in detectors.items():
        for part, chosen in (("all", threads), ("dev", dev), ("held", held)):
            print(f"  {name:<17} {part:<5} {_accuracy_line(chosen, detector)}")
    _print_confusion(threads, args.verbose)
    _print_short_text(dev, args.folder)
    _print_barrier(threads)
    _print_speed(threads)
    return 0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------------------------
# Message language
# --------------------------------------------------------------------------------------------


def _ours(text: str) -> str:
    return language.detect_message(text).lang


def _plain_langdetect(text: str) -> str:
    """langdetect on the whole text, all 55 profiles, seeded; "unknown" when it has no answer."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # this script's own process: the global setting is ours to set
    try:
        code = detect(text)
    except LangDetectException:
        return language.UNKNOWN
    return "zh" if code.startswith("zh") else code


def _pairs(threads: Iterable[Thread], detector: Callable[[str], str]) -> list[tuple]:
    """(thread id, n, label, answer, new text) for every labeled message."""
    return [
        (t.thread_id, m.n, m.label["lang"], detector(m.parsed.new_text), m.parsed.new_text)
        for t in threads
        for m in t.messages
        if "lang" in m.label
    ]


def _accuracy_line(threads: list[Thread], detector: Callable[[str], str]) -> str:
    pairs = _pairs(threads, detector)
    right = sum(1 for _, _, label, answer, _ in pairs if label == answer)
    unknown = sum(1 for *_, answer, _ in pairs if answer == language.UNKNOWN)
    rate = right / len(pairs) if pairs else 1.0
    return f"{rate:.3f}  ({right}/{len(pairs)}; unknown {unknown})"


def _print_confusion(threads: list[Thread], verbose: bool) -> None:
    pairs = _pairs(threads, _ours)
    misses = [p for p in pairs if p[2] != p[3]]
    confusion = Counter((label, answer) for _, _, label, answer, _ in misses)
    print("\nConfusion pairs (label -> answer: count)")
    for (label, answer), count in confusion.most_common():
        print(f"  {label} -> {answer}: {count}")
    if not confusion:
        print("  none")
    labels = Counter(label for _, _, label, _, _ in pairs)
    print("  labels: " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())))
    for thread_id, n, label, answer, text in misses if verbose else ():
        print(f"\n  {thread_id} n={n}: {label} -> {answer}")
        for part, lang in language.detect_message(text).parts:
            print(f"    [{lang}] {part[:110]}")


# --------------------------------------------------------------------------------------------
# Short text
# --------------------------------------------------------------------------------------------

_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _english_sentences(dev: list[Thread]) -> list[str]:
    """Sentences (and short lines: greetings, sign-offs) of the dev part's English messages."""
    sentences = []
    for thread in dev:
        for message in thread.messages:
            if message.label.get("lang") == "en":
                parts = _SPLIT.split(message.parsed.new_text)
                sentences.extend(s.strip() for s in parts if _letter_words(s))
    return sentences


def _letter_words(text: str) -> int:
    return sum(1 for token in text.split() if re.search(r"[^\W\d_]", token))


def _enron_sentences(folder: Path) -> list[str]:
    base = folder.parent / "parakweet-email-intent"
    sentences = []
    for name in ENRON:
        path = base / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                label, _, sentence = line.partition("\t")
                if sentence.strip():
                    sentences.append(sentence.strip())
    return sentences


def _print_short_text(dev: list[Thread], folder: Path) -> None:
    print("\nShort English text: share given a foreign answer (not en, not unknown)")
    sets = {"dev-set English sentences": _english_sentences(dev)}
    enron = _enron_sentences(folder)
    if enron:
        sets["Enron sentences (parakweet)"] = enron
    for title, sentences in sets.items():
        print(f"  {title}")
        for low, high in BUCKETS:
            chosen = [s for s in sentences if low <= _letter_words(s) <= high]
            label = f"{low}-{high}" if high < 10_000 else f"{low}+"
            plain = _foreign_rate(chosen, _plain_langdetect)
            ours = _foreign_rate(chosen, language.detect)
            print(
                f"    {label:>4} words, n={len(chosen):>4}: langdetect {plain}  vendorwatch {ours}"
            )


def _foreign_rate(sentences: list[str], detector: Callable[[str], str]) -> str:
    if not sentences:
        return "  -  "
    foreign = sum(1 for s in sentences if detector(s) not in ("en", language.UNKNOWN))
    return f"{foreign / len(sentences):.3f} ({foreign:>3})"


# --------------------------------------------------------------------------------------------
# Barrier evidence and speed
# --------------------------------------------------------------------------------------------


def _print_barrier(threads: list[Thread]) -> None:
    """Thread level: any barrier evidence vs `language_barrier` in the thread's call reasons."""
    counts = Counter()
    print("\nLanguage-barrier evidence per thread (label: language_barrier in call_reasons)")
    for thread in threads:
        messages = [
            (m.direction, m.parsed.new_text, language.detect_message(m.parsed.new_text).lang)
            for m in thread.messages
        ]
        evidence = language.barrier_evidence(messages)
        expected = "language_barrier" in thread.label.get("call_reasons", [])
        counts[(bool(evidence), expected)] += 1
        if evidence or expected:
            rules = Counter(e.rule for e in evidence)
            mark = "ok  " if bool(evidence) == expected else "MISS" if expected else "FP  "
            print(f"  {mark} {thread.thread_id}: {dict(rules) or 'no evidence'}")
    tp, fp, fn = counts[(True, True)], counts[(True, False)], counts[(False, True)]
    print(f"  threads: tp {tp}, fp {fp}, fn {fn}, tn {counts[(False, False)]}")


def _print_speed(threads: list[Thread]) -> None:
    language.detect("warm up: the function words and langdetect's profiles load once")
    language._factory()
    english = _english_texts(threads, words=80)
    every = [m.parsed.new_text for t in threads for m in t.messages]
    print("\nSpeed (detect_message, after loading)")
    for title, texts in (("~80-word English texts", english), ("all messages", every)):
        rate = _per_second(texts)
        print(f"  {title}: {len(texts)} texts, {rate:,.0f} messages/s")


def _english_texts(threads: list[Thread], words: int) -> list[str]:
    """The English messages' new texts, each repeated and cut to `words` words."""
    texts = []
    for thread in threads:
        for message in thread.messages:
            text = message.parsed.new_text.strip()
            if message.label.get("lang") == "en" and text:
                repeat = words // len(text.split()) + 1
                texts.append(_first_words("\n\n".join([text] * repeat), words))
    return texts


def _first_words(text: str, words: int) -> str:
    """`text` up to the end of its `words`-th whitespace-separated word."""
    ends = [match.end() for match in re.finditer(r"\S+", text)]
    return text[: ends[min(words, len(ends)) - 1]] if ends else text


def _per_second(texts: list[str], rounds: int = 3) -> float:
    """Each round judges every text afresh: results remembered per text are forgotten first."""
    elapsed = 0.0
    for _ in range(rounds):
        language.forget_texts()
        start = time.perf_counter()
        for text in texts:
            language.detect_message(text)
        elapsed += time.perf_counter() - start
    return rounds * len(texts) / elapsed if elapsed else float("inf")


if __name__ == "__main__":
    sys.exit(main())
