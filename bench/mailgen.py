"""Realistic generated mail for benchmarks and load tests (stdlib only).

Benchmarks need thousands of messages that look like a small business owner's mailbox, not
`lorem ipsum` with one header: the parser, the quote stripper, the threader and the vendor
matcher all cost what they cost on *real* shapes. So this module writes complete RFC 5322
messages with the mix such a mailbox has:

- vendor threads (owner <-> about 20 freelancers and agencies in a dozen countries) of 2-8
  messages with In-Reply-To/References and quoted replies in the vendor's client style;
  ~80-word bodies with instructions (clear and vague), promises with dates in the vendor's
  own date format, deliveries, invoices with amounts in local formats, payment notes;
- noise: newsletters (large HTML), shop/bank/courier notifications, personal mail.

Sizes follow a real inbox: median about 1.2 KB, a third multipart/alternative, ~5% with a
small attachment, a few newsletters and attachments up to ~50 KB.

Everything is decided by `random.Random(seed)`, and mail is produced as a stream in date
order from a bounded queue, so `generate(n, seed)` is deterministic, its first k messages are
`generate(k, seed)`, and 10,000 messages take well under the time the tools under test need.

    python bench/mailgen.py 10000 /tmp/maildir          # a Maildir (cur/ new/ tmp/)
    python bench/mailgen.py 10000 --mbox /tmp/gen.mbox  # one mboxrd file
"""

from __future__ import annotations

import argparse
import base64
import binascii
import heapq
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_OWNER = "owner@test.example"
DEFAULT_START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
OWNER_NAME = "Alex Morgan"
OWNER_TZ = ZoneInfo("Europe/London")
UTC_ZONE = ZoneInfo("UTC")

# --------------------------------------------------------------------------------------------
# The vendor roster
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorSpec:
    """One generated vendor: who writes, from where, and how they write dates and money."""

    name: str
    contact: str  # first and last name
    domain: str
    tz: str
    work: str  # what they do, picks the deliverables
    currency: str
    money: str  # amount format key, see MONEY
    dates: str  # date format key, see DATE_STYLES
    client: str  # gmail | outlook | thunderbird | apple
    greeting: str = "Hi"
    signoff: str = "Best regards"
    colleague: str | None = None  # a second sender at the same domain (accounts, PM)
    phrase: str | None = None  # a sentence in the vendor's language, for mixed-language mail
    reply_prefix: str = "Re: "
    invoice_prefix: str = "INV-"
    rate: int = 1000  # typical invoice amount in the vendor's currency units

    @property
    def first(self) -> str:
        return self.contact.split()[0]

    @property
    def address(self) -> str:
        return f"{self.first.lower()}@{self.domain}"

    @property
    def colleague_address(self) -> str | None:
        if self.colleague is None:
            return None
        return f"{self.colleague.split()[0].lower()}@{self.domain}"


# The roster is the same for every seed: a config written from vendor_config() must match
# mail generated with any seed (bench/backfill.py pairs vendor_config(0) with generate(seed=1)).
VENDORS: tuple[VendorSpec, ...] = (
    VendorSpec("Lumen Studio", "Priya Nair", "lumenstudio.example", "Asia/Kolkata", "design",
               "INR", "inr", "ordinal", "outlook", "Hi", "Warm regards", "Rahul Iyer",
               reply_prefix="RE: ", rate=60000),
    VendorSpec("Okafor Digital", "Chidi Okafor", "okafordigital.example", "Africa/Lagos",
               "web", "USD", "usd", "ordinal", "gmail", "Good day", "Kind regards", rate=1400),
    VendorSpec("Mendes Traduções", "Beatriz Mendes", "mendestraducoes.example",
               "America/Sao_Paulo", "translation", "BRL", "brl", "dmy_slash", "gmail", "Olá",
               "Abraços", phrase="Qualquer dúvida, estou à disposição.", rate=3200),
    VendorSpec("Valle Ilustra", "Sofía Valle", "valleilustra.example", "America/Bogota",
               "illustration", "USD", "usd", "dmy_slash", "gmail", "Hola", "Saludos",
               phrase="Te lo mando apenas lo tenga listo.", rate=900),
    VendorSpec("Nguyen Dev", "Minh Nguyen", "nguyendev.example", "Asia/Ho_Chi_Minh", "web",
               "USD", "usd", "day_month", "thunderbird", "Hi", "Thanks", rate=1800),
    VendorSpec("Kowalski Code", "Anna Kowalska", "kowalskicode.example", "Europe/Warsaw",
               "web", "EUR", "eur", "dmy_dot", "thunderbird", "Hi", "Pozdrawiam",
               invoice_prefix="FV/2026/", rate=1250),
    VendorSpec("Pixelfjord", "Erik Lund", "pixelfjord.example", "Europe/Oslo", "design", "EUR",
               "eur", "dmy_dot", "apple", "Hi", "Best", reply_prefix="SV: ", rate=2100),
    VendorSpec("Santos VA Services", "Joy Santos", "santosva.example", "Asia/Manila",
               "assistant", "PHP", "php", "mdy_words", "gmail", "Hi Ma'am", "Regards po",
               rate=18500),
    VendorSpec("Rahman Data", "Farhan Rahman", "rahmandata.example", "Asia/Dhaka", "data",
               "USD", "usd", "ordinal", "outlook", "Dear", "Thanks and regards",
               reply_prefix="RE: ", rate=450),
    VendorSpec("Atelier Moreau", "Claire Moreau", "ateliermoreau.example", "Europe/Paris",
               "photography", "EUR", "eur", "dmy_slash", "apple", "Bonjour", "Bien à vous",
               phrase="Je reste disponible pour en parler.", rate=1600),
    VendorSpec("Brightwave Media", "Tom Hughes", "brightwave.example", "Europe/London",
               "video", "GBP", "gbp", "day_month", "outlook", "Hi", "Cheers", "Megan Clarke",
               reply_prefix="RE: ", rate=2400),
    VendorSpec("Kaya Creative", "Elif Kaya", "kayacreative.example", "Europe/Istanbul",
               "social", "EUR", "eur", "dmy_dot", "gmail", "Hi", "Best wishes", rate=700),
    VendorSpec("Hoffmann Übersetzungen", "Jonas Hoffmann", "hoffmann-uebersetzungen.example",
               "Europe/Berlin", "translation", "EUR", "eur", "dmy_dot", "thunderbird", "Hallo",
               "Viele Grüße", phrase="Ich melde mich, sobald die Übersetzung fertig ist.",
               reply_prefix="AW: ", rate=1320),
    VendorSpec("Silva Social", "Ana Silva", "silvasocial.example", "Europe/Lisbon", "social",
               "EUR", "eur", "dmy_slash", "gmail", "Olá", "Beijinhos", rate=850),
    VendorSpec("Mwangi Support", "Grace Mwangi", "mwangisupport.example", "Africa/Nairobi",
               "support", "KES", "kes", "ordinal", "outlook", "Dear", "Kind regards",
               "Peter Otieno", reply_prefix="RE: ", rate=120000),
    VendorSpec("Tanaka Motion", "Yuki Tanaka", "tanakamotion.example", "Asia/Tokyo", "video",
               "JPY", "jpy", "iso", "apple", "Hello", "Best regards", rate=180000),
    VendorSpec("Castillo Web", "Diego Castillo", "castilloweb.example", "America/Mexico_City",
               "web", "MXN", "mxn", "dmy_slash", "gmail", "Hola", "Saludos",
               phrase="Cualquier cosa me avisas.", rate=24000),
    VendorSpec("Ionescu Labs", "Mihai Ionescu", "ionesculabs.example", "Europe/Bucharest",
               "web", "RON", "ron", "dmy_dot", "outlook", "Hi", "Best regards", "Ioana Radu",
               reply_prefix="RE: ", rate=4750),
    VendorSpec("Khan Bookkeeping", "Sana Khan", "khanbooks.example", "Asia/Karachi", "books",
               "PKR", "pkr", "ordinal", "gmail", "Dear", "Regards", rate=42000),
    VendorSpec("Northpine Audio", "Liam Walsh", "northpine.example", "America/Toronto", "audio",
               "CAD", "cad", "mdy_slash", "apple", "Hey", "Cheers", rate=650),
)  # fmt: skip


