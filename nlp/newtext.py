"""The NEW text of an e-mail: what the sender wrote in this message, without quotes or signature.

Every later analysis (vague instructions, language barriers, late deliveries) must judge what
the vendor or owner said *now*, not the thread history that mail clients paste below a reply,
nor a signature repeated in every message. Everything here is pure: text in, text out, no I/O.

Design rules, because this runs on hostile input inside a daemon:
- never raise: malformed HTML, binary garbage and odd Unicode give best-effort text;
- bounded time: line-based scans, regexes only on short slices with no nested quantifiers,
  and `extract_new_text` reads at most `MAX_INPUT_CHARS`.
"""

from __future__ import annotations

import functools
import html as _html
import re

__all__ = [
    "MAX_INPUT_CHARS",
    "extract_new_text",
    "html_to_text",
    "strip_html_quotes",
    "strip_quotes",
    "strip_signature",
]

MAX_INPUT_CHARS = 200_000
"""The new text is always near the top; reading more only costs time on giant bodies."""

_MAX_HEADER_LINE = 400  # a quote header line longer than this is prose, not a header
_TAIL_LINES = 40  # signatures are looked for only in the last lines of a message

# --------------------------------------------------------------------------------------------
# Text normalisation
# --------------------------------------------------------------------------------------------

# NUL and C0/C1 controls (except tab and newline) come from binary garbage; BOM and zero-width
# space are invisible and break "is this line blank" checks.
_DROP_CHARS = {c: None for c in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)]}
_DROP_CHARS.update({0xFEFF: None, 0x200B: None})
_INVISIBLE = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060"


def _normalise(text: str) -> str:
    """Unix newlines and no control characters, so line logic sees what a reader sees."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_DROP_CHARS)


def _blank(line: str) -> bool:
    """True for lines that look empty, including ones holding only direction marks."""
    return not line.strip().strip(_INVISIBLE).strip()


def _trim_blank_lines(lines: list[str]) -> list[str]:
    """Drop blank lines at both ends; inner ones carry paragraph structure."""
    start, end = 0, len(lines)
    while start < end and _blank(lines[start]):
        start += 1
    while end > start and _blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _tidy(text: str) -> str:
    """Strip line ends, keep at most one blank line in a row, strip the whole."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip()


# --------------------------------------------------------------------------------------------
# HTML tokenizer: linear, never raises, keeps source offsets so quote removal can cut the
# original markup instead of re-serialising a tree.
# --------------------------------------------------------------------------------------------

# A token is (kind, start, end, tag name). Kinds: "text", "start", "end", "raw" (the body of
# <script>/<style>/<title>…), "comment" (also doctype, CDATA, processing instructions).
_Tok = tuple[str, int, int, str]

# One search per tag. A tag ends at the first '>' (as in browsers' error recovery), and the
# search never runs past the last '>' in the document, so a failed match cannot rescan the tail.
_TAG_RE = re.compile(r"<(?:(/?)([A-Za-z][A-Za-z0-9:_-]{0,40})[^>]*>|!--|[!?])")
_RAW_TEXT_TAGS = ("script", "style", "textarea", "title", "xmp")
_RAW_CLOSE_RE = {t: re.compile(rf"</{t}\s*>", re.IGNORECASE) for t in _RAW_TEXT_TAGS}
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_ATTR_RE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")


def _tokens(doc: str) -> list[_Tok]:
    """Split HTML into tokens in one left-to-right pass: every character is looked at a
    bounded number of times whatever the input (unclosed comments, stray '<', huge tags)."""
    toks: list[_Tok] = []
    add = toks.append
    pos, n = 0, len(doc)
    last_gt = doc.rfind(">") + 1
    search = _TAG_RE.search
    while pos < n:
        m = search(doc, pos, last_gt)
        if m is None:
            rest = doc.find("<!--", pos)  # an unclosed comment hides the rest, as in browsers
            add(("text", pos, n if rest < 0 else rest, ""))
            break
        lt = m.start()
        if lt > pos:
            add(("text", pos, lt, ""))
        name = m.group(2)
        if name is None:  # comment, doctype, CDATA or processing instruction
            end = doc.find("-->", lt + 4) if doc.startswith("<!--", lt) else doc.find(">", lt)
            pos = n if end < 0 else end + (3 if doc[end] == "-" else 1)
            add(("comment", lt, pos, ""))
            continue
        name = name.lower()
        pos = m.end()
        if m.group(1):
            add(("end", lt, pos, name))
            continue
        add(("start", lt, pos, name))
        if name in _RAW_CLOSE_RE:
            close = _RAW_CLOSE_RE[name].search(doc, pos)
            raw_end = n if close is None else close.start()
            add(("raw", pos, raw_end, name))
            pos = raw_end
    return toks


def _attrs(doc: str, tok: _Tok) -> dict[str, str]:
    """Attributes of a start tag, lower-cased names; only computed for tags we inspect."""
    _, start, end, name = tok
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(doc, start + 1 + len(name), min(end - 1, start + 4000)):
        value = m.group(2) if m.group(2) is not None else m.group(3) or m.group(4) or ""
        out.setdefault(m.group(1).lower(), _html.unescape(value))
    return out


# --------------------------------------------------------------------------------------------
# html_to_text: a few linear regex passes (C speed) rather than a per-tag Python loop, so
# even 1 MB of dense markup converts quickly. Every pattern that scans to a '>' is applied
# only up to the last '>' of its input, so a failed match can never rescan the tail.
# --------------------------------------------------------------------------------------------

_HIDDEN_OPEN_RE = re.compile(
    r"<!--|<(head|script|style|title|noscript|template|xml|textarea|object)\b[^>]*>", re.I
)
_HIDDEN_CLOSE_RE = {
    t: re.compile(rf"</{t}\s*>", re.IGNORECASE)
    for t in "head script style title noscript template xml textarea object".split()
}
_BODY_OPEN_RE = re.compile(r"<body\b", re.IGNORECASE)
_PRE_OPEN_RE = re.compile(r"<(?:pre|plaintext|listing)\b[^>]*>", re.IGNORECASE)
_PRE_CLOSE_RE = re.compile(r"</(?:pre|plaintext|listing)\s*>", re.IGNORECASE)
_WORD_HTML_RE = re.compile(r"class=[\"']?Mso", re.IGNORECASE)
_BR_RE = re.compile(r"<br\b[^>]*>", re.IGNORECASE)
_CELL_RE = re.compile(r"<t[dh]\b[^>]*>", re.IGNORECASE)
_P_RE = re.compile(r"</?p\b[^>]*>", re.IGNORECASE)
_PARA_RE = re.compile(r"</?(?:blockquote|table|ul|ol|h[1-6])\b[^>]*>", re.IGNORECASE)
_LINE_RE = re.compile(
    r"</?(?:div|li|tr|hr|dd|dt|dl|address|article|aside|center|fieldset|figure|figcaption"
    r"|footer|form|header|main|nav|section|caption)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>|<[!?][^>]*>")
