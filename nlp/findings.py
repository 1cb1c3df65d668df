"""The records analysis returns: every finding explains itself.

A finding names its kind, how serious it is, the sentences it came from with the rule
that fired on each, and what to do about it, so a user can always tell why.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Evidence:
    """One sentence and the rule that flagged it."""

    sentence: str
    rule: str  # a stable id, e.g. "vague_time", "confusion_question"
    reason: str  # one line for people: why this rule fired here
    hint: str | None = None  # how to rewrite, e.g. "say by when: a date"


@dataclass(frozen=True)
class Finding:
    kind: str  # ambiguity | language_barrier | confusion | ...
    severity: str  # low | medium | high
    evidence: tuple[Evidence, ...]
    suggestion: str
    notes: tuple[str, ...] = field(default=())  # e.g. "text cut at 20,000 characters"