def vendor_config(seed: int = 0) -> list[dict]:
    """The generated vendors as config entries: {"name", "addresses", "domains"}.

    `seed` is accepted for symmetry with `generate`; the roster does not depend on it, so a
    test config built from any seed names the vendors of mail generated with any other.
    """
    del seed
    out = []
    for v in VENDORS:
        addresses = [v.address] + ([v.colleague_address] if v.colleague_address else [])
        out.append({"name": v.name, "addresses": addresses, "domains": [v.domain]})
    return out


# --------------------------------------------------------------------------------------------
# Text material
# --------------------------------------------------------------------------------------------

WORK: dict[str, tuple[list[str], list[str]]] = {
    # work: (deliverables, projects)
    "design": (["homepage mockups", "banner set", "logo variations", "packaging layout"],
               ["spring launch", "website refresh", "summer sale", "rebrand"]),
    "web": (["checkout fix", "stock sync update", "staging build", "shipping rules"],
            ["shop upgrade", "checkout project", "EU shipping", "performance work"]),
    "translation": (["German translation", "product page translations", "FAQ translation"],
                    ["EU expansion", "catalogue", "help centre"]),
    "illustration": (["sketches", "final illustrations", "gift wrap pattern"],
                     ["winter collection", "card range", "packaging"]),
    "assistant": (["supplier shortlist", "order report", "inbox summary"],
                  ["weekly admin", "supplier research", "customer service"]),
    "data": (["cleaned product sheet", "SKU import file", "price list"],
             ["catalogue cleanup", "inventory import", "price update"]),
    "photography": (["product photos", "lifestyle shots", "retouched images"],
                    ["spring catalogue", "website photos", "lookbook"]),
    "video": (["edit of the brand film", "social cut-downs", "subtitled version"],
              ["brand film", "launch video", "tutorial series"]),
    "social": (["content calendar", "post captions", "story templates"],
               ["Instagram plan", "launch campaign", "holiday posts"]),
    "support": (["weekly ticket report", "macro updates", "escalation summary"],
                ["support cover", "holiday rota", "FAQ review"]),
    "audio": (["podcast edit", "intro music", "mixed episode"],
              ["podcast", "radio ad", "brand sound"]),
    "books": (["monthly reconciliation", "VAT workings", "expense report"],
              ["month-end close", "quarter close", "annual accounts"]),
}  # fmt: skip

CLEAR = [
    "Please deliver {count} files as {fmt}, named with the SKU.",
    "Could you keep the brand colours and the logo from the shared folder?",
    "Please send the final version as {fmt} and keep the source files.",
    "We need {count} versions: one for the website and the rest for social.",
    "Please use British English and keep each item under {words} words.",
    "Could you add a short note with what changed since the last round?",
]
VAGUE = [
    "Make it pop a bit more, you know what I mean.",
    "Can you do a few tweaks and send it asap?",
    "Use the usual format, etc.",
    "It should feel more premium, but still like us.",
    "Just make it cleaner and a bit more modern.",
]
CONTEXT = [
    "We're launching the {project} next month and everything has to match the website.",
    "The last round worked well, so this is mostly more of the same.",
    "I've shared the folder with last season's files so you can see the style.",
    "Our customers are mostly in the UK and Germany, if that matters for the wording.",
    "Let me know if anything is unclear before you start.",
    "The team will review it on the day it arrives.",
]
FILLER = [
    "Thanks again for the quick turnaround last time.",
    "Hope your week is going well.",
    "No rush on the small things, the date is what matters.",
    "Happy to jump on a call if that is easier.",
]
LINKS = [
    "https://drive.google.com/drive/folders/{code}",
    "https://www.dropbox.com/scl/fo/{code}/delivery",
    "https://www.figma.com/file/{code}/Project",
    "https://wetransfer.example/downloads/{code}",
]
MONTHS = "January February March April May June July August September October November December"
MONTH_NAMES = MONTHS.split()
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
DAY_ABBR = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MON_ABBR = [m[:3] for m in MONTH_NAMES]