_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")
_WS_RE = re.compile(r"[ \t\n\r\f\v]+")
# Block boundaries become sentinels (control characters never left in the text by
# _normalise), resolved afterwards as browsers do: a block starts a new line unless one was
# just started, a paragraph also leaves a blank line, a <br> always breaks the line.
_LINE_MARK, _PARA_MARK = "\x1e", "\x1f"
_BREAK_RUN_RE = re.compile(r"[ \n\x1e\x1f]*[\n\x1e\x1f][ \n\x1e\x1f]*")


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body: HTML-only mail must reach the same text analysis
    as plain-text mail. Drops head/script/style, keeps paragraph and line breaks, unescapes
    entities. Never raises; linear time."""
    if not html:
        return ""
    try:
        return _tidy(_html_to_text(_normalise(str(html))))
    except Exception:  # pragma: no cover - every step is total; this is belt and braces
        return ""


def _html_to_text(doc: str) -> str:
    doc = _drop_hidden(doc)
    # Word/Outlook writes each line as <p class=MsoNormal> with zero margins: one line.
    para_p = _LINE_MARK if _WORD_HTML_RE.search(doc) else _PARA_MARK
    parts: list[str] = []
    for segment, is_pre in _pre_segments(doc):
        parts.append(_layout(segment if is_pre else _WS_RE.sub(" ", segment), para_p))
    text = _BREAK_RUN_RE.sub(_resolve_breaks, "".join(parts))
    text = _html.unescape(text).replace("\xa0", " ")
    return "\n".join(line.strip() for line in text.split("\n"))


def _resolve_breaks(m: re.Match[str]) -> str:
    return _breaks_for(m.group(), m.start() == 0)


@functools.lru_cache(maxsize=4096)
def _breaks_for(run: str, at_line_start: bool) -> str:
    """Newlines for a run of <br>s and block boundaries between two pieces of text. The same
    few runs repeat throughout a document, hence the cache: dense markup stays fast."""
    out: list[str] = []
    for ch in run:
        if ch == "\n":
            out.append("\n")
            at_line_start = True
        elif ch != " " and not at_line_start:
            out.append("\n")
            at_line_start = True
        if ch == _PARA_MARK and out and out[-2:] != ["\n", "\n"]:
            out.append("\n")
    return "".join(out)


def _drop_hidden(doc: str) -> str:
    """Remove comments and elements that are never displayed (head, script, style…). An
    unclosed one hides the rest of the document, except <head>, which ends at <body>."""
    out: list[str] = []
    pos, n = 0, len(doc)
    last_gt = doc.rfind(">") + 1
    while pos < n:
        m = _HIDDEN_OPEN_RE.search(doc, pos, last_gt)
        if m is None:
            break
        out.append(doc[pos : m.start()])
        name = (m.group(1) or "").lower()
        if not name:
            end = doc.find("-->", m.end())
            pos = n if end < 0 else end + 3
            continue
        close = _HIDDEN_CLOSE_RE[name].search(doc, m.end())
        if close is not None:
            pos = close.end()
        elif name == "head" and (body := _BODY_OPEN_RE.search(doc, m.end())) is not None:
            pos = body.start()
        else:
            pos = m.end() if name == "head" else n
    out.append(doc[pos:])
    return "".join(out)


def _pre_segments(doc: str) -> list[tuple[str, bool]]:
    """Split into (markup, inside <pre>) runs: whitespace is significant only inside."""
    segments: list[tuple[str, bool]] = []
    pos = 0
    last_gt = doc.rfind(">") + 1
    while True:
        m = _PRE_OPEN_RE.search(doc, pos, last_gt)
        if m is None:
            break
        close = _PRE_CLOSE_RE.search(doc, m.end())
        end = len(doc) if close is None else close.start()
        segments.append((doc[pos : m.start()] + _PARA_MARK, False))
        segments.append((doc[m.end() : end], True))
        pos = len(doc) if close is None else close.end()
        segments.append((_PARA_MARK, False))
    segments.append((doc[pos:], False))
    return segments


def _layout(markup: str, para_p: str) -> str:
    """Tags to line breaks (<br>, blocks), blank lines (paragraphs) or nothing."""
    last_gt = markup.rfind(">") + 1
    head, tail = markup[:last_gt], markup[last_gt:]
    m = _TAG_START_RE.search(tail)
    if m is not None:  # an unterminated tag at the very end is dropped, as browsers do
        tail = tail[: m.start()]
    head = _BR_RE.sub("\n", head)
    head = _CELL_RE.sub(" ", head)
    head = _P_RE.sub(para_p, head)
    head = _PARA_RE.sub(_PARA_MARK, head)
    head = _LINE_RE.sub(_LINE_MARK, head)
    head = _ANY_TAG_RE.sub("", head)
    return head + tail


# --------------------------------------------------------------------------------------------
# Quote-header vocabulary (shared by the HTML and plain-text quote strippers)
# --------------------------------------------------------------------------------------------

# Header field names of "From: / Sent: / To: / Subject:" blocks, by kind, in the languages
# vendors write in. Kinds let us require several *different* fields before cutting.
_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "from": (
        "from", "von", "de", "fra", "från", "van", "od", "da", "dari", "từ", "от",
        "差出人", "送信者", "发件人", "寄件者", "expéditeur", "remitente", "absender",
        "afzender", "nadawca", "mittente", "pengirim", "người gửi", "отправитель",
    ),
    "date": (
        "sent", "date", "gesendet", "datum", "envoyé", "envoye", "enviado", "enviada",
        "enviada em", "enviado em", "fecha", "data", "verzonden", "verstuurd", "sendt",
        "skickat", "wysłano", "wysłane", "inviato", "dikirim", "tanggal", "đã gửi", "ngày",
        "отправлено", "дата", "送信日時", "日付", "发送时间", "sent at",
    ),
    "to": (
        "to", "an", "à", "a", "para", "aan", "til", "till", "do", "kepada", "đến", "кому",
        "宛先", "收件人", "destinataire", "destinatario", "empfänger",
    ),
    "cc": ("cc", "bcc", "kopie", "copie", "cópia", "kopi", "kopia", "dw", "копия", "cc/bcc"),
    "subject": (
        "subject", "betreff", "objet", "asunto", "assunto", "onderwerp", "emne", "ämne",
        "temat", "oggetto", "perihal", "subjek", "chủ đề", "тема", "件名", "主题", "sujet",
    ),
}  # fmt: skip
_FIELD_KIND = {name: kind for kind, names in _FIELD_NAMES.items() for name in names}
_FIELD_ALT = "|".join(sorted((re.escape(n) for n in _FIELD_KIND), key=len, reverse=True))
# "From:", "*From:*", "**Von:**", "De :"; the field name must be followed by a colon.
_FIELD_RE = re.compile(
    rf"^[ \t]*[*_]{{0,2}}[ \t]*({_FIELD_ALT})[ \t]*[*_]{{0,2}}[ \t]*[:：][*_]{{0,2}}",
    re.IGNORECASE,
)
_FIELD_ANY_RE = re.compile(rf"(?:^|[\s*>])({_FIELD_ALT})[ \t]*[*_]{{0,2}}[ \t]*[:：]", re.I)

# "-----Original Message-----", "---------- Forwarded message ---------", in many languages.
_ORIGINAL_PHRASES = (
    "original message", "reply message", "forwarded message", "original e-mail",
    "ursprüngliche nachricht", "original-nachricht", "original nachricht", "antwort nachricht",
    "weitergeleitete nachricht", "message d'origine", "message original", "message transféré",
    "mensaje original", "mensaje reenviado", "mensagem original", "mensagem encaminhada",
    "mensagem reencaminhada", "oorspronkelijk bericht", "origineel bericht",
    "doorgestuurd bericht", "oprindelig meddelelse", "videresendt meddelelse",
    "ursprungligt meddelande", "vidarebefordrat meddelande", "opprinnelig melding",
    "videresendt melding", "wiadomość oryginalna", "oryginalna wiadomość",
    "przekazana wiadomość", "wiadomość przekazana dalej", "messaggio originale",
    "messaggio inoltrato", "pesan asli", "pesan terusan", "pesan yang diteruskan",
    "thư gốc", "tin nhắn đã chuyển tiếp", "исходное сообщение", "пересылаемое сообщение",
    "переадресованное сообщение", "元のメッセージ", "転送されたメッセージ", "原始邮件",
)  # fmt: skip
_ORIGINAL_RE = re.compile(
    r"^[ \t>*]*[-_=*~]{2,}[ \t]*(?:"
    + "|".join(re.escape(p) for p in _ORIGINAL_PHRASES)
    + r")[ \t]*[-_=*~]*[ \t]*$",
    re.IGNORECASE,
)
_ORIGINAL_START_RE = re.compile(
    r"^[ \t>*]*[-_=*~]{2,}[ \t]*(?:" + "|".join(re.escape(p) for p in _ORIGINAL_PHRASES) + ")",
    re.IGNORECASE,
)
_FORWARD_START_RE = re.compile(
    r"^[ \t>*]*(?:begin forwarded message|anfang der weitergeleiteten nachricht"
    r"|début du message réexpédié|debut du message reexpedie|inicio del mensaje reenviado"
    r"|início da mensagem (?:reencaminhada|encaminhada)|begin doorgestuurd bericht"
    r"|videresendt (?:besked|meddelelse)|vidarebefordrat (?:mejl|meddelande)"
    r"|inizio messaggio inoltrato|początek przekazywanej wiadomości|pesan yang diteruskan"
    r"|転送メッセージ)[ \t]*[:：]?[ \t]*$",
    re.IGNORECASE,
)

# "On <date>, <name> wrote:" in many languages. The verb ends the header (possibly wrapped
# over up to three lines); a start word or a leading date marks where it begins.
_VERBS_LATIN = (
    "wrote", "writes", "sent", "schrieb", "hat geschrieben", "geschrieben", "a écrit",
    "a ecrit", "escribió", "escribio", "escreveu", "schreef", "het volgende geschreven",
    "skrev følgende", "skrev", "napisał\\(a\\)", "napisała", "napisał", "napisal", "pisze",
    "ha scritto", "menulis", "đã viết", "написал\\(а\\)", "написала", "написал", "пишет",
    "kirjoitti", "írta",
)  # fmt: skip
_VERBS_CJK = ("が書きました", "のメッセージ", "写道", "寫道")
_VERB_END_RE = re.compile(
    r"(?:(?<![^\W\d_])(?P<verb>"
    + "|".join(_VERBS_LATIN)
    + r")|(?:"
    + "|".join(_VERBS_CJK)
    + r"))[ \t]*[:：]?[ \t]*[-–—=]*[ \t]*$",
    re.IGNORECASE,
)
_EMAIL_END_RE = re.compile(r"@[\w-]+(?:\.[\w-]+)+[ \t]*[>\])»\"']*[ \t]*[:：][ \t]*$")
_START_STRONG_RE = re.compile(
    r"^[ \t>*_-]*(?:On|Am|Le|El|Em|Op|Den|På|W dniu|Dnia|Il|Pada|Vào|Ngày|В)[ \t]"
)
_START_WEAK_RE = re.compile(
    r"^[ \t>*_-]*(?:\d{1,4}[./\-年]|\d{1,2}[ \t]|[^\W\d_]{2,4}\.?,?[ \t]+\d)"
)
_INLINE_START_RE = re.compile(
    r"(?:^|[ \t]|-)(?=(?:On|Am|Le|El|Em|Op|Den|På|W dniu|Dnia|Il|Pada|Vào)[ \t])"
)
_DATEISH_RE = re.compile(r"\d{1,2}:\d{2}|\d{4}|\d{1,2}[./-]\d{1,2}")


def _field_kind(line: str) -> tuple[str, str] | None:
    """(kind, value) when the line starts like a mail header field ("From: …")."""
    if len(line) > _MAX_HEADER_LINE:
        return None
    m = _FIELD_RE.match(line)
    if m is None:
        return None
    return _FIELD_KIND[m.group(1).lower()], line[m.end() :]


def _kinds_in(snippet: str) -> set[str]:
    """Distinct header field kinds mentioned anywhere in a short snippet of text."""
    return {_FIELD_KIND[m.group(1).lower()] for m in _FIELD_ANY_RE.finditer(snippet)}


# --------------------------------------------------------------------------------------------
# strip_html_quotes
# --------------------------------------------------------------------------------------------

# Elements whose whole subtree is quoted material or a client-inserted signature (class
# substrings and id prefixes of known clients only: for vendors a "quote" is also a price).
_QUOTE_CLASSES = (
    "gmail_quote", "gmail_attr", "yahoo_quoted", "moz-cite-prefix", "moz-forward-container",
    "protonmail_quote", "zmail_extra", "gmail_signature", "moz-signature",
)  # fmt: skip
_QUOTE_IDS = ("yahoo_quoted",)
# Elements that start the quoted part: they and everything after them in the document go.
_CUT_IDS = (
    "divrplyfwdmsg", "x_divrplyfwdmsg", "appendonsend", "x_appendonsend",
    "olk_src_body_section", "mail-editor-reference-message-container",
)  # fmt: skip
_MARKER_TAGS = frozenset("div blockquote span p table section article hr".split())
_LOOKAHEADS = 64  # text look-ups after <hr>/bordered divs per document: bounds the work


def strip_html_quotes(html: str) -> str:
    """Remove quoted material from an HTML reply before conversion, because markup says what
    was quoted more reliably than the text does (Gmail, Outlook, Thunderbird, Yahoo, Apple
    Mail, Mail.ru, Yandex, <hr>-separated replies). Best effort; never raises."""
    if not html:
        return ""
    try:
        return _strip_html_quotes(str(html))
    except Exception:  # pragma: no cover - defensive: return the input unchanged
        return str(html)


def _strip_html_quotes(doc: str) -> str:
    toks = _tokens(doc)
    match = _match_ends(doc, toks)
    keep: list[str] = []
    seg = 0  # start offset of the run of kept markup not yet copied
    budget = [_LOOKAHEADS]
    i, n = 0, len(toks)
    while i < n:
        kind, start, _, name = toks[i]
        verdict = ""
        if kind == "comment":
            verdict = "drop"
        elif kind == "start" and name in _MARKER_TAGS:
            verdict = _quote_verdict(doc, toks, i, match[i], budget)
        if verdict == "cut":
            keep.append(doc[seg:start])
            return "".join(keep)
        if verdict == "drop":
            keep.append(doc[seg:start])
            i = max(i, match[i]) + 1
            seg = toks[i - 1][2] if i <= n else len(doc)
            continue
        i += 1
    keep.append(doc[seg:])
    return "".join(keep)


def _match_ends(doc: str, toks: list[_Tok]) -> list[int]:
    """For each start token, the index of its end token (len(toks) if never closed).
    Stray end tags only search the top of the stack, keeping this linear."""
    match = list(range(len(toks)))
    stack: list[int] = []
    names: list[str] = []
    for i, (kind, _, end, name) in enumerate(toks):
        if kind == "start":
            if name not in _VOID_TAGS and doc[end - 2 : end] != "/>":
                stack.append(i)
                names.append(name)
        elif kind == "end":
            for depth in range(len(stack) - 1, max(-1, len(stack) - 60), -1):
                if names[depth] == name:
                    for j in stack[depth:]:
                        match[j] = i
                    del stack[depth:], names[depth:]
                    break
    for j in stack:
        match[j] = len(toks)
    return match


def _quote_verdict(doc: str, toks: list[_Tok], i: int, end: int, budget: list[int]) -> str:
    """'drop' (this element is a quote), 'cut' (the quote starts here) or ''."""
    _, start, stop, name = toks[i]
    if name == "blockquote":
        return "drop"
    if name == "hr":
        return "cut" if _header_follows(doc, toks, i + 1, len(toks), budget) else ""
    raw = doc[start:stop].lower()
    if "class" not in raw and "id" not in raw and "style" not in raw:
        return ""
    attrs = _attrs(doc, toks[i])
    elem_id = attrs.get("id", "").lower()
    if elem_id in _CUT_IDS:
        return "cut"
    classes = attrs.get("class", "").lower()
    if any(c in classes for c in _QUOTE_CLASSES) or elem_id.startswith(_QUOTE_IDS):
        return "drop"
    style = attrs.get("style", "").lower().replace(" ", "")
    if name in ("div", "p") and "border-top" in style and "solid" in style:
        # Outlook puts the "From: … Sent: …" header of the quoted message in a bordered div.
        return "cut" if _header_follows(doc, toks, i + 1, end, budget) else ""
    return ""


def _header_follows(doc: str, toks: list[_Tok], lo: int, hi: int, budget: list[int]) -> bool:
    """Does the visible text in tokens lo..hi begin like a quoted message's header? Only a
    bounded number of these look-ups are done per document."""
    if budget[0] <= 0:
        return False
    budget[0] -= 1
    parts: list[str] = []
    size = 0
    for kind, start, end, _ in toks[lo : min(hi, lo + 80)]:
        if kind == "text":
            parts.append(doc[start:end])
            size += end - start
            if size >= 400:
                break
    return _starts_header(_WS_RE.sub(" ", _html.unescape("".join(parts))).strip())


def _starts_header(text: str) -> bool:
    """True when text begins like the header of a quoted message ("From: x Sent: y …")."""
    if _ORIGINAL_START_RE.match(text):
        return True
    field = _field_kind(text[:200])
    return field is not None and field[0] in ("from", "date") and len(_kinds_in(text)) >= 2


# --------------------------------------------------------------------------------------------
# strip_quotes (plain text)
# --------------------------------------------------------------------------------------------


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _separator(line: str) -> bool:
    """A line made only of -, _, =, *, ~ (at least two): decoration, never content."""
    s = line.strip()
    return len(s) >= 2 and not s.strip("-_=*~—–")


def _has_text(lines: list[str]) -> bool:
    return any(not _blank(line) for line in lines)


def strip_quotes(text: str) -> str:
    """Remove quoted replies from plain text: '>' lines, the "On … wrote:" header that
    introduces them (in a dozen languages, wrapped over up to three lines), "Original
    Message" and forward delimiters, and Outlook "From:/Sent:/To:/Subject:" blocks with
    everything after them. Text the sender wrote between quotes (inline replies) is kept.
    Linear time: each line is matched against short anchored patterns only."""
    if not text:
        return ""
    lines = _normalise(str(text)).split("\n")
    fields = _Fields(lines)
    out: list[str] = []
    has_text = False  # has the sender written anything above the current line?
    drop_from: int | None = None  # text after a quote block, dropped if a hard cut follows
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if _blank(line):
            out.append(line)
            i += 1
            continue
        if _quoted(line):
            drop_from = len(out) if has_text else None
            i = _quote_block_end(lines, i)
            continue
        verdict, end, prefix = _header_at(lines, i, fields)
        if prefix:  # "Sure thing On Mon, … wrote:": the reply part is ours
            out.append(prefix)
            has_text = True
        if verdict == "block" and not has_text:  # the message's own header pasted on top
            i = end
            continue
        if verdict in ("block", "cut"):
            return _after_cut(out, drop_from)
        if verdict == "soft":  # header of a '>' block: drop it, the block follows
            drop_from = len(out) if has_text else None
            i = end
            continue
        out.append(line)
        has_text = True
        i += 1
    return "\n".join(_trim_blank_lines(out))


def _header_at(lines: list[str], i: int, fields: _Fields) -> tuple[str, int, str]:
    """What starts at line i: ("cut" | "block" | "soft" | "", index after it, reply text
    sharing its line). "block" is a From:/Sent: header block, "soft" a header followed by
    '>' lines, "cut" a header or delimiter after which nothing is ours."""
    line = lines[i]
    if len(line) > _MAX_HEADER_LINE:
        return "", i, ""
    if _ORIGINAL_RE.match(line) or _FORWARD_START_RE.match(line):
        return "cut", i, ""
    block_end = _header_block_end(lines, i, fields)
    if block_end is not None:
        return "block", block_end, ""
    prefix = _inline_header_prefix(line)
    end = i if prefix else _wrote_header_end(lines, i)
    dated = end is None and (_dated_address_line(line) or _bare_wrote_line(line))
    if dated:
        end = i
    if end is None:
        return "", i, ""
    nxt = _next_nonblank(lines, end + 1)
    if nxt is not None and _quoted(lines[nxt]):
        return "soft", end + 1, prefix
    return ("", i, "") if dated else ("cut", end + 1, prefix)


def _quote_block_end(lines: list[str], i: int) -> int:
    """Index after the run of '>' lines starting at i."""
    i += 1
    while i < len(lines) and (_quoted(lines[i]) or _soft_break(lines[i - 1], lines[i])):
        i += 1
    return i


def _soft_break(prev: str, line: str) -> bool:
    """An undecoded quoted-printable body breaks long quoted lines with a trailing '=': the
    next line continues the quote even though it lacks the '>'."""
    return prev.endswith("=") and not prev.endswith("==") and not _blank(line)


def _after_cut(out: list[str], drop_from: int | None) -> str:
    """The kept text above a cut, without trailing blank or separator lines. Unquoted text
    between an earlier quote block and the cut belongs to the quoted thread, not to us."""
    if drop_from is not None:
        out = out[:drop_from]
    while out and (_blank(out[-1]) or _separator(out[-1])):
        out.pop()
    return "\n".join(_trim_blank_lines(out))


def _next_nonblank(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if not _blank(lines[i]):
            return i
        i += 1
    return None


class _Fields:
    """Header-field parse of each line, computed at most once: header blocks are probed from
    every line, and each probe looks ahead, so without this a field-heavy text costs 12x."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.cache: dict[int, tuple[str, str] | None] = {}

    def __getitem__(self, i: int) -> tuple[str, str] | None:
        if i not in self.cache:
            self.cache[i] = _field_kind(self.lines[i])
        return self.cache[i]


