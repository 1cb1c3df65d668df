"""Turning raw message bytes into a `ParsedMessage` (mail-parser underneath).

This runs in worker processes during a backfill, so it takes only bytes and limits and
returns a plain picklable record: no database, no config objects.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header, make_header

import mailparser

from vendorwatch.daemon.docxtext import docx_text
from vendorwatch.daemon.pdftext import pdf_text
from vendorwatch.nlp.newtext import extract_new_text, html_to_text

logging.getLogger("mailparser").setLevel(logging.CRITICAL)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_LIKE = ("text/", "application/json", "application/xml", "application/csv")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_BODY_CHARS = 1_000_000


@dataclass(frozen=True)
class Limits:
    attachment_text_bytes: int = 256 * 1024


@dataclass
class Attachment:
    name: str
    content_type: str
    size: int
    sha256: str
    text: str | None = None


@dataclass
class ParsedMessage:
    """What ingest needs of a message; `parse_error` set means only headers are trustworthy."""

    key: str
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_addr: str
    from_name: str
    to: list[tuple[str, str]]
    cc: list[tuple[str, str]]
    date: datetime | None
    body_text: str
    new_text: str
    attachments: list[Attachment] = field(default_factory=list)
    auto_reply: str | None = None
    size: int = 0
    parse_error: str | None = None
    notes: list[str] = field(default_factory=list)


def parse(raw: bytes, limits: Limits = Limits()) -> ParsedMessage:
    """Parse one message; never raises: failures land in `parse_error` with what was read."""
    if raw.startswith(OLE_MAGIC):
        return _unparseable(raw, "an Outlook .msg file, not an RFC 5322 message")
    if not _looks_like_headers(raw):
        return _unparseable(raw, "no RFC 5322 header block found")
    try:
        mail = _MailParser.from_bytes(raw)
    except Exception as exc:  # mail-parser raises many types on broken MIME
        return _unparseable(raw, f"MIME structure unreadable: {_one_line(exc)}")
    try:
        return _from_mail(mail, raw, limits)
    except Exception as exc:
        return _unparseable(raw, f"cannot decode message: {_one_line(exc)}")


class _MailParser(mailparser.MailParser):
    """mail-parser without the dict of every header (`mail`, `mail_partial`) that it
    builds twice per message and vendorwatch never reads: a tenth of the parse time."""

    def _make_mail(self, complete: bool = True) -> dict:
        return {}


def _from_mail(mail: mailparser.MailParser, raw: bytes, limits: Limits) -> ParsedMessage:
    msg = mail.message
    message_id = clean_id(_header(msg, "Message-ID"))
    plain = "\n".join(mail.text_plain)[:MAX_BODY_CHARS]
    html = "\n".join(mail.text_html)[:MAX_BODY_CHARS]
    body = plain if plain.strip() else html_to_text(html) if html else ""
    notes: list[str] = []
    attachments = [_attachment(a, limits, notes) for a in mail.attachments]
    from_name, from_addr = _first_address(mail, msg)
    parsed = ParsedMessage(
        key="",
        message_id=message_id,
        in_reply_to=clean_id(_header(msg, "In-Reply-To")),
        references=split_ids(_header(msg, "References")),
        subject=_decoded(_header(msg, "Subject")),
        from_addr=from_addr,
        from_name=from_name,
        to=_pairs(mail.to),
        cc=_pairs(mail.cc),
        date=parse_date(_header(msg, "Date")),
        body_text=body,
        new_text=extract_new_text(plain or None, html or None),
        attachments=attachments,
        auto_reply=auto_reply_reason(msg, from_addr),
        size=len(raw),
        notes=notes,
    )
    if len(plain) >= MAX_BODY_CHARS or len(html) >= MAX_BODY_CHARS:
        notes.append(f"body text cut at {MAX_BODY_CHARS} characters")
    parsed.key = message_key(parsed)
    return parsed


def _unparseable(raw: bytes, reason: str) -> ParsedMessage:
    """A record for a message we could not parse, keyed by its bytes so it is stored once."""
    headers = _loose_headers(raw)
    date = parse_date(headers.get("date"))
    message_id = clean_id(headers.get("message-id"))
    from_name, from_addr = email.utils.parseaddr(_decoded(headers.get("from", "")))
    return ParsedMessage(
        key=message_id or "sha256:" + hashlib.sha256(raw).hexdigest(),
        message_id=message_id,
        in_reply_to=clean_id(headers.get("in-reply-to")),
        references=split_ids(headers.get("references")),
        subject=_decoded(headers.get("subject", "")),
        from_addr=from_addr.lower(),
        from_name=from_name,
        to=[],
        cc=[],
        date=date,
        body_text="",
        new_text="",
        size=len(raw),
        parse_error=reason,
    )


def _looks_like_headers(raw: bytes) -> bool:
    head = raw[:4096].lstrip(b"\r\n")
    first = head.split(b"\n", 1)[0]
    return bool(re.match(rb"^(From |[!-9;-~]+:)", first))


def _loose_headers(raw: bytes) -> dict[str, str]:
    """Headers read line by line, for messages the MIME parser refused."""
    text = raw[:65536].decode("utf-8", "replace")
    headers: dict[str, str] = {}
    for line in re.split(r"\r?\n", text):
        if not line.strip():
            break
        name, sep, value = line.partition(":")
        if sep and re.fullmatch(r"[!-9;-~]+", name):
            headers.setdefault(name.lower(), value.strip())
    return headers


def _header(msg, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    return str(value) if value is not None else ""


def _decoded(value: str) -> str:
    """Decode RFC 2047 words; undecodable text is kept as it came rather than dropped."""
    if not value:
        return ""
    try:
        text = str(make_header(decode_header(value)))
    except Exception:
        text = value
    return re.sub(r"\s*\r?\n\s*", " ", text).strip()


def _pairs(values: object) -> list[tuple[str, str]]:
    """mail-parser's decoded (name, address) pairs, cleaned; it already parsed them."""
    if not isinstance(values, list):
        return []
    pairs = []
    for item in values:
        if isinstance(item, list | tuple) and len(item) == 2 and "@" in str(item[1]):
            pairs.append((str(item[0]).strip(), str(item[1]).strip().lower()))
    return pairs