FRIENDS = [
    ("Sam Patel", "sam.patel@mailbox.example"),
    ("Jo Brennan", "jo.brennan@mailbox.example"),
    ("Chris Adeyemi", "chris@adeyemi.example"),
    ("Mum", "margaret.morgan@mailbox.example"),
    ("Ellie Morgan", "ellie.morgan@mailbox.example"),
    ("Dev Sharma", "dev.sharma@mailbox.example"),
    ("Hannah Kerr", "hannah.kerr@mailbox.example"),
    ("Marco Bianchi", "marco.bianchi@mailbox.example"),
]
PERSONAL = [
    "Are you around on Saturday? We were thinking of a walk and lunch after, nothing fancy.",
    "Can you bring the usual on Sunday? Let me know asap if the kids are coming too.",
    "Found the photos from the summer, I'll put them in the shared album tonight.",
    "Did you ever fix the boiler? Ours is making the same noise again.",
    "Happy birthday for Thursday! Dinner is on us next time you're in town.",
    "Quick one: what was the name of that place near the station? The one with the garden.",
]
NEWSLETTERS = [
    ("Shopfront Weekly", "news@shopfront.example", "shopfront.example"),
    ("Maker Monthly", "hello@makermonthly.example", "makermonthly.example"),
    ("The Freelance Digest", "digest@freelancedigest.example", "freelancedigest.example"),
    ("Retail Radar", "radar@retailradar.example", "retailradar.example"),
    ("Design Notes", "notes@designnotes.example", "designnotes.example"),
]
HEADLINES = [
    "7 ways to make your product photos pop",
    "How to write a brief your freelancer will understand",
    "Black Friday: the checklist every small shop needs",
    "Shipping to the EU after the rule change",
    "Pricing your handmade goods without underselling",
    "The usual format? Why templates save you hours",
]
NOTIFIERS = [
    ("Shop orders", "orders@shop.example", "New order #{num}", "You have a new order #{num} "
     "for {amount}. Ship by {date}. View it in your dashboard."),
    ("Bank", "no-reply@bank.example", "Your statement is ready", "Your statement for the "
     "month is ready to view. Balance: {amount}. Log in to see the details."),
    ("Courier", "tracking@courier.example", "Your parcel {num} is on its way",
     "Parcel {num} was collected today and should arrive by {date}. Track it online."),
    ("Cloud Apps", "billing@cloudapps.example", "Receipt for your subscription",
     "Thanks for your payment of {amount}. Receipt {num}. Your plan renews next month."),
    ("Calendar", "calendar-notification@calendar.example", "Reminder: supplier call at 10:00",
     "This is a reminder for your event on {date} at 10:00 (Europe/London)."),
]  # fmt: skip

# --------------------------------------------------------------------------------------------
# Formatting helpers: money and dates the way each vendor writes them
# --------------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    """Capitalise the first letter only ("EU shipping" stays "EU shipping")."""
    return text[:1].upper() + text[1:]


def _group(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def _indian(value: int) -> str:
    text = str(value)
    if len(text) <= 3:
        return text
    head, tail = text[:-3], text[-3:]
    parts = []
    while len(head) > 2:
        parts.insert(0, head[-2:])
        head = head[:-2]
    if head:
        parts.insert(0, head)
    return ",".join(parts) + "," + tail


MONEY: dict[str, Callable[[int], str]] = {
    "usd": lambda v: f"${_group(v, ',')}.00",
    "eur": lambda v: f"{_group(v, '.')},00 €",
    "gbp": lambda v: f"£{_group(v, ',')}.00",
    "brl": lambda v: f"R$ {_group(v, '.')},00",
    "inr": lambda v: f"₹{_indian(v)}",
    "php": lambda v: f"PHP {_group(v, ',')}",
    "kes": lambda v: f"KES {_group(v, ',')}.00",
    "jpy": lambda v: f"¥{_group(v, ',')}",
    "mxn": lambda v: f"MX$ {_group(v, ',')}.00",
    "ron": lambda v: f"RON {_group(v, '.')},00",
    "pkr": lambda v: f"PKR {_group(v, ',')}",
    "cad": lambda v: f"CAD {_group(v, ',')}.00",
}


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


DATE_STYLES: dict[str, Callable[[datetime], str]] = {
    "ordinal": lambda d: f"{WEEKDAYS[d.weekday()]} {_ordinal(d.day)} {MONTH_NAMES[d.month - 1]}",
    "day_month": lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTH_NAMES[d.month - 1]}",
    "dmy_slash": lambda d: f"{d.day:02d}/{d.month:02d}",
    "dmy_dot": lambda d: f"{d.day:02d}.{d.month:02d}.",
    "mdy_words": lambda d: f"{WEEKDAYS[d.weekday()]}, {MONTH_NAMES[d.month - 1]} {d.day}",
    "mdy_slash": lambda d: f"{d.month}/{d.day}",
    "iso": lambda d: d.strftime("%Y-%m-%d"),
}

# --------------------------------------------------------------------------------------------
# Message assembly (by hand: the email package is ~50x slower and this has to be fast)
# --------------------------------------------------------------------------------------------

_NON_ASCII = re.compile(r"[^\x20-\x7e]")


def _encode_header(value: str) -> str:
    """RFC 2047 encoded words for non-ASCII header text (B encoding, <= 75 chars each)."""
    if not _NON_ASCII.search(value):
        return value
    words, chunk = [], ""
    for char in value:
        if len((chunk + char).encode()) > 45:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return " ".join(f"=?UTF-8?B?{base64.b64encode(w.encode()).decode()}?=" for w in words)


def _address(name: str, addr: str) -> str:
    if not name:
        return addr
    if _NON_ASCII.search(name):
        return f"{_encode_header(name)} <{addr}>"
    if re.search(r'[(),.:;<>@\[\]"]', name):
        return f'"{name}" <{addr}>'
    return f"{name} <{addr}>"


def _fold(name: str, value: str) -> str:
    """A header line, folded at spaces before 78 characters like every client does."""
    line = f"{name}: {value}"
    if len(line) <= 78:
        return line
    out, current = [], f"{name}:"
    for word in value.split(" "):
        if len(current) + 1 + len(word) > 78 and current.strip() != f"{name}:":
            out.append(current)
            current = " " + word
        else:
            current += " " + word
    out.append(current)
    return "\n".join(out)