def _header_block_end(lines: list[str], i: int, fields: _Fields) -> int | None:
    """If an Outlook-style header block ("From: … Sent: … To: … Subject: …") starts at line
    i, the index after its last field line. Values may wrap onto continuation lines."""
    first = fields[i]
    if first is None or first[0] not in ("from", "date"):
        return None
    kinds, has_email = {first[0]}, "@" in first[1]
    last = i
    j = i + 1
    while j < len(lines) and j <= i + 12 and not _blank(lines[j]):
        field = fields[j]
        if field is not None:
            kinds.add(field[0])
            has_email = has_email or "@" in field[1]
            last = j
        elif j - last > 2:
            break
        j += 1
    if len(kinds) >= 3 or (len(kinds) == 2 and has_email):
        return last + 1
    return None


def _join_header(acc: str, line: str) -> str:
    """Join wrapped header lines; a trailing '=' is an undecoded quoted-printable soft break."""
    if not acc:
        return line.strip()
    if acc.endswith("="):
        return acc[:-1] + line.strip()
    return acc + " " + line.strip()


def _wrote_header_end(lines: list[str], i: int) -> int | None:
    """If an "On <date>, <name> wrote:"-style header starts at line i, its last line index."""
    first = lines[i]
    strong = _START_STRONG_RE.match(first) is not None
    if strong or _START_WEAK_RE.match(first):
        acc = ""
        for k in range(3):
            j = i + k
            if j >= len(lines) or _blank(lines[j]) or _quoted(lines[j]):
                break
            if len(lines[j]) > _MAX_HEADER_LINE:
                break
            if k > 0:
                if _START_STRONG_RE.match(lines[j]):
                    return None  # the real header starts on that later line
                if lines[j - 1].rstrip().endswith((".", "!", "?")):
                    break  # the previous line was a sentence, not a header fragment
            acc = _join_header(acc, lines[j])
            if _is_header_text(acc, has_start=True):
                return j
        return None
    return i if _is_header_text(first.strip(), has_start=False) else None


