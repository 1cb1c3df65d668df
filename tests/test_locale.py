"""Numeric date order per vendor from their locale and country signals (nlp.locale)."""

from __future__ import annotations

import pytest

from vendorwatch.nlp.locale import day_first_for

H = 3600


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("pt_BR", True),
        ("es-AR", True),
        ("de_DE.UTF-8", True),
        ("en_GB", True),
        ("en_IN", True),
        ("en_CA", False),
        ("en_US", False),
        ("en_PH", False),
        ("ja_JP", False),
        ("de", True),
        ("id", True),
        ("en", None),  # US and UK English disagree
        ("", None),
        ("xx_ZZ", None),
    ],
)
def test_locale(locale: str, expected: bool | None) -> None:
    assert day_first_for(locale) is expected


def test_the_configured_locale_wins_over_every_signal() -> None:
    assert day_first_for("en_CA", domains=["studio.com.br"], texts=["São Paulo"]) is False
    assert day_first_for("pt_BR", utc_offsets=[-7 * H]) is True


def test_country_domains() -> None:
    assert day_first_for(domains=["agencia.com.ar"]) is True
    assert day_first_for(domains=["mail.example.de"]) is True
    assert day_first_for(domains=["studio.ca"]) is False
    assert day_first_for(domains=["dev.co.uk"]) is True
    # brand TLDs and generic ones say nothing; the next signal decides
    assert day_first_for(domains=["cool.io", "x.com"]) is None
    assert day_first_for(domains=["cool.io"], utc_offsets=[2 * H]) is True


def test_signature_lines_name_the_country() -> None:
    assert day_first_for(texts=["Thanks!\n\nAna Souza\nDesigner · Curitiba"]) is True
    assert day_first_for(texts=["Cheers,\nMike\nSound Design · Vancouver"]) is False
    assert day_first_for(texts=["Best,\nLena\nTel: +49 341 555 0101"]) is True
    assert day_first_for(texts=["Regards,\nJoy\nMobile: +63 917 555 0101"]) is False


def test_countries_mentioned_in_sentences_are_topics_not_locations() -> None:
    text = (
        "The store runs in Canada and the United States, so prices should show in CAD and USD, "
        "and the support line is +1 212 555 0101 for both markets."
    )
    assert day_first_for(texts=[text]) is None
    assert day_first_for(texts=[text + "\n\nSiti\nJakarta"]) is True


def test_conflicting_signals_of_one_level_take_the_majority_or_nothing() -> None:
    assert day_first_for(domains=["a.de", "b.us"]) is None
    assert day_first_for(domains=["a.de", "b.fr", "c.us"]) is True


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([5 * H], True),  # Pakistan
        ([int(5.5 * H)], True),  # India
        ([-3 * H], True),  # Argentina, Brazil
        ([2 * H, 3 * H], True),  # Romania, winter and summer
        ([0], True),
        ([-8 * H], False),  # US/Canada Pacific
        ([-7 * H, -8 * H], False),
        ([-5 * H], None),  # US Eastern, or Colombia and Peru
        ([-4 * H], None),
        ([8 * H], None),  # the Philippines, or Singapore and Malaysia
        ([], None),
    ],
)
def test_utc_offsets(offsets: list[int], expected: bool | None) -> None:
    assert day_first_for(utc_offsets=offsets) is expected


def test_bad_input_is_ignored() -> None:
    assert day_first_for(None, domains=[None, "", "nodot"], texts=[None]) is None  # type: ignore[list-item]
    assert day_first_for(123, utc_offsets=["x"]) is None  # type: ignore[arg-type, list-item]