def _text_part(text: str, flowed: bool = False) -> str:
    """A text/plain part: 7bit when it can be, quoted-printable otherwise."""
    params = "; format=flowed" if flowed else ""
    data = text.encode("utf-8")
    if data.isascii() and max(map(len, text.split("\n"))) <= 78:
        return (
            f'Content-Type: text/plain; charset="UTF-8"{params}\n'
            f"Content-Transfer-Encoding: 7bit\n\n{text}\n"
        )
    encoded = binascii.b2a_qp(data, quotetabs=False, istext=True).decode("ascii")
    return (
        f'Content-Type: text/plain; charset="UTF-8"{params}\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{encoded}\n"
    )


def _html_part(markup: str) -> str:
    encoded = binascii.b2a_qp(markup.encode("utf-8"), quotetabs=False, istext=True).decode()
    return (
        'Content-Type: text/html; charset="UTF-8"\n'
        f"Content-Transfer-Encoding: quoted-printable\n\n{encoded}\n"
    )


def _html_from_text(text: str) -> str:
    out = []
    for para in text.split("\n\n"):
        if para.startswith(">"):
            inner = "<br>".join(line.lstrip("> ") for line in para.split("\n"))
            out.append(
                '<blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;'
                f'padding-left:1ex">{_escape(inner)}</blockquote>'
            )
        else:
            out.append("<div>" + "<br>".join(map(_escape, para.split("\n"))) + "</div>")
    return '<div dir="ltr">' + "<div><br></div>".join(out) + "</div>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attachment_part(name: str, mime: str, data: bytes) -> str:
    encoded = base64.encodebytes(data).decode("ascii")
    return (
        f'Content-Type: {mime}; name="{name}"\n'
        f'Content-Disposition: attachment; filename="{name}"\n'
        f"Content-Transfer-Encoding: base64\n\n{encoded}"
    )


def _wrap_flowed(text: str, width: int = 72) -> str:
    """Thunderbird-style format=flowed: long lines broken at spaces with a trailing space."""
    out = []
    for line in text.split("\n"):
        if len(line) <= width or line.startswith(">"):
            out.append(line)
            continue
        current = ""
        for word in line.split(" "):
            if current and len(current) + len(word) + 1 > width:
                out.append(current + " ")
                current = word
            else:
                current = f"{current} {word}" if current else word
        out.append(current)
    return "\n".join(out)


@dataclass
class _Party:
    name: str
    addr: str
    tz: ZoneInfo
    client: str
    reply_prefix: str = "Re: "


@dataclass
class _Sent:
    """What a reply needs from its parent."""

    message_id: str
    references: list[str]
    sender: _Party
    recipient: _Party
    date: datetime
    subject: str
    text: str  # new text + signature, what the reply quotes


@dataclass(order=True)
class _Pending:
    when: datetime
    seq: int
    thread: _Thread = field(compare=False)


@dataclass
class _Thread:
    kind: str  # vendor | personal
    acts: list[str]
    parties: dict[str, _Party]  # "owner", "other", maybe "colleague"
    subject: str
    vendor: VendorSpec | None = None
    sent: list[_Sent] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


ACT_SIDE = {
    "brief": "owner", "promise": "other", "delivery": "other", "approval": "owner",
    "invoice": "other", "payment": "owner", "thanks": "other", "followup": "owner",
    "clarify": "other", "answer": "owner", "feedback": "owner", "revision": "other",
    "chase": "owner", "apology": "other", "update": "other", "ack": "owner",
    "question": "other", "receipt": "other",
}  # fmt: skip
STORIES = [
    ["brief", "promise", "delivery", "approval", "invoice", "payment", "thanks", "followup"],
    ["brief", "clarify", "answer", "promise", "delivery", "feedback", "revision", "approval"],
    ["brief", "promise", "chase", "apology", "delivery", "feedback", "revision", "invoice"],
    ["update", "ack", "question", "answer", "delivery", "approval", "invoice", "payment"],
]
SHORT_STORIES = [["invoice", "payment", "receipt"], ["question", "answer", "thanks"]]
LENGTHS = [2, 3, 4, 5, 6, 7, 8]
LENGTH_WEIGHTS = [25, 20, 18, 13, 10, 7, 7]
MEAN_VENDOR_LENGTH = sum(n * w for n, w in zip(LENGTHS, LENGTH_WEIGHTS, strict=True)) / sum(
    LENGTH_WEIGHTS
)
MEAN_NOISE_LENGTH = 1.25


