"""Explicit date expressions in e-mail text, resolved in the sender's calendar.

A vendor's "by Friday" means the Friday after the day *they* wrote it, in *their* time zone, so
every expression is resolved against the message's Date header as the sender wrote it (its own
UTC offset), never against UTC or the reader's clock.

Why our own patterns rather than `dateparser.search_dates`: it is slow, it finds "dates" in
words like "we" and "may", reads "#4411" as a year, resolves "by Friday" into the past and does
not know "EOD", "end of month" or "end of next week". Here candidate spans come from a small
grammar over word lists (`data/dates_lexicon.txt`: weekday and month names, relative words,
"within N days" units in en, es, pt, de, id, ro, fr, it) and each span is resolved by hand, by
the conventions of the labeled set:

- a weekday ("by Friday", "next Monday", "hari Jumat ini") is the first such day *after* the
  message's date; "<weekday> next week" is that day of next week; an explicit date wins over
  the weekday next to it ("next Thursday, 13 March");
- "tomorrow"/"mañana"/"besok" is the message's date + 1; "EOD" alone is the message's date and
  next to another expression only sets the hour ("tomorrow EOD");
- "within/in N hours" is the timestamp + N hours, then the sender's date; "within N business
  days" skips Saturdays and Sundays; "within N days of <some event>" is not a date;
- "by the 15th", "Friday the 20th" is day N of this month (next month if past; with a weekday,
  the month where day N falls on it);
- "end of month" is its last day; "end of (next) week" the Friday of that week;
- a day and month without a year takes the year that puts it nearest the message, leaning to
  the future (December → "5 January" is next year);
- numeric "16/06", "11/20", "20.03.", "07.04.2025": day/month order from `day_first` (the
  vendor's locale); when unknown, from the values, and if both readings are valid the one not
  before the message.

Vague timing ("soon", "next week", "in about two weeks", "Q2", "this sprint") is never a
mention: it names no single day. Pure and fast: no spaCy, no I/O beyond the packaged word list
(read once); bad input gives an empty result, never an exception.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources

MAX_CHARS = 100_000  # longer texts are cut: a message body, not a book
_MAX_HOURS = 24 * 366
_MAX_DAYS = 366


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text: its character span, its words and its resolved day."""

    start: int
    end: int
    text: str
    value: date


# --------------------------------------------------------------------------------------------
# Calendar arithmetic
# --------------------------------------------------------------------------------------------


