"""Amounts in the formats vendors write them: Decimal values, ISO 4217 currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vendorwatch.nlp.money import Money, find_amounts, parse_amount, to_decimal


@pytest.mark.parametrize(
    "text, amount, currency",
    [
        ("$1,250.00", "1250.00", "USD"),
        ("1.250,00 €", "1250.00", "EUR"),
        ("€1.320,00", "1320.00", "EUR"),
        ("₹45,000", "45000.00", "INR"),
        ("PHP 18,500", "18500.00", "PHP"),
        ("R$ 3.200,00", "3200.00", "BRL"),
        ("Rp 4.500.000", "4500000.00", "IDR"),
        ("Rp 7.300.000", "7300000.00", "IDR"),
        ("COP 2.640.000", "2640000.00", "COP"),
        ("ARS 285.000", "285000.00", "ARS"),
        ("RON 4.750,00", "4750.00", "RON"),
        ("EUR 410,00", "410.00", "EUR"),
        ("KES 120,000.00", "120000.00", "KES"),
        ("USD 640", "640.00", "USD"),
        ("640.00 USD", "640.00", "USD"),
        ("18,500 PKR", "18500.00", "PKR"),
        ("EGP 60,000", "60000.00", "EGP"),
        ("C$ 80", "80.00", "CAD"),
        ("CA$1,200", "1200.00", "CAD"),
        ("A$99.95", "99.95", "AUD"),
        ("MX$ 1.500,50", "1500.50", "MXN"),
        ("₹1,20,000", "120000.00", "INR"),
        ("CHF 1'250.50", "1250.50", "CHF"),
        ("2 500 EUR", "2500.00", "EUR"),
        ("500 euros", "500.00", "EUR"),
        ("£12.5", "12.50", "GBP"),
        ("KWD 1.250", "1.250", "KWD"),
        ("USD640", "640.00", "USD"),
    ],
)
def test_formats(text, amount, currency):
    assert parse_amount(text) == Money(Decimal(amount), currency)
    assert parse_amount(f"The total is {text}, thanks.") == Money(Decimal(amount), currency)


def test_amounts_are_decimals_never_floats():
    money = parse_amount("$0.10")
    assert isinstance(money.amount, Decimal)
    assert money.amount * 3 == Decimal("0.30")


def test_spans_cover_marker_and_number():
    text = "52 hours × USD 45 = USD 2,340.00, or 1.250,00 € in Europe"
    spans = find_amounts(text)
    assert [text[s:e] for s, e, _ in spans] == ["USD 45", "USD 2,340.00", "1.250,00 €"]


def test_plain_dollar_follows_the_text():
    assert parse_amount("$650") == Money(Decimal("650.00"), "USD")
    (_, _, money), *_ = find_amounts("Invoice for $650 (all amounts in CAD).")
    assert money.currency == "CAD"
    # USD named too: the plain $ stays USD
    (_, _, money), *_ = find_amounts("$650 now, CAD 80 later, all in USD")
    assert money.currency == "USD"


def test_iso_code_after_a_symbol_wins():
    assert parse_amount("$45.00 CAD") == Money(Decimal("45.00"), "CAD")


def test_marker_naming_no_single_currency():
    money = parse_amount("Rs. 5,000")
    assert money == Money(Decimal("5000.00"), None)
    assert parse_amount("Rs. 5,000", default_currency="PKR") == Money(Decimal("5000.00"), "PKR")


def test_negative_amounts_stay_negative():
    assert parse_amount("-$50.00") == Money(Decimal("-50.00"), "USD")
    assert parse_amount("credit: -120 EUR") == Money(Decimal("-120.00"), "EUR")
    # a dash used as punctuation is not a minus sign
    assert parse_amount("report – EGP 60,000.00") == Money(Decimal("60000.00"), "EGP")


def test_bare_number_needs_the_caller():
    assert find_amounts("1.250,00") == []
    assert parse_amount("1.250,00", "EUR") == Money(Decimal("1250.00"), "EUR")
    assert parse_amount("1.250,00") == Money(Decimal("1250.00"), None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no amount here",
        "build 2.3.0 (198) on 17.03.2025 and 2025-06-16",
        "R2, v3 and ticket HV-88",
        "call me at +54 351 555 0100",
        "\x00\x01\x02\xff",
    ],
)
def test_no_amount(text):
    assert find_amounts(text) == []


def test_bad_input_types():
    assert parse_amount(None) is None  # type: ignore[arg-type]
    assert find_amounts(b"USD 5") == []  # type: ignore[arg-type]


def test_huge_text_is_bounded():
    text = "USD 1,000.00 " * 100_000  # 1.3 MB
    found = find_amounts(text)
    assert 0 < len(found) <= 500


@pytest.mark.parametrize(
    "number, value",
    [
        ("1,250", "1250.00"),
        ("1.250", "1250.00"),
        ("12,5", "12.50"),
        ("0.125", "0.125"),
        ("1,250.5", "1250.50"),
        ("1.234.567,89", "1234567.89"),
        ("1,234,567", "1234567.00"),
    ],
)
def test_separators_from_the_digits(number, value):
    assert to_decimal(number) == Decimal(value)


def test_inconsistent_number_is_rejected():
    assert to_decimal("1.250.00,5,5") is None
    assert to_decimal("9" * 20) is None
