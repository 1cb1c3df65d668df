"""Loading a labeled folder in the format of shared/datasets/vendor-threads-dev.

Each message goes through the product's own parser (`vendorwatch.daemon.parse.parse`), so
evaluations see exactly the new text the product would analyse.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from vendorwatch.daemon.parse import ParsedMessage, parse

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "vendor-threads-dev"


@dataclass
class Message:
    n: int
    label: dict[str, Any]
    parsed: ParsedMessage
    raw: bytes

    @property
    def direction(self) -> str:
        return self.label["direction"]


@dataclass
class Thread:
    thread_id: str
    label: dict[str, Any]
    messages: list[Message] = field(default_factory=list)

    @property
    def is_vendor(self) -> bool:
        return bool(self.label.get("is_vendor_thread"))


def load(folder: Path = DEFAULT) -> list[Thread]:
    labels = json.loads((folder / "labels.json").read_text())
    threads = []
    for label in labels:
        thread = Thread(label["thread_id"], label)
        by_n = {m["n"]: m for m in label["messages"]}
        for path in sorted(
            (folder / "threads" / label["thread_id"]).glob("*.eml"), key=lambda p: int(p.stem)
        ):
            raw = path.read_bytes()
            n = int(path.stem)
            thread.messages.append(Message(n, by_n.get(n, {}), parse(raw), raw))
        threads.append(thread)
    return threads


def split(
    threads: list[Thread], held_out: float = 0.3, seed: int = 7
) -> tuple[list[Thread], list[Thread]]:
    """A fixed split: rules are written looking at `dev` only; `held` checks they generalise."""
    ids = sorted(t.thread_id for t in threads)
    random.Random(seed).shuffle(ids)
    cut = int(len(ids) * held_out)
    held_ids = set(ids[:cut])
    return (
        [t for t in threads if t.thread_id not in held_ids],
        [t for t in threads if t.thread_id in held_ids],
    )


def parts_of(labels: list[dict[str, Any]]) -> dict[str, set[str]]:
    """The thread ids of the whole set and of the dev and held-back parts of `split`."""
    dev, held = split([SimpleNamespace(thread_id=t["thread_id"]) for t in labels])
    return {
        "all": {t["thread_id"] for t in labels},
        "dev": {t.thread_id for t in dev},
        "held": {t.thread_id for t in held},
    }


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
