"""What the HTTP reliability tests share: row counts, form bodies built by hand, field errors."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote_from_bytes

from sqlalchemy import text

from ledger.base import Base

#: Tables a request may touch without having stored anything a user asked for.
BOOKKEEPING = {"login_sessions", "audit_events"}


def counts(session) -> dict[str, int]:
    """Rows per table, but the login bookkeeping."""
    session.expire_all()
    names = [t.name for t in Base.metadata.sorted_tables if t.name not in BOOKKEEPING]
    query = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{name}")' for name in names)
    return dict(zip(names, session.execute(text(query)).one()))


def rows(session, table: str) -> list:
    session.expire_all()
    return session.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()


def _bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def urlencoded(data: dict) -> bytes:
    """A form body; ``bytes`` values are sent exactly as given (invalid UTF-8 included)."""
    return b"&".join(quote_from_bytes(_bytes(k)).encode() + b"=" + quote_from_bytes(_bytes(v)).encode()
                     for k, v in data.items())


def multipart(data: dict, files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart body by hand, so a field may carry bytes that are not UTF-8."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in data.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + _bytes(value) + b"\r\n")
    for name, (filename, content, mimetype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: {mimetype}\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def field_error(page: str, name: str) -> bool:
    """An error message shown inside the block (a ``div`` or a table cell) of the field ``name``."""
    field = re.escape(name)
    block = rf'has-error[^>]*>(?:(?!</div>|</td>).)*?(?:for|name)="{field}"(?:(?!</div>|</td>).)*?class="error"'
    return re.search(block, page, re.S) is not None


def csrf_of(client, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