def _is_header_text(s: str, has_start: bool) -> bool:
    """Does this (joined) text read like a quote header? Checks only its short tail."""
    if not 6 <= len(s) <= _MAX_HEADER_LINE:
        return False
    tail = s[-100:]
    verb = _VERB_END_RE.search(tail)
    email_end = "@" in tail and _EMAIL_END_RE.search(tail) is not None
    if verb is None and not email_end:
        return False
    if "@" not in s and not any(c.isdigit() for c in s):
        return False
    colon = s.rstrip(" \t-–—=").endswith((":", "："))
    weak_verb = verb is not None and (verb.group("verb") or "").lower() in ("sent", "writes")
    if (not has_start or weak_verb) and not colon:
        return False
    if verb is None and _DATEISH_RE.search(s) is None:
        return False
    return True


def _inline_header_prefix(line: str) -> str:
    """Reply text and "On … wrote:" sharing one line ("Sure On Mon, … wrote:"): the reply
    part, or "" when the line is not like that."""
    stripped = line.rstrip()
    if not stripped.endswith((":", "：")) or len(line) > _MAX_HEADER_LINE:
        return ""
    if _START_STRONG_RE.match(line):
        return ""
    for m in _INLINE_START_RE.finditer(line, 1):
        if _is_header_text(line[m.end() :].strip(), has_start=True):
            return line[: m.start()].rstrip(" \t-")
    return ""


