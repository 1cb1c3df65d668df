"""The one output helper every query command shares: `--json` or a table.

Vendor text is data: control characters (terminal escapes included) are shown as
visible escapes and never interpreted, and rich markup in it is never rendered.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe_text(value: Any, width: int | None = None) -> str:
    """Text fit for a terminal: control characters made visible, one line, maybe cut."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = ", ".join(safe_text(v) for v in value)
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def to_json(rows: Any) -> str:
    """JSON with text kept readable (not \\u-escaped), except the control and direction
    characters a terminal would act on: those are escaped, the value unchanged. Indented
    for a person at a terminal; compact for scripts (json's fast encoder: a vendor's
    timeline on a large database is a megabyte)."""
    indent = 2 if sys.stdout.isatty() else None
    text = json.dumps(rows, ensure_ascii=False, indent=indent, default=_json_default)
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def emit(
    rows: Sequence[dict[str, Any]],
    *,
    as_json: bool,
    columns: Iterable[str] | None = None,
    title: str | None = None,
    empty: str = "nothing to show",
) -> None:
    """Print rows as one JSON array (`--json`) or as a table for people."""
    if as_json:
        sys.stdout.write(to_json(list(rows)) + "\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(soft_wrap=False)
    if not rows:
        console.print(Text(empty, style="dim"))
        return
    cols = list(columns) if columns else list(rows[0].keys())
    table = Table(title=title, show_lines=False, header_style="bold")
    for col in cols:
        table.add_column(col.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(*(Text(safe_text(row.get(col), 80)) for col in cols))
    console.print(table)


def emit_record(record: dict[str, Any], *, as_json: bool) -> None:
    """A single object: JSON, or `key: value` lines."""
    if as_json:
        sys.stdout.write(to_json(record) + "\n")
        return
    for key, value in record.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            continue
        sys.stdout.write(f"{key.replace('_', ' ')}: {safe_text(value)}\n")
