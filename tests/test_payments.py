"""Payments: the owner's "paid", provider notifications, the vendor's "payment received"."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vendorwatch.nlp.payments import extract_payments, is_automated

SENT = datetime(2026, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=-5)))  # Wednesday 4 March


def owner(text, subject="Re: invoice"):
    return extract_payments(text, SENT, "out", "dana@brightleaf.example", subject)


def vendor(text, subject="Re: invoice"):
    return extract_payments(text, SENT, "in", "ravi@pixelcraft.example", subject)


@pytest.mark.parametrize(
    "text, number, amount, currency, provider",
    [
        ("Hi Ravi, paid INV-2041 today via Wise.", "INV-2041", None, None, "Wise"),
        (
            "Sent $1,250.00 through PayPal for PX-0042 just now.",
            "PX-0042",
            "1250.00",
            "USD",
            "PayPal",
        ),
        (
            "I've just transferred EUR 410,00 for RE-77 by bank transfer.",
            "RE-77",
            "410.00",
            "EUR",
            "bank transfer",
        ),
        (
            "Ya te transferí los ARS 285.000 de la factura F-0311.",
            "F-0311",
            "285000.00",
            "ARS",
            None,
        ),
        ("Paguei a fatura FT-2026-45 hoje pelo Payoneer.", "FT-2026-45", None, None, "Payoneer"),
        ("Ich habe die Rechnung RE-2026-17 heute überwiesen.", "RE-2026-17", None, None, None),
        ("Invoice PR/2026/003 sudah saya bayar tadi pagi.", "PR/2026/003", None, None, None),
        ("Am plătit factura CC-2026-0007 azi.", "CC-2026-0007", None, None, None),
    ],
)
def test_owner_says_it_is_paid(text, number, amount, currency, provider):
    (p,) = owner(text)
    assert p.kind == "owner_sent"
    assert p.invoice_number == number
    assert p.amount == (Decimal(amount) if amount else None)
    assert p.currency == currency
    assert p.provider == provider
    assert p.paid_on == date(2026, 3, 4)
    assert p.evidence


@pytest.mark.parametrize(
    "text, day",
    [
        ("Paid INV-2041 yesterday.", date(2026, 3, 3)),
        ("Pagué la factura F-9 ayer.", date(2026, 3, 3)),
        ("I paid INV-2041 on Monday.", date(2026, 3, 2)),
        ("Paid INV-2041 on 27 February.", date(2026, 2, 27)),
        ("Paid INV-2041 this morning, it should land by Friday.", date(2026, 3, 4)),
    ],
)
def test_the_day_it_was_paid(text, day):
    (p,) = owner(text)
    assert p.paid_on == day


@pytest.mark.parametrize(
    "text",
    [
        "I'll pay INV-2041 on Friday.",
        "Paying INV-2041 now.",
        "I will send the payment via Wise tomorrow.",
        "Once the client approves, I'll pay the invoice.",
        "I haven't paid INV-2041 yet, sorry.",
        "Have you been paid for INV-2041?",
        "Did the payment for INV-2041 arrive?",
        "Voy a pagar la factura F-9 el viernes.",
        "Ich werde die Rechnung RE-77 morgen überweisen.",
        "Saya akan bayar invoice PR/2026/003 besok.",
        "We're on the paid plan of Figma now.",
        "Sent you the revised brief, see attached.",
    ],
)
def test_not_payments_from_the_owner(text):
    assert owner(text) == []


def test_invoice_number_from_the_subject():
    (p,) = owner("Paid it today via Wise, thanks!", subject="Re: Invoice ACME-2031")
    assert p.invoice_number == "ACME-2031"


def test_two_invoices_paid_at_once():
    numbers = [p.invoice_number for p in owner("Paid INV-11 and INV-12 today via Wise.")]
    assert numbers == ["INV-11", "INV-12"]


@pytest.mark.parametrize(
    "text",
    [
        "Payment received, thanks Dana!",
        "Got the payment for INV-2041, thank you.",
        "Thanks for the payment!",
        "Me llegó el pago de la factura F-9, ¡gracias!",
        "Recibí la transferencia, muchas gracias.",
        "Obrigado pelo pagamento, já recebi.",
        "Die Zahlung ist eingegangen, vielen Dank.",
        "Pembayaran sudah masuk, terima kasih!",
        "Am primit plata, mulțumesc!",
    ],
)
def test_vendor_confirms_receipt(text):
    (p,) = vendor(text)
    assert p.kind == "vendor_received"
    assert p.paid_on == date(2026, 3, 4)


@pytest.mark.parametrize(
    "text",
    [
        "Just a reminder that invoice INV-2041 is still unpaid.",
        "I haven't received the payment yet.",
        "Has the payment been sent?",
        "Pembayaran belum masuk.",
        "Todavía no me llegó el pago.",
        "I received your message about the payment schedule and the new budget.",
        "Received, thank you. I will start tomorrow.",
        "Once the payment arrives I'll send the source files.",
    ],
)
def test_not_payments_from_the_vendor(text):
    assert vendor(text) == []


PAYPAL = """Hello Dana Whitfield,

