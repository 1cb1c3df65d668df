"""Build the bundled sample mailbox (`sample.mbox`) that `vendorwatch demo` imports.

The threads are kept here as data, not as a binary mbox, so that they can be read, edited
and rebuilt: run `python daemon/sample/build_sample.py` after a change. The output is
byte-for-byte deterministic (no clock, no randomness: Message-IDs, MIME boundaries and the
seconds of each Date header are derived from the thread key), so a rebuild without an edit
changes nothing in git.

Each message is rendered the way its sender's client would: Gmail (English, Spanish,
Portuguese UI), Outlook, Thunderbird (English and Polish UI, format=flowed), iPhone, and
bulk senders. Dates carry the sender's real UTC offset from zoneinfo, so London and Warsaw
change offset on 25 October 2026.

The same data carries the ground truth (ambiguous sentences, commitments, deliveries,
invoices, payments, call suggestions). The build writes it to `expected.json`, refreshes the
"expected" section of README.md, and then re-reads the mbox and checks every message
(stdlib parser, unique Message-IDs, References chains, labels quoted verbatim). `--check`
runs only the checks against the files on disk.
"""

from __future__ import annotations

import argparse
import base64
import csv
import email
import email.policy
import email.utils
import hashlib
import html
import io
import json
import mailbox
import re
import struct
import sys
import textwrap
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
MBOX = HERE / "sample.mbox"
EXPECTED = HERE / "expected.json"
README = HERE / "README.md"
TODAY = date(2026, 11, 27)  # "now" for the due/overdue states written to expected.json
OWNER = "dana@brightleaf.example"
PREV = -1  # Msg.reply_to default: the previous message of the thread

