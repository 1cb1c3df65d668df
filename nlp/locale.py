"""Which way round a vendor writes numeric dates: 12/03 from Brazil is 12 March, 11/20 from
Canada is 20 November.

The order is a property of the vendor, not of one message, so it is decided from everything
known about them, strongest signal first:

1. the locale set for the vendor in the config ("pt_BR", "en-CA", or a bare language "de");
2. the country of their domains' ccTLDs (".br", ".de"; brand TLDs such as ".io" say nothing);
3. countries named in short lines of their own text, i.e. signatures: a country or large city
   ("Lahore, Pakistan", "Maplewave Audio · Toronto") or a phone line ("Tel: +92 300 …"); a
   country named inside a sentence is a topic, not where they are;
4. their UTC offsets, which only tell in a few bands: east of UTC-3 is overwhelmingly
   day-first (but +8/+9 mix the Philippines and East Asia with day-first neighbours), UTC-7 to
   UTC-10 is North America; UTC-4 to UTC-6 mixes the US with Latin America, so it says nothing.

Within one level the majority of the signals wins; a tie says nothing. None means "decide from
the values" (see `dates.parse_date`). The country table is `data/locale_countries.txt`.
Pure, no I/O beyond that packaged file; bad input is ignored, never raised.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_HOUR = 3600


@dataclass(frozen=True)
class _Countries:
    order: dict[str, str]  # country code -> "dmy" | "mdy" | "ymd"
    phone: dict[str, str]  # "+92" -> country code
    names: re.Pattern[str]  # any country or city name
    name_country: dict[str, str]
    languages: dict[str, str]  # bare language code -> order
    vanity: frozenset[str]


@lru_cache(maxsize=1)
def _countries() -> _Countries:
    source = resources.files("vendorwatch.nlp").joinpath("data", "locale_countries.txt")
    order: dict[str, str] = {}
    phone: dict[str, str] = {}
    names: dict[str, str] = {}
    languages: dict[str, str] = {}
    vanity: set[str] = set()
    section = ""
    for raw in source.read_text("utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "languages" and "=" in line:
            key, _, words = line.partition("=")
            languages.update({w.strip(): key.strip() for w in words.split("|") if w.strip()})
        elif section == "vanity_tlds":
            vanity.update(w.strip() for w in line.split("|") if w.strip())
        elif not section:
            head, *rest = [part.strip() for part in line.split("|")]
            code, kind, prefix = head.split()
            order[code] = kind
            phone.setdefault(prefix, code)  # first listed wins: +1 is the US (same order as CA)
            names.update({name.lower(): code for name in rest if name})
    alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return _Countries(
        order=order,
        phone=phone,
        names=re.compile(rf"(?<![\w@.])(?:{alternation})(?![\w@])", re.I),
        name_country=names,
        languages=languages,
        vanity=frozenset(vanity),
    )


def _day_first(order: str | None) -> bool | None:
    if order is None:
        return None
    return order == "dmy"


def _from_locale(locale: str | None) -> bool | None:
    if not isinstance(locale, str) or not locale.strip():
        return None
    c = _countries()
    parts = re.split(r"[_\-.@]", locale.strip())
    language = parts[0].lower()
    region = parts[1].upper() if len(parts) > 1 and len(parts[1]) == 2 else None
    if region and region in c.order:
        return _day_first(c.order[region])
    return _day_first(c.languages.get(language))


def _vote(orders: Iterable[str]) -> bool | None:
    counts = Counter(_day_first(o) for o in orders)
    if not counts:
        return None
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _from_domains(domains: Sequence[str]) -> bool | None:
    c = _countries()
    orders = []
    for domain in domains:
        if not isinstance(domain, str) or "." not in domain:
            continue
        tld = domain.strip().rstrip(".").rsplit(".", 1)[-1].lower()
        code = "GB" if tld == "uk" else tld.upper()
        if tld not in c.vanity and len(tld) == 2 and code in c.order:
            orders.append(c.order[code])
    return _vote(orders)


_PHONE = re.compile(r"^\W*(?:[a-z]{1,10}\.?\s*:?\s*)?\+\s?(\d{1,4})[\s\-.()]*\d", re.I)
_SIGNATURE_WORDS = 8


def _signature_lines(text: str) -> list[str]:
    """Short lines: where a signature says where someone is ("Medellín, Colombia"). A country
    named in a sentence ("Spain uses vosotros", "(+1 212...)") is what they talk about."""
    return [line for line in text.splitlines() if 0 < len(line.split()) <= _SIGNATURE_WORDS]


def _countries_in(text: str) -> set[str]:
    c = _countries()
    lines = _signature_lines(text)
    found = {c.name_country[m.group(0).lower()] for line in lines for m in c.names.finditer(line)}
    for match in filter(None, map(_PHONE.match, lines)):
        digits = match.group(1)
        for length in (3, 2, 1):
            code = c.phone.get("+" + digits[:length])
            if code and len(digits) >= length:
                found.add(code)
                break
    return found


def _from_texts(texts: Sequence[str]) -> bool | None:
    c = _countries()
    codes: set[str] = set()
    for text in texts:
        if isinstance(text, str):
            codes |= _countries_in(text[:20_000])
    return _vote(c.order[code] for code in codes)


def _from_offsets(offsets: Sequence[int]) -> bool | None:
    votes = []
    for offset in offsets:
        if not isinstance(offset, int | float):
            continue
        hours = offset / _HOUR
        if hours >= -3 and not 8 <= hours < 10:
            votes.append("dmy")
        elif -10 <= hours <= -7:
            votes.append("mdy")
    return _vote(votes)


def day_first_for(
    locale: str | None = None,
    *,
    domains: Sequence[str] = (),
    utc_offsets: Sequence[int] = (),
    texts: Sequence[str] = (),
) -> bool | None:
    """True when the vendor writes day/month (16/06), False for month/day (11/20), None when
    nothing tells. `utc_offsets` are seconds east of UTC, as in their Date headers."""
    for decide in (
        lambda: _from_locale(locale),
        lambda: _from_domains(domains or ()),
        lambda: _from_texts(texts or ()),
        lambda: _from_offsets(utc_offsets or ()),
    ):
        try:
            answer = decide()
        except (TypeError, ValueError):
            answer = None
        if answer is not None:
            return answer
    return None