You sent a payment of $1,250.00 USD to Ravi Kumar.

Transaction ID: 7AB12345CD678901E
Note to recipient: Invoice PX-0042
"""

WISE = """Hi Dana,

Your transfer to Ravi Kumar is complete.

You sent: 1,100.00 EUR
Ravi Kumar receives: 1,050.00 GBP
Reference: INV-2041
Transfer #: T-20260304-77123
"""

RECEIVED = """Hello Dana,

You received a payment of $14,400.00 USD from Greenleaf Grocers.
Invoice: NW-2026-044
"""


def test_paypal_style_notification():
    (p,) = extract_payments(
        PAYPAL, SENT, "in", "service@paypal.example", "Receipt for your payment"
    )
    assert (p.kind, p.payee, p.provider) == ("notification", "Ravi Kumar", "PayPal")
    assert (p.amount, p.currency, p.invoice_number) == (Decimal("1250.00"), "USD", "PX-0042")


def test_wise_style_notification():
    (p,) = extract_payments(
        WISE, SENT, "in", "no-reply@transfers.example", "Your transfer to Ravi Kumar is complete"
    )
    assert (p.kind, p.payee) == ("notification", "Ravi Kumar")
    assert (p.amount, p.currency) == (Decimal("1100.00"), "EUR")
    assert p.invoice_number == "INV-2041"  # not the provider's transfer id
    assert p.provider == "Transfers"


def test_money_the_owner_received_is_not_a_vendor_payment():
    assert extract_payments(RECEIVED, SENT, "in", "no-reply@payrail.example", "You got paid") == []


def test_confirmation_pasted_into_an_owner_message():
    text = "Here's the confirmation.\n\n" + WISE
    (p,) = owner(text)
    assert (p.kind, p.payee, p.amount, p.invoice_number) == (
        "notification",
        "Ravi Kumar",
        Decimal("1100.00"),
        "INV-2041",
    )
    (p,) = owner("Paid INV-2041 today, confirmation below.\n\n" + WISE)
    assert (p.kind, p.payee, p.amount) == ("owner_sent", "Ravi Kumar", Decimal("1100.00"))


def test_automated_senders():
    assert is_automated("no-reply@transferly.example")
    assert is_automated("notifications@payoneer.example")
    assert is_automated("someone@paypal.com")
    assert not is_automated("ravi@pixelcraft.example")
    assert not is_automated("")


@pytest.mark.parametrize("text", ["", "   ", "\x00\xff" * 50])
def test_empty_or_binary(text):
    assert owner(text) == [] and vendor(text) == []


def test_bad_types_do_not_raise():
    assert extract_payments(None, SENT, "out") == []  # type: ignore[arg-type]
    assert extract_payments("Paid INV-1", None, "out") == []  # type: ignore[arg-type]


def test_huge_text_is_bounded():
    text = "Paid INV-1 today. " + "filler words here " * 60_000
    (p,) = owner(text)
    assert p.invoice_number == "INV-1"


STRIPE = """Receipt from Pixelcraft Studio [#2291-4410]

Amount paid: $500.00
Date paid: Mar 4, 2026
Payment method: Visa - 4242
Invoice number: PX-0043
"""


def test_stripe_style_receipt_names_the_vendor():
    (p,) = extract_payments(STRIPE, SENT, "in", "receipts+acct_1AB@stripe.example", "Your receipt")
    assert (p.kind, p.payee, p.provider) == ("notification", "Pixelcraft Studio", "Stripe")
    assert (p.amount, p.currency, p.invoice_number) == (Decimal("500.00"), "USD", "PX-0043")
