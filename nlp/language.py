"""Which language a message is written in, and the language-barrier signals of a thread.

A vendor who answers partly or wholly in another language than the owner's, or who drifts
into another language during a thread, is a miscommunication risk: the owner reads through a
translator and agreements get lost. This module judges the language of a message's new text,
paragraph by paragraph and sentence by sentence, so that a reply that is only partly foreign is
seen too, and turns that into `Evidence` for the `language_barrier` finding.

Design, because language identification is easy to get wrong on e-mail:
- langdetect does the identification, with a fixed seed: unseeded, it samples n-grams at random
  and flips between answers from run to run. It runs on its own profile set (the languages in
  `LANGUAGES`), not the global one, so no other caller's settings change ours.
- Short text is where identifiers fail: on real English mail langdetect calls about a third of
  1-3-word sentences foreign. Text with fewer than `MIN_WORDS` words is "unknown", never a signal,
  and every answer for a Latin-script language needs *support*: a function word of that language
  in the text (a script for the others). Greetings, names, signatures, URLs and numbers
  therefore come out "unknown".
- langdetect costs milliseconds per call, so a sentence that is clearly English by its function
  words skips it (the fast path); the other sentences of a paragraph are judged together.
- Pure: text in, results out. Only packaged data is read (langdetect's profiles and
  `data/language_function_words.txt`), once, on first use. Never raises on odd input; at most
  `MAX_CHARS` characters and `MAX_DETECTOR_CALLS` langdetect calls per text bound the time.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from .findings import Evidence

__all__ = [
    "BARRIER_MIN_WORDS",
    "LANGUAGES",
    "MAX_CHARS",
    "MIN_WORDS",
    "MIXED",
    "UNKNOWN",
    "LanguageResult",
    "barrier_evidence",
    "detect",
    "detect_message",
    "language_name",
]

UNKNOWN = "unknown"
MIXED = "mixed"

MAX_CHARS = 20_000
"""Longest text judged. The language of a message shows in its first paragraphs; judging a
pasted log or a 1 MB body would cost seconds and change nothing."""

MAX_DETECTOR_CALLS = 24
"""langdetect calls per `detect_message` (about 5-20 ms each); the rest of the text is "unknown"."""

MIN_WORDS = 4
"""Fewer words than this is too short to judge: "Hola Marcus!", "Danke!", "Noted with thanks."."""

MIN_LETTERS = 12
"""Nor can four one-letter words be judged."""

FULL_SENTENCE_WORDS = 5
"""A passage counts towards "mixed" only from this length on: a greeting or a short courtesy in
another language ("Terima kasih!", "Muchas gracias, Marcus") does not make a message mixed."""

MIN_PROBABILITY = 0.80
"""langdetect's probability for its best language; below it the text is "unknown"."""

SUPPORT_EVERY = 12
"""A Latin-script answer needs one function word of that language per this many words."""

BARRIER_MIN_WORDS = 10
"""Foreign words a message needs before it is evidence of a barrier. A one-line thank-you or
"payment arrived" in the vendor's language needs no call; a question or a plan does."""

QUOTE_CHARS = 200
"""Longest quote in an `Evidence.sentence`."""

SEED = 0
"""langdetect's seed: any fixed value makes it deterministic."""

LANGUAGES: tuple[str, ...] = (
    # Latin script, each with function words in data/language_function_words.txt
    *("en", "es", "pt", "fr", "it", "de", "nl", "da", "no", "sv", "fi", "pl", "cs", "sk"),
    *("hu", "ro", "hr", "sl", "tr", "id", "tl", "sw", "vi", "ca", "et", "lt", "lv", "sq"),
    # scripts shared by several languages: the script is the support
    *("ru", "uk", "bg", "mk", "ar", "fa", "ur", "hi", "mr", "ne"),
)
"""langdetect profiles used (each costs time on every call). Scripts that one language alone
is written in (Greek, Hebrew, Thai, Korean, Japanese, Chinese...) are told by the script, see
`_UNIQUE_SCRIPTS`. Left out: Afrikaans, Welsh and Somali, which short English and Dutch text is
mistaken for and which no function-word list here supports."""