def _bare_wrote_line(line: str) -> bool:
    """A header without date or address ("Marc Slemko wrote:"). Only ever used when '>'
    lines follow it."""
    s = line.strip()
    return len(s) <= 120 and s.endswith((":", "：")) and _VERB_END_RE.search(s[-40:]) is not None


def _dated_address_line(line: str) -> bool:
    """A header without verb or colon ("2011/4/7 Nathan <support@example.com>"). Only ever
    used when '>' lines follow it."""
    s = line.strip()
    return (
        s.endswith(">")
        and "@" in s[-80:]
        and _START_WEAK_RE.match(s) is not None
        and _DATEISH_RE.search(s[:30]) is not None
    )


# --------------------------------------------------------------------------------------------
# strip_signature
# --------------------------------------------------------------------------------------------

_SIGNOFFS = (
    # English
    "best", "best regards", "best wishes", "all the best", "all best", "regards", "kind regards",
    "kindest regards", "warm regards", "warmest regards", "warm wishes", "with regards",
    "with best regards", "with kind regards", "many thanks", "many thanks again", "thanks",
    "thank you", "thanks again", "thanks so much", "thank you so much", "thanks a lot",
    "thank you very much", "thanks in advance", "thanks & regards", "thanks and regards",
    "thanks & best regards", "thanks and best regards", "thx", "tia", "cheers", "sincerely",
    "yours sincerely", "sincerely yours", "yours truly", "yours faithfully", "respectfully",
    "cordially", "take care", "talk soon", "speak soon", "br", "brgds", "rgds", "best rgds",
    "kr", "greetings",
    # German
    "mit freundlichen grüßen", "mit freundlichen grüssen", "freundliche grüße",
    "freundliche grüsse", "viele grüße", "viele grüsse", "beste grüße", "beste grüsse",
    "liebe grüße", "liebe grüsse", "herzliche grüße", "herzliche grüsse", "schöne grüße",
    "mit besten grüßen", "lg", "vg", "mfg", "gruß", "grüße", "grüsse", "danke",
    "vielen dank", "besten dank",
    # French
    "cordialement", "bien cordialement", "bien à vous", "salutations", "sincères salutations",
    "meilleures salutations", "bonne journée", "merci", "merci beaucoup", "amicalement",
    "à bientôt", "bien amicalement",
    # Spanish / Portuguese
    "saludos", "un saludo", "saludos cordiales", "atentamente", "cordialmente", "gracias",
    "muchas gracias", "un abrazo", "abrazos", "atenciosamente", "att", "cumprimentos",
    "abraços", "abraço", "obrigado", "obrigada", "muito obrigado", "muito obrigada",
    "saudações", "melhores cumprimentos",
    # Dutch
    "met vriendelijke groet", "met vriendelijke groeten", "vriendelijke groet",
    "vriendelijke groeten", "groeten", "groetjes", "hartelijke groet", "mvg", "bedankt",
    "dank je", "dank u", "alvast bedankt",
    # Danish / Norwegian / Swedish
    "med venlig hilsen", "venlig hilsen", "med vennlig hilsen", "vennlig hilsen", "hilsen",
    "mvh", "vh", "kh", "kærlig hilsen", "de bedste hilsner", "bedste hilsner", "mange tak",
    "med vänlig hälsning", "vänlig hälsning", "vänliga hälsningar", "hälsningar", "hälsning",
    "bästa hälsningar", "tack", "tusen tack",
    # Polish
    "pozdrawiam", "pozdrawiam serdecznie", "serdecznie pozdrawiam", "z poważaniem",
    "z powazaniem", "pozdrowienia", "dziękuję", "dziekuje", "dzięki",
    # Italian
    "cordiali saluti", "distinti saluti", "saluti", "un saluto", "grazie", "grazie mille",
    "a presto",
    # Indonesian / Vietnamese / Russian
    "salam", "hormat saya", "hormat kami", "terima kasih", "salam hangat", "wassalam",
    "trân trọng", "thân ái", "cảm ơn", "xin cảm ơn", "с уважением", "спасибо",
    "всего доброго", "с наилучшими пожеланиями",
)  # fmt: skip
_SIGNOFF_RE = re.compile(
    r"^(?:" + "|".join(re.escape(s) for s in sorted(_SIGNOFFS, key=len, reverse=True)) + r")"
    r"(?=$|[\s,.!:;…~\-–—])",
    re.IGNORECASE,
)
_SIGNOFF_JA_RE = re.compile(
    r"^(?:以上[、。,]?\s*)?(?:よろしく|宜しく)お願い.{0,12}$|^以上(?:です)?[。]?$"
)
_CONNECTOR_RE = re.compile(r"^(?:and|&|und|et|y|e|en|og|och|i|oraz)\s+", re.IGNORECASE)
# Words that make a short capitalised line a status or a phrase, not a name ("Not Approved",
# "Order Confirmed"): only checked where a name stands alone at the end of a message.
_NOT_NAME_WORDS = frozenset(
    """a absolutely agreed all also an and apologies approved are asap attached awesome best
    brilliant bye cancelled canceled cheers ciao closed completed confirmed congrats
    congratulations cool correct deal declined definitely delayed delivered done dear
    erledigt exactly excellent fait feito fertig fine finished for fyi gotowe good great
    happy hello help hey hi important invoice is ja klaar klar late later listo lovely maybe
    merry more much new nein nice no noted non not now ok okay open order oui paid payment
    pending perfect perhaps please price question questions ready received regards rejected
    reminder right see selesai sent shipped si sí soon sorry super sure terminé thank thanks
    the to today tomorrow tonight total update urgent very was welcome will wonderful wrong
    yes yesterday monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december""".split()
)
_NAME_PARTICLES = frozenset(
    "de da di du van von der den del della la le dos das bin binti al el ter ten zu y e".split()
)
_MOBILE_RES = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^sent (?:from|with|via|using|on) (?P<rest>.{1,60})$",
        r"^get outlook for (?:ios|android)\b",
        r"^envoy[ée] (?:de|depuis|à partir de|a partir de|avec|par) (?P<rest>.{1,50})$",
        r"^von meine[mrn]? (?P<rest>.{1,40}) gesendet$",
        r"^gesendet (?:von|mit|vom|über|ueber) (?P<rest>.{1,50})$",
        r"^enviad[oa] (?:desde|do|de|con|com|a partir do|a partir de) (?P<rest>.{1,50})$",
        r"^(?:verzonden|verstuurd) (?:vanaf|met|van|via) (?P<rest>.{1,50})$",
        r"^sendt (?:fra|med) (?P<rest>.{1,50})$",
        r"^skickat? (?:från|med) (?P<rest>.{1,50})$",
        r"^wysłan[eoya] (?:z|przy użyciu|przez) (?P<rest>.{1,50})$",
        r"^inviato (?:da|dal|con) (?P<rest>.{1,50})$",
        r"^dikirim (?:dari|dengan|melalui) (?P<rest>.{1,50})$",
        r"^(?:được gửi từ|gửi từ) (?P<rest>.{1,50})$",
        r"^отправлено (?:с|из|через) (?P<rest>.{1,50})$",
        r"^.{1,20}から送信$",
        r"^(?:sent )?(?:from|via|using|on) (?:my )?(?:mobile|phone|cell ?phone|smartphone"
        r"|iphone|ipad|android|blackberry|tablet)(?: device| phone)?\.?$",
    )
)
_URLISH_RE = re.compile(r"<[^<>\s]{1,300}>|\(?(?:https?://|www\.)\S{1,300}")
_EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{2,}")
_URL_RE = re.compile(r"(?:https?://|www\.)\S|\b[\w-]{2,}\.(?:com|net|org|io|co|de|fr|uk)\b")
_PHONE_RE = re.compile(r"\+?\(?\d[\d ()./-]{5,}\d")
_DATE_ONLY_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_CONTACT_LABEL_RE = re.compile(
    r"^(?:t|tel|tél|phone|ph|mobile|mob|m|cell|fax|f|skype|direct|office|e|email|e-mail|w|web)"
    r"\.?\s*[:.]",
    re.IGNORECASE,
)
_DISCLAIMER_KEYS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"confiden[tcz]i",
        r"privileged",
        r"intended (?:solely|only|recipient|for the)",
        r"received this (?:e-?mail|message|communication|transmission) in error",
        r"\bdisclos",
        r"prohibited|strictly forbidden",
        r"unauthori[sz]ed",
        r"dissemination|distribution|copying",
        r"\bvirus",
        r"malware",
        r"liabilit",
        r"\barchiv",
        r"\bmonitor",
        r"vertraulich|empfänger",
        r"confidentiel|destinataire",
        r"confidencial|destinatario",
        r"poufn|adresat",
        r"riservat",
    )
)
_DISCLAIMER_HEAD_RE = re.compile(
    r"^[\s*_-]*(?:disclaimer|legal disclaimer|confidentiality notice|confidentiality|"
    r"haftungsausschluss|avertissement|aviso legal)[\s*_:.-]*$",
    re.IGNORECASE,
)
_BANNER_RE = re.compile(
    r"originated from outside|from an external sender|external (?:sender|e-?mail)\b|"
    r"^\s*\[?external\]?\s*[:\]]|sent from outside (?:the|your|this) organi[sz]ation",
    re.IGNORECASE,
)


