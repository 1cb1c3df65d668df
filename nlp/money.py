"""Amounts of money in the formats vendors write them, as `Decimal` with an ISO 4217 currency.

Vendors write "$1,250.00", "1.250,00 €", "₹45,000", "PHP 18,500", "R$ 3.200,00", "Rp 4.500.000",
"640.00 USD" or "18,500 PKR". Which of "." and "," is the decimal separator is decided from the
digits alone, never from a guessed locale: two different separators -> the last one is the
decimal point; one separator repeated -> thousands; one separator once -> thousands when exactly
three digits follow ("2.400", "1,250"), else decimals ("12,5", "640.00"). Currencies with three
decimals (KWD, BHD...) read "1.250" as 1.25.

A plain "$" is USD unless the text itself names another dollar or peso currency and not USD
("CAD 650.00 ... $650"): the text's own words beat a default. Markers that name no single
currency ("Rs", "kr", "pesos") keep the amount with an empty currency. Only numbers with a
currency marker next to them are amounts in `find_amounts`; `parse_amount` also accepts a bare
number (the caller says it is an amount).

Word lists: `data/money_currencies.txt` (symbols, prefixes, words) and `data/money_iso_codes.txt`.
Pure, no I/O beyond the packaged lists (read once); bad input gives None or [], never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources

MAX_CHARS = 200_000  # a message body, not a book: longer text is cut
MAX_AMOUNTS = 500  # per text
MAX_DIGITS = 15  # a longer run of digits is an id or a phone number, not money
CENT = Decimal("0.01")
THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
DOLLAR_FAMILY = frozenset(  # currencies written with a plain "$" at home
    {
        "USD",
        "CAD",
        "AUD",
        "NZD",
        "SGD",
        "HKD",
        "TWD",
        "MXN",
        "ARS",
        "COP",
        "CLP",
        "UYU",
        "DOP",
        "BSD",
        "BBD",
        "BZD",
        "JMD",
        "TTD",
        "XCD",
        "FJD",
        "NAD",
        "LRD",
        "SRD",
        "GYD",
        "KYD",
        "BMD",
    }
)


@dataclass(frozen=True)
class Money:
    """An amount and its ISO 4217 currency (None when the text does not say which)."""

    amount: Decimal
    currency: str | None


def read_data_lines(name: str) -> list[str]:
    """Non-empty, non-comment lines of a packaged word list in `data/`."""
    text = resources.files("vendorwatch.nlp").joinpath("data", name).read_text("utf-8")
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip() if raw.lstrip().startswith("#") else raw.rstrip()
        if line.strip():
            lines.append(line)
    return lines


@dataclass(frozen=True)
class _Lexicon:
    symbols: dict[str, str | None]
    words: dict[str, str | None]
    codes: frozenset[str]
    pattern: re.Pattern[str]
    bare: re.Pattern[str]


def _alternation(items: list[str]) -> str:
    return "|".join(
        re.escape(i).replace(r"\ ", r"\s+") for i in sorted(items, key=len, reverse=True)
    )


# A number: Indian lakh grouping, 3-digit groups with "," or "." (the same one throughout),
# groups with spaces or apostrophes, or plain digits; then an optional decimal part.
_NUM = (
    r"(?<!\d)(?<!\d[.,])"
    r"(?:\d{1,2}(?:,\d\d)+,\d{3}"
    r"|\d{1,3}(?:,\d{3})+"
    r"|\d{1,3}(?:\.\d{3})+"
    r"|\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+"
    r"|\d+)"
    r"(?:[.,]\d{1,3})?"
    r"(?![.,]?\d)"
)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    symbols: dict[str, str | None] = {}
    words: dict[str, str | None] = {}
    section = symbols
    for line in read_data_lines("money_currencies.txt"):
        if line.strip() == "[symbols]":
            section = symbols
            continue
        if line.strip() == "[words]":
            section = words
            continue
        marker, _, code = line.partition("\t")
        code = code.strip()
        section[marker.strip() if section is symbols else marker.strip().lower()] = (
            None if code == "?" else code
        )
    codes = frozenset(c for line in read_data_lines("money_iso_codes.txt") for c in line.split())
    code_alt = _alternation(sorted(codes))
    sym_alt = _alternation(list(symbols))
    word_alt = _alternation(list(words))
    cur_before = rf"(?<![A-Za-z])(?:{code_alt}|{sym_alt})"
    cur_after = rf"(?:{code_alt}|{sym_alt}|(?i:{word_alt}))(?![A-Za-z])"
    neg = r"(?:(?<=[\s(:=])|^)[-−](?=\S)"
    pattern = re.compile(
        rf"(?P<neg1>{neg})?(?P<pre>{cur_before})?[ \u00a0]?(?P<neg2>[-−])?"
        rf"(?P<num>{_NUM})(?:[ \u00a0]?(?P<post>{cur_after}))?"
    )
    bare = re.compile(rf"(?P<neg>[-−])?(?P<num>{_NUM})")
    return _Lexicon(symbols, words, codes, pattern, bare)


def to_decimal(number: str, currency: str | None = None) -> Decimal | None:
    """The value of one written number ("1.250,00", "45,000", "12,5"), or None if it is not one."""
    digits = re.sub(r"[ \u00a0\u202f'’]", "", number or "")
    if not digits or not re.fullmatch(r"[\d.,]+", digits) or not digits[0].isdigit():
        return None
    if sum(ch.isdigit() for ch in digits) > MAX_DIGITS:
        return None
    seps = [ch for ch in digits if ch in ".,"]
    if not seps:
        normal = digits
    elif len(set(seps)) == 2:
        decimal_sep = seps[-1]
        if seps.count(decimal_sep) > 1:
            return None
        normal = digits.replace("," if decimal_sep == "." else ".", "").replace(decimal_sep, ".")
    elif len(seps) > 1:
        normal = digits.replace(seps[0], "")
    else:
        head, tail = digits.split(seps[0])
        thousands = len(tail) == 3 and head != "0" and currency not in THREE_DECIMALS
        normal = head + tail if thousands else f"{head}.{tail}"
    try:
        value = Decimal(normal)
    except InvalidOperation:
        return None
    return value.quantize(CENT) if value.as_tuple().exponent > -2 else value


def _dollar_currency(text: str) -> str:
    """What a plain "$" means in this text: USD unless it names exactly one other $-currency."""
    named = {m.group(0) for m in re.finditer(r"(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])", text)}
    named &= DOLLAR_FAMILY
    lowered = text.lower()
    for word, code in _lexicon().words.items():
        if code in DOLLAR_FAMILY and code != "USD" and word in lowered:
            named.add(code)
    if "USD" in named or len(named) != 1:
        return "USD"
    return next(iter(named))


def _currency_of(marker: str | None, text: str) -> tuple[bool, str | None]:
    """(is a marker, its ISO code or None when it names no single currency)."""
    if not marker:
        return False, None
    lex = _lexicon()
    marker = re.sub(r"\s+", " ", marker)
    if marker in lex.codes:
        return True, marker
    if marker == "$":
        return True, _dollar_currency(text)
    if marker in lex.symbols:
        return True, lex.symbols[marker]
    return True, lex.words.get(marker.lower())


def find_amounts(text: str) -> list[tuple[int, int, Money]]:
    """Every amount with a currency marker next to it: (start, end, Money), in text order."""
    if not isinstance(text, str) or not text:
        return []
    text = text[:MAX_CHARS]
    found: list[tuple[int, int, Money]] = []
    for match in _lexicon().pattern.finditer(text):
        has_pre, pre = _currency_of(match.group("pre"), text)
        has_post, post = _currency_of(match.group("post"), text)
        if not (has_pre or has_post):
            continue
        if _glued_code(match):
            continue
        currency = _pick_currency(match.group("pre"), pre, post)
        value = to_decimal(match.group("num"), currency)
        if value is None:
            continue
        if match.group("neg1") or match.group("neg2"):
            value = -value
        start = match.start() if (has_pre or match.group("neg1")) else match.start("num")
        found.append((start, match.end(), Money(value, currency)))
        if len(found) >= MAX_AMOUNTS:
            break
    return found


def _glued_code(match: re.Match[str]) -> bool:
    """ "RM-12", "USD-2": a letter code glued to "-digits" is an id, not a negative amount."""
    pre = match.group("pre")
    return bool(
        match.group("neg2")
        and pre
        and pre[-1].isalpha()
        and match.end("pre") == match.start("neg2")
    )


def _pick_currency(pre_marker: str | None, pre: str | None, post: str | None) -> str | None:
    """ "$45.00 USD", "€ 5 EUR": an ISO code after the number is more specific than a symbol."""
    if post and (pre is None or pre_marker in {"$", "kr", "kr.", "Rs", "Rs."}):
        return post
    return pre if pre is not None else post


def parse_amount(text: str, default_currency: str | None = None) -> Money | None:
    """The first amount in `text`; a bare number counts too, in `default_currency`."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text[:MAX_CHARS]
    found = find_amounts(text)
    if found:
        money = found[0][2]
        if money.currency is None and default_currency:
            return Money(money.amount, default_currency)
        return money
    match = _lexicon().bare.search(text)
    if not match:
        return None
    value = to_decimal(match.group("num"), default_currency)
    if value is None:
        return None
    return Money(-value if match.group("neg") else value, default_currency)