# Languages close enough that langdetect confuses them on a sentence; inside one message the
# minority one is taken for the majority one rather than making the message "mixed".
_CLOSE: tuple[frozenset[str], ...] = (
    frozenset({"es", "pt", "ca", "it", "gl"}),
    frozenset({"da", "no", "sv"}),
    frozenset({"cs", "sk"}),
    frozenset({"hr", "sl", "bs", "sr"}),
    frozenset({"ru", "uk", "bg", "mk"}),
    frozenset({"hi", "mr", "ne"}),
    frozenset({"ar", "fa", "ur"}),
)

# Unicode blocks of the scripts that identify languages without function words.
_SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "cyrillic": ((0x0400, 0x04FF),),
    "greek": ((0x0370, 0x03FF),),
    "hebrew": ((0x0590, 0x05FF),),
    "arabic": ((0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
    "devanagari": ((0x0900, 0x097F),),
    "bengali": ((0x0980, 0x09FF),),
    "gurmukhi": ((0x0A00, 0x0A7F),),
    "gujarati": ((0x0A80, 0x0AFF),),
    "tamil": ((0x0B80, 0x0BFF),),
    "telugu": ((0x0C00, 0x0C7F),),
    "kannada": ((0x0C80, 0x0CFF),),
    "malayalam": ((0x0D00, 0x0D7F),),
    "thai": ((0x0E00, 0x0E7F),),
    "hangul": ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)),
    "kana": ((0x3040, 0x30FF),),
    "han": ((0x3400, 0x4DBF), (0x4E00, 0x9FFF)),
}
_SCRIPT_OF_LANG: dict[str, frozenset[str]] = {
    **dict.fromkeys(("ru", "uk", "bg", "mk"), frozenset({"cyrillic"})),
    "el": frozenset({"greek"}),
    "he": frozenset({"hebrew"}),
    **dict.fromkeys(("ar", "fa", "ur"), frozenset({"arabic"})),
    **dict.fromkeys(("hi", "mr", "ne"), frozenset({"devanagari"})),
    "bn": frozenset({"bengali"}),
    "pa": frozenset({"gurmukhi"}),
    "gu": frozenset({"gujarati"}),
    "ta": frozenset({"tamil"}),
    "te": frozenset({"telugu"}),
    "kn": frozenset({"kannada"}),
    "ml": frozenset({"malayalam"}),
    "th": frozenset({"thai"}),
    "ko": frozenset({"hangul"}),
    "ja": frozenset({"kana", "han"}),
    "zh": frozenset({"han"}),
}
# Scripts that only one language of `LANGUAGES` is written in.
_UNIQUE_SCRIPTS = {
    "greek": "el", "hebrew": "he", "bengali": "bn", "gurmukhi": "pa", "gujarati": "gu",
    "tamil": "ta", "telugu": "te", "kannada": "kn", "malayalam": "ml", "thai": "th",
    "hangul": "ko", "kana": "ja", "han": "zh",
}  # fmt: skip
# Scripts written without spaces between words: two characters count as one word.
_UNSPACED = frozenset({"thai", "kana", "han"})

_NAMES = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "fr": "French", "it": "Italian",
    "de": "German", "nl": "Dutch", "da": "Danish", "no": "Norwegian", "sv": "Swedish",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "sk": "Slovak", "hu": "Hungarian",
    "ro": "Romanian", "hr": "Croatian", "sl": "Slovenian", "tr": "Turkish", "id": "Indonesian",
    "tl": "Tagalog", "sw": "Swahili", "vi": "Vietnamese", "ca": "Catalan", "et": "Estonian",
    "lt": "Lithuanian", "lv": "Latvian", "sq": "Albanian", "ru": "Russian", "uk": "Ukrainian",
    "bg": "Bulgarian", "mk": "Macedonian", "el": "Greek", "he": "Hebrew", "ar": "Arabic",
    "fa": "Persian", "ur": "Urdu", "hi": "Hindi", "mr": "Marathi", "ne": "Nepali",
    "bn": "Bengali", "pa": "Punjabi", "gu": "Gujarati", "ta": "Tamil", "te": "Telugu",
    "kn": "Kannada", "ml": "Malayalam", "th": "Thai", "zh": "Chinese", "ja": "Japanese",
    "ko": "Korean",
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageResult:
    """The language of one message's new text, and the passages it was judged from.

    `lang` is an ISO 639-1 code, "mixed" (at least two passages of real length confidently in
    different languages) or "unknown" (nothing long enough to judge). `parts` holds each judged
    sentence or run of sentences with its language, "unknown" included, in text order.
    """

    lang: str
    parts: tuple[tuple[str, str], ...] = ()
    cut: bool = False  # only the first MAX_CHARS characters were judged

    def foreign_parts(self, owner_lang: str = "en") -> tuple[tuple[str, str], ...]:
        """The passages confidently in a language other than the owner's."""
        return tuple(p for p in self.parts if p[1] not in (owner_lang, UNKNOWN))