# --------------------------------------------------------------------------------------------
# People and their mail clients
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A sender: the client decides headers, quoting, attribution line and Message-ID shape."""

    name: str
    addr: str
    tz: str
    client: str  # gmail-en-gb | gmail-en-us | gmail-es | gmail-pt | outlook | thunderbird-en
    #              | thunderbird-pl | iphone | bulk
    signature: str = ""

    @property
    def domain(self) -> str:
        return self.addr.split("@", 1)[1]

    @property
    def display(self) -> str:
        return f"{self.name} <{self.addr}>" if self.name else self.addr


DANA_SIG = (
    "-- \nDana Whitfield\nBrightleaf · botanical prints, stationery & home\n"
    "brightleaf.example · +44 20 7946 0321"
)

PEOPLE: dict[str, Person] = {
    # The owner writes from Gmail in the browser and from Thunderbird on the studio laptop.
    "dana": Person("Dana Whitfield", OWNER, "Europe/London", "gmail-en-gb", DANA_SIG),
    "dana_tb": Person("Dana Whitfield", OWNER, "Europe/London", "thunderbird-en", DANA_SIG),
    "ravi": Person(
        "Ravi Menon",
        "ravi@pixelcraft.example",
        "Asia/Kolkata",
        "outlook",
        "Ravi Menon\nAccount Director | PixelCraft Design Studio\n"
        "3rd Floor, 14 Residency Road, Bengaluru 560025\n+91 80 4567 1234 | pixelcraft.example",
    ),
    "anita": Person(
        "Anita Rao",
        "anita@pixelcraft.example",
        "Asia/Kolkata",
        "gmail-en-gb",
        "-- \nAnita Rao\nSenior Designer, PixelCraft\n+91 98450 12345",
    ),
    "lucia": Person(
        "Lucía Fernández",
        "lucia@luciadesigns.example",
        "America/Mexico_City",
        "gmail-es",
        "-- \nLucía Fernández\nIlustración · luciadesigns.example\nCDMX · +52 55 1234 5678",
    ),
    "tiago": Person(
        "Tiago Souza",
        "tiago@souzacopy.example",
        "America/Sao_Paulo",
        "gmail-pt",
        "-- \nTiago Souza\nCopywriter · EN/PT\nsouzacopy.example · +55 11 98765-4321",
    ),
    "maria": Person(
        "Maria Santos",
        "maria@bayanihanva.example",
        "Asia/Manila",
        "gmail-en-us",
        "-- \nMaria Santos\nVirtual Assistant | Bayanihan VA Services\n"
        "Quezon City, PH · +63 917 555 0142",
    ),
    "kacper": Person(
        "Kacper Nowak",
        "kacper@nowakdev.example",
        "Europe/Warsaw",
        "thunderbird-pl",
        "-- \nKacper Nowak\nNowak Dev · Shopify & WooCommerce\nnowakdev.example · +48 601 234 567",
    ),
    "wise": Person("Wise", "no-reply@wise.example", "Europe/London", "bulk"),
    "paypal": Person("PayPal", "service@paypal.example", "America/Los_Angeles", "bulk"),
    "shopfront": Person("Shopfront Weekly", "news@shopfront.example", "UTC", "bulk"),
    "sophie": Person(
        "Sophie Whitfield", "sophie.whitfield@mailbox.example", "Europe/London", "iphone"
    ),
    "helen": Person("Helen Marsh", "helen@marshco.example", "Europe/London", "outlook"),
}

# --------------------------------------------------------------------------------------------
# Threads as data, with their ground truth
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commitment:
    """A dated promise (`delivery`, by the vendor) or a deadline asked of the other side."""

    kind: str  # delivery | request_deadline
    due: str  # ISO date in the sender's calendar
    text: str  # the whole sentence, verbatim from the message's new text


@dataclass(frozen=True)
class Invoice:
    number: str
    amount: str  # plain decimal, two places
    currency: str  # ISO 4217
    issued: str
    due: str
    terms: str


@dataclass(frozen=True)
class Payment:
    invoice: str
    paid_on: str  # sender's local date of the message that says it was paid


@dataclass(frozen=True)
class Delivery:
    """Work handed over; `for_text` is the commitment it fulfils (None: no dated promise)."""

    delivered_on: str
    for_text: str | None
    on_time: bool | None
    reviewed: bool  # did the owner answer it?
    what: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    data: bytes


@dataclass
class Msg:
    """One message: who, when (sender's wall clock), the new text, and its labels."""

    sender: str
    at: str  # "YYYY-MM-DD HH:MM" in the sender's timezone
    to: tuple[str, ...]
    body: str  # the new text only; signature and quote are added by the client
    cc: tuple[str, ...] = ()
    subject: str | None = None  # None: the client's reply prefix + the parent's subject
    reply_to: int | None = PREV  # index of the parent in the thread; None: starts fresh
    quote: bool = True
    forward: str | None = None  # a forwarded block appended below the new text
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    html: str | None = None  # a hand-written HTML part (bulk mail); otherwise generated
    bottom_post: bool = False  # new text below the quote (Thunderbird's default)
    # ground truth
    lang: str = "en"
    ambiguous: tuple[str, ...] = ()
    clarification: bool = False
    commitments: tuple[Commitment, ...] = ()
    invoice: Invoice | None = None
    payment: Payment | None = None
    delivery: Delivery | None = None
    note: str = ""


@dataclass
class Thread:
    key: str
    subject: str
    vendor: str | None  # None: not a vendor thread (noise)
    demonstrates: str  # one line for the README
    messages: list[Msg]
    call_reasons: tuple[str, ...] = ()  # empty: no call suggested
    noise: str = ""  # newsletter | personal | auto_reply | payment_notification


def C(kind: str, due: str, text: str) -> Commitment:  # noqa: N802 - short on purpose in data
    return Commitment(kind, due, text)


# --- attachments that are real files of their type -----------------------------------------


def make_pdf(lines: list[str], title: str) -> bytes:
    """A one-page PDF 1.4 with the given text lines (Helvetica, WinAnsi): valid and tiny."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 11 Tf 56 780 Td 16 TL\n"
    content += "".join(f"({esc(line)}) Tj T*\n" for line in lines) + "ET\n"
    stream = content.encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        f"<< /Title ({esc(title)}) /Producer (Brightleaf sample builder) >>".encode("cp1252"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def make_png(width: int, height: int, pixel) -> bytes:
    """An RGB PNG drawn by `pixel(x, y) -> (r, g, b)`; zlib at level 9 keeps it deterministic."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def homepage_preview() -> bytes:
    """A thumbnail of the approved homepage: green bar, hero, 3-column grid on off-white."""

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y < 4:
            return (0x2F, 0x6B, 0x4F)
        if y < 22:
            return (0xC8, 0x7A, 0x3A) if 8 < x < 56 else (0xD9, 0x9A, 0x5B)
        if y > 25 and x % 22 > 3 and (y - 26) % 14 < 10:
            return (0xE3, 0xDA, 0xCB)
        return (0xFA, 0xF7, 0xF2)

    return make_png(64, 54, pixel)


def banner_zip() -> bytes:
    """The Black Friday set: 6 small PNGs (3 formats x 2 offers) in one zip, fixed timestamps."""
    buffer = io.BytesIO()
    sizes = [("1200x628", 24, 13), ("1080x1080", 20, 20), ("1080x1920", 12, 21)]
    offers = [("20-off", (0xE8, 0x5D, 0x3F)), ("free-uk-delivery", (0x2F, 0x6B, 0x4F))]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for size, w, h in sizes:
            for offer, colour in offers:

                def pixel(x: int, y: int, c=colour, hh=h) -> tuple[int, int, int]:
                    return (0xFA, 0xF7, 0xF2) if hh // 3 <= y < hh // 3 + 3 else c

                info = zipfile.ZipInfo(
                    f"Brightleaf_BlackFriday_{offer}_{size}.png", date_time=(2026, 11, 20, 18, 5, 0)
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, make_png(w, h, pixel))
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


WINTER_PRODUCTS = [
    ("Winter Berries notebook, A5", "recycled paper, cloth spine"),
    ("Winter Berries notebook, A4", "recycled paper, cloth spine"),
    ("Frosted Fern greeting card", "recycled card, kraft envelope"),
    ("Robin & Holly greeting card", "recycled card, kraft envelope"),
    ("Snowy Deer greeting card", "recycled card, kraft envelope"),
    ("Winter greetings card set (6)", "recycled card, kraft envelopes"),
    ("2027 botanical wall calendar", "recycled paper, wire binding"),
    ("2027 desk calendar", "recycled paper, birch stand"),
    ("Evergreen gift wrap (3 sheets)", "recycled paper"),
    ("Winter Berries gift wrap (3 sheets)", "recycled paper"),
    ("Gift tags, set of 12", "recycled card, cotton string"),
    ("Pine & Cedar candle, 200 g", "rapeseed wax, cotton wick"),
    ("Orange & Clove candle, 200 g", "rapeseed wax, cotton wick"),
    ("Fig & Frost candle, 200 g", "rapeseed wax, cotton wick"),
    ("Candle trio gift box", "rapeseed wax, card box"),
    ("Snowy Deer art print, A4", "recycled giclée paper"),
    ("Snowy Deer art print, A3", "recycled giclée paper"),
    ("Winter Fern art print, A4", "recycled giclée paper"),
    ("Winter Fern art print, A3", "recycled giclée paper"),
    ("Holly sprig enamel pin", "enamel, recycled backing card"),
    ("Botanical bookmark set (4)", "recycled card, cotton tassels"),
    ("Pocket diary 2027", "recycled paper, linen cover"),
    ("Weekly planner pad", "recycled paper"),
    ("Advent calendar of cards", "recycled card"),
    ("Tea towel, Winter Berries", "organic cotton"),
    ("Tote bag, Evergreen", "organic cotton"),
    ("Mug, Snowy Deer", "stoneware"),
    ("Ceramic tree decoration set (3)", "stoneware, jute string"),
    ("Writing set with envelopes", "recycled paper"),
    ("Winter gift card", "recycled card"),
]


def winter_products_csv() -> bytes:
    rows = [["sku", "name", "materials", "description", "seo_title"]]
    for number, (name, materials) in enumerate(WINTER_PRODUCTS, start=1):
        rows.append([f"BL-W26-{number:02d}", name, materials, "", ""])
    return csv_bytes(rows)


def supplier_shortlist_csv() -> bytes:
    return csv_bytes(
        [
            ["supplier", "website", "minimum order", "price per 100", "lead time", "samples"],
            ["GreenWrap Packaging", "greenwrap.example", "250 mailers", "£38.00", "5 days", "yes"],
            ["Parcelleaf", "parcelleaf.example", "100 mailers", "£44.50", "3-4 days", "yes"],
            ["Kraft & Co", "kraftandco.example", "500 mailers", "£31.20", "10 days", "no"],
            ["EcoEnvelope UK", "ecoenvelope.example", "200 mailers", "£41.00", "7 days", "paid"],
            ["Tissue Tree", "tissuetree.example", "1,000 sheets", "£6.90", "4 days", "no"],
        ]
    )


def invoice_pdf(number: str, issuer: list[str], lines: list[str], title: str) -> Attachment:
    body = [*issuer, "", f"INVOICE {number}", "", "Bill to: Brightleaf, Dana Whitfield", ""]
    return Attachment(
        f"{number.replace('/', '-')}.pdf", "application/pdf", make_pdf(body + lines, title)
    )


# --- PixelCraft (Bengaluru): vague brief -> questions -> call -> crisp result ---------------

PC_HOMEPAGE = Thread(
    key="pc-homepage",
    subject="Homepage refresh for the autumn launch",
    vendor="PixelCraft",
    demonstrates=(
        "Vague brief (make it pop, the usual format, asap), vendor asks 'A or B?', a hedged "
        "answer, more vague feedback, vendor proposes a call; after the call a numbered summary "
        "and a dated promise, kept. INR invoice Net 15, paid on time."
    ),
    call_reasons=("ambiguity", "confusion"),
    messages=[
        Msg(
            "dana",
            "2026-08-10 10:12",
            to=("ravi",),
            body="""\
Hi Ravi,

Great to speak to you last week! We'd love PixelCraft to refresh the Brightleaf homepage \
before our autumn collection goes live.

The current page feels flat. Make it pop, but it still has to feel like us. We also want the \
product grid to feel more premium. Could you send the mockups in the usual format?

A few fixed points:
- The autumn collection launches on Monday 14 September, so I need final designs by Friday \
4 September.
- Desktop and mobile versions, please.
- Keep the existing logo and our green (#2F6B4F).

Ideally we'd see first ideas asap.

Thanks,
Dana""",
            ambiguous=(
                "Make it pop, but it still has to feel like us.",
                "We also want the product grid to feel more premium.",
                "Could you send the mockups in the usual format?",
                "Ideally we'd see first ideas asap.",
            ),
            commitments=(
                C(
                    "request_deadline",
                    "2026-09-04",
                    "The autumn collection launches on Monday 14 September, so I need final "
                    "designs by Friday 4 September.",
                ),
            ),
        ),
        Msg(
            "ravi",
            "2026-08-11 11:40",
            to=("dana",),
            cc=("anita",),
            body="""\
Hi Dana,

Thank you for choosing PixelCraft, we are excited to work on this. I am copying my colleague \
Anita, who will lead the design.

Before we start, two questions so we don't go in the wrong direction:
1. When you say "make it pop", do you mean brighter colours across the page, or a bigger hero \
image with bolder typography?
2. Which format is "the usual" for you: a Figma link, or PDF exports?

We will share two homepage concepts by Friday 21 August.

Best regards,""",
            clarification=True,
            commitments=(
                C(
                    "delivery",
                    "2026-08-21",
                    "We will share two homepage concepts by Friday 21 August.",
                ),
            ),
        ),
        Msg(
            "dana",
            "2026-08-11 09:05",
            to=("ravi",),
            cc=("anita",),
            body="""\
Hi Ravi, hi Anita,

Good questions! Bit of both, I think? Whatever feels more modern. Figma is fine.

Friday 21 August works for me.

Dana""",
            ambiguous=("Bit of both, I think?", "Whatever feels more modern."),
        ),
        Msg(
            "anita",
            "2026-08-21 16:45",
            to=("dana",),
            cc=("ravi",),
            body="""\
Hi Dana,

As promised, here are the two homepage concepts:
https://www.figma.com/file/Qm7xR2pL9vT4/Brightleaf-Homepage-Concepts

Concept A keeps your layout and brightens the palette (warmer greens, cream background). \
Concept B uses a full-width hero photo with larger type and a 4-column product grid.

Both have desktop and mobile frames. Let us know which direction you prefer and we will \
refine it.

Thanks & regards,
Anita""",
            delivery=Delivery(
                "2026-08-21",
                "We will share two homepage concepts by Friday 21 August.",
                True,
                True,
                "two homepage concepts (Figma link)",
            ),
        ),
        Msg(
            "dana",
            "2026-08-24 10:30",
            to=("anita",),
            cc=("ravi",),
            body="""\
Hi Anita,

Thanks both! Concept B is closer, but it still doesn't quite pop. Can you do a few tweaks to \
the grid and make the whole thing a bit cleaner, lighter, etc.? It would be great to see the \
next round this week.

Dana""",
            ambiguous=(
                "Can you do a few tweaks to the grid and make the whole thing a bit cleaner, "
                "lighter, etc.?",
                "It would be great to see the next round this week.",
            ),
        ),
        Msg(
            "ravi",
            "2026-08-25 12:20",
            to=("dana",),
            cc=("anita",),
            body="""\
Hi Dana,

Thank you for the feedback. Sorry, we are not sure which tweaks you mean for the grid: is it \
the spacing, the number of products per row, or the product photos themselves? And should \
"lighter" be a lighter background, or less content on the page?

We don't want to guess and lose a round. Would a quick call help? We could do tomorrow, \
Wednesday, at 14:30 IST, which is 10:00 in London.

Best regards,""",
            clarification=True,
        ),
        Msg(
            "dana",
            "2026-08-25 09:12",
            to=("ravi",),
            cc=("anita",),
            body="""\
Hi Ravi,

Yes, let's talk. Wednesday at 10:00 my time works, I'll send a Google Meet link.

Dana""",
        ),
        Msg(
            "ravi",
            "2026-08-26 16:10",
            to=("dana",),
            cc=("anita",),
            body="""\
Hi Dana,

Thank you for your time on the call today. Summary of what we agreed:

1. Hero: full-width photo of the autumn prints, headline at 48px, one button ("Shop the \
collection").
2. Product grid: 3 products per row on desktop, 2 on mobile, 32px spacing, no hover zoom.
3. Background: off-white (#FAF7F2) instead of cream; keep the green #2F6B4F for buttons.
4. Remove the Instagram strip from the homepage.

We will send the final designs in Figma by Thursday 3 September. Please let us know if we \
missed anything.

Best regards,""",
            commitments=(
                C(
                    "delivery",
                    "2026-09-03",
                    "We will send the final designs in Figma by Thursday 3 September.",
                ),
            ),
            note="after the call: every point is concrete",
        ),
        Msg(
            "anita",
            "2026-09-03 17:30",
            to=("dana",),
            cc=("ravi",),
            body="""\
Hi Dana,

The final homepage designs are ready in the same Figma file, on the page "Final v3":
https://www.figma.com/file/Qm7xR2pL9vT4/Brightleaf-Homepage-Concepts?node-id=214-9

I've attached a small preview of the desktop version. Everything from the call summary is in, \
and the mobile frames are on the same page.

Thanks & regards,
Anita""",
            attachments=(
                Attachment("brightleaf-home-final-preview.png", "image/png", homepage_preview()),
            ),
            delivery=Delivery(
                "2026-09-03",
                "We will send the final designs in Figma by Thursday 3 September.",
                True,
                True,
                "final homepage designs (Figma link + PNG preview)",
            ),
        ),
        Msg(
            "dana",
            "2026-09-03 15:22",
            to=("anita",),
            cc=("ravi",),
            body="""\
Anita, this is exactly what I had in mind, thank you! Approved as it is.

Ravi, please send the invoice whenever you're ready.

Dana""",
        ),
        Msg(
            "ravi",
            "2026-09-07 10:05",
            to=("dana",),
            cc=("anita",),
            body="""\
Hi Dana,

Thank you for the approval, it was a pleasure working on this. Please find attached our \
invoice INV-2041 for the homepage refresh: ₹1,20,000.00, payment terms Net 15.

Our bank details are on the invoice.

Best regards,""",
            attachments=(
                invoice_pdf(
                    "INV-2041",
                    ["PixelCraft Design Studio", "14 Residency Road, Bengaluru 560025, India"],
                    [
                        "Invoice date: 07 September 2026",
                        "Homepage refresh (concepts, one revision round, final designs)",
                        "Amount: INR 1,20,000.00",
                        "Payment terms: Net 15 (due 22 September 2026)",
                        "Bank: HDFC Bank, A/c 50200012345678, IFSC HDFC0000123",
                    ],
                    "PixelCraft invoice INV-2041",
                ),
            ),
            invoice=Invoice("INV-2041", "120000.00", "INR", "2026-09-07", "2026-09-22", "Net 15"),
        ),
        Msg(
            "dana",
            "2026-09-18 11:48",
            to=("ravi",),
            body="""\
Hi Ravi,

INV-2041 is paid: I sent ₹1,20,000 by bank transfer this morning. Thanks again to you and \
Anita!

Dana""",
            payment=Payment("INV-2041", "2026-09-18"),
        ),
    ],
)

PC_BANNERS = Thread(
    key="pc-banners",
    subject="Black Friday banners (6 files)",
    vendor="PixelCraft",
    demonstrates=(
        "Crisp, counted brief with a date; vendor promises an earlier date and delivers on time "
        "with a .zip attachment; the owner never replies (unreviewed delivery); INR invoice "
        "'payable within 7 days', due 1 December (due soon)."
    ),
    messages=[
        Msg(
            "dana",
            "2026-11-16 09:40",
            to=("ravi",),
            cc=("anita",),
            body="""\
Hi Ravi, hi Anita,

We'd like a small banner set for Black Friday (27 November), in the style of the new homepage:

- 3 sizes: 1200×628 (Facebook), 1080×1080 (Instagram feed), 1080×1920 (Stories)
- 2 variants of each: "20% off everything" and "Free UK delivery"
- PNG files, plus the source in Figma
- Headline font and colours as on the homepage

Please send them by Monday 23 November so I have time to schedule the posts.

Thanks,
Dana""",
            commitments=(
                C(
                    "request_deadline",
                    "2026-11-23",
                    "Please send them by Monday 23 November so I have time to schedule the posts.",
                ),
            ),
        ),
        Msg(
            "ravi",
            "2026-11-16 17:55",
            to=("dana",),
            cc=("anita",),
            body="""\
Hi Dana,

Noted, thank you. Anita will work on these and we will deliver all 6 banners by Friday \
20 November, so you have the weekend to review.

Our fee for the set is ₹45,000, as per our rate card.

Best regards,""",
            commitments=(
                C(
                    "delivery",
                    "2026-11-20",
                    "Anita will work on these and we will deliver all 6 banners by Friday "
                    "20 November, so you have the weekend to review.",
                ),
            ),
        ),
        Msg(
            "anita",
            "2026-11-20 18:20",
            to=("dana",),
            cc=("ravi",),
            body="""\
Hi Dana,

Please find attached the Black Friday banner set (6 PNGs in one zip). The Figma source is on \
a new page "Black Friday 2026" in the same file:
https://www.figma.com/file/Qm7xR2pL9vT4/Brightleaf-Homepage-Concepts?node-id=402-17

Happy to adjust anything before Monday.

Thanks & regards,
Anita""",
            attachments=(
                Attachment("Brightleaf_BlackFriday_banners.zip", "application/zip", banner_zip()),
            ),
            delivery=Delivery(
                "2026-11-20",
                "Anita will work on these and we will deliver all 6 banners by Friday "
                "20 November, so you have the weekend to review.",
                True,
                False,
                "6 Black Friday banners (.zip of PNGs + Figma link)",
            ),
        ),
        Msg(
            "ravi",
            "2026-11-24 11:15",
            to=("dana",),
            cc=("anita",),
            body="""\
Hi Dana,

Hope the banners are working well. Please find attached invoice INV-2057 for the Black Friday \
banner set: ₹45,000.00, payable within 7 days.

We haven't heard back from you on the banners yet, so please let us know if anything needs \
changing.

Best regards,""",
            attachments=(
                invoice_pdf(
                    "INV-2057",
                    ["PixelCraft Design Studio", "14 Residency Road, Bengaluru 560025, India"],
                    [
                        "Invoice date: 24 November 2026",
                        "Black Friday banner set (6 files)",
                        "Amount: INR 45,000.00",
                        "Payment terms: within 7 days (due 01 December 2026)",
                        "Bank: HDFC Bank, A/c 50200012345678, IFSC HDFC0000123",
                    ],
                    "PixelCraft invoice INV-2057",
                ),
            ),
            invoice=Invoice(
                "INV-2057", "45000.00", "INR", "2026-11-24", "2026-12-01", "within 7 days"
            ),
        ),
    ],
)


# --- Lucía Fernández (Mexico City): language barrier, taste words, repeated questions ---------

LUCIA_TERMS = [
    "Lucía Fernández Ortega · Ilustración",
    "Col. Roma Norte, Ciudad de México, México · RFC FEOL900412AB1",
]

LUCIA_WINTER = Thread(
    key="lucia-winter",
    subject="Illustrations for our winter collection",
    vendor="Lucía Fernández",
    demonstrates=(
        "Language barrier: the illustrator answers in Spanish or mixed Spanish/English and the "
        "owner reads through a translator; taste words (cosy, whimsical, warmer, more magical, "
        "cuter); two rounds of '¿te refieres a…?'; the vendor asks for a call that never "
        "happens. Promises 'el viernes 2 de octubre' (delivered at 18:30 Mexico time, already "
        "3 October in London: on time in the sender's calendar) and 'el jueves 22 de octubre'. "
        "USD deposit invoice due on receipt, paid the same day (PayPal); final invoice in a "
        "reply whose subject changes to Spanish (RFC 2047), due 30 November (due soon)."
    ),
    call_reasons=("ambiguity", "language_barrier", "confusion"),
    messages=[
        Msg(
            "dana",
            "2026-09-21 14:20",
            to=("lucia",),
            body="""\
Hi Lucía,

I found you through your portfolio and love your botanical pieces. We're launching a winter \
collection (cards, a calendar and gift wrap) and would love 8 illustrations from you.

What we need:
- 8 illustrations, PNG at 3000×3000 px with a transparent background
- Final files by Friday 23 October, as printing starts on 2 November

For the feel: something cosy and a bit whimsical, like our autumn prints but more festive. \
Could you send a few options first so we can pick a direction?

Your quote of $2,500.00 (50% upfront) is fine.

Best wishes,
Dana""",
            ambiguous=(
                "For the feel: something cosy and a bit whimsical, like our autumn prints but "
                "more festive.",
                "Could you send a few options first so we can pick a direction?",
            ),
            commitments=(
                C(
                    "request_deadline",
                    "2026-10-23",
                    "Final files by Friday 23 October, as printing starts on 2 November",
                ),
            ),
        ),
        Msg(
            "lucia",
            "2026-09-22 09:10",
            to=("dana",),
            lang="mixed",
            body="""\
¡Hola Dana!

Muchas gracias, me encanta el proyecto. Sorry, my English is not so good, I write better in \
Spanish.

Una pregunta antes de empezar: cuando dices "a few options", ¿te refieres a varias versiones \
de la misma ilustración, o a dos o tres estilos diferentes para elegir uno? Y "like our autumn \
prints": ¿los de hojas en acuarela o los de líneas negras?

Te mando los primeros bocetos el viernes 2 de octubre. Te adjunto la factura LF-2026-09 del \
anticipo (50%): $1,250.00 USD, pagadera al recibirla.

¡Saludos!
Lucía""",
            attachments=(
                invoice_pdf(
                    "LF-2026-09",
                    LUCIA_TERMS,
                    [
                        "Fecha: 22 de septiembre de 2026",
                        "Anticipo 50% - 8 ilustraciones, coleccion de invierno",
                        "Total: $1,250.00 USD",
                        "Pagadera al recibirla (due on receipt)",
                        "PayPal: lucia@luciadesigns.example",
                    ],
                    "Factura LF-2026-09",
                ),
            ),
            clarification=True,
            commitments=(
                C(
                    "delivery",
                    "2026-10-02",
                    "Te mando los primeros bocetos el viernes 2 de octubre.",
                ),
            ),
            invoice=Invoice(
                "LF-2026-09", "1250.00", "USD", "2026-09-22", "2026-09-22", "due on receipt"
            ),
        ),
        Msg(
            "dana",
            "2026-09-22 17:45",
            to=("lucia",),
            body="""\
Hola Lucía,

Thank you! Sorry, I had to put your message through a translator, so I hope I understood it \
right.

Different styles, I think? Maybe two or three. The watercolour leaves are closest, but don't \
feel tied to them.

Deposit paid through PayPal just now.

Dana""",
            ambiguous=(
                "Different styles, I think?",
                "Maybe two or three.",
                "The watercolour leaves are closest, but don't feel tied to them.",
            ),
            payment=Payment("LF-2026-09", "2026-09-22"),
        ),
        Msg(
            "lucia",
            "2026-10-02 18:30",
            to=("dana",),
            lang="es",
            body="""\
¡Hola Dana!

Aquí están los bocetos, tres estilos como pediste:
https://www.dropbox.com/scl/fo/lf8w2k3n9q/Brightleaf-invierno-bocetos

1. Acuarela con hojas y bayas
2. Línea fina con un poco de color (tipo grabado)
3. Más infantil, con animalitos del bosque

Dime cuál te gusta más y sigo con las 8 finales.

¡Gracias!
Lucía""",
            delivery=Delivery(
                "2026-10-02",
                "Te mando los primeros bocetos el viernes 2 de octubre.",
                True,
                True,
                "sketches in three styles (Dropbox link)",
            ),
        ),
        Msg(
            "dana",
            "2026-10-05 10:05",
            to=("lucia",),
            body="""\
Hola Lucía,

These are lovely! Number 2 is our favourite. Could you make it a bit warmer and more magical? \
The deer could be cuter too.

Gracias!
Dana""",
            ambiguous=(
                "Could you make it a bit warmer and more magical?",
                "The deer could be cuter too.",
            ),
        ),
        Msg(
            "lucia",
            "2026-10-05 12:40",
            to=("dana",),
            lang="es",
            body="""\
Hola Dana,

Perdón, no entiendo bien. ¿"Warmer" quiere decir colores más cálidos (naranja, rojo, dorado) \
o un estilo más suave y acogedor? ¿Y "magical" es con brillos, estrellas, nieve…? No quiero \
hacer las 8 en la dirección equivocada.

¿Podemos hablar por videollamada? Para mí es más fácil explicarme hablando.

Lucía""",
            clarification=True,
        ),
        Msg(
            "dana",
            "2026-10-06 09:20",
            to=("lucia",),
            body="""\
Hi Lucía,

Sorry for the confusion! Warmer colours: more orange and gold, less blue. Magical means a \
little snow and a few gold stars, nothing too sparkly.

I'm travelling for the next couple of weeks, so a call is hard, but I trust you. Please go \
ahead with the 8 finals in style 2.

Dana""",
            note="answers the questions; the call Lucía asked for does not happen",
        ),
        Msg(
            "lucia",
            "2026-10-07 08:15",
            to=("dana",),
            lang="es",
            body="""\
¡Perfecto, gracias Dana! Ahora sí entiendo.

Te mando las 8 ilustraciones finales el jueves 22 de octubre, un día antes de lo que pediste.

Lucía""",
            commitments=(
                C(
                    "delivery",
                    "2026-10-22",
                    "Te mando las 8 ilustraciones finales el jueves 22 de octubre, un día antes "
                    "de lo que pediste.",
                ),
            ),
        ),
        Msg(
            "lucia",
            "2026-10-22 19:50",
            to=("dana",),
            lang="mixed",
            body="""\
Hola Dana,

Aquí están las 8 ilustraciones finales en PNG, 3000×3000 px, fondo transparente:
https://drive.google.com/drive/folders/1LfW1nter2026Br1ghtleafF1nals

I also put the layered PSD files in the same folder, in case you need them for the gift wrap.

Espero que te gusten.
Lucía""",
            delivery=Delivery(
                "2026-10-22",
                "Te mando las 8 ilustraciones finales el jueves 22 de octubre, un día antes de "
                "lo que pediste.",
                True,
                True,
                "8 final illustrations + PSDs (Google Drive link)",
            ),
        ),
        Msg(
            "dana",
            "2026-10-23 09:30",
            to=("lucia",),
            body="""\
Lucía, they're beautiful and the deer is perfect. Approved!

Please send the final invoice when you can.

Dana""",
        ),
        Msg(
            "lucia",
            "2026-10-26 11:00",
            to=("dana",),
            subject="Factura LF-2026-12 – colección de invierno",
            lang="es",
            body="""\
Hola Dana,

¡Gracias! Te adjunto la factura final LF-2026-12 por $1,250.00 USD (el otro 50%). Vence el \
30 de noviembre.

Puedes pagar por PayPal como la vez pasada.

Saludos,
Lucía""",
            attachments=(
                invoice_pdf(
                    "LF-2026-12",
                    LUCIA_TERMS,
                    [
                        "Fecha: 26 de octubre de 2026",
                        "Saldo 50% - 8 ilustraciones finales, coleccion de invierno",
                        "Total: $1,250.00 USD",
                        "Vence / due: 30 de noviembre de 2026",
                        "PayPal: lucia@luciadesigns.example",
                    ],
                    "Factura LF-2026-12",
                ),
            ),
            invoice=Invoice(
                "LF-2026-12", "1250.00", "USD", "2026-10-26", "2026-11-30", "due 30 November"
            ),
        ),
    ],
)

PAYPAL_RECEIPT_HTML = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal receipt</title></head>
<body style="margin:0;background:#f5f7fa;font-family:Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="560" style="background:#ffffff;padding:24px">
<tr><td><img src="https://www.paypal.example/img/logo.png" alt="PayPal" width="96"></td></tr>
<tr><td><p style="font-size:22px">You sent $1,250.00&nbsp;USD to Lucía Fernández</p>
<p>Hello Dana Whitfield,</p>
<p>You sent a payment of <strong>$1,250.00 USD</strong> to Lucía Fernández
(lucia@luciadesigns.example).</p>
<p>It may take a few moments for this transaction to appear in your account.</p>
<table role="presentation" style="font-size:14px">
<tr><td>Transaction ID</td><td>7KX29384LM5560921</td></tr>
<tr><td>Transaction date</td><td>22 September 2026</td></tr>
<tr><td>Note to seller</td><td>LF-2026-09 anticipo - winter illustrations</td></tr>
<tr><td>Payment</td><td>$1,250.00 USD</td></tr>
<tr><td>Funding</td><td>Visa Debit x-4417: £938.61 GBP</td></tr>
</table>
<p style="font-size:12px;color:#687173">Please do not reply to this email. For help, visit the
Help Centre.</p></td></tr></table></td></tr></table></body></html>"""

PAYPAL_RECEIPT = Thread(
    key="paypal-lucia",
    subject="Receipt for your payment to Lucía Fernández",
    vendor="Lucía Fernández",
    noise="payment_notification",
    demonstrates=(
        "PayPal-style receipt (no-reply sender, HTML + text, non-ASCII subject as an RFC 2047 "
        "encoded word): evidence that deposit LF-2026-09 was paid on 22 September."
    ),
    messages=[
        Msg(
            "paypal",
            "2026-09-22 09:44",
            to=("dana",),
            body="""\
You sent $1,250.00 USD to Lucía Fernández

Hello Dana Whitfield,

You sent a payment of $1,250.00 USD to Lucía Fernández (lucia@luciadesigns.example).

It may take a few moments for this transaction to appear in your account.

Transaction ID: 7KX29384LM5560921
Transaction date: 22 September 2026
Note to seller: LF-2026-09 anticipo - winter illustrations
Payment: $1,250.00 USD
Funding: Visa Debit x-4417: £938.61 GBP

Please do not reply to this email. For help, visit the Help Centre.""",
            html=PAYPAL_RECEIPT_HTML,
            payment=Payment("LF-2026-09", "2026-09-22"),
        ),
    ],
)


# --- Tiago Souza (São Paulo): clear work, dd/mm dates, R$ invoice now overdue ----------------

TIAGO_COPY = Thread(
    key="tiago-descriptions",
    subject="Product descriptions – winter collection (30 items)",
    vendor="Tiago Souza",
    demonstrates=(
        "Clear, numbered brief with a CSV attachment; clear non-native English from a "
        "Brazilian copywriter with dd/mm dates ('until 07/10', 'until 15/10') and Portuguese "
        "sign-offs and Gmail attribution lines (not a language barrier); two deliveries by "
        "Google Sheets link, both on time; R$ invoice Net 30 due 14 November, unpaid: the vendor "
        "sends a reminder on 23 November (overdue)."
    ),
    messages=[
        Msg(
            "dana",
            "2026-09-29 10:20",
            to=("tiago",),
            body="""\
Hi Tiago,

As discussed, here's the product list for the winter collection (attached, 30 items).

Please write:
1. One description per product, 80–120 words, in British English.
2. A one-line SEO title (max 60 characters) for each.
3. Put them in the "description" and "seo_title" columns of the same sheet.

Same tone as the autumn descriptions you wrote for us. I need everything by Friday \
16 October.

Thanks!
Dana""",
            attachments=(Attachment("winter-products.csv", "text/csv", winter_products_csv()),),
            commitments=(
                C("request_deadline", "2026-10-16", "I need everything by Friday 16 October."),
            ),
        ),
        Msg(
            "tiago",
            "2026-09-29 09:05",
            to=("dana",),
            body="""\
Hi Dana,

Thanks for sending! All clear. I will send the first 10 until 07/10 so you can check the \
tone. The other 20 will follow until 15/10, one day before your deadline.

Abraços,
Tiago""",
            commitments=(
                C(
                    "delivery",
                    "2026-10-07",
                    "I will send the first 10 until 07/10 so you can check the tone.",
                ),
                C(
                    "delivery",
                    "2026-10-15",
                    "The other 20 will follow until 15/10, one day before your deadline.",
                ),
            ),
        ),
        Msg(
            "tiago",
            "2026-10-06 17:40",
            to=("dana",),
            body="""\
Hi Dana,

The first 10 descriptions are in the sheet now (rows 2 to 11):
https://docs.google.com/spreadsheets/d/1TsW1nterC0pyBr1ghtleaf/edit#gid=0

I kept the tone of the autumn ones: warm, a bit playful, short sentences. Let me know if you \
want any changes before I write the rest.

Abraços,
Tiago""",
            delivery=Delivery(
                "2026-10-06",
                "I will send the first 10 until 07/10 so you can check the tone.",
                True,
                True,
                "first 10 descriptions (Google Sheets link)",
            ),
        ),
        Msg(
            "dana",
            "2026-10-07 09:10",
            to=("tiago",),
            body="""\
Hi Tiago,

Lovely, thank you. Two changes for the rest: please use "colour", not "color", and mention \
the recycled paper in every stationery item.

Dana""",
        ),
        Msg(
            "tiago",
            "2026-10-15 16:25",
            to=("dana",),
            body="""\
Hi Dana,

All 30 are done (rows 2 to 31), with "colour" and the recycled paper everywhere. I also fixed \
"color" in the first 10.

Abraços,
Tiago""",
            delivery=Delivery(
                "2026-10-15",
                "The other 20 will follow until 15/10, one day before your deadline.",
                True,
                True,
                "all 30 descriptions (same sheet)",
            ),
        ),
        Msg(
            "tiago",
            "2026-10-15 16:32",
            to=("dana",),
            body="""\
And here is my invoice SC-2026-017 for the 30 descriptions: R$ 3.200,00, payment in 30 days \
(Net 30), bank details on the invoice.

Obrigado!
Tiago""",
            attachments=(
                invoice_pdf(
                    "SC-2026-017",
                    [
                        "Tiago Souza - Souza Copy",
                        "Sao Paulo - SP, Brasil - CNPJ 12.345.678/0001-90",
                    ],
                    [
                        "Data de emissao: 15/10/2026",
                        "30 product descriptions + SEO titles (EN-GB)",
                        "Total: R$ 3.200,00",
                        "Vencimento: 14/11/2026 (Net 30)",
                        "Banco Itau - Ag. 0123 - C/C 45678-9 - PIX tiago@souzacopy.example",
                    ],
                    "Invoice SC-2026-017",
                ),
            ),
            invoice=Invoice("SC-2026-017", "3200.00", "BRL", "2026-10-15", "2026-11-14", "Net 30"),
        ),
        Msg(
            "dana",
            "2026-10-16 08:55",
            to=("tiago",),
            body="""\
Thanks Tiago, these read beautifully. Approved!

Dana""",
        ),
        Msg(
            "tiago",
            "2026-11-23 10:10",
            to=("dana",),
            body="""\
Hi Dana,

I hope you are well! Just a gentle reminder that invoice SC-2026-017 (R$ 3.200,00) was due \
on 14/11 and I haven't received the payment yet. Could you check, please?

Abraços,
Tiago""",
            note="payment reminder; no answer as of 27 November",
        ),
    ],
)


# --- Maria Santos (Quezon City): VA retainer, clear Filipino English, PHP invoice -------------

MARIA_TASKS = Thread(
    key="maria-november",
    subject="November tasks",
    vendor="Maria Santos",
    demonstrates=(
        "Crisp numbered instructions with a dated request; clear Filipino English ('Noted on "
        "this', 'po', 'Ma'am') that is not a language barrier; a promise a day early, kept, with "
        "a CSV attachment; a follow-up task without a date."
    ),
    messages=[
        Msg(
            "dana",
            "2026-11-02 09:15",
            to=("maria",),
            body="""\
Hi Maria,

Here's the list for November:

1. Answer customer emails in the hello@ inbox within 24 hours on weekdays.
2. Update the stock sheet every Monday and Thursday before 10:00 UK time.
3. Find 5 UK suppliers of plastic-free packaging (mailer boxes and tissue paper) and send me \
a shortlist by Friday 13 November: name, website, minimum order, price per 100 and lead time.

Flag anything odd with an order to me straight away.

Thanks!
Dana""",
            commitments=(
                C(
                    "request_deadline",
                    "2026-11-13",
                    "Find 5 UK suppliers of plastic-free packaging (mailer boxes and tissue "
                    "paper) and send me a shortlist by Friday 13 November: name, website, "
                    "minimum order, price per 100 and lead time.",
                ),
            ),
        ),
        Msg(
            "maria",
            "2026-11-02 17:40",
            to=("dana",),
            body="""\
Hi Ma'am Dana,

Noted on this, thank you! I will send the supplier shortlist on or before Thursday, \
November 12 so you have time to review.

Regards,
Maria""",
            commitments=(
                C(
                    "delivery",
                    "2026-11-12",
                    "I will send the supplier shortlist on or before Thursday, November 12 so "
                    "you have time to review.",
                ),
            ),
        ),
        Msg(
            "maria",
            "2026-11-12 16:05",
            to=("dana",),
            reply_to=0,
            body="""\
Hi Ma'am Dana,

Please see attached the shortlist of 5 UK packaging suppliers with the details you asked for. \
Two of them (GreenWrap and Parcelleaf) can send free samples.

Let me know if you need more options po.

Regards,
Maria""",
            attachments=(
                Attachment(
                    "packaging-suppliers-shortlist.csv", "text/csv", supplier_shortlist_csv()
                ),
            ),
            delivery=Delivery(
                "2026-11-12",
                "I will send the supplier shortlist on or before Thursday, November 12 so you "
                "have time to review.",
                True,
                True,
                "supplier shortlist (CSV attachment)",
            ),
        ),
        Msg(
            "dana",
            "2026-11-12 10:20",
            to=("maria",),
            body="""\
Thanks Maria, this is really helpful.

Please ask GreenWrap and Parcelleaf for samples of their mailer boxes (A5 and A4) and tissue \
paper, sent to the studio address.

Dana""",
        ),
        Msg(
            "maria",
            "2026-11-25 15:10",
            to=("dana",),
            body="""\
Hi Ma'am Dana,

Update on the samples: GreenWrap posted theirs yesterday, and Parcelleaf's are on the way \
too. I will update the stock sheet tomorrow morning as usual.

Regards,
Maria""",
            note="status update, not a delivery",
        ),
    ],
)

MARIA_PARCEL = Thread(
    key="maria-parcel",
    subject="Fwd: Damaged parcel – order #4471",
    vendor="Maria Santos",
    demonstrates=(
        "A Gmail forward (Fwd:, forwarded-message block from a customer) with one vague "
        "instruction ('sort this out asap'); the VA asks one question, the owner answers at once "
        "(a single quick clarification: no call)."
    ),
    messages=[
        Msg(
            "dana",
            "2026-11-19 08:50",
            to=("maria",),
            subject="Fwd: Damaged parcel – order #4471",
            reply_to=None,
            body="""\
Hi Maria, can you sort this out asap? Thanks!

D""",
            forward="""\
---------- Forwarded message ---------
From: Claire Bennett <claire.bennett@mailbox.example>
Date: Wed, 18 Nov 2026 at 21:14
Subject: Damaged parcel – order #4471
To: <hello@brightleaf.example>


Hello,

My order #4471 arrived today and the calendar is bent and the tissue paper was torn. It's a \
present for my mum, so I'm quite disappointed. Can you help?

Claire""",
            ambiguous=("Hi Maria, can you sort this out asap?",),
        ),
        Msg(
            "maria",
            "2026-11-19 17:30",
            to=("dana",),
            body="""\
Hi Ma'am Dana,

Noted. Just to confirm, shall I offer Claire a replacement or a full refund? And should I ask \
her for a photo of the damage first?

Regards,
Maria""",
            clarification=True,
        ),
        Msg(
            "dana",
            "2026-11-19 09:45",
            to=("maria",),
            body="""\
A replacement, please, no photo needed. Send it first class today and give her a 10% code for \
her next order.

Dana""",
        ),
        Msg(
            "maria",
            "2026-11-19 18:20",
            to=("dana",),
            body="""\
Done po. The replacement goes out with today's collection and I sent Claire the code \
BRIGHT10-4471. She replied that she is happy. 🙂

Regards,
Maria""",
            note="task report, not a deliverable",
        ),
        Msg(
            "dana",
            "2026-11-19 10:31",
            to=("maria",),
            body="""\
Perfect, thank you Maria!

Dana""",
        ),
    ],
)

MARIA_INVOICE = Thread(
    key="maria-invoice",
    subject="Invoice MS-2026-10 – October VA services",
    vendor="Maria Santos",
    demonstrates=(
        "PHP invoice 'due upon receipt' sent on a Monday morning in Manila (still Sunday night "
        "in London); the owner says it is paid and the VA confirms receipt (two payment "
        "evidences, same day)."
    ),
    messages=[
        Msg(
            "maria",
            "2026-11-02 07:30",
            to=("dana",),
            body="""\
Hi Ma'am Dana,

Good day! Please see attached my invoice MS-2026-10 for October (80 hours): PHP 18,500.00, \
due upon receipt.

Thank you po!
Maria""",
            attachments=(
                invoice_pdf(
                    "MS-2026-10",
                    ["Maria Santos - Bayanihan VA Services", "Quezon City, Philippines"],
                    [
                        "Invoice date: November 2, 2026",
                        "Virtual assistant services, October 2026 (80 hours)",
                        "Total: PHP 18,500.00",
                        "Terms: due upon receipt",
                        "Wise / BDO Savings 0012-3456-7890",
                    ],
                    "Invoice MS-2026-10",
                ),
            ),
            invoice=Invoice(
                "MS-2026-10", "18500.00", "PHP", "2026-11-02", "2026-11-02", "due upon receipt"
            ),
        ),
        Msg(
            "dana",
            "2026-11-02 10:02",
            to=("maria",),
            body="""\
Hi Maria,

Paid via Wise just now. Thank you for a great October!

Dana""",
            payment=Payment("MS-2026-10", "2026-11-02"),
        ),
        Msg(
            "maria",
            "2026-11-02 19:15",
            to=("dana",),
            body="""\
Received po, thank you Ma'am Dana!

Maria""",
            payment=Payment("MS-2026-10", "2026-11-02"),
        ),
    ],
)


# --- Kacper Nowak (Wrocław): a reliable developer who starts slipping -----------------------

KACPER_ISSUER = [
    "Nowak Dev Kacper Nowak",
    "ul. Legnicka 12/4, 54-203 Wroclaw, Poland, NIP 8941234567",
]

KACPER_AUG = Thread(
    key="kacper-variants",
    subject="Stock sync: variants show the wrong quantity",
    vendor="Kacper Nowak",
    demonstrates=(
        "Baseline of a reliable vendor: answers within the hour, two dated promises (staging, "
        "live) both kept; EUR invoice '1.250,00 €' within 14 days, paid a week later (see the "
        "Wise notification). The owner writes from Thunderbird here."
    ),
    messages=[
        Msg(
            "dana_tb",
            "2026-08-10 15:30",
            to=("kacper",),
            body="""\
Hi Kacper,

The stock sync is playing up again: since last week, products with variants (the A5/A4 \
notebooks, the candle sizes) show the stock of the first variant for every variant on the shop.

Could you fix it so each variant gets its own quantity from the warehouse CSV? Please have it \
live by Friday 21 August, before the late-summer sale starts.

Thanks,
Dana""",
            commitments=(
                C(
                    "request_deadline",
                    "2026-08-21",
                    "Please have it live by Friday 21 August, before the late-summer sale starts.",
                ),
            ),
        ),
        Msg(
            "kacper",
            "2026-08-10 17:02",
            to=("dana",),
            body="""\
Hi Dana,

Thanks, I see the problem - the sync reads the parent SKU instead of the variant SKU. I will \
have the fix on staging by Wednesday 19 August. It will be live by Thursday 20 August.

Best,
Kacper""",
            commitments=(
                C(
                    "delivery",
                    "2026-08-19",
                    "I will have the fix on staging by Wednesday 19 August.",
                ),
                C("delivery", "2026-08-20", "It will be live by Thursday 20 August."),
            ),
        ),
        Msg(
            "kacper",
            "2026-08-19 14:10",
            to=("dana",),
            body="""\
Hi Dana,

The fix is on staging: https://staging.brightleaf.example/products/a5-notebook - each variant \
now shows its own stock. If it looks fine to you, I will deploy tomorrow morning.

Best,
Kacper""",
            delivery=Delivery(
                "2026-08-19",
                "I will have the fix on staging by Wednesday 19 August.",
                True,
                True,
                "variant stock fix on staging",
            ),
        ),
        Msg(
            "dana_tb",
            "2026-08-19 16:00",
            to=("kacper",),
            body="""\
Checked a few products, the numbers are right. Go ahead!

Dana""",
        ),
        Msg(
            "kacper",
            "2026-08-20 10:25",
            to=("dana",),
            body="""\
Hi Dana,

Deployed to live at 10:15, and the 09:00 sync already ran with the correct numbers.

Invoice KN/2026/08 attached: 1.250,00 €, payment within 14 days.

Best,
Kacper""",
            attachments=(
                invoice_pdf(
                    "KN/2026/08",
                    KACPER_ISSUER,
                    [
                        "Data wystawienia / issued: 20.08.2026",
                        "Stock sync: per-variant quantities (fix, tests, deployment)",
                        "Razem / total: 1.250,00 EUR (reverse charge)",
                        "Termin platnosci / due: 03.09.2026 (14 dni)",
                        "IBAN PL61 1090 1014 0000 0712 1981 2874, BIC WBKPPLPP",
                    ],
                    "Faktura KN/2026/08",
                ),
            ),
            delivery=Delivery(
                "2026-08-20",
                "It will be live by Thursday 20 August.",
                True,
                True,
                "variant stock fix live",
            ),
            invoice=Invoice(
                "KN/2026/08", "1250.00", "EUR", "2026-08-20", "2026-09-03", "within 14 days"
            ),
        ),
        Msg(
            "dana_tb",
            "2026-08-20 11:40",
            to=("kacper",),
            body="""\
Brilliant, thank you Kacper! I'll pay it next week.

Dana""",
        ),
    ],
)

WISE_HTML = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Wise</title></head>
<body style="margin:0;background:#ffffff;font-family:Inter,Helvetica,Arial,sans-serif">
<div style="max-width:560px;margin:0 auto;padding:32px 24px">
<img src="https://wise.example/static/logo.png" alt="Wise" width="80">
<h1 style="font-size:28px;color:#163300">You sent 1,250.00 EUR to Kacper Nowak</h1>
<p>Hi Dana,</p>
<p>Your money is on its way. It should arrive in Kacper Nowak's account by today.</p>
<table role="presentation" style="width:100%;font-size:15px">
<tr><td>You sent</td><td align="right">1,084.37 GBP</td></tr>
<tr><td>Our fee (included)</td><td align="right">4.12 GBP</td></tr>
<tr><td>Kacper Nowak gets</td><td align="right"><b>1,250.00 EUR</b></td></tr>
<tr><td>Reference</td><td align="right">KN/2026/08</td></tr>
<tr><td>Transfer number</td><td align="right">#1187442093</td></tr>
</table>
<p><a href="https://wise.example/transactions/1187442093">Track your transfer</a></p>
<p style="font-size:12px;color:#6a6c6a">Wise Payments Limited, London. This is an automated
message, replies are not monitored.</p>
</div></body></html>"""

WISE_KACPER = Thread(
    key="wise-kacper",
    subject="You sent 1,250.00 EUR to Kacper Nowak",
    vendor="Kacper Nowak",
    noise="payment_notification",
    demonstrates=(
        "Wise-style transfer notification (no-reply, HTML + text) naming the vendor and the "
        "invoice reference: KN/2026/08 paid on 27 August, before its 3 September due date."
    ),
    messages=[
        Msg(
            "wise",
            "2026-08-27 11:03",
            to=("dana",),
            body="""\
You sent 1,250.00 EUR to Kacper Nowak

Hi Dana,

Your money is on its way. It should arrive in Kacper Nowak's account by today.

You sent: 1,084.37 GBP
Our fee (included): 4.12 GBP
Kacper Nowak gets: 1,250.00 EUR
Reference: KN/2026/08
Transfer number: #1187442093

Track your transfer: https://wise.example/transactions/1187442093

Wise Payments Limited, London. This is an automated message, replies are not monitored.""",
            html=WISE_HTML,
            payment=Payment("KN/2026/08", "2026-08-27"),
        ),
    ],
)

KACPER_SEP = Thread(
    key="kacper-eu-shipping",
    subject="Shipping rates for EU orders",
    vendor="Kacper Nowak",
    demonstrates=(
        "Still reliable: clear spec with a staging deadline, promise two days earlier, kept; "
        "go-live on the owner's date, kept. One reply is bottom-posted below the quote "
        "(Thunderbird default)."
    ),
    messages=[
        Msg(
            "dana_tb",
            "2026-09-08 09:45",
            to=("kacper",),
            body="""\
Hi Kacper,

We're opening EU shipping on 1 October. Could you add these rates at checkout:

- EU standard: £6.50, free over £60
- EU tracked: £11.00
- the line "Prices include EU VAT (IOSS)" under the total for EU addresses

Please have it on staging by Friday 18 September so I can test it.

Dana""",
            commitments=(
                C(
                    "request_deadline",
                    "2026-09-18",
                    "Please have it on staging by Friday 18 September so I can test it.",
                ),
            ),
        ),
        Msg(
            "kacper",
            "2026-09-08 13:20",
            to=("dana",),
            bottom_post=True,
            body="""\
Sure, no problem. I'll have it on staging by Wednesday 16 September.

Kacper""",
            commitments=(
                C("delivery", "2026-09-16", "I'll have it on staging by Wednesday 16 September."),
            ),
            note="bottom-posted: the new text is below the quote",
        ),
        Msg(
            "kacper",
            "2026-09-16 17:45",
            to=("dana",),
            body="""\
Hi Dana,

Done: EU rates and the IOSS line are on staging. For testing, use any address in Germany or \
Ireland; the IOSS line shows only for EU countries.

Best,
Kacper""",
            delivery=Delivery(
                "2026-09-16",
                "I'll have it on staging by Wednesday 16 September.",
                True,
                True,
                "EU shipping rates on staging",
            ),
        ),
        Msg(
            "dana_tb",
            "2026-09-17 10:10",
            to=("kacper",),
            body="""\
Tested with a German and an Irish address, all correct. Please put it live on 30 September.

Dana""",
            commitments=(
                C("request_deadline", "2026-09-30", "Please put it live on 30 September."),
            ),
        ),
        Msg(
            "kacper",
            "2026-09-30 09:05",
            to=("dana",),
            body="""\
It's live. EU rates and the IOSS line are on the checkout now.

Kacper""",
            delivery=Delivery(
                "2026-09-30",
                "Please put it live on 30 September.",
                True,
                True,
                "EU shipping rates live",
            ),
        ),
        Msg(
            "dana_tb",
            "2026-09-30 12:30",
            to=("kacper",),
            body="""\
Great, thank you! Our first order from Dublin came in an hour ago.

Dana""",
        ),
    ],
)

KACPER_OCT = Thread(
    key="kacper-gift-wrap",
    subject="Gift wrap option at checkout",
    vendor="Kacper Nowak",
    demonstrates=(
        "First slip: reply after a day and a half, promise 'by Friday 16 October' missed, the "
        "owner chases, a new promise 'tomorrow' missed too, delivery on 21 October (late), a "
        "bug found by customers and a revision; EUR invoice paid on time by the owner."
    ),
    messages=[
        Msg(
            "dana_tb",
            "2026-10-05 11:00",
            to=("kacper",),
            body="""\
Hi Kacper,

For the winter collection we'd like a gift wrap option at checkout:

- a checkbox "Gift wrap this order (+£3.50)" on the cart page
- a gift message field, max 200 characters, printed on the packing slip
- the £3.50 as a separate line on the order

Could you have it live by Friday 16 October? The collection goes up on the 19th.

Dana""",
            commitments=(
                C("request_deadline", "2026-10-16", "Could you have it live by Friday 16 October?"),
            ),
        ),
        Msg(
            "kacper",
            "2026-10-06 22:40",
            to=("dana",),
            body="""\
Hi Dana,

OK, will do. I will have it live by Friday 16 October.

Kacper""",
            commitments=(C("delivery", "2026-10-16", "I will have it live by Friday 16 October."),),
        ),
        Msg(
            "dana_tb",
            "2026-10-19 08:40",
            to=("kacper",),
            body="""\
Hi Kacper,

The collection goes up today and I can't see the gift wrap option on the live site yet. \
Where are we with it?

Dana""",
            note="a chase, not a clarification request",
        ),
        Msg(
            "kacper",
            "2026-10-19 20:55",
            to=("dana",),
            body="""\
Sorry Dana, I had a lot of other work last week. It's almost done, I'll deploy it tomorrow.

Kacper""",
            commitments=(
                C("delivery", "2026-10-20", "It's almost done, I'll deploy it tomorrow."),
            ),
        ),
        Msg(
            "kacper",
            "2026-10-21 23:10",
            to=("dana",),
            reply_to=2,
            body="""\
It's live now. Sorry again for the delay.

Kacper""",
            delivery=Delivery(
                "2026-10-21",
                "It's almost done, I'll deploy it tomorrow.",
                False,
                True,
                "gift wrap option live (5 days after the first promise)",
            ),
        ),
        Msg(
            "dana_tb",
            "2026-10-22 09:30",
            to=("kacper",),
            body="""\
Thanks. Two customers say their gift message isn't on the packing slip (orders #4389 and \
#4391). Can you check it today, please?

Dana""",
            commitments=(C("request_deadline", "2026-10-22", "Can you check it today, please?"),),
        ),
        Msg(
            "kacper",
            "2026-10-23 16:45",
            to=("dana",),
            body="""\
Fixed, the packing slip template was cached. Both orders now print the message.

Invoice KN/2026/10 attached: 1.800,00 €, payment within 14 days.

Kacper""",
            attachments=(
                invoice_pdf(
                    "KN/2026/10",
                    KACPER_ISSUER,
                    [
                        "Data wystawienia / issued: 23.10.2026",
                        "Checkout: gift wrap option, gift message on packing slip",
                        "Razem / total: 1.800,00 EUR (reverse charge)",
                        "Termin platnosci / due: 06.11.2026 (14 dni)",
                        "IBAN PL61 1090 1014 0000 0712 1981 2874, BIC WBKPPLPP",
                    ],
                    "Faktura KN/2026/10",
                ),
            ),
            delivery=Delivery(
                "2026-10-23",
                "Can you check it today, please?",
                False,
                True,
                "packing slip fix (a revision round)",
            ),
            invoice=Invoice(
                "KN/2026/10", "1800.00", "EUR", "2026-10-23", "2026-11-06", "within 14 days"
            ),
        ),
        Msg(
            "dana_tb",
            "2026-11-03 14:00",
            to=("kacper",),
            body="""\
Gift messages print fine now, thanks. I paid KN/2026/10 today by Wise.

Dana""",
            payment=Payment("KN/2026/10", "2026-11-03"),
        ),
    ],
)

KACPER_NOV = Thread(
    key="kacper-discounts",
    subject="Black Friday: discount codes ignore the minimum spend",
    vendor="Kacper Nowak",
    demonstrates=(
        "The slip continues: reply after 36 hours, promise 'by Thursday 19 November' missed, "
        "owner's deadline missed, a new promise 'on Monday 23 November' missed, delivery on the "
        "24th (late) with a regression, a second fix a day after the owner's 'today'. EUR "
        "invoice not yet due. Quality trend: 4 of 4 on time in Aug/Sep, 0 of 4 in Oct/Nov."
    ),
    messages=[
        Msg(
            "dana_tb",
            "2026-11-16 10:05",
            to=("kacper",),
            body="""\
Hi Kacper,

Discount codes with a minimum spend (e.g. WINTER15, min £40) are being accepted on carts \
below £40. We launch the Black Friday codes on Friday 27 November, so this must be fixed by \
Friday 20 November.

Also, please add a code BLACKFRIDAY20: 20% off everything, valid 27–30 November, one use per \
customer.

Thanks,
Dana""",
            commitments=(
                C(
                    "request_deadline",
                    "2026-11-20",
                    "We launch the Black Friday codes on Friday 27 November, so this must be "
                    "fixed by Friday 20 November.",
                ),
            ),
        ),
        Msg(
            "kacper",
            "2026-11-17 23:30",
            to=("dana",),
            body="""\
Hi Dana,

Sorry for the slow answer. I'll look at it tomorrow and have the fix ready by Thursday \
19 November.

Kacper""",
            commitments=(
                C(
                    "delivery",
                    "2026-11-19",
                    "I'll look at it tomorrow and have the fix ready by Thursday 19 November.",
                ),
            ),
        ),
        Msg(
            "dana_tb",
            "2026-11-20 16:10",
            to=("kacper",),
            body="""\
Hi Kacper, any news? I still can't see a fix on staging, and today was the deadline.

Dana""",
        ),
        Msg(
            "kacper",
            "2026-11-21 12:15",
            to=("dana",),
            body="""\
Sorry, I was sick for two days. I will finish it on Monday 23 November, definitely.

Kacper""",
            commitments=(
                C(
                    "delivery",
                    "2026-11-23",
                    "I will finish it on Monday 23 November, definitely.",
                ),
            ),
        ),
        Msg(
            "kacper",
            "2026-11-24 21:40",
            to=("dana",),
            reply_to=2,
            body="""\
Hi Dana,

The minimum spend is fixed and BLACKFRIDAY20 is set up (27-30 November, one use per \
customer). It's live.

Invoice KN/2026/11 attached: 950,00 €, payment within 14 days.

Kacper""",
            attachments=(
                invoice_pdf(
                    "KN/2026/11",
                    KACPER_ISSUER,
                    [
                        "Data wystawienia / issued: 24.11.2026",
                        "Discount codes: minimum spend fix, BLACKFRIDAY20 set-up",
                        "Razem / total: 950,00 EUR (reverse charge)",
                        "Termin platnosci / due: 08.12.2026 (14 dni)",
                        "IBAN PL61 1090 1014 0000 0712 1981 2874, BIC WBKPPLPP",
                    ],
                    "Faktura KN/2026/11",
                ),
            ),
            delivery=Delivery(
                "2026-11-24",
                "I will finish it on Monday 23 November, definitely.",
                False,
                True,
                "minimum-spend fix and BLACKFRIDAY20 live",
            ),
            invoice=Invoice(
                "KN/2026/11", "950.00", "EUR", "2026-11-24", "2026-12-08", "within 14 days"
            ),
        ),
        Msg(
            "dana_tb",
            "2026-11-25 09:20",
            to=("kacper",),
            body="""\
Thanks. I tested WINTER15 with a £30 cart and it is still accepted. Can you look at it again \
today? We go live on Friday.

Dana""",
            commitments=(C("request_deadline", "2026-11-25", "Can you look at it again today?"),),
        ),
        Msg(
            "kacper",
            "2026-11-26 23:55",
            to=("dana",),
            body="""\
Fixed now, it was the cache again. Sorry.

Kacper""",
            delivery=Delivery(
                "2026-11-26",
                "Can you look at it again today?",
                False,
                True,
                "minimum-spend fix, second attempt (a revision round)",
            ),
        ),
        Msg(
            "dana_tb",
            "2026-11-27 08:15",
            to=("kacper",),
            body="""\
Tested again with a £30 cart: rejected now, as it should be. Thanks.

Dana""",
        ),
    ],
)


# --- Not vendor mail: must be stored but never analysed as vendor work -----------------------

NEWSLETTER_HTML = """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Shopfront Weekly</title></head>
<body style="margin:0;background:#f4f1ec;font-family:Georgia,serif;color:#222">
<div style="display:none">Plus: the Black Friday checklist every small shop needs.</div>
<table role="presentation" width="100%"><tr><td align="center">
<table role="presentation" width="600" style="background:#fff;padding:28px">
<tr><td><h1 style="font-size:30px">7 ways to make your product photos pop</h1>
<p>Daylight beats a ring light. Shoot near a north-facing window between 10:00 and 14:00.</p>
<ol>
<li><b>Make it pop with contrast.</b> Put light products on dark linen, and the other way
round.</li>
<li><b>Keep a shot list.</b> The usual format is hero, detail, scale and lifestyle.</li>
<li><b>Edit in batches.</b> One preset for the whole collection, a few tweaks per photo.</li>
</ol>
<h2>Your Black Friday checklist</h2>
<p>Schedule every post by Friday 27 November, send invoices asap, and check your discount
codes with a test order. Freelancer or agency? Read our guide to writing a clear brief.</p>
<p><a href="https://shopfront.example/weekly/148?utm_source=email">Read the full issue</a></p>
<hr><p style="font-size:12px;color:#777">You're getting this because you subscribed at
shopfront.example. <a href="https://shopfront.example/u/7f3a9c21">Unsubscribe</a> ·
Shopfront Media Ltd, 21 Canal Street, Manchester M1 3HE</p></td></tr></table>
</td></tr></table></body></html>"""

NEWSLETTER = Thread(
    key="newsletter",
    subject="7 ways to make your product photos pop (+ your Black Friday checklist)",
    vendor=None,
    noise="newsletter",
    demonstrates=(
        "Newsletter (List-Id, List-Unsubscribe, Precedence: bulk, HTML + text) full of the "
        "product's trigger words ('make it pop', 'the usual format', 'a few tweaks', 'asap', "
        "'by Friday 27 November'): no findings."
    ),
    messages=[
        Msg(
            "shopfront",
            "2026-11-19 07:02",
            to=("dana",),
            headers=(
                ("List-Id", "Shopfront Weekly <weekly.shopfront.example>"),
                (
                    "List-Unsubscribe",
                    "<https://shopfront.example/u/7f3a9c21>, "
                    "<mailto:unsubscribe@shopfront.example?subject=7f3a9c21>",
                ),
                ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                ("Precedence", "bulk"),
            ),
            body="""\
SHOPFRONT WEEKLY · Issue 148

7 ways to make your product photos pop

Daylight beats a ring light. Shoot near a north-facing window between 10:00 and 14:00.

1. Make it pop with contrast. Put light products on dark linen, and the other way round.
2. Keep a shot list. The usual format is hero, detail, scale and lifestyle.
3. Edit in batches. One preset for the whole collection, a few tweaks per photo.

YOUR BLACK FRIDAY CHECKLIST

Schedule every post by Friday 27 November, send invoices asap, and check your discount codes \
with a test order. Freelancer or agency? Read our guide to writing a clear brief.

Read the full issue: https://shopfront.example/weekly/148

You're getting this because you subscribed at shopfront.example.
Unsubscribe: https://shopfront.example/u/7f3a9c21
Shopfront Media Ltd, 21 Canal Street, Manchester M1 3HE""",
            html=NEWSLETTER_HTML,
        ),
    ],
)

PERSONAL = Thread(
    key="personal",
    subject="Sunday the 29th",
    vendor=None,
    noise="personal",
    demonstrates=(
        "Personal mail from the owner's sister on an iPhone, with 'the usual', 'asap' and a "
        "date; a line starting with 'From ' (escaped as '>From ' in the mbox); no findings."
    ),
    messages=[
        Msg(
            "sophie",
            "2026-11-21 10:12",
            to=("dana",),
            body="""\
Hiya,

Mum wants everyone round for lunch on Sunday the 29th. Can you bring the usual? Let me know \
asap if Tom's coming too so she can sort the table.

From what Mum said, Auntie Jean is coming as well, so brace yourself 😂

S x

Sent from my iPhone""",
        ),
        Msg(
            "dana",
            "2026-11-21 11:05",
            to=("sophie",),
            body="""\
Yes, we'll both be there! I'll bring the cheese and a lemon tart. See you at 1?

D x""",
        ),
    ],
)

ACCOUNTANT = Thread(
    key="accountant-ooo",
    subject="Q3 receipts for the VAT return",
    vendor=None,
    noise="auto_reply",
    demonstrates=(
        "The owner writes to her accountant (not a configured vendor) and gets an Outlook "
        "out-of-office auto-reply (Auto-Submitted: auto-replied) with a return date: stored, "
        "marked automatic, never taken as an answer or a promise."
    ),
    messages=[
        Msg(
            "dana",
            "2026-11-24 11:30",
            to=("helen",),
            body="""\
Hi Helen,

The Q3 receipts, supplier invoices and the Wise statement are in the shared folder now. Could \
you let me know by Friday if anything is missing for the VAT return?

Thanks,
Dana""",
        ),
        Msg(
            "helen",
            "2026-11-24 11:31",
            to=("dana",),
            subject="Automatic reply: Q3 receipts for the VAT return",
            quote=False,
            headers=(
                ("Auto-Submitted", "auto-replied"),
                ("X-Auto-Response-Suppress", "All"),
            ),
            body="""\
Thank you for your email. I am out of the office until Monday 30 November with limited \
access to email.

For anything urgent, please contact office@marshco.example or call 0161 496 0752.

Kind regards,
Helen Marsh
Marsh & Co Chartered Accountants""",
        ),
    ],
)

THREADS: list[Thread] = [
    PC_HOMEPAGE,
    PC_BANNERS,
    LUCIA_WINTER,
    PAYPAL_RECEIPT,
    TIAGO_COPY,
    MARIA_TASKS,
    MARIA_PARCEL,
    MARIA_INVOICE,
    KACPER_AUG,
    WISE_KACPER,
    KACPER_SEP,
    KACPER_OCT,
    KACPER_NOV,
    NEWSLETTER,
    PERSONAL,
    ACCOUNTANT,
]


# --------------------------------------------------------------------------------------------
# Rendering: one EmailMessage per Msg, the way the sender's client writes it
# --------------------------------------------------------------------------------------------

EN_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
EN_FULL_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
EN_FULL_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
ES_DAYS = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"]
ES_MONTHS = "ene feb mar abr may jun jul ago sept oct nov dic".split()
PT_DAYS = ["seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."]
PT_MONTHS = "jan. fev. mar. abr. mai. jun. jul. ago. set. out. nov. dez.".split()
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
THUNDERBIRD_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.4.2"
GMAIL_QUOTE_STYLE = (
    "margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"
)
OUTLOOK_HEAD = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns="http://www.w3.org/TR/REC-html40"><head>'
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)">'
    "<style>p.MsoNormal{margin:0cm;font-size:11.0pt;font-family:Calibri,sans-serif}</style>"
    '</head><body lang="EN-IN" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">'
    '<div class="WordSection1">'
)
URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class Rendered:
    """A rendered message plus what its replies need (ids, dates, text to quote)."""

    thread: Thread
    n: int  # 1-based position in the thread
    msg: Msg
    person: Person
    date: datetime  # aware, sender's offset
    message_id: str  # with angle brackets
    subject: str
    references: list[str]
    to: list[Person]
    cc: list[Person]
    logical_text: str  # the text/plain content before format=flowed wrapping
    html_inner: str | None
    raw: bytes = b""

    @property
    def direction(self) -> str:
        return "out" if self.person.addr == OWNER else "in"

    @property
    def local_date(self) -> str:
        return self.date.date().isoformat()