def strip_signature(text: str) -> str:
    """Remove the signature: everything after an RFC 3676 "-- " line, mobile sign-offs ("Sent
    from my iPhone"), and a closing formula ("Best,", "Mit freundlichen Grüßen") with the
    name/title/phone lines under it, plus trailing disclaimers and contact blocks. A sign-off
    is never content, but text that reads like sentences after it is kept."""
    if not text:
        return ""
    lines = _trim_blank_lines(_normalise(str(text)).split("\n"))
    lines = _cut_rfc_delimiter(lines)
    steps = (
        _drop_disclaimers,
        _drop_mobile_signoff,
        _drop_separator_block,
        _drop_signoff_block,
        _drop_contact_block,
        _drop_trailing_name,
    )
    for _ in range(8):  # each pass removes one layer ("Thanks,\nBob\n\nSent from my iPhone")
        before = len(lines)
        for step in steps:
            lines = _trim_blank_lines(step(lines))
        if len(lines) == before:
            break
    return "\n".join(lines)


def _has_phone(s: str) -> bool:
    """A phone number: seven or more digits in a row of digits and separators, not a date."""
    for m in _PHONE_RE.finditer(s):
        number = m.group()
        if sum(c.isdigit() for c in number) >= 7 and not _DATE_ONLY_RE.fullmatch(number):
            return True
    return False