@dataclass(frozen=True)
class _Verdict:
    lang: str
    words: int


@dataclass
class _Unit:
    """A sentence, or a run of sentences judged together, inside one paragraph."""

    text: str
    lang: str = UNKNOWN
    words: int = 0
    paragraph: int = 0


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def detect(text: str) -> str:
    """The language of `text` as a whole: an ISO 639-1 code, or "unknown".

    "unknown" when the text is too short to judge (fewer than `MIN_WORDS` words once URLs,
    addresses, numbers and file names are dropped), is not language (names, signatures,
    garbage), or no language is supported by the text's own function words or script.
    Deterministic: the same text always gives the same answer.
    """
    budget = _Budget(MAX_DETECTOR_CALLS)
    return _judge(_prepare(text)[0], budget).lang


def detect_message(text: str) -> LanguageResult:
    """The language of a message's new text, judged per paragraph and sentence.

    A message is "mixed" when at least two passages of `FULL_SENTENCE_WORDS` words or more are
    confidently in different languages (close languages such as Spanish and Portuguese are not
    told apart inside one message); otherwise it is the language with the most judged words.
    """
    if isinstance(text, str) and len(text) <= CACHED_CHARS:
        return _detect_message_cached(text)
    return _detect_message(text)


CACHED_CHARS = 8_000
"""Results for texts up to this length are remembered (the last `CACHE_SIZE`): thread risk
judges the same vendor messages again each time their thread gets a new message."""

CACHE_SIZE = 2048


@lru_cache(maxsize=CACHE_SIZE)
def _detect_message_cached(text: str) -> LanguageResult:
    return _detect_message(text)


def forget_texts() -> None:
    """Forget the remembered results (for benchmarks that judge the same texts again)."""
    _detect_message_cached.cache_clear()


def _detect_message(text: str) -> LanguageResult:
    prepared, cut = _prepare(text)
    budget = _Budget(MAX_DETECTOR_CALLS)
    units = _judge_units(_segment(prepared), budget)
    _smooth_close_languages(units)
    lang = _message_language(units, budget)
    parts = tuple((u.text, u.lang) for u in _merge(units))
    return LanguageResult(lang=lang, parts=parts, cut=cut)


def barrier_evidence(
    messages: Sequence[tuple[str, str, str]], owner_lang: str = "en"
) -> list[Evidence]:
    """Evidence of a language barrier in a thread's messages, in chronological order.

    Each message is (direction "in"/"out", new_text, lang), `lang` as `detect_message` gave it
    (empty to judge it here). Rules:
    - "foreign_language": the vendor wrote a message in a language other than `owner_lang`;
    - "mixed_language": the vendor wrote partly in another language;
    - "language_switch": a side wrote in another language than it did earlier in the thread.
    Conservative: a message needs `BARRIER_MIN_WORDS` foreign words, so a foreign greeting, a
    name or a one-line thank-you is no evidence.
    """
    evidence: list[Evidence] = []
    previous: dict[str, frozenset[str]] = {}
    for direction, text, lang in messages:
        view = _MessageView.of(text or "", lang or "", owner_lang)
        if direction == "in":
            evidence.extend(_foreign_evidence(view, owner_lang))
        switch = _switch_evidence(direction, previous.get(direction), view, owner_lang)
        evidence.extend(switch)
        if view.languages:
            previous[direction] = view.languages
    return evidence


def language_name(code: str) -> str:
    """English name of a language code, for reasons shown to people ("es" -> "Spanish")."""
    return _NAMES.get(code, code)


# --------------------------------------------------------------------------------------------
# Preparing and cutting text
# --------------------------------------------------------------------------------------------

# C0/C1 controls (except tab and newline), zero-width and direction marks: binary garbage and
# invisible characters that would split or glue words.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\ufeff]"
)


def _prepare(text: str) -> tuple[str, bool]:
    """At most `MAX_CHARS` characters, Unix newlines, no controls, NFC; and whether it was cut."""
    if not isinstance(text, str):
        return "", False
    cut = len(text) > MAX_CHARS
    text = text[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text).replace("\u2019", "'").replace("\u2018", "'")
    return unicodedata.normalize("NFC", text), cut