def seed_bytes(*parts: object) -> bytes:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def b62(data: bytes, length: int) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 62)
        chars.append(B62[rest])
    return "".join(chars)


def message_id(person: Person, when: datetime, seed: bytes) -> str:
    """A Message-ID in the shape the sender's client makes, on the sender's own domain."""
    client = person.client
    if client.startswith("gmail"):
        return f"<CA{b62(seed, 12)}+{b62(hashlib.sha256(seed).digest(), 24)}@{person.domain}>"
    if client == "outlook":
        box = 4000 + int.from_bytes(seed_bytes(person.addr)[:2], "big") % 5000
        return f"<PN3PR01MB{box}{seed.hex()[:24].upper()}@{person.domain}>"
    if client.startswith("thunderbird"):
        h = seed.hex()
        return f"<{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}@{person.domain}>"
    if client == "iphone":
        h = seed.hex().upper()
        return f"<{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}@{person.domain}>"
    return f"<{when.astimezone(UTC):%Y%m%d%H%M%S}.{seed.hex()[:20]}@{person.domain}>"


def boundary(client: str, seed: bytes, index: int) -> str:
    part = seed_bytes(seed.hex(), index)
    if client.startswith("gmail"):
        return "000000000000" + part.hex()[:16]
    if client == "outlook":
        return f"_00{index}_{part.hex()[:28].upper()}_"
    if client.startswith("thunderbird"):
        return "------------" + b62(part, 24)
    return "==_mimepart_" + part.hex()[:24]


