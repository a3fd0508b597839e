"""The hash chain of posted vouchers, and the digest that identifies a request.

Each posted voucher's hash is sha256 over a canonical text of the voucher, its lines and
the hash of the voucher posted before it in the same book, so changing any posted figure
(even with the triggers switched off) breaks every later link (防篡改). The canonical text
is JSON with sorted keys: unambiguous whatever the description contains.
"""

from __future__ import annotations

import hashlib
import json

from .base import money
from .vouchers import Voucher, VoucherDraft


def _canonical(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _code(obj) -> str | None:
    return obj.code if obj is not None else None


def _id(obj) -> int | None:
    return obj.id if obj is not None else None


def canonical_text(voucher: Voucher, previous_hash: str | None) -> str:
    """The text a posted voucher's hash is computed over: what it says, and what came before."""
    book = voucher.book
    return _canonical({
        "book": [book.organisation.code, book.fiscal_year],
        "number": voucher.number,
        "date": voucher.date.isoformat(),
        "period": voucher.period,
        "description": voucher.description,
        "reverses": voucher.reverses.number if voucher.reverses is not None else None,
        # Through the relationships: the *_id columns are only filled in at flush.
        "prepared_by": _id(voucher.prepared_by),
        "reviewed_by": _id(voucher.reviewed_by),
        "posted_by": _id(voucher.posted_by),
        "posted_at": voucher.posted_at.isoformat() if voucher.posted_at else None,
        "lines": [
            [
                line.position, line.account.code, str(money(line.debit)), str(money(line.credit)),
                _code(line.organisation), _code(line.project), _code(line.purpose),
                _code(line.funding_source), line.memo,
            ]
            for line in sorted(voucher.lines, key=lambda line: line.position)
        ],
        "previous": previous_hash or "",
    })


def voucher_hash(voucher: Voucher, previous_hash: str | None) -> str:
    """The chained hash of a posted voucher."""
    return _sha256(canonical_text(voucher, previous_hash))


def request_digest(book_id: int, draft: VoucherDraft, reverses_id: int | None = None) -> str:
    """A digest of what a caller asked for, to tell a retry from a conflicting request."""
    return _sha256(_canonical({
        "book": book_id,
        "date": draft.date.isoformat(),
        "description": draft.description.strip(),
        "reverses": reverses_id,
        "lines": [
            [line.account, str(money(line.debit)), str(money(line.credit)), line.project,
             line.purpose, line.source, line.memo]
            for line in draft.lines
        ],
    }))