class _Generator:
    """Streams messages in date order: threads are scheduled into a heap as they start."""

    def __init__(self, seed: int, start: datetime, vendor_share: float, owner: str):
        self.rng = random.Random(seed)
        self.seed = seed
        self.clock = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.owner = _Party(OWNER_NAME, owner, OWNER_TZ, "gmail")
        share = min(max(vendor_share, 0.0), 1.0)
        vendor_rate = share / MEAN_VENDOR_LENGTH
        noise_rate = (1 - share) / MEAN_NOISE_LENGTH
        self.p_vendor_thread = vendor_rate / (vendor_rate + noise_rate) if share else 0.0
        self.queue: list[_Pending] = []
        self.seq = 0
        self.count = 0
        self.invoice_numbers: dict[str, int] = {}

    # -- scheduling ----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[bytes]:
        while True:
            # ~45 threads a day on average, each starting in the owner's day mostly
            self.clock += timedelta(minutes=self.rng.expovariate(1 / 20))
            hour = self.clock.astimezone(OWNER_TZ).hour
            if 7 <= hour < 22 or self.rng.random() < 0.2:  # mail mostly starts in the day
                self._start_thread(self.clock)
            while self.queue and self.queue[0].when <= self.clock:
                pending = heapq.heappop(self.queue)
                yield self._emit(pending.thread, pending.when)

    def _schedule(self, thread: _Thread, when: datetime) -> None:
        self.seq += 1
        heapq.heappush(self.queue, _Pending(when, self.seq, thread))

    def _start_thread(self, when: datetime) -> None:
        rng = self.rng
        if rng.random() < self.p_vendor_thread:
            self._schedule(self._vendor_thread(), when)
        else:
            self._schedule(self._noise_thread(), when)

    # -- threads ------------------------------------------------------------------------------

    def _vendor_thread(self) -> _Thread:
        rng = self.rng
        vendor = rng.choice(VENDORS)
        length = rng.choices(LENGTHS, LENGTH_WEIGHTS)[0]
        if length <= 3 and rng.random() < 0.4:
            acts = rng.choice(SHORT_STORIES)[:length]
        else:
            acts = rng.choice(STORIES)[:length]
        deliverables, projects = WORK[vendor.work]
        deliverable, project = rng.choice(deliverables), rng.choice(projects)
        if acts[0] == "invoice":
            subject = f"Invoice {self._invoice_number(vendor)}"
        else:
            subject = rng.choice(
                [
                    f"{_cap(project)}: {deliverable}",
                    _cap(deliverable),
                    f"{_cap(project)} – next steps",
                    f"Question about the {deliverable}",
                ]
            )
        other = _Party(
            vendor.contact, vendor.address, ZoneInfo(vendor.tz), vendor.client, vendor.reply_prefix
        )
        parties = {"owner": self.owner, "other": other}
        if vendor.colleague and vendor.colleague_address:
            parties["colleague"] = _Party(
                vendor.colleague,
                vendor.colleague_address,
                ZoneInfo(vendor.tz),
                vendor.client,
                vendor.reply_prefix,
            )
        facts = {"deliverable": deliverable, "project": project}
        return _Thread("vendor", acts, parties, subject, vendor, facts=facts)

    def _noise_thread(self) -> _Thread:
        rng = self.rng
        roll = rng.random()
        if roll < 0.20:
            name, addr, domain = rng.choice(NEWSLETTERS)
            party = _Party(name, addr, UTC_ZONE, "bulk")
            return _Thread(
                "newsletter",
                ["newsletter"],
                {"other": party, "owner": self.owner},
                rng.choice(HEADLINES),
                facts={"domain": domain},
            )
        if roll < 0.70:
            name, addr, subject, text = rng.choice(NOTIFIERS)
            party = _Party(name, addr, OWNER_TZ, "bulk")
            num = str(rng.randint(10000, 99999))
            facts = {"text": text, "num": num}
            return _Thread(
                "notification",
                ["notification"],
                {"other": party, "owner": self.owner},
                subject.format(num=num),
                facts=facts,
            )
        name, addr = rng.choice(FRIENDS)
        party = _Party(name, addr, OWNER_TZ, rng.choice(["gmail", "apple"]))
        length = rng.choices([1, 2, 3], [70, 22, 8])[0]
        acts = ["personal_in", "personal_out", "personal_in"][:length]
        subject = rng.choice(["Saturday?", "Sunday lunch", "Photos", "Quick question", "Hello!"])
        return _Thread("personal", acts, {"other": party, "owner": self.owner}, subject)

    def _invoice_number(self, vendor: VendorSpec) -> str:
        number = self.invoice_numbers.get(vendor.name, 100 + len(self.invoice_numbers) * 37) + 1
        self.invoice_numbers[vendor.name] = number
        return f"{vendor.invoice_prefix}{number:04d}"

    # -- one message ------------------------------------------------------------------------------

    def _emit(self, thread: _Thread, when: datetime) -> bytes:
        rng = self.rng
        index = len(thread.sent)
        act = thread.acts[index]
        side = ACT_SIDE.get(act, "owner" if act == "personal_out" else "other")
        sender = thread.parties[side]
        if side == "other" and "colleague" in thread.parties and act in ("invoice", "update"):
            sender = thread.parties["colleague"]
        recipient = thread.parties["other" if side == "owner" else "owner"]
        local = when.astimezone(sender.tz)
        parent = thread.sent[-1] if thread.sent else None
        if thread.kind == "vendor":
            text = self._vendor_text(thread, act, sender, recipient, local)
        elif thread.kind == "personal":
            text = self._personal_text(sender, recipient)
        else:
            text = ""
        raw, sent = self._render(thread, sender, recipient, local, text, parent)
        thread.sent.append(sent)
        if index + 1 < len(thread.acts):
            delay_hours = rng.lognormvariate(1.2, 1.1)  # median ~3.3 h, long tail to days
            if side == "owner" and thread.vendor is not None:
                delay_hours *= 1.5  # vendors in other time zones answer next morning
            self._schedule(thread, when + timedelta(hours=min(delay_hours, 240) + 0.02))
        self.count += 1
        return raw

    # -- bodies --------------------------------------------------------------------------------

    def _date_phrase(self, vendor: VendorSpec, local: datetime, days: int) -> str:
        return DATE_STYLES[vendor.dates](local + timedelta(days=days))

    def _vendor_text(
        self, thread: _Thread, act: str, sender: _Party, recipient: _Party, local: datetime
    ) -> str:
        rng = self.rng
        vendor = thread.vendor
        assert vendor is not None
        facts = thread.facts
        deliverable, project = facts["deliverable"], facts["project"]
        fill = {
            "count": rng.choice([3, 4, 6, 8, 10, 12]),
            "fmt": rng.choice(["PNG", "PDF", "SVG", "CSV", "MP4", "DOCX"]),
            "words": rng.choice([60, 80, 120, 150]),
            "project": project,
        }
        owner_side = sender.addr == self.owner.addr
        first = recipient.name.split()[0]
        if owner_side:
            greeting = f"Hi {first},"
            signoff = f"Thanks,\n{OWNER_NAME.split()[0]}"
        else:
            greeting = f"{vendor.greeting} {first},"
            signoff = f"{vendor.signoff},\n{sender.name.split()[0]}"
        date_phrase = self._date_phrase(vendor, local, rng.randint(2, 12))
        sentences: list[str] = []
        if act == "brief":
            sentences.append(f"We'd like your help with the {deliverable} for the {project}.")
            sentences.append(rng.choice(CONTEXT).format(**fill))
            picks = rng.sample(CLEAR, 2)
            sentences += [p.format(**fill) for p in picks]
            if rng.random() < 0.45:
                sentences.append(rng.choice(VAGUE))
            day = local + timedelta(days=rng.randint(5, 14))
            sentences.append(
                f"I need it by {WEEKDAYS[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}."
            )
        elif act == "promise":
            sentences.append("Thanks for the brief, all clear on my side.")
            sentences.append(f"I will send the {deliverable} by {date_phrase}.")
            sentences.append(rng.choice(FILLER))
        elif act == "clarify":
            vague = rng.choice(["make it pop", "a few tweaks", "the usual format", "premium"])
            sentences.append(f'Sorry, I am not sure what you mean by "{vague}".')
            sentences.append("Do you mean the colours, the layout, or both?")
            sentences.append("An example from a site you like would help a lot.")
        elif act == "answer":
            sentences.append(rng.choice(["Good question!", "Sorry, I should have been clearer."]))
            sentences.append(rng.choice(CLEAR).format(**fill))
            sentences.append(rng.choice(CONTEXT).format(**fill))
        elif act in ("delivery", "revision"):
            code = "".join(rng.choices("abcdefghijkmnpqrstuvwxyz0123456789", k=14))
            link = rng.choice(LINKS).format(code=code)
            what = "the revised " + deliverable if act == "revision" else "the " + deliverable
            sentences.append(f"Here is {what}: {link}")
            sentences.append("I followed the notes from your last email.")
            sentences.append("Let me know if you want any changes.")
            facts["attach"] = rng.random() < 0.4
        elif act == "feedback":
            sentences.append("Thanks, this is close.")
            sentences.append(rng.choice(VAGUE) if rng.random() < 0.5 else "The second one works.")
            sentences.append(rng.choice(CLEAR).format(**fill))
        elif act == "approval":
            sentences.append("This looks great, approved.")
            sentences.append("Please send the invoice when you're ready.")
        elif act == "invoice":
            number = self._invoice_number(vendor)
            facts["invoice"] = number
            amount = MONEY[vendor.money](int(vendor.rate * rng.choice([0.5, 0.75, 1, 1.5, 2])))
            terms = rng.choice(["Net 14", "Net 30", "due on receipt", f"due {date_phrase}"])
            sentences.append(f"Please find attached invoice {number} for {amount}, {terms}.")
            sentences.append("Bank details are on the invoice.")
            facts["attach_invoice"] = True
        elif act == "payment":
            number = facts.get("invoice") or thread.subject.removeprefix("Invoice ")
            method = rng.choice(["Wise", "bank transfer", "PayPal"])
            sentences.append(f"Paid {number} today by {method}, thanks!")
        elif act == "chase":
            sentences.append(f"Any news on the {deliverable}? It was due yesterday.")
            sentences.append("We need it for the launch, so please let me know where it is.")
        elif act == "apology":
            sentences.append("Sorry for the delay, I had a family emergency.")
            sentences.append(f"You will have it by {date_phrase} at the latest.")
        elif act == "update":
            sentences.append(f"A quick update on the {project}: the {deliverable} is on track.")
            sentences.append(rng.choice(FILLER))
        elif act == "ack":
            sentences.append("Thanks for the update, sounds good.")
        elif act == "question":
            sentences.append(f"Before I continue with the {deliverable}, one question.")
            sentences.append(f"Should I follow the old {project} files or start fresh?")
        elif act in ("thanks", "receipt"):
            sentences.append("Received, thank you!")
        elif act == "followup":
            sentences.append(f"One more thing: could you also send the {deliverable} as PDF?")
        if not owner_side and vendor.phrase and rng.random() < 0.35:
            sentences.append(vendor.phrase)
        if act in ("brief", "answer", "feedback", "delivery") and rng.random() < 0.6:
            sentences.append(rng.choice(FILLER))
        return f"{greeting}\n\n{' '.join(sentences)}\n\n{signoff}"

    def _personal_text(self, sender: _Party, recipient: _Party) -> str:
        rng = self.rng
        line = rng.choice(PERSONAL)
        return f"Hi {recipient.name.split()[0]},\n\n{line}\n\n{sender.name.split()[0]} x"

    # -- rendering -------------------------------------------------------------------------------

    def _message_id(self, sender: _Party, when: datetime) -> str:
        rng = self.rng
        domain = sender.addr.split("@", 1)[1]
        token = f"{self.seed:x}.{self.count:x}.{rng.getrandbits(40):010x}"
        if sender.client == "gmail":
            return f"<CA{rng.getrandbits(96):024x}+{self.count:x}.{self.seed:x}@{domain}>"
        if sender.client == "outlook":
            return f"<PN3PR01MB{token.upper().replace('.', '')}@{domain}>"
        return f"<{when.astimezone(UTC):%Y%m%d%H%M%S}.{token}@{domain}>"

    def _render(
        self,
        thread: _Thread,
        sender: _Party,
        recipient: _Party,
        local: datetime,
        text: str,
        parent: _Sent | None,
    ) -> tuple[bytes, _Sent]:
        rng = self.rng
        mid = self._message_id(sender, local)
        subject = thread.subject
        references: list[str] = []
        if parent is not None:
            subject = sender.reply_prefix + re.sub(r"^((Re|RE|AW|SV|Fwd): )+", "", parent.subject)
            references = [*parent.references, parent.message_id]
        headers = [
            _fold("From", _address(sender.name, sender.addr)),
            _fold("To", _address(recipient.name, recipient.addr)),
            _fold("Subject", _encode_header(subject)),
            f"Date: {format_datetime(local.replace(microsecond=0))}",
            f"Message-ID: {mid}",
        ]
        if references:
            headers.append(f"In-Reply-To: {references[-1]}")
            headers.append(_fold("References", " ".join(references)))
        headers.append("MIME-Version: 1.0")
        if thread.kind == "newsletter":
            return self._newsletter(thread, headers, sender, local, subject, mid)
        if thread.kind == "notification":
            return self._notification(thread, headers, sender, local, subject, mid)
        signature = ""
        if thread.vendor is not None and sender.addr != self.owner.addr:
            signature = f"\n\n-- \n{sender.name}\n{thread.vendor.name}\n{thread.vendor.domain}"
        elif sender.addr == self.owner.addr and thread.kind == "vendor":
            signature = f"\n\n-- \n{OWNER_NAME}\nMorgan & Leaf · test.example"
        body = text + signature
        if parent is not None:
            body += "\n\n" + self._quote(sender, parent)
        client = sender.client
        attachments: list[tuple[str, str, bytes]] = []
        if thread.facts.pop("attach_invoice", False):
            attachments.append(self._invoice_pdf(thread))
        elif thread.facts.pop("attach", False) or (thread.kind == "vendor" and rng.random() < 0.03):
            attachments.append(self._random_attachment())
        if client == "thunderbird":
            content = _text_part(_wrap_flowed(body), flowed=True)
        elif client in ("outlook",) or (client == "gmail" and rng.random() < 0.55):
            boundary = f"000000000000{rng.getrandbits(64):016x}"
            content = (
                f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
                f"--{boundary}\n{_text_part(body)}\n--{boundary}\n"
                f"{_html_part(_html_from_text(body))}\n--{boundary}--\n"
            )
        else:
            content = _text_part(body)
        if attachments:
            boundary = f"000000000000{rng.getrandbits(64):016x}"
            parts = [content] + [_attachment_part(*a) for a in attachments]
            content = f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n' + "".join(
                f"--{boundary}\n{p}\n" for p in parts
            )
            content += f"--{boundary}--\n"
        raw = "\n".join(headers) + "\n" + content
        sent = _Sent(mid, references, sender, recipient, local, subject, text + signature)
        return raw.encode("utf-8"), sent

    def _quote(self, replier: _Party, parent: _Sent) -> str:
        t = parent.date.astimezone(replier.tz)
        who = f"{parent.sender.name} <{parent.sender.addr}>"
        if replier.client == "outlook":
            sent = f"{DAY_ABBR[t.weekday()]}, {t.day} {MONTH_NAMES[t.month - 1]} {t.year} {t:%H:%M}"
            return (
                f"-----Original Message-----\nFrom: {who}\nSent: {sent}\n"
                f"To: {parent.recipient.name} <{parent.recipient.addr}>\n"
                f"Subject: {parent.subject}\n\n{parent.text}"
            )
        if replier.client == "thunderbird":
            head = f"On {t:%d/%m/%Y %H:%M}, {parent.sender.name} wrote:"
        elif replier.client == "apple":
            head = f"On {t.day} {MON_ABBR[t.month - 1]} {t.year}, at {t:%H:%M}, {who} wrote:"
        else:
            day = f"{DAY_ABBR[t.weekday()]}, {t.day} {MON_ABBR[t.month - 1]} {t.year}"
            head = f"On {day} at {t:%H:%M}, {who} wrote:"
        quoted = "\n".join("> " + line if line else ">" for line in parent.text.split("\n"))
        return f"{head}\n\n{quoted}"

    def _invoice_pdf(self, thread: _Thread) -> tuple[str, str, bytes]:
        number = thread.facts.get("invoice", "INV")
        lines = [f"Invoice {number}", thread.vendor.name if thread.vendor else "", "Bill to: owner"]
        stream = "BT /F1 12 Tf 56 780 Td 16 TL " + " ".join(f"({x}) Tj T*" for x in lines) + " ET"
        pdf = (
            "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> "
            f"endobj\n4 0 obj << /Length {len(stream)} >> stream\n{stream}\nendstream endobj\n"
            "trailer << /Root 1 0 R >>\n%%EOF\n"
        ).encode("latin-1", "replace")
        return f"{number.replace('/', '-')}.pdf", "application/pdf", pdf

    def _random_attachment(self) -> tuple[str, str, bytes]:
        """A small deliverable: mostly 1-8 KB, sometimes up to ~35 KB (random bytes compress
        poorly, so the base64 size is what a real image of that size costs)."""
        rng = self.rng
        size = int(min(rng.lognormvariate(8.2, 0.9), 36000))
        kind = rng.choice(["png", "csv", "zip"])
        if kind == "csv":
            rows = ["sku,name,price"]
            while sum(map(len, rows)) < size:
                rows.append(
                    f"SKU-{rng.randint(1000, 9999)},Item {rng.randint(1, 500)},"
                    f"{rng.randint(3, 90)}.{rng.randint(0, 99):02d}"
                )
            return "export.csv", "text/csv", ("\n".join(rows) + "\n").encode()
        payload = rng.randbytes(size)
        if kind == "png":
            return f"preview-{rng.randint(1, 99)}.png", "image/png", b"\x89PNG\r\n\x1a\n" + payload
        return "delivery.zip", "application/zip", b"PK\x03\x04" + payload

    def _newsletter(
        self,
        thread: _Thread,
        headers: list[str],
        sender: _Party,
        local: datetime,
        subject: str,
        mid: str,
    ) -> tuple[bytes, _Sent]:
        rng = self.rng
        domain = thread.facts["domain"]
        token = f"{rng.getrandbits(48):012x}"
        headers += [
            f"List-Id: {sender.name} <weekly.{domain}>",
            f"List-Unsubscribe: <https://{domain}/u/{token}>,\n"
            f" <mailto:unsub@{domain}?subject={token}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Precedence: bulk",
        ]
        items = rng.sample(HEADLINES, 3)
        blocks = max(1, int(min(rng.lognormvariate(1.6, 0.8), 70)))  # median ~3.5 KB, max ~50 KB
        text_lines = [subject.upper(), ""]
        html = [f'<html><body style="font-family:Georgia,serif"><h1>{_escape(subject)}</h1>']
        for i in range(blocks):
            title = items[i % 3]
            para = (
                f"{title}. Small shops that plan ahead sell more: schedule posts early, "
                f"check your discount codes, and brief your freelancers clearly. Read more at "
                f"https://{domain}/read/{rng.randint(100, 999)}"
            )
            text_lines += [para, ""]
            html.append(
                f'<table role="presentation" width="600"><tr><td style="padding:16px;'
                f'border-bottom:1px solid #eee"><h2>{_escape(title)}</h2><p>{_escape(para)}</p>'
                f'<a href="https://{domain}/read/{i}?utm_source=email&amp;utm_campaign={token}">'
                f"Read more</a></td></tr></table>"
            )
        html.append(f'<p style="font-size:11px">Unsubscribe: https://{domain}/u/{token}</p>')
        html.append("</body></html>")
        boundary = f"==_mimepart_{rng.getrandbits(64):016x}"
        content = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
            f"--{boundary}\n{_text_part(chr(10).join(text_lines))}\n--{boundary}\n"
            f"{_html_part(chr(10).join(html))}\n--{boundary}--\n"
        )
        raw = "\n".join(headers) + "\n" + content
        return raw.encode("utf-8"), _Sent(mid, [], sender, self.owner, local, subject, "")

    def _notification(
        self,
        thread: _Thread,
        headers: list[str],
        sender: _Party,
        local: datetime,
        subject: str,
        mid: str,
    ) -> tuple[bytes, _Sent]:
        rng = self.rng
        amount = f"£{rng.randint(5, 400)}.{rng.randint(0, 99):02d}"
        day = local + timedelta(days=rng.randint(1, 4))
        text = thread.facts["text"].format(
            num=thread.facts["num"], amount=amount, date=f"{day.day} {MONTH_NAMES[day.month - 1]}"
        )
        body = f"{text}\n\nThis is an automated message, please do not reply."
        headers.append("Auto-Submitted: auto-generated")
        if rng.random() < 0.7:
            boundary = f"==_mimepart_{rng.getrandbits(64):016x}"
            html = (
                '<html><body style="font-family:Arial,sans-serif"><table width="560"><tr><td>'
                f"<h2>{_escape(subject)}</h2><p>{_escape(text)}</p>"
                '<p style="color:#888;font-size:11px">This is an automated message, please '
                "do not reply.</p></td></tr></table></body></html>"
            )
            content = (
                f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
                f"--{boundary}\n{_text_part(body)}\n--{boundary}\n"
                f"{_html_part(html)}\n--{boundary}--\n"
            )
        else:
            content = _text_part(body)
        raw = "\n".join(headers) + "\n" + content
        return raw.encode("utf-8"), _Sent(mid, [], sender, self.owner, local, subject, "")