REPLY_PREFIX = re.compile(r"^\s*((re|aw|fwd?|sv|odp|rv|res)\s*:\s*)+", re.IGNORECASE)


def reply_subject(client: str, parent_subject: str) -> str:
    base = REPLY_PREFIX.sub("", parent_subject)
    return ("RE: " if client == "outlook" else "Re: ") + base


def twelve_hour(t: datetime) -> str:
    return f"{t.hour % 12 or 12}:{t:%M} {'AM' if t.hour < 12 else 'PM'}"


def attribution(replier: Person, parent: Rendered) -> str:
    """The 'On … wrote:' line of the replier's client, in the replier's own timezone."""
    t = parent.date.astimezone(ZoneInfo(replier.tz))
    who = parent.person
    wd = t.weekday()
    client = replier.client
    if client == "gmail-en-us":
        line = (
            f"On {EN_DAYS[wd]}, {EN_MONTHS[t.month - 1]} {t.day}, {t.year} at {twelve_hour(t)} "
            f"{who.name} <{who.addr}> wrote:"
        )
    elif client == "gmail-es":
        line = (
            f"El {ES_DAYS[wd]}, {t.day} {ES_MONTHS[t.month - 1]} {t.year} a las "
            f"{t.hour}:{t:%M}, {who.name} (<{who.addr}>) escribió:"
        )
    elif client == "gmail-pt":
        line = (
            f"Em {PT_DAYS[wd]}, {t.day} de {PT_MONTHS[t.month - 1]} de {t.year} às "
            f"{t:%H:%M}, {who.name} <{who.addr}> escreveu:"
        )
    elif client == "thunderbird-pl":
        return f"W dniu {t:%d.%m.%Y} o {t:%H:%M}, {who.name} pisze:"
    elif client == "thunderbird-en":
        return f"On {t:%d/%m/%Y} {t:%H:%M}, {who.name} wrote:"
    else:  # gmail-en-gb
        line = (
            f"On {EN_DAYS[wd]}, {t.day} {EN_MONTHS[t.month - 1]} {t.year} at {t:%H:%M}, "
            f"{who.name} <{who.addr}> wrote:"
        )
    # Gmail hard-wraps its attribution line in text/plain when it is long.
    return "\n".join(textwrap.wrap(line, 78, break_long_words=False, break_on_hyphens=False))