def _has_contact(line: str) -> bool:
    """An e-mail address, URL or phone number somewhere in a (short) line."""
    s = line.strip()
    return len(s) <= 200 and bool(_EMAIL_RE.search(s) or _URL_RE.search(s) or _has_phone(s))


def _contact_line(line: str) -> bool:
    """Phone, e-mail, URL or a labelled contact line ("T: …", "Skype: …")."""
    return _has_contact(line) or _CONTACT_LABEL_RE.match(line.strip()) is not None


def _title_like(line: str) -> bool:
    """A signature-card line: name, title, company, address. Not a sentence."""
    s = line.strip()
    words = s.split()
    if not words or len(words) > 10 or len(s) > 70 or s.endswith(("!", "?", ":", ";", ",")):
        return _contact_line(s)
    if s.endswith(".") and "." not in words[-1][:-1] and len(words[-1]) > 4:
        return False  # "We confirm." is a sentence; "Ph.D." or "Inc." is not
    lower = sum(1 for w in words if w[:1].islower())
    return lower * 2 <= len(words) or _contact_line(s)


def _content_like(line: str) -> bool:
    """Does this line read like prose the sender wrote, rather than a signature line?"""
    s = line.strip()
    words = s.split()
    lower = sum(1 for w in words if w[:1].islower())
    if s.endswith(("?", "？", "。")) or (s.endswith((".", "!")) and lower >= 2):
        return True  # a sentence, even if it mentions a URL or a phone number
    if _contact_line(s):
        return len(s) > 160
    return len(s) > 80 or (len(words) >= 8 and lower >= 3)


def _name_like(s: str, max_words: int = 3, alone: bool = False) -> bool:
    """A short personal name: capitalised words (or caseless scripts), particles allowed.
    `alone`: the line has no sign-off to vouch for it, so common words rule it out."""
    words = s.split()
    if not 1 <= len(words) <= max_words or len(s) > 50:
        return False
    for word in words:
        w = word.strip(".,'’()")
        if alone and w.lower() in _NOT_NAME_WORDS:
            return False
        if not w or w.lower() in _NAME_PARTICLES:
            continue
        if not all(ch.isalpha() or ch in ".'’-" for ch in w):
            return False
        if w[0].islower() or not w[0].isalpha():
            return False
    return True


def _is_signoff(line: str) -> bool:
    """A closing formula, alone or followed by a name: "Best,", "Regards, Roman", "Kh"."""
    s = line.strip().strip("*_").lstrip("¡¿")
    if not s or len(s) > 60:
        return False
    if _SIGNOFF_JA_RE.match(s):
        return True
    m = _SIGNOFF_RE.match(s)
    if m is None:
        return False
    rest = s[m.end() :].strip(" \t,.!:;…~-–—")
    if not rest:
        return True
    rest = _CONNECTOR_RE.sub("", rest)
    m2 = _SIGNOFF_RE.match(rest)
    if m2 is not None and not rest[m2.end() :].strip(" \t,.!:;…~-–—"):
        return True
    return _name_like(rest)


def _is_mobile_signoff(line: str) -> bool:
    """A mobile client's sign-off ("Sent from my iPhone"), not prose ("Sent from my desk,
    is much easier …")."""
    s = _URLISH_RE.sub("", line.strip()).strip()
    if not s or len(s) > 100:
        return False
    for pattern in _MOBILE_RES:
        m = pattern.match(s)
        if m is None:
            continue
        rest = m.groupdict().get("rest") or ""
        if any(c in rest for c in ",;!?") or len(rest.split()) > 8 or ". " in rest:
            return False
        return True
    return False


def _last_nonblank(lines: list[str], end: int | None = None) -> int | None:
    """Index of the last non-blank line before `end` (default: all lines)."""
    for i in range((len(lines) if end is None else end) - 1, -1, -1):
        if not _blank(lines[i]):
            return i
    return None


def _cut_rfc_delimiter(lines: list[str]) -> list[str]:
    """RFC 3676: "-- " on its own line starts the signature. A bare "--" (trailing space
    lost in transit) counts too when what follows is short and signature-like."""
    for i, line in enumerate(lines):
        if line == "-- " or line == "--\xa0":
            return lines[:i]
    for i in range(max(0, len(lines) - _TAIL_LINES), len(lines)):
        if lines[i].strip() == "--" and _signature_tail(lines, i + 1):
            return lines[:i]
    return lines


def _signature_tail(lines: list[str], start: int, max_lines: int = 10) -> bool:
    """Are lines[start:] (after a sign-off or delimiter) a signature? Short non-prose lines;
    anything after a separator line ("____", "-----") is footer. Reads at most max_lines
    non-blank lines, so probing every candidate line stays linear."""
    count = 0
    for j in range(start, len(lines)):
        line = lines[j]
        if _blank(line):
            continue
        if _separator(line) and len(line.strip()) >= 4:
            return True
        if _content_like(line):
            return False
        count += 1
        if count > max_lines:
            return False
    return True


def _drop_mobile_signoff(lines: list[str]) -> list[str]:
    """Remove a trailing "Sent from my …" line and a bare name right above it."""
    last = _last_nonblank(lines)
    if last is None or not _is_mobile_signoff(lines[last]):
        return lines
    cut = last
    while cut > 0 and last - cut < 2 and not _blank(lines[cut - 1]):
        if not _name_like(lines[cut - 1].strip(), alone=True):
            break
        cut -= 1
    return lines[:cut]


def _drop_signoff_block(lines: list[str]) -> list[str]:
    """Cut at the first closing formula, within the last lines, whose following lines all
    look like a signature. If the formula is the whole message, keep it (it is the content,
    e.g. a bare "Thanks!")."""
    start = max(0, len(lines) - _TAIL_LINES)
    for i in range(start, len(lines)):
        if not _is_signoff(lines[i]) or not _signature_tail(lines, i + 1):
            continue
        nxt = _next_nonblank(lines, i + 1)
        if nxt is not None and not _signs_name(lines[nxt]):
            continue  # "Thanks!\nShip 50 units Friday": an instruction, not a name
        if not _has_text(lines[:i]):
            return lines[: i + 1]
        return lines[:i]
    return lines