def generate(
    n: int,
    seed: int = 0,
    start: datetime | None = None,
    vendor_share: float = 0.3,
    owner: str = DEFAULT_OWNER,
) -> Iterator[bytes]:
    """Yield `n` complete RFC 5322 messages (LF line endings) in date order.

    Deterministic per (seed, start, vendor_share, owner); the first k of `generate(n)` are
    `generate(k)`. `vendor_share` is the share of messages that belong to vendor threads.
    """
    if n <= 0:
        return
    gen = _Generator(seed, start or DEFAULT_START, vendor_share, owner)
    for count, raw in enumerate(gen, start=1):
        yield raw
        if count >= n:
            return


# --------------------------------------------------------------------------------------------
# Command line: a Maildir or an mbox for manual tests
# --------------------------------------------------------------------------------------------

_ESCAPE_FROM = re.compile(rb"^(>*From )", re.MULTILINE)
_DATE = re.compile(rb"^Date: (.+)$", re.MULTILINE)
_FROM = re.compile(rb"^From: (?:.*<)?([^<>\s]+@[^<>\s]+?)>?$", re.MULTILINE)


def by_folder(n: int, seed: int = 0, owner: str = DEFAULT_OWNER) -> tuple[list[bytes], list[bytes]]:
    """`generate(n, seed)` split as a mailbox holds it: (INBOX, Sent), the owner's own
    messages in Sent."""
    sent_by_owner = re.compile(rb"From: [^\n]*<?" + re.escape(owner.encode()) + rb">?\n")
    inbox: list[bytes] = []
    sent: list[bytes] = []
    for raw in generate(n, seed=seed, owner=owner):
        (sent if sent_by_owner.match(raw) else inbox).append(raw)
    return inbox, sent