def outlook_header_lines(replier: Person, parent: Rendered) -> list[tuple[str, str]]:
    t = parent.date.astimezone(ZoneInfo(replier.tz))
    sent = (
        f"{EN_FULL_DAYS[t.weekday()]}, {EN_FULL_MONTHS[t.month - 1]} {t.day}, {t.year} "
        f"{twelve_hour(t)}"
    )
    lines = [("From", parent.person.display), ("Sent", sent)]
    lines.append(("To", "; ".join(p.display for p in parent.to)))
    if parent.cc:
        lines.append(("Cc", "; ".join(p.display for p in parent.cc)))
    lines.append(("Subject", parent.subject))
    return lines


def quote_lines(text: str, client: str) -> str:
    """Gmail puts '> ' before every line; Thunderbird nests as '>>' (RFC 3676 style)."""
    out = []
    for line in text.split("\n"):
        if client.startswith("thunderbird"):
            out.append(">" + ("" if line.startswith(">") or not line else " ") + line)
        else:
            out.append("> " + line if line else ">")
    return "\n".join(out)


def flowed(text: str, width: int = 72) -> str:
    """format=flowed (RFC 3676) as Thunderbird writes it: soft breaks end with a space."""
    out = []
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if depth and content.startswith(" "):
            content = content[1:]
        prefix = ">" * depth + (" " if depth else "")
        if content == "-- ":  # the signature separator is never a soft break
            out.append(prefix + content)
            continue
        content = content.rstrip(" ")
        if not depth and (content.startswith((" ", "From ", ">"))):
            content = " " + content  # space-stuffing
        room = max(width - len(prefix), 20)
        if len(content) <= room:
            out.append(prefix + content)
            continue
        pieces = textwrap.wrap(content, room, break_long_words=False, break_on_hyphens=False)
        out.extend(prefix + piece + " " for piece in pieces[:-1])
        out.append(prefix + pieces[-1])
    return "\n".join(out)