_SIGNATURE_RULE = re.compile(r"^[ \t]*(?:--|—|–|-{3,}|_{3,}|-+ ?Original Message ?-+)[ \t]*$", re.M)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•·–—>]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'”’»)\]]?\s+")
_WRAPPED_LINE = 50  # a line at least this long was probably wrapped by the mail client


def _segment(text: str) -> list[list[str]]:
    """Paragraphs of sentences. Text below a signature or quote rule ("--", "___") is dropped.

    Wrapped lines are joined back into sentences; short lines (list items, greetings,
    signature lines) stay on their own, so a name under a message is not glued to prose.
    """
    rule = _SIGNATURE_RULE.search(text)
    if rule and _count_words(_tokens(text[: rule.start()])) >= MIN_WORDS:
        text = text[: rule.start()]
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        sentences = [s for line in _join_wrapped(block) for s in _sentences(line)]
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


def _join_wrapped(block: str) -> list[str]:
    """The block's lines, with each wrapped line joined to the one that continues it."""
    lines: list[str] = []
    for raw in block.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if lines and len(lines[-1]) >= _WRAPPED_LINE and not _LIST_ITEM.match(line):
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


def _sentences(line: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

# A whitespace token holding any of these is not a word of any language: URLs, addresses,
# file names, invoice numbers, amounts, hashtags, code.
_NOT_A_WORD = re.compile(r"[\d/\\@_=<>{}\[\]|#~^*$%+]|[^\W\d_]\.[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _kept_tokens(text: str) -> list[str]:
    """The whitespace tokens of `text` that can be words (punctuation around them kept)."""
    return [t for t in text.split() if not _NOT_A_WORD.search(t)]


def _tokens(text: str) -> list[str]:
    """Lower-case words of `text`, without URLs, numbers, file names and the like.

    Acronyms ("PFA", "EOD", "KES") are dropped too unless most of the text is in capitals:
    they belong to no language, and "KES" would count as Estonian.
    """
    words = [w for t in _kept_tokens(text) for w in _WORD.findall(t)]
    capitals = [w for w in words if len(w) > 1 and w.isupper()]
    if capitals and len(capitals) * 2 < len(words):
        words = [w for w in words if len(w) < 2 or not w.isupper()]
    return [w.lower() for w in words]


def _count_words(tokens: Iterable[str]) -> int:
    """Words, counting two characters of Chinese, Japanese or Thai as one word."""
    total = 0
    for token in tokens:
        unspaced = sum(1 for ch in token if _script(ch) in _UNSPACED)
        total += max(1, unspaced // 2) if unspaced else 1
    return total


def _count_letters(tokens: Iterable[str]) -> int:
    """Letters, counting a character of Chinese, Japanese or Thai as two."""
    return sum(len(t) + sum(1 for ch in t if _script(ch) in _UNSPACED) for t in tokens)


@lru_cache(maxsize=4096)
def _script(ch: str) -> str:
    """The script of a character among `_SCRIPTS`, "latin" for letters below U+0250, else ""."""
    code = ord(ch)
    if code < 0x0250:
        return "latin" if ch.isalpha() else ""
    for name, ranges in _SCRIPTS.items():
        if any(lo <= code <= hi for lo, hi in ranges):
            return name
    return ""


# --------------------------------------------------------------------------------------------
# Function words (packaged data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FunctionWords:
    english: frozenset[str]
    foreign: dict[str, frozenset[str]]  # the languages each non-English function word is in

    def languages(self, token: str) -> frozenset[str]:
        """The languages `token` is a function word of ("en" included), elisions too."""
        found = self._lookup(token)
        head, apostrophe, rest = token.partition("'")
        if apostrophe and head and rest:  # "l'application" is a French "l'"
            found = found | self._lookup(f"{head}'")
        return found

    def _lookup(self, word: str) -> frozenset[str]:
        found = self.foreign.get(word, _NONE)
        return found | _EN if word in self.english else found

    def counts(self, tokens: Iterable[str]) -> Counter[str]:
        """Function words per language in `tokens`."""
        counts: Counter[str] = Counter()
        for token in tokens:
            counts.update(self.languages(token))
        return counts


_NONE: frozenset[str] = frozenset()
_EN = frozenset({"en"})


@lru_cache(maxsize=1)
def _function_words() -> _FunctionWords:
    """data/language_function_words.txt, read once.

    Romanian is typed with comma-below ș/ț or with the older cedilla ş/ţ; both count.
    """
    source = resources.files(__package__).joinpath("data", "language_function_words.txt")
    english: set[str] = set()
    foreign: dict[str, set[str]] = {}
    for line in source.read_text(encoding="utf-8").splitlines():
        if ":" not in line or line.lstrip().startswith("#"):
            continue
        code, words = (part.strip() for part in line.split(":", 1))
        for word in unicodedata.normalize("NFC", words).split():
            for form in {word, word.translate(_TO_CEDILLA)}:
                if code == "en":
                    english.add(form)
                else:
                    foreign.setdefault(form, set()).add(code)
    distinct = {word: frozenset(langs) for word, langs in foreign.items() if word not in english}
    return _FunctionWords(frozenset(english), distinct)


_TO_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


def _support(lang: str, tokens: list[str]) -> int:
    """How many words of `tokens` back `lang`: its function words, or its script's letters.

    Words that are English function words too ("a", "in", "also") back only English.
    """
    if lang in _SCRIPT_OF_LANG:
        scripts = _SCRIPT_OF_LANG[lang]
        return sum(1 for t in tokens if any(_script(ch) in scripts for ch in t))
    fw = _function_words()
    return sum(1 for t in tokens if lang in fw.languages(t))


def _clearly_english(tokens: list[str]) -> bool:
    """The fast path, for text of `MIN_WORDS` words or more: English function words are 30% of
    the words and outnumber any other language's own function words three to one; or they are
    20% and no other language has a function word here ("Thanks Ayesha, super helpful.")."""
    counts = _function_words().counts(tokens)
    english = counts.pop("en", 0)
    best_other = max(counts.values(), default=0)
    if best_other == 0:
        return english >= 1 and english * 10 >= len(tokens) * 2
    return english >= 2 and english * 10 >= len(tokens) * 3 and best_other * 3 <= english


# --------------------------------------------------------------------------------------------
# Judging a piece of text
# --------------------------------------------------------------------------------------------


class _Budget:
    """langdetect calls left for one text, so a huge foreign message stays fast."""

    def __init__(self, calls: int) -> None:
        self.calls = calls

    def take(self) -> bool:
        if self.calls <= 0:
            return False
        self.calls -= 1
        return True


def _judge(text: str, budget: _Budget, *, pooled: bool = False) -> _Verdict:
    """The language of one sentence or run of sentences, or "unknown".

    `pooled` text is the lines of a message joined because none could be judged alone; its
    capitalisation says nothing about whether it is a name line.
    """
    tokens = _tokens(text)
    words = _count_words(tokens)
    if words < MIN_WORDS or _count_letters(tokens) < MIN_LETTERS:
        return _Verdict(UNKNOWN, words)
    if not pooled and _looks_like_names(text, tokens):
        return _Verdict(UNKNOWN, words)
    by_script = _script_language(tokens)
    if by_script:
        return _Verdict(by_script, words)
    if _clearly_english(tokens):
        return _Verdict("en", words)
    if not budget.take():
        return _Verdict(UNKNOWN, words)
    guess = _best_guess(_langdetect(" ".join(_kept_tokens(text))), tokens)
    if guess is None:
        return _Verdict(UNKNOWN, words)
    lang, probability = guess
    support = _support(lang, tokens)
    if probability < MIN_PROBABILITY or support == 0 or support * SUPPORT_EVERY < words:
        return _Verdict(UNKNOWN, words)
    return _Verdict(lang, words)


def _script_language(tokens: list[str]) -> str | None:
    """The language a script alone identifies (Greek, Thai, Korean...), when most letters
    are in it. langdetect takes Chinese for Korean (its Korean profile holds Hanja)."""
    letters = Counter(_script(ch) for t in tokens for ch in t)
    total = sum(letters.values())
    if not total:
        return None
    if letters["kana"] * 10 >= total:  # Japanese mixes kana into Han text
        return "ja"
    script, count = letters.most_common(1)[0]
    if count * 10 < total * 6:
        return None
    return _UNIQUE_SCRIPTS.get(script)


def _best_guess(ranked: list[tuple[str, float]], tokens: list[str]) -> tuple[str, float] | None:
    """langdetect's best language; when it hesitates between close languages (Italian 0.57,
    Spanish 0.43) and the group as a whole is likely, the function words pick the language."""
    if not ranked:
        return None
    lang, probability = ranked[0]
    group = next((g for g in _CLOSE if lang in g), None)
    if probability >= MIN_PROBABILITY or group is None:
        return lang, probability
    members = [(code, p) for code, p in ranked if code in group]
    chosen = max(members, key=lambda m: (_support(m[0], tokens), m[1]))[0]
    return chosen, sum(p for _, p in members)


def _looks_like_names(text: str, tokens: list[str]) -> bool:
    """A line of capitalised words without sentence punctuation: a name, a title, an address.

    "Ioana Dumitrescu, DevOps Engineer | Carpathia Code SRL" is no sentence in any language.
    """
    if not tokens or text.rstrip().endswith((".", "!", "?", "…", ":", ";")):
        return False
    words = [w for t in _kept_tokens(text) for w in _WORD.findall(t)]
    capitalised = sum(1 for w in words if w[:1].isupper())
    return capitalised * 10 >= len(words) * 6


# --------------------------------------------------------------------------------------------
# langdetect, on its own seeded profile set
# --------------------------------------------------------------------------------------------

_factory_lock = threading.Lock()


@lru_cache(maxsize=1)
def _factory() -> DetectorFactory:
    """A DetectorFactory with the `LANGUAGES` profiles and a fixed seed, built once.

    A private factory (not langdetect's global one) so that restricting the candidates and
    seeding change nothing for other users of langdetect in the process.
    """
    profiles = [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8") for code in LANGUAGES]
    factory = DetectorFactory()
    factory.load_json_profile(profiles)
    factory.seed = SEED  # Detector copies the factory's seed and reseeds on every detection
    return factory


def _langdetect(text: str) -> list[tuple[str, float]]:
    """langdetect's languages (ISO 639-1) with probability over 0.1, best first."""
    with _factory_lock:  # the first call builds the factory; detection itself is per object
        factory = _factory()
    try:
        detector = factory.create()
        detector.append(text)
        ranked = detector.get_probabilities()
    except LangDetectException:  # no features: nothing but punctuation and capitals
        return []
    return [("zh" if r.lang.startswith("zh") else r.lang, r.prob) for r in ranked]


# --------------------------------------------------------------------------------------------
# Judging a message
# --------------------------------------------------------------------------------------------


def _judge_units(paragraphs: list[list[str]], budget: _Budget) -> list[_Unit]:
    """Judge each paragraph: clearly English sentences alone, the others in runs."""
    units: list[_Unit] = []
    for index, sentences in enumerate(paragraphs):
        run: list[str] = []
        for sentence in sentences:
            tokens = _tokens(sentence)
            if _count_words(tokens) >= MIN_WORDS and _clearly_english(tokens):
                units.extend(_judge_run(run, index, budget))
                run = []
                units.append(_Unit(sentence, "en", _count_words(tokens), index))
            else:
                run.append(sentence)
        units.extend(_judge_run(run, index, budget))
    return units


def _judge_run(run: list[str], paragraph: int, budget: _Budget) -> list[_Unit]:
    """One unit for a run of sentences that are not clearly English, judged as one text."""
    if not run:
        return []
    text = " ".join(run)
    verdict = _judge(text, budget)
    return [_Unit(text, verdict.lang, verdict.words, paragraph)]


def _smooth_close_languages(units: list[_Unit]) -> None:
    """Inside a message, a close language in the minority is the majority one (pt in es)."""
    words: Counter[str] = Counter()
    for unit in units:
        if unit.lang != UNKNOWN:
            words[unit.lang] += unit.words
    for unit in units:
        group = next((g for g in _CLOSE if unit.lang in g), None)
        if group is None:
            continue
        majority = max(group, key=lambda lang: (words[lang], lang == unit.lang))
        unit.lang = majority


def _message_language(units: list[_Unit], budget: _Budget) -> str:
    """Mixed, the language with most words, or what the whole text says when no unit can."""
    full = {u.lang for u in units if u.lang != UNKNOWN and u.words >= FULL_SENTENCE_WORDS}
    if len(full) >= 2:
        return MIXED
    words: Counter[str] = Counter()
    for unit in units:
        if unit.lang != UNKNOWN:
            words[unit.lang] += unit.words
    if words:
        return words.most_common(1)[0][0]
    whole = " ".join(u.text for u in units)
    return _judge(whole, budget, pooled=True).lang if len(units) > 1 else UNKNOWN


def _merge(units: list[_Unit]) -> list[_Unit]:
    """Consecutive units of one paragraph in the same language, as one part."""
    merged: list[_Unit] = []
    for unit in units:
        last = merged[-1] if merged else None
        if last and last.paragraph == unit.paragraph and last.lang == unit.lang:
            last.text = f"{last.text} {unit.text}"
            last.words += unit.words
        else:
            merged.append(_Unit(unit.text, unit.lang, unit.words, unit.paragraph))
    return merged


# --------------------------------------------------------------------------------------------
# Barrier evidence
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _MessageView:
    """What barrier rules need of one message: its languages of substance and foreign parts."""

    lang: str
    languages: frozenset[str]  # languages with enough words to count in this message
    foreign: tuple[tuple[str, str], ...]  # (text, lang) not in the owner's language
    foreign_words: int
    owner_words: int

    @classmethod
    def of(cls, text: str, lang: str, owner_lang: str) -> _MessageView:
        if lang == owner_lang:  # the common case needs no second look at the text
            return cls(lang, frozenset({owner_lang}), (), 0, 1)
        result = detect_message(text)
        lang = lang if lang else result.lang
        if lang == UNKNOWN:
            return cls(lang, frozenset(), (), 0, 0)
        foreign = result.foreign_parts(owner_lang)
        if not foreign and lang not in (owner_lang, MIXED):
            foreign = ((text, lang),)  # `lang` came from elsewhere; trust it
        counts: Counter[str] = Counter()
        for part_text, part_lang in foreign:
            counts[part_lang] += _count_words(_tokens(part_text))
        owner_words = sum(
            _count_words(_tokens(t)) for t, part_lang in result.parts if part_lang == owner_lang
        )
        languages = {code for code, n in counts.items() if n >= BARRIER_MIN_WORDS}
        if owner_words >= FULL_SENTENCE_WORDS:
            languages.add(owner_lang)
        return cls(lang, frozenset(languages), foreign, sum(counts.values()), owner_words)

    @property
    def main_foreign(self) -> str:
        counts: Counter[str] = Counter()
        for text, lang in self.foreign:
            counts[lang] += len(text)
        return counts.most_common(1)[0][0] if counts else UNKNOWN

    def quote(self, lang: str | None = None) -> str:
        """The longest foreign passage (in `lang` if given), shortened: the one most worth
        showing, rather than a courtesy that happens to come first."""
        parts = [t for t, code in self.foreign if lang is None or code == lang]
        return _shorten(max(parts, key=lambda t: _count_words(_tokens(t)), default=""))


def _hint(owner_lang: str) -> str:
    return (
        f"confirm the key points in short, simple {language_name(owner_lang)}, "
        "or talk it over on a call"
    )


def _foreign_evidence(view: _MessageView, owner_lang: str) -> list[Evidence]:
    """Rule "foreign_language" or "mixed_language" for a vendor message with enough foreign
    words."""
    if view.foreign_words < BARRIER_MIN_WORDS:
        return []
    name = language_name(view.main_foreign)
    owner = language_name(owner_lang)
    if view.lang == MIXED or view.owner_words >= FULL_SENTENCE_WORDS:
        rule = "mixed_language"
        reason = f"The vendor wrote part of this reply in {name} and part in {owner}."
    else:
        rule = "foreign_language"
        reason = f"The vendor wrote this message in {name}, not in {owner}."
    return [Evidence(view.quote(), rule, reason, _hint(owner_lang))]


def _switch_evidence(
    direction: str, before: frozenset[str] | None, view: _MessageView, owner_lang: str
) -> list[Evidence]:
    """Rule "language_switch": a side writes in a language it did not use in its last message.

    Moving towards the owner's language is no risk; moving away from it is. The owner counts
    only when writing wholly in another language: a mixed owner message is mostly a quote of
    the vendor's words.
    """
    if before is None or not view.languages:
        return []
    if direction == "out" and view.lang == MIXED:
        return []
    new = sorted(view.languages - before - {owner_lang})
    if not new:
        return []
    lang = new[0]
    was = " and ".join(language_name(code) for code in sorted(before))
    side = "The vendor" if direction == "in" else "You"
    reason = f"{side} switched from {was} to {language_name(lang)} in this thread."
    return [Evidence(view.quote(lang), "language_switch", reason, _hint(owner_lang))]


def _shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """Whitespace collapsed, cut at a word boundary with an ellipsis when over `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