def _first_address(mail: mailparser.MailParser, msg) -> tuple[str, str]:
    pairs = _pairs(mail.from_)
    if pairs:
        return pairs[0]
    raw_name, addr = email.utils.parseaddr(_decoded(_header(msg, "From")))
    return raw_name, addr.lower()


def clean_id(value: str | None) -> str | None:
    """A Message-ID without angle brackets and white space; None when there is none."""
    if not value:
        return None
    match = re.search(r"<([^<>\s]+)>", value)
    ident = match[1] if match else value.strip().split()[0] if value.strip() else ""
    return ident.strip("<>") or None


def split_ids(value: str | None) -> list[str]:
    if not value:
        return []
    found = re.findall(r"<([^<>\s]+)>", value)
    return found or [v.strip("<>") for v in value.split() if v.strip("<>")]


def parse_date(value: str | None) -> datetime | None:
    """The Date header as an aware datetime in the sender's own offset."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 1980 <= parsed.year <= 2200:
        return None
    return parsed


def auto_reply_reason(msg, from_addr: str) -> str | None:
    """Why a message is machine-made, so it never counts as a vendor's answer or as work."""
    auto = _header(msg, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if _header(msg, name) and name != "X-Auto-Response-Suppress":
            return name
    ctype = msg.get_content_type() if hasattr(msg, "get_content_type") else ""
    if ctype == "multipart/report":
        return "delivery status report"
    local = from_addr.split("@")[0]
    if local in ("mailer-daemon", "postmaster"):
        return f"from {local}"
    if _header(msg, "List-Id") or _header(msg, "List-Unsubscribe"):
        return "mailing list"
    return None


def message_key(parsed: ParsedMessage) -> str:
    """Content identity: the Message-ID, or a hash of the headers when it is missing."""
    if parsed.message_id:
        return parsed.message_id
    basis = "\x00".join(
        [
            parsed.from_addr,
            ",".join(a for _, a in parsed.to),
            parsed.date.isoformat() if parsed.date else "",
            parsed.subject,
            hashlib.sha256(parsed.body_text.encode("utf-8", "replace")).hexdigest(),
        ]
    )
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def _attachment(item: dict, limits: Limits, notes: list[str]) -> Attachment:
    name = item.get("filename") or "(unnamed)"
    ctype = (item.get("mail_content_type") or "application/octet-stream").lower()
    payload = item.get("payload") or ""
    data = _payload_bytes(payload, bool(item.get("binary")), item.get("charset"))
    if data is None:
        notes.append(f"attachment {name}: base64 payload does not decode")
        data = payload.encode("utf-8", "replace")
    text = None
    if ctype.startswith(TEXT_LIKE) or name.lower().endswith((".txt", ".csv", ".md", ".json")):
        text = data[: limits.attachment_text_bytes].decode(
            item.get("charset") or "utf-8", "replace"
        )
        if len(data) > limits.attachment_text_bytes:
            notes.append(f"attachment {name}: text cut at {limits.attachment_text_bytes} bytes")
    elif ctype == "application/pdf" or name.lower().endswith(".pdf"):
        text, note = pdf_text(data, limits.attachment_text_bytes)
        if note:
            notes.append(f"attachment {name}: {note}")
    elif ctype == DOCX_TYPE or name.lower().endswith(".docx"):
        text, note = docx_text(data, limits.attachment_text_bytes)
        if note:
            notes.append(f"attachment {name}: {note}")
    return Attachment(
        name=name,
        content_type=ctype,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
    )


def _payload_bytes(payload: str, binary: bool, charset: str | None) -> bytes | None:
    if binary:
        try:
            return base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            return None
    try:
        return payload.encode(charset or "utf-8", "replace")
    except LookupError:
        return payload.encode("utf-8", "replace")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__


def normalize_subject(subject: str) -> str:
    """The subject without reply and forward prefixes in the languages clients use."""
    text = subject.strip().lower()
    prefix = re.compile(
        r"^\s*(?:(?:re|aw|wg|tr|rv|fw|fwd|enc|sv|vs|antw|odp|pd|r|ynt|res|ref|rif|"
        r"回复|答复|转发|返信|転送)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*|\[[^\]]{1,40}\]\s*)",
        re.IGNORECASE,
    )
    while True:
        stripped = prefix.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return re.sub(r"\s+", " ", text).strip()