def deflow(text: str) -> str:
    """Undo `flowed` for the checks: join soft breaks and remove space-stuffing."""
    joined: list[str] = []
    carry = ""
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        if content.endswith(" ") and content != "-- ":
            carry += content
            continue
        joined.append(">" * depth + (" " if depth and carry + content else "") + carry + content)
        carry = ""
    if carry:
        joined.append(carry)
    return "\n".join(joined)


def text_html(text: str, tag: str = "div") -> str:
    """Plain text as the simple HTML a webmail composer produces, with links."""

    def line_html(line: str) -> str:
        escaped = html.escape(line, quote=False)
        return URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)

    if tag == "p":
        return "".join(
            f'<p class="MsoNormal">{line_html(line) or "&nbsp;"}</p>' for line in text.split("\n")
        )
    return "".join(f"<div>{line_html(line) or '<br>'}</div>" for line in text.split("\n"))


def signature_for(person: Person, body: str) -> str:
    if not person.signature:
        return ""
    if person.client == "outlook" and body.rstrip().endswith(","):
        return "\n" + person.signature  # Outlook: name block right under "Best regards,"
    return "\n\n" + person.signature


def compose(thread: Thread, n: int, msg: Msg, parent: Rendered | None) -> Rendered:
    person = PEOPLE[msg.sender]
    naive = datetime.strptime(msg.at, "%Y-%m-%d %H:%M")
    seed = seed_bytes(thread.key, n)
    when = naive.replace(second=seed[0] % 60, tzinfo=ZoneInfo(person.tz))
    if msg.subject:
        subject = msg.subject
    elif parent is None:
        subject = thread.subject
    else:
        subject = reply_subject(person.client, parent.subject)
    references = [*parent.references, parent.message_id] if parent else []
    body = msg.body.strip("\n")
    signature = signature_for(person, body)
    text = body + signature
    html_inner: str | None = None
    client = person.client
    quote_text = ""
    if msg.forward:
        text += "\n\n" + msg.forward
    if parent is not None and msg.quote:
        if client == "outlook":
            header = "\n".join(f"{k}: {v}" for k, v in outlook_header_lines(person, parent))
            quote_text = "________________________________\n" + header + "\n\n"
            quote_text += parent.logical_text
        elif client.startswith("thunderbird"):
            # Thunderbird (mail.strip_sig_on_reply) quotes nothing from the "-- " line down.
            quote_text = attribution(person, parent) + "\n"
            quote_text += quote_lines(parent.logical_text.split("\n-- \n")[0], client)
        else:
            quote_text = attribution(person, parent) + "\n\n"
            quote_text += quote_lines(parent.logical_text, client)
    if msg.bottom_post and quote_text:
        text = quote_text + "\n\n" + text
    elif quote_text:
        text += "\n\n" + quote_text
    parent_html = None
    if parent is not None and msg.quote:
        parent_html = parent.html_inner or text_html(parent.logical_text)
    if client.startswith("gmail"):
        sig_html = ""
        if person.signature:
            sig_lines = person.signature.split("\n")[1:]
            sig_html = (
                '<div><br></div><span class="gmail_signature_prefix">-- </span><br>'
                '<div dir="ltr" class="gmail_signature">'
                + "<br>".join(html.escape(x, quote=False) for x in sig_lines)
                + "</div>"
            )
        html_inner = '<div dir="ltr">' + text_html(body) + sig_html + "</div>"
        if msg.forward:
            head, _, fwd_body = msg.forward.partition("\n\n\n")
            html_inner += (
                '<br><br><div class="gmail_quote gmail_quote_container">'
                '<div dir="ltr" class="gmail_attr">'
                + "<br>".join(html.escape(x, quote=False) for x in head.split("\n"))
                + "<br></div><br><br>"
                + text_html(fwd_body)
                + "</div>"
            )
        if parent_html is not None and parent is not None:
            attr = attribution(person, parent).replace("\n", " ")
            html_inner += (
                '<br><div class="gmail_quote gmail_quote_container">'
                f'<div dir="ltr" class="gmail_attr">{html.escape(attr, quote=False)}<br></div>'
                f'<blockquote class="gmail_quote" style="{GMAIL_QUOTE_STYLE}">'
                f"{parent_html}</blockquote></div>"
            )
    elif client == "outlook":
        html_inner = text_html(body + signature, "p")
        if parent_html is not None and parent is not None:
            fields = "<br>".join(
                f"<b>{k}:</b> {html.escape(v, quote=False)}"
                for k, v in outlook_header_lines(person, parent)
            )
            html_inner += (
                '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;'
                f'padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal">{fields}</p></div></div>'
                + parent_html
            )
    return Rendered(
        thread=thread,
        n=n,
        msg=msg,
        person=person,
        date=when,
        message_id=message_id(person, when, seed),
        subject=subject,
        references=references,
        to=[PEOPLE[k] for k in msg.to],
        cc=[PEOPLE[k] for k in msg.cc],
        logical_text=text,
        html_inner=html_inner,
    )


