"""Near-duplicate text deliverables: MinHash signatures of word shingles.

A vendor who hands over an earlier delivery again, or someone else's text, with light edits is
what the originality check looks for (mistake 2: not checking the work). Comparing every new
delivery with every earlier one in full is quadratic in text size, so each text is reduced once
to a fixed-size signature that is stored; two signatures estimate the Jaccard similarity of the
texts' sets of word 3-shingles.

Design:
- Words are compared case- and accent-folded, punctuation dropped, so re-flowed or re-cased
  copies still match; shingles of 3 words keep word order in the picture (two texts about the
  same subject share words, not runs of words).
- 128 hash functions: the estimate's standard error is at most 0.045, small next to the gap
  between edited copies and unrelated texts (see `NEAR_DUPLICATE`).
- Deterministic across processes and machines: shingles are hashed with blake2b, and the
  permutations are universal hashes (a*x + b mod the Mersenne prime 2^61 - 1) whose
  coefficients come from blake2b of their index; never Python's salted `hash()`. No numpy.
- A text shorter than `MIN_WORDS` words has too few shingles to judge: None. Only the first
  `MAX_WORDS` words are hashed (pure Python costs about half a second per 20,000 shingles);
  a longer document is judged by its head.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

NUM_PERM = 128
SHINGLE = 3
MIN_WORDS = 25
MAX_CHARS = 1_000_000
MAX_WORDS = 50_000
# Chosen on tests/test_originality.py (estimated Jaccard of 3-shingles, 128 hashes): a copy with
# one word in twenty changed scores about 0.8, one word in ten about 0.6, reordered paragraphs or
# an added paragraph about 0.9; another report written in the same template scores about 0.1 and
# an unrelated text under 0.05. 0.5 catches copies touched up in one word of ten and stays far
# above same-template work, with room for the +-0.045 estimation error on both sides.
NEAR_DUPLICATE = 0.5

_MERSENNE = (1 << 61) - 1
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _permutations() -> tuple[tuple[int, int], ...]:
    coefficients = []
    for i in range(NUM_PERM):
        digest = hashlib.blake2b(f"vendorwatch-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1
        b = int.from_bytes(digest[8:], "big") % _MERSENNE
        coefficients.append((a, b))
    return tuple(coefficients)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def _shingle_hashes(words: list[str]) -> set[int]:
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    return {
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") % _MERSENNE
        for s in shingles
    }


def fingerprint(text: str) -> tuple[int, ...] | None:
    """The MinHash signature of a text's word 3-shingles; None when too short to judge."""
    if not isinstance(text, str):
        return None
    words = _words(text[:MAX_CHARS])[:MAX_WORDS]
    if len(words) < MIN_WORDS:
        return None
    hashes = _shingle_hashes(words)
    return tuple(min((a * x + b) % _MERSENNE for x in hashes) for a, b in _permutations())


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two texts from their signatures, in [0, 1]; 0.0 when
    the signatures are not comparable (missing, or of another length)."""
    if not a or not b or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def is_near_duplicate(a: tuple[int, ...] | None, b: tuple[int, ...] | None) -> bool:
    """Whether two fingerprints are close enough to call one a copy of the other."""
    return a is not None and b is not None and similarity(a, b) >= NEAR_DUPLICATE