def _signs_name(line: str) -> bool:
    """The line under a sign-off: a name ("Bob", "David | Sales", "J. Smith (ACME)"), another
    sign-off, a separator or contact details."""
    s = line.strip()
    if _separator(s) or _is_signoff(s) or _contact_line(s):
        return True
    head = re.split(r"[|,/(\-–—]", s, maxsplit=1)[0].strip()
    return bool(head) and _name_like(head, 4)


def _paragraph_start(lines: list[str], last: int) -> int:
    i = last
    while i > 0 and not _blank(lines[i - 1]):
        i -= 1
    return i


def _drop_separator_block(lines: list[str]) -> list[str]:
    """A "-----"/"_____" line followed by short contact-bearing lines (signature card,
    mailing-list footer) ends the message."""
    top = _next_nonblank(lines, 0)
    start = max(0, len(lines) - _TAIL_LINES)
    for i in range(start, len(lines)):
        s = lines[i].strip()
        if not _separator(lines[i]) or len(s) < 8 or top is None or top >= i:
            continue
        rest = [line for line in lines[i + 1 :] if not _blank(line)]
        if not rest or len(rest) > 15 or any(_content_like(line) for line in rest):
            continue
        if any(_has_contact(line) for line in rest):
            return lines[:i]
    return lines


def _drop_contact_block(lines: list[str]) -> list[str]:
    """A signature card without a sign-off: the last paragraphs (at most 3, 12 lines) made
    of name/title/company lines, at least one with an e-mail, URL or phone. Not when the
    text before ends with a colon: then it is an address the sender is giving us."""
    top = _next_nonblank(lines, 0)
    last = _last_nonblank(lines)
    cut: int | None = None
    size, has_contact = 0, False
    for _ in range(3):
        if top is None or last is None:
            break
        first = _paragraph_start(lines, last)
        block = lines[first : last + 1]
        size += len(block)
        if first <= top or size > 12 or not all(_title_like(line) for line in block):
            break
        block_contact = any(_has_contact(line) for line in block)
        if not block_contact and any(c.isdigit() for line in block for c in line):
            break  # "Qty 10 / Delivery 2024-05-01" is an instruction, not a name and title
        has_contact = has_contact or block_contact
        head = block[0].strip()
        if has_contact and head[:1].isupper() and len(head.split()) <= 6:
            cut = first
        last = _last_nonblank(lines, first)
    if cut is None:
        return lines
    before = _last_nonblank(lines, cut)
    if before is None or lines[before].rstrip().endswith(":"):
        return lines
    return lines[:cut]


def _drop_trailing_name(lines: list[str]) -> list[str]:
    """A last paragraph that is only a name ("Dana", "Person Person.", "-Abhishek Kona",
    "/John"), but not a short status line ("Approved", "Order Confirmed")."""
    last = _last_nonblank(lines)
    if last is None or not _has_text(lines[:last]):
        return lines
    s = lines[last].strip()
    prev = lines[last - 1].strip() if last > 0 else ""
    if s[:1] in "-/~–—" and s[1:2] != "-":
        name = s[1:].strip()
        is_list = prev[:1] in "-*•" and s[1:2] == " "
        if name and not is_list and _name_like(name, 4, alone=True):
            return lines[:last]
        return lines
    if not _name_like(s, alone=True):
        return lines
    words = s.split()
    if len(words) == 1 and _first_name(words[0]) and _has_sentence(lines, last):
        # "Dana" alone, or right under a sentence: "Espero que te gusten.\nLucía"
        return lines[:last] if not prev or prev.endswith((".", "!", "?")) else lines
    return lines[:last] if not prev and 2 <= len(words) <= 3 else lines


def _first_name(word: str) -> bool:
    """A lone word that can be a signing first name: "Dana", "Lucía"; capitalised like a
    name (not "OK"), two letters or more, no full stop ("Svar." is a one-word answer)."""
    caseless = not word[0].isupper() and not word[0].islower()  # CJK, Arabic, Hebrew…
    return len(word) >= 2 and word.isalpha() and (word.istitle() or caseless)


def _has_sentence(lines: list[str], end: int) -> bool:
    """Is there a line of three words or more before `end`, i.e. more than a greeting?"""
    return any(len(line.split()) >= 3 for line in lines[:end])


def _drop_disclaimers(lines: list[str]) -> list[str]:
    """Remove trailing legal/virus-scan disclaimer paragraphs (also one sitting under a
    "_____" line inside the last paragraph) and bare separator lines."""
    top = _next_nonblank(lines, 0)
    end = len(lines)  # lines[:end] is what remains
    while top is not None:
        last = _last_nonblank(lines, end)
        if last is None:
            break
        first = _paragraph_start(lines, last)
        if first <= top:  # never remove the first paragraph: that is the message
            break
        block = lines[first : last + 1]
        seps = [k for k, line in enumerate(block) if _separator(line) and len(line.strip()) >= 4]
        if seps and 0 < seps[-1] < len(block) - 1 and _disclaimer(block[seps[-1] + 1 :]):
            end = first + seps[-1]  # keep what is above the "_____" line
            continue
        if all(_separator(line) for line in block) or _disclaimer(block):
            end = first
            continue
        break
    return lines[:end]


def _disclaimer(block: list[str]) -> bool:
    """Legal boilerplate: a "Disclaimer" heading, or a long text hitting several of the
    words such notices are made of (confidential, intended recipient, virus…)."""
    text = " ".join(line.strip() for line in block[:200])
    if len(block) == 1 and _DISCLAIMER_HEAD_RE.match(text):
        return True
    hits = sum(1 for key in _DISCLAIMER_KEYS if key.search(text[:5000]))
    return len(text) >= 100 and hits >= 3


def _strip_banner(text: str) -> str:
    """Drop a leading "CAUTION: This email originated from outside…" gateway banner."""
    lines = text.split("\n")
    first = _next_nonblank(lines, 0)
    if first is None:
        return text
    end = first
    while end < len(lines) and not _blank(lines[end]):
        end += 1
    para = " ".join(lines[first:end])
    if len(para) <= 400 and _BANNER_RE.search(para):
        return "\n".join(lines[end:])
    return text


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def extract_new_text(plain: str | None, html: str | None = None) -> str:
    """What the sender wrote in this message, for analysis: the plain part if it has text,
    else the HTML part with quotes removed; then quotes and signature stripped. Reads at most
    MAX_INPUT_CHARS of the body so time stays bounded. Never raises; "" for no input."""
    try:
        plain_text = _as_text(plain)
        if plain_text.strip():
            text = _normalise(plain_text[:MAX_INPUT_CHARS])
        else:
            html_text = _as_text(html)
            if not html_text.strip():
                return ""
            text = html_to_text(strip_html_quotes(html_text[:MAX_INPUT_CHARS]))
        text = _strip_banner(text)
        text = strip_quotes(text)
        text = strip_signature(text)
        return _tidy(text)
    except Exception:  # pragma: no cover - a bug here must not stop ingest
        return ""


def _as_text(value: object) -> str:
    """Accept str, bytes (decoded leniently) or None."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)