def header_plan(r: Rendered) -> list[tuple[str, str]]:
    """Headers in the order the sender's client writes them."""
    client = r.person.client
    date_value = email.utils.format_datetime(r.date)
    to = ", ".join(p.display for p in r.to)
    cc = ", ".join(p.display for p in r.cc)
    threading = []
    if r.references:
        threading = [("References", " ".join(r.references)), ("In-Reply-To", r.references[-1])]
    if client.startswith("gmail"):
        plan = [("MIME-Version", "1.0"), *threading, ("From", r.person.display)]
        plan += [("Date", date_value), ("Message-ID", r.message_id), ("Subject", r.subject)]
        plan += [("To", to)] + ([("Cc", cc)] if cc else [])
    elif client == "outlook":
        base = REPLY_PREFIX.sub("", r.subject)
        index = seed_bytes("thread-index", r.thread.key)[:22]
        index += b"".join(seed_bytes(r.thread.key, i)[:5] for i in range(len(r.references)))
        plan = [("From", r.person.display), ("To", to)] + ([("CC", cc)] if cc else [])
        plan += [("Subject", r.subject), ("Thread-Topic", base)]
        plan += [("Thread-Index", base64.b64encode(index).decode())]
        plan += [("Date", date_value), ("Message-ID", r.message_id), *threading]
        language = "en-IN" if r.person.tz == "Asia/Kolkata" else "en-GB"
        plan += [("Accept-Language", f"{language}, en-US"), ("Content-Language", language)]
        if r.msg.attachments:
            plan += [("X-MS-Has-Attach", "yes")]
        plan += [("MIME-Version", "1.0")]
    elif client.startswith("thunderbird"):
        language = "pl" if client.endswith("pl") else "en-GB"
        plan = [("Message-ID", r.message_id), ("Date", date_value), ("MIME-Version", "1.0")]
        plan += [("User-Agent", THUNDERBIRD_UA), ("Subject", r.subject)]
        plan += [("Content-Language", language), ("To", to)] + ([("Cc", cc)] if cc else [])
        plan += [(k, v) for k, v in threading if k == "References"]
        plan += [("From", r.person.display)]
        plan += [(k, v) for k, v in threading if k == "In-Reply-To"]
    elif client == "iphone":
        plan = [("From", r.person.display), ("Mime-Version", "1.0 (1.0)")]
        plan += [("Date", date_value), ("Subject", r.subject), ("Message-Id", r.message_id)]
        plan += [*threading, ("To", to), ("X-Mailer", "iPhone Mail (22B91)")]
    else:  # bulk senders
        plan = [("Date", date_value), ("From", r.person.display), ("To", to)]
        plan += [("Message-ID", r.message_id), ("Subject", r.subject), ("MIME-Version", "1.0")]
    return plan + list(r.msg.headers)


def to_bytes(r: Rendered) -> bytes:
    msg = EmailMessage(policy=email.policy.default)
    plan = header_plan(r)
    # set_content() drops Content-* headers, so those are added once the body is in place.
    for name, value in plan:
        if not name.lower().startswith("content-"):
            msg[name] = value
    client = r.person.client
    plain = flowed(r.logical_text) if client.startswith("thunderbird") else r.logical_text
    params = {"format": "flowed"} if client.startswith("thunderbird") else None
    msg.set_content(plain + "\n", subtype="plain", charset="utf-8", params=params)
    html_part = r.msg.html
    if html_part is None and r.html_inner is not None:
        html_part = r.html_inner
        if client == "outlook":
            head = OUTLOOK_HEAD
            if r.person.tz != "Asia/Kolkata":
                head = head.replace('lang="EN-IN"', 'lang="EN-GB"')
            html_part = head + r.html_inner + "</div></body></html>"
    if html_part is not None:
        msg.add_alternative(html_part + "\n", subtype="html", charset="utf-8")
    for attachment in r.msg.attachments:
        maintype, subtype = attachment.mimetype.split("/")
        msg.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    for name, value in plan:
        if name.lower().startswith("content-"):
            msg[name] = value
    seed = seed_bytes(r.thread.key, r.n, "mime")
    for index, part in enumerate(msg.walk()):
        if index:
            del part["MIME-Version"]  # EmailMessage adds it to sub-parts; clients do not
        if part.is_multipart():
            part.set_boundary(boundary(client, seed, index))
    return msg.as_bytes()


def render_all(threads: Iterable[Thread]) -> list[Rendered]:
    """Render every thread; replies need their parent rendered first, so thread by thread."""
    out: list[Rendered] = []
    for thread in threads:
        done: list[Rendered] = []
        for index, msg in enumerate(thread.messages):
            if msg.reply_to is None or index == 0:
                parent = None
            else:
                parent = done[index - 1] if msg.reply_to == PREV else done[msg.reply_to]
            rendered = compose(thread, index + 1, msg, parent)
            if parent is not None and rendered.date <= parent.date:
                raise SystemExit(f"{thread.key} n={index + 1}: dated before its parent")
            rendered.raw = to_bytes(rendered)
            done.append(rendered)
        out.extend(done)
    out.sort(key=lambda r: r.date.astimezone(UTC))
    return out


ESCAPE_FROM = re.compile(rb"^(>*From )", re.MULTILINE)


def mbox_bytes(messages: list[Rendered]) -> bytes:
    """mboxrd: a 'From ' line per message, body lines matching ^>*From get one more '>'."""
    chunks = []
    for r in messages:
        stamp = time.asctime(r.date.astimezone(UTC).timetuple())
        raw = r.raw if r.raw.endswith(b"\n") else r.raw + b"\n"
        chunks.append(f"From {r.person.addr} {stamp}\n".encode() + ESCAPE_FROM.sub(rb">\1", raw))
        chunks.append(b"\n")
    return b"".join(chunks)