def write_maildir(messages: Iterator[bytes], outdir: Path) -> int:
    """Messages go to cur/ with the Seen flag, named deterministically."""
    for sub in ("cur", "new", "tmp"):
        (outdir / sub).mkdir(parents=True, exist_ok=True)
    count = 0
    for count, raw in enumerate(messages, start=1):
        (outdir / "cur" / f"{1767600000 + count}.M{count}P0.mailgen:2,S").write_bytes(raw)
    return count


def write_mbox(messages: Iterator[bytes], path: Path) -> int:
    """mboxrd: 'From ' lines from the sender and Date, '>From' escaping in bodies."""
    from email.utils import parsedate_to_datetime

    count = 0
    with path.open("wb") as out:
        for raw in messages:
            count += 1
            sender = _FROM.search(raw)
            date = _DATE.search(raw)
            stamp = parsedate_to_datetime(date.group(1).decode()) if date else DEFAULT_START
            envelope = sender.group(1).decode() if sender else "MAILER-DAEMON"
            asctime = stamp.astimezone(UTC).strftime("%a %b %d %H:%M:%S %Y")
            out.write(f"From {envelope} {asctime}\n".encode())
            out.write(_ESCAPE_FROM.sub(rb">\1", raw))
            out.write(b"\n" if raw.endswith(b"\n") else b"\n\n")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write generated mail as a Maildir or mbox.")
    parser.add_argument("n", type=int, help="number of messages")
    parser.add_argument("outdir", nargs="?", type=Path, help="Maildir to create")
    parser.add_argument("--mbox", type=Path, help="write one mbox file instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--owner", default=DEFAULT_OWNER)
    parser.add_argument("--vendor-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    if (args.outdir is None) == (args.mbox is None):
        parser.error("give either OUTDIR or --mbox FILE")
    messages = generate(args.n, seed=args.seed, vendor_share=args.vendor_share, owner=args.owner)
    if args.mbox:
        count = write_mbox(messages, args.mbox)
        print(f"{count} messages written to {args.mbox}")
    else:
        count = write_maildir(messages, args.outdir)
        print(f"{count} messages written to {args.outdir}/cur")
    return 0


if __name__ == "__main__":
    sys.exit(main())