def add_business_days(start: date, n: int) -> date:
    """The n-th Monday-to-Friday day after `start` (public holidays are not known here)."""
    day = start
    remaining = max(0, n)
    while remaining:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def _next_weekday(today: date, weekday: int) -> date:
    """The first `weekday` strictly after `today` ("by Friday" written on a Friday = next one)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _weekday_of_next_week(today: date, weekday: int) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + k
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _distance(value: date, today: date) -> int:
    """How far a reading is from the message's date; the past counts four times (dates in mail
    are mostly ahead: "3 December" written on 1 March is next December; but "28 December"
    written on 3 January is still last week)."""
    days = (value - today).days
    return days if days >= 0 else -4 * days


def _nearest(candidates: Iterable[date], today: date) -> date | None:
    options = list(candidates)
    return min(options, key=lambda d: _distance(d, today)) if options else None


def _day_month(today: date, day: int, month: int, year: int | None) -> date | None:
    """A day and month, with the year given or the one that puts it nearest the message."""
    if year is not None:
        return _safe_date(year, month, day)
    years = (today.year - 1, today.year, today.year + 1)
    return _nearest((d for y in years if (d := _safe_date(y, month, day))), today)


def _nth_of_month(today: date, day: int) -> date | None:
    """ "by the 15th": day N of this month, or of the next month that has it if already past."""
    for k in range(3):
        year, month = _add_months(today.year, today.month, k)
        value = _safe_date(year, month, day)
        if value is not None and value >= today:
            return value
    return None


def _nth_on_weekday(today: date, day: int, weekday: int) -> date | None:
    """ "Friday the 20th": the month around the message where day N is that weekday; when
    none is (a slip of the writer), the plain "by the 20th" reading."""
    found = []
    for k in (-1, 0, 1):
        year, month = _add_months(today.year, today.month, k)
        value = _safe_date(year, month, day)
        if value is not None and value.weekday() == weekday:
            found.append(value)
    return _nearest(found, today) or _nth_of_month(today, day)


def _numeric(
    today: date, first: int, second: int, year: int | None, day_first: bool | None
) -> date | None:
    """ "16/06", "11/20", "07.04.2025": day/month order from the locale, else from the values."""
    if year is not None and year < 100:
        year += 2000
    day_month = _day_month(today, first, second, year) if 1 <= second <= 12 else None
    month_day = _day_month(today, second, first, year) if 1 <= first <= 12 else None
    if day_first is True:
        return day_month or month_day
    if day_first is False:
        return month_day or day_month
    readings = [d for d in (day_month, month_day) if d is not None]
    ahead = [d for d in readings if d >= today]
    return _nearest(ahead or readings, today)


# --------------------------------------------------------------------------------------------
# Word lists (data/dates_lexicon.txt)
# --------------------------------------------------------------------------------------------


def _read_sections() -> dict[str, dict[str, list[str]]]:
    source = resources.files("vendorwatch.nlp").joinpath("data", "dates_lexicon.txt")
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in source.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), {})
        elif current is not None and "=" in line:
            key, _, words = line.partition("=")
            terms = [w.strip().lower() for w in words.split("|") if w.strip()]
            current.setdefault(key.strip(), []).extend(terms)
    return sections


def _alt(words: Iterable[str]) -> str:
    """A regex alternation, longest first, any whitespace (or a hyphen) between words."""
    unique = sorted({w.rstrip("~") for w in words}, key=len, reverse=True)
    parts = [r"[\s\-]+".join(re.escape(p) for p in w.split()) for w in unique]
    return "(?:" + "|".join(parts) + ")"


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


@dataclass(frozen=True)
class _Grammar:
    weekdays: dict[str, int]
    ambiguous_weekdays: frozenset[str]
    months: dict[str, int]
    relative: dict[str, int]
    end_of: dict[str, str]
    numbers: dict[str, int]
    units: dict[str, str]
    patterns: tuple[tuple[re.Pattern[str], str], ...]
    anchors: frozenset[str]  # first words of every expression that has no digit in it
    context_tail: re.Pattern[str]
    past_tail: re.Pattern[str]
    past_head: re.Pattern[str]
    morning_tail: re.Pattern[str]


def _index(section: dict[str, list[str]], convert: Callable[[str], object]) -> dict:
    return {_norm(w.rstrip("~")): convert(key) for key, words in section.items() for w in words}


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    s = _read_sections()
    weekday_words = [w for words in s["weekday"].values() for w in words]
    ambiguous = frozenset(_norm(w.rstrip("~")) for w in weekday_words if w.endswith("~"))
    month_words = [w for words in s["month"].values() for w in words]
    rel_words = [w for words in s["relative_day"].values() for w in words]
    end_words = [w for words in s["end_of"].values() for w in words]
    num_words = [w for words in s["number"].values() for w in words]
    unit_words = [w for words in s["unit"].values() for w in words]

    wd, mon = _alt(weekday_words), _alt(month_words)
    mon_en = _alt(s["month_before_day"]["en"])
    nxt = _alt(s["next_week"]["next"])
    eod = _alt(s["end_of_day"]["eod"])
    within = _alt(s["within"]["in"])
    ordinal_nouns = _alt(s["ordinal_not_before"]["noun"])
    left, right = r"(?<!\w)", r"(?!\w)"
    # an optional weekday before an explicit date ("Thursday 24th July", "sexta-feira, dia 16")
    wdp = rf"(?:(?:(?:next|this|coming)\s+)?{wd}[\s,]*(?:(?:the|dia|día|den|le|el|tanggal)\s+)?)?"
    ordinal = r"(?:st|nd|rd|th|º|ª|°)"
    not_time = r"(?!\s*(?:am|pm|a\.m\.|p\.m\.|uhr|hrs?|h|horas?|heures?|jam|o'clock|ore)(?!\w))"
    patterns = (
        (
            rf"{left}{wdp}(?P<d>\d{{1,2}}){ordinal}?(?:\.\s*|\s*-\s*|\s+(?:of\s+|de\s+|del\s+)?)"
            rf"(?P<m>{mon}){right}(?:(?:,?\s+(?:de\s+|del\s+)?|-)(?P<y>\d{{4}}){right})?",
            "day_month",
        ),
        (
            rf"{left}{wdp}(?P<m>{mon_en})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}}){ordinal}?"
            rf"(?![\d:]|[.,]\d|\w|\s*[-–]\s*\d){not_time}(?:,?\s+(?P<y>\d{{4}}){right})?",
            "month_day",
        ),
        (rf"(?<![\w./-]){wdp}(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?![\w-])", "iso"),
        (
            rf"{left}{wdp}(?<![\w./-])(?P<a>\d{{1,2}})(?P<s>[./-])(?P<b>\d{{1,2}})(?P=s)"
            rf"(?P<y>\d{{4}}|\d{{2}})(?![\w/-]|[.,]\d)",
            "numeric_year",
        ),
        (
            rf"{left}(?P<wd>{wdp})(?<![\w./-])(?P<a>\d{{1,2}})"
            rf"(?:/(?P<b>\d{{1,2}})(?![\w/]|[.,:]\d)|\.(?P<b2>\d{{1,2}})\.(?!\d))",
            "numeric",
        ),
        (
            rf"{left}(?P<wd>{wdp})(?:the\s+)?(?P<d>\d{{1,2}}){ordinal}{right}"
            rf"(?!\s+{ordinal_nouns}{right})",
            "ordinal",
        ),
        (
            rf"{left}(?:(?P<w>{wd})[\s,]*(?:(?:the|dia|día|den|le|el|tanggal)\s+)?"
            rf"|(?:dia|día|tanggal)\s+)(?P<d>\d{{1,2}})(?![\d/:]|[.,]\d|\s*-\s*\d){not_time}"
            rf"(?!\s*%)",
            "weekday_number",
        ),
        (
            rf"{left}(?P<w>{wd})[\s,]*(?:(?:of|on)\s+|de\s+la\s+|da\s+)?{nxt}{right}"
            rf"|{left}{nxt}[\s,]*(?:(?:on|el|am|hari|na|no)\s+)?(?P<w2>{wd}){right}",
            "weekday_next_week",
        ),
        (
            rf"{left}(?:(?:next|this|coming|próximo|próxima|proximo|proxima|nächsten|kommenden"
            rf"|diesen)\s+)?(?P<w>{wd}){right}(?:\s+(?:ini|depan|prochain|que\s+viene|que\s+vem"
            rf"|viitoare|asta|aceasta){right})?",
            "weekday",
        ),
        (rf"{left}(?P<r>{_alt(rel_words)}){right}", "relative"),
        (rf"{left}(?P<e>{_alt(end_words)}){right}", "end_of"),
        (rf"{left}(?P<e>{eod}){right}", "eod"),
        (
            rf"{left}{within}\s+(?P<n>\d{{1,4}}|{_alt(num_words)})\s*(?P<u>{_alt(unit_words)})"
            rf"{right}(?!\s+{_alt(s['within_not_before']['event'])}{right})",
            "within",
        ),
    )
    context = _alt(s["weekday_before"]["context"])
    return _Grammar(
        weekdays=_index(s["weekday"], int),
        ambiguous_weekdays=ambiguous,
        months=_index(s["month"], int),
        relative=_index(s["relative_day"], int),
        end_of=_index(s["end_of"], str),
        numbers=_index(s["number"], int),
        units=_index(s["unit"], str),
        patterns=tuple((re.compile(p, re.I), kind) for p, kind in patterns),
        anchors=frozenset(
            tokens[0]
            for words in (weekday_words, rel_words, end_words, num_words, s["end_of_day"]["eod"])
            for w in words
            if (tokens := _TOKEN.findall(w.rstrip("~")))
        ),
        context_tail=re.compile(rf"(?<!\w){context}[\s,]*$", re.I),
        past_tail=re.compile(rf"(?<!\w){_alt(s['weekday_not_after']['past'])}\s+$", re.I),
        past_head=re.compile(rf"^\s+{_alt(s['weekday_not_before']['past'])}(?!\w)", re.I),
        morning_tail=re.compile(rf"(?<!\w){_alt(s['relative_not_after']['morning'])}\s+$", re.I),
    )


# --------------------------------------------------------------------------------------------
# Resolving one match
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    text: str
    sent: datetime
    today: date
    day_first: bool | None
    strict: bool  # False: the caller says the text is a date, bare forms need no context word


def _before(ctx: _Context, start: int, pattern: re.Pattern[str]) -> bool:
    return pattern.search(ctx.text[max(0, start - 40) : start]) is not None


def _has_weekday_prefix(match: re.Match[str]) -> bool:
    return bool(match.groupdict().get("wd"))


def _needs_context_ok(ctx: _Context, match: re.Match[str]) -> bool:
    """Bare "16/06", "20.03.", "15th", "sexta" count only after "by", "até", "bis", a weekday…"""
    if not ctx.strict or _has_weekday_prefix(match):
        return True
    return _before(ctx, match.start(), _grammar().context_tail)


def _is_past_reference(ctx: _Context, match: re.Match[str]) -> bool:
    g = _grammar()
    tail = _before(ctx, match.start(), g.past_tail)
    return tail or g.past_head.search(ctx.text[match.end() : match.end() + 20]) is not None


def _month_ok(ctx: _Context, match: re.Match[str]) -> bool:
    """ "may"/"mar" are English words: as months they are capitalised ("May 5", not "2 may")."""
    word = match.group("m")
    return not (ctx.strict and word.lower() in {"may", "mar"} and not word[0].isupper())


# "27-30 November", "from 3 to 7 March": a span of days is not one date
_RANGE_BEFORE = re.compile(r"\d{1,2}(?:st|nd|rd|th)?\s*(?:[-–]|to|until|till)\s*$", re.I)


def _resolve(kind: str, match: re.Match[str], ctx: _Context) -> date | None:
    g = _grammar()
    today = ctx.today
    group = match.groupdict()
    if kind in {"day_month", "month_day"}:
        if not _month_ok(ctx, match) or _RANGE_BEFORE.search(
            ctx.text[max(0, match.start() - 20) : match.start()]
        ):
            return None
        year = int(group["y"]) if group.get("y") else None
        return _day_month(today, int(group["d"]), g.months[_norm(group["m"])], year)
    if kind == "iso":
        return _safe_date(int(group["y"]), int(group["m"]), int(group["d"]))
    if kind == "numeric_year":
        day_first = True if group["s"] == "." else ctx.day_first  # dotted dates are day-first
        return _numeric(today, int(group["a"]), int(group["b"]), int(group["y"]), day_first)
    if kind == "numeric":
        second = group["b"] or group["b2"]
        if not _needs_context_ok(ctx, match) or f"{group['a']}/{second}" == "24/7":
            return None
        day_first = True if group["b2"] else ctx.day_first
        return _numeric(today, int(group["a"]), int(second), None, day_first)
    if kind == "ordinal":
        if not _needs_context_ok(ctx, match) and not match.group(0).lower().startswith("the"):
            return None
        weekday = _leading_weekday(group["wd"])
        day = int(group["d"])
        return (
            _nth_on_weekday(today, day, weekday)
            if weekday is not None
            else _nth_of_month(today, day)
        )
    if kind == "weekday_number":
        weekday = g.weekdays.get(_norm(group["w"])) if group.get("w") else None
        day = int(group["d"])
        if weekday is None:
            return _nth_of_month(today, day)
        if _is_past_reference(ctx, match):
            return None
        return _nth_on_weekday(today, day, weekday)
    if kind == "weekday_next_week":
        word = group.get("w") or group.get("w2") or ""
        return _weekday_of_next_week(today, g.weekdays[_norm(word)])
    if kind == "weekday":
        return _resolve_weekday(match, ctx)
    if kind == "relative":
        if _norm(group["r"]) in {"mañana", "manana", "morgen"} and _before(
            ctx, match.start(), g.morning_tail
        ):
            return None
        return today + timedelta(days=g.relative[_norm(group["r"])])
    if kind == "end_of":
        return _end_of(g.end_of[_norm(group["e"])], today)
    if kind == "eod":
        return today
    if kind == "within":
        return _within(ctx, group["n"], group["u"])
    return None


def _leading_weekday(prefix: str | None) -> int | None:
    if not prefix:
        return None
    g = _grammar()
    for word in re.findall(r"[\w'\-]+", prefix.lower()):
        if _norm(word) in g.weekdays:
            return g.weekdays[_norm(word)]
    return None


def _resolve_weekday(match: re.Match[str], ctx: _Context) -> date | None:
    g = _grammar()
    word = _norm(match.group("w"))
    if _is_past_reference(ctx, match):
        return None
    own_prefix = match.start("w") > match.start()  # "next Fri"; "minggu depan" is "next week"
    if word in g.ambiguous_weekdays and not own_prefix and not _needs_context_ok(ctx, match):
        return None
    return _next_weekday(ctx.today, g.weekdays[word])


def _end_of(which: str, today: date) -> date:
    if which == "week":
        friday = today + timedelta(days=4 - today.weekday())
        return friday if today.weekday() <= 4 else friday + timedelta(days=7)
    if which == "next_week":
        return _weekday_of_next_week(today, 4)
    if which == "month":
        return _last_day(today.year, today.month)
    if which == "next_month":
        return _last_day(*_add_months(today.year, today.month, 1))
    return date(today.year, 12, 31)


def _within(ctx: _Context, number: str, unit_word: str) -> date | None:
    g = _grammar()
    n = int(number) if number.isdigit() else g.numbers.get(_norm(number))
    unit = g.units.get(_norm(unit_word))
    if n is None or unit is None:
        return None
    if unit == "hour":
        return (ctx.sent + timedelta(hours=n)).date() if n <= _MAX_HOURS else None
    if n > _MAX_DAYS:
        return None
    if unit == "business_day":
        return add_business_days(ctx.today, n)
    return ctx.today + timedelta(days=n)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

_JOIN_EOD = re.compile(r"^[\s,]*(?:(?:on|by|el|am|de|del)\s+)?$", re.I)


_TOKEN = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")


def _windows(text: str) -> list[tuple[int, int]]:
    """The parts of the text worth searching: lines with a digit or a date word, with one line
    of context either side (expressions wrap: "due\n17.03.2025"). Most lines of a message
    have neither, and skipping them makes the search several times faster."""
    anchors = _grammar().anchors
    bounds: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        bounds.append((offset, offset + len(line)))
        offset += len(line) + 1
    wanted = [
        i
        for i, (start, end) in enumerate(bounds)
        if _DIGIT.search(text, start, end)
        or not anchors.isdisjoint(_TOKEN.findall(text[start:end].lower()))
    ]
    windows: list[tuple[int, int]] = []
    for i in wanted:
        start, end = bounds[max(0, i - 1)][0], bounds[min(len(bounds) - 1, i + 1)][1]
        if windows and start <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _candidates(ctx: _Context) -> list[tuple[int, int, date, str]]:
    found = []
    windows = _windows(ctx.text)
    for pattern, kind in _grammar().patterns:
        matches = (m for start, end in windows for m in pattern.finditer(ctx.text, start, end))
        for match in matches:
            try:
                value = _resolve(kind, match, ctx)
            except (KeyError, ValueError, OverflowError):
                value = None
            if value is not None:
                found.append((match.start(), match.end(), value, kind))
    return found


def _select(found: list[tuple[int, int, date, str]]) -> list[tuple[int, int, date, str]]:
    """Longest spans win; what overlaps a chosen span is dropped."""
    starts: list[int] = []  # chosen spans, sorted by start, never overlapping
    chosen: list[tuple[int, int, date, str]] = []
    for cand in sorted(found, key=lambda c: (c[0] - c[1], c[0])):
        i = bisect.bisect_left(starts, cand[0])
        clear_left = i == 0 or chosen[i - 1][1] <= cand[0]
        clear_right = i == len(chosen) or chosen[i][0] >= cand[1]
        if clear_left and clear_right:
            starts.insert(i, cand[0])
            chosen.insert(i, cand)
    return chosen


def _merge_eod(
    text: str, chosen: list[tuple[int, int, date, str]]
) -> list[tuple[int, int, date, str]]:
    """ "tomorrow EOD", "EOD Friday": end of day only sets the hour of its neighbour."""
    merged: list[tuple[int, int, date, str]] = []
    for cand in chosen:
        if merged:
            prev = merged[-1]
            gap = text[prev[1] : cand[0]]
            if (prev[3] == "eod") != (cand[3] == "eod") and _JOIN_EOD.match(gap):
                value = cand[2] if prev[3] == "eod" else prev[2]
                kind = cand[3] if prev[3] == "eod" else prev[3]
                merged[-1] = (prev[0], cand[1], value, kind)
                continue
        merged.append(cand)
    return merged


def _mentions(text: str, sent: datetime, day_first: bool | None, strict: bool) -> list[DateMention]:
    if not isinstance(text, str) or not isinstance(sent, datetime) or not text.strip():
        return []
    text = text[:MAX_CHARS]
    ctx = _Context(text, sent, sent.date(), day_first, strict)
    chosen = _merge_eod(text, _select(_candidates(ctx)))
    return [DateMention(s, e, text[s:e], value) for s, e, value, _ in chosen]


def find_dates(text: str, sent: datetime, day_first: bool | None = None) -> list[DateMention]:
    """Every date expression in `text`, resolved against `sent` (the message's aware Date).

    Bare numeric and ordinal forms ("16/06", "20.03.", "15th") and ambiguous weekday words
    ("sexta", "Fri") count only next to a word that makes them a date ("by", "até", "bis", a
    weekday). Vague timing is not a mention.
    """
    return _mentions(text, sent, day_first, strict=True)


def parse_date(text: str, sent: datetime, day_first: bool | None = None) -> date | None:
    """One explicit date expression ("30 April", "16/06", "Friday", "end of next week")
    resolved in the sender's calendar; None when it is not one (or is impossible: "31/02").

    The caller asserts the text is a date, so bare forms need no context word here; when the
    text holds several expressions, the longest one is taken.
    """
    mentions = _mentions(text, sent, day_first, strict=False)
    if not mentions:
        return None
    return max(mentions, key=lambda m: m.end - m.start).value