# --------------------------------------------------------------------------------------------
# Ground truth: expected.json and the README section
# --------------------------------------------------------------------------------------------


def collapse(text: str) -> str:
    return " ".join(text.split())


def invoice_status(invoice: Invoice, paid_on: str | None) -> str:
    if paid_on:
        return "paid_on_time" if paid_on <= invoice.due else "paid_late"
    due = date.fromisoformat(invoice.due)
    if due < TODAY:
        return "unpaid_overdue"
    if due - TODAY <= timedelta(days=7):
        return "unpaid_due_soon"
    return "unpaid_not_yet_due"


def expected(messages: list[Rendered]) -> dict:
    """Everything a careful reader of the sample would conclude, as JSON."""
    by_thread: dict[str, list[Rendered]] = {}
    for r in sorted(messages, key=lambda r: (r.thread.key, r.n)):
        by_thread.setdefault(r.thread.key, []).append(r)
    first_paid: dict[str, str] = {}
    for r in messages:
        if r.msg.payment:
            number, paid_on = r.msg.payment.invoice, r.msg.payment.paid_on
            first_paid[number] = min(paid_on, first_paid.get(number, paid_on))
    threads = []
    trend: dict[str, list[dict]] = {}
    for thread in THREADS:
        rendered = by_thread[thread.key]
        entry: dict = {
            "thread": thread.key,
            "subject": thread.subject,
            "vendor": thread.vendor,
            "kind": thread.noise or "vendor",
            "demonstrates": thread.demonstrates,
            "call_suggested": bool(thread.call_reasons),
            "call_reasons": list(thread.call_reasons),
            "messages": [],
            "commitments": [],
            "deliveries": [],
            "invoices": [],
            "payments": [],
        }
        for r in rendered:
            m = r.msg
            entry["messages"].append(
                {
                    "n": r.n,
                    "message_id": r.message_id.strip("<>"),
                    "from": r.person.addr,
                    "direction": r.direction,
                    "date": r.date.isoformat(),
                    "lang": m.lang,
                    "ambiguous_sentences": list(m.ambiguous),
                    "clarification_request": m.clarification,
                    "automatic": dict(m.headers).get("Auto-Submitted") is not None
                    or thread.noise == "newsletter",
                    **({"note": m.note} if m.note else {}),
                }
            )
            for c in m.commitments:
                entry["commitments"].append(
                    {
                        "n": r.n,
                        "kind": c.kind,
                        "by": "owner" if r.direction == "out" else "vendor",
                        "due": c.due,
                        "text": c.text,
                    }
                )
            if m.delivery:
                d = m.delivery
                entry["deliveries"].append(
                    {
                        "n": r.n,
                        "delivered_on": d.delivered_on,
                        "for_commitment_text": d.for_text,
                        "on_time": d.on_time,
                        "reviewed": d.reviewed,
                        "what": d.what,
                    }
                )
                trend.setdefault(thread.vendor or "", []).append(
                    {"delivered_on": d.delivered_on, "on_time": d.on_time, "thread": thread.key}
                )
            if m.invoice:
                i = m.invoice
                entry["invoices"].append(
                    {
                        "n": r.n,
                        "number": i.number,
                        "amount": i.amount,
                        "currency": i.currency,
                        "issued": i.issued,
                        "due": i.due,
                        "terms": i.terms,
                        "paid_on": first_paid.get(i.number),
                        "status": invoice_status(i, first_paid.get(i.number)),
                    }
                )
            if m.payment:
                entry["payments"].append(
                    {"n": r.n, "invoice": m.payment.invoice, "paid_on": m.payment.paid_on}
                )
        threads.append(entry)
    vendors = {}
    for name, items in trend.items():
        items.sort(key=lambda x: x["delivered_on"])
        recent = [x for x in items if x["delivered_on"] >= "2026-10-01"]
        earlier = [x for x in items if x["delivered_on"] < "2026-10-01"]
        vendors[name] = {
            "deliveries": len(items),
            "on_time": sum(1 for x in items if x["on_time"]),
            "on_time_before_october": f"{sum(x['on_time'] for x in earlier)}/{len(earlier)}",
            "on_time_since_october": f"{sum(x['on_time'] for x in recent)}/{len(recent)}",
            "slipping": bool(earlier)
            and all(x["on_time"] for x in earlier)
            and bool(recent)
            and not any(x["on_time"] for x in recent),
        }
    return {
        "today": TODAY.isoformat(),
        "owner": {"name": "Dana Whitfield", "address": OWNER, "timezone": "Europe/London"},
        "messages": len(messages),
        "threads": threads,
        "vendors": vendors,
    }


def readme_section(data: dict) -> str:
    """The compact ground truth in README.md, regenerated so it cannot drift from the data."""
    lines = [
        f"As of {data['today']}. `n` is the message's position in its thread; dates are the "
        "sender's local dates. Generated by `build_sample.py` from the same data as "
        "`expected.json` (which also has the Message-IDs).",
        "",
    ]
    for t in data["threads"]:
        who = t["vendor"] or "not a vendor"
        count = len(t["messages"])
        plural = "message" if count == 1 else "messages"
        lines.append(f"**{t['thread']}** ({who}, {t['kind']}, {count} {plural}): {t['subject']}")
        lines.append("")
        first = len(lines)
        call = "yes (" + ", ".join(t["call_reasons"]) + ")" if t["call_suggested"] else "no"
        if t["kind"] == "vendor":
            lines.append(f"- call suggested: {call}")
        langs = [f"n{m['n']} {m['lang']}" for m in t["messages"] if m["lang"] != "en"]
        if langs:
            lines.append("- non-English: " + ", ".join(langs))
        for m in t["messages"]:
            for sentence in m["ambiguous_sentences"]:
                lines.append(f'- ambiguous n{m["n"]}: "{sentence}"')
        asks = [f"n{m['n']}" for m in t["messages"] if m["clarification_request"]]
        if asks:
            lines.append("- clarification requests: " + ", ".join(asks))
        for c in t["commitments"]:
            lines.append(f'- {c["kind"]} n{c["n"]} ({c["by"]}) due {c["due"]}: "{c["text"]}"')
        for d in t["deliveries"]:
            status = {True: "on time", False: "LATE", None: "no dated promise"}[d["on_time"]]
            seen = "" if d["reviewed"] else ", NOT REVIEWED by the owner"
            lines.append(f"- delivery n{d['n']} {d['delivered_on']}: {d['what']}, {status}{seen}")
        for i in t["invoices"]:
            paid = f" paid {i['paid_on']}" if i["paid_on"] else ""
            lines.append(
                f"- invoice n{i['n']} {i['number']}: {i['amount']} {i['currency']}, issued "
                f"{i['issued']}, {i['terms']}, due {i['due']}: {i['status']}{paid}"
            )
        for p in t["payments"]:
            lines.append(f"- payment n{p['n']}: {p['invoice']} paid {p['paid_on']}")
        automatic = [f"n{m['n']}" for m in t["messages"] if m["automatic"]]
        if automatic:
            lines.append("- automatic (ignore as vendor work): " + ", ".join(automatic))
        if len(lines) == first:
            lines.append("- nothing to find")
        lines.append("")
    lines.append("Vendor delivery record (on time / delivered):")
    lines.append("")
    for name, v in data["vendors"].items():
        slip = " **slipping**" if v["slipping"] else ""
        lines.append(
            f"- {name}: {v['on_time']}/{v['deliveries']}; before October "
            f"{v['on_time_before_october']}, since October {v['on_time_since_october']}{slip}"
        )
    return "\n".join(lines)


def update_readme(section: str) -> None:
    start, end = "<!-- expected:start -->", "<!-- expected:end -->"
    text = README.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{README}: markers {start} / {end} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{section}\n{end}{tail}", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Checks: what an importer will rely on
# --------------------------------------------------------------------------------------------


def split_mboxrd(data: bytes) -> list[bytes]:
    """Split and unescape like vendorwatch's importer, to prove the escaping round-trips."""
    messages: list[list[bytes]] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From ") and (not messages or messages[-1][-1:] == [b"\n"]):
            messages.append([])
            continue
        messages[-1].append(re.sub(rb"^>(>*From )", rb"\1", line))
    return [b"".join(lines[:-1] if lines[-1:] == [b"\n"] else lines) for lines in messages]


def check(messages: list[Rendered], mbox_path: Path) -> list[str]:
    """Every problem as one line; empty means the sample is sound."""
    problems: list[str] = []
    data = mbox_path.read_bytes()
    box = mailbox.mbox(str(mbox_path), create=False)
    keys = box.keys()
    if len(keys) != len(messages):
        problems.append(f"mailbox.mbox sees {len(keys)} messages, expected {len(messages)}")
    unescaped = split_mboxrd(data)
    if unescaped != [r.raw.rstrip(b"\n") + b"\n" for r in messages]:
        problems.append("mboxrd split/unescape does not give back the rendered messages")
    seen: dict[str, datetime] = {}
    previous = None
    for key, raw, r in zip(keys, unescaped, messages, strict=False):
        where = f"{r.thread.key} n={r.n}"
        # mailbox.mbox reads mboxo (it leaves '>From ' escaped); both must parse cleanly.
        for source in (box.get_bytes(key), raw):
            parsed = email.message_from_bytes(source, policy=email.policy.default)
            for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
                if parsed[name] is None:
                    problems.append(f"{where}: no {name}")
            defects = [d for part in parsed.walk() for d in part.defects]
            if defects:
                problems.append(f"{where}: parser defects {defects}")
        mid = str(parsed["Message-ID"]).strip()
        if mid in seen:
            problems.append(f"{where}: duplicate Message-ID {mid}")
        when = parsed["Date"].datetime
        if previous and when < previous:
            problems.append(f"{where}: not in chronological order")
        previous = when
        if r.references:
            parent_id = str(parsed["In-Reply-To"]).strip()
            refs = str(parsed["References"]).split()
            if parent_id not in seen or seen[parent_id] >= when:
                problems.append(f"{where}: In-Reply-To does not point at an earlier message")
            parent = next(p for p in messages if p.message_id == parent_id)
            if refs != [*parent.references, parent.message_id]:
                problems.append(f"{where}: References is not parent's References + parent's id")
        seen[mid] = when
        body = parsed.get_body(("plain",))
        plain = body.get_content() if body is not None else ""
        if body is not None and body.get_param("format") == "flowed":
            plain = deflow(plain)
        if collapse(r.msg.body) not in collapse(plain):
            problems.append(f"{where}: the new text is not in the decoded text/plain part")
        if email.utils.parseaddr(str(parsed["From"]))[1] != r.person.addr:
            problems.append(f"{where}: From does not decode to {r.person.addr}")
        problems += check_labels(r, where)
    return problems


def check_labels(r: Rendered, where: str) -> list[str]:
    problems = []
    new_text = collapse(r.msg.body)
    m = r.msg
    for sentence in (*m.ambiguous, *(c.text for c in m.commitments)):
        if collapse(sentence) not in new_text:
            problems.append(f"{where}: label not verbatim in the new text: {sentence!r}")
    for c in m.commitments:
        if c.due < r.local_date:
            problems.append(f"{where}: commitment due {c.due} before the message")
    dated = [("delivery", m.delivery and m.delivery.delivered_on)]
    dated += [("invoice", m.invoice and m.invoice.issued)]
    dated += [("payment", m.payment and m.payment.paid_on)]
    for what, value in dated:
        if value and value != r.local_date:
            problems.append(f"{where}: {what} date {value} != sender's date {r.local_date}")
    if m.delivery and m.delivery.for_text:
        promises = {
            c.text: c.due for x in r.thread.messages for c in x.commitments
        }  # same thread only
        due = promises.get(m.delivery.for_text)
        if due is None:
            problems.append(f"{where}: delivery points at an unknown commitment")
        elif m.delivery.on_time != (m.delivery.delivered_on <= due):
            problems.append(f"{where}: on_time does not agree with due {due}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the files on disk")
    args = parser.parse_args(argv)
    messages = render_all(THREADS)
    data = expected(messages)
    if not args.check:
        MBOX.write_bytes(mbox_bytes(messages))
        EXPECTED.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        update_readme(readme_section(data))
    else:
        stale = [MBOX.name] if MBOX.read_bytes() != mbox_bytes(messages) else []
        if json.loads(EXPECTED.read_text("utf-8")) != data:
            stale.append(EXPECTED.name)
        if stale:
            print(f"{', '.join(stale)} out of date: run build_sample.py", file=sys.stderr)
            return 1
    problems = check(messages, MBOX)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    kinds = {t["kind"] for t in data["threads"]}
    out = sum(1 for r in messages if r.direction == "out")
    print(
        f"{MBOX.name}: {len(messages)} messages ({out} out, {len(messages) - out} in) in "
        f"{len(THREADS)} threads ({', '.join(sorted(kinds))}), {MBOX.stat().st_size} bytes: OK"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
