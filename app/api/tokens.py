"""Issuing, finding and revoking API tokens. Each write flushes and audits; the caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.base import utcnow
from ledger.errors import DomainError, N_
from ledger.users import User

from ..audit import record
from .models import ApiToken

#: Every token starts with this, so a secret scanner (and a person) can recognise one.
TOKEN_PREFIX = "cf_"
#: Tokens touched more recently than this are not written again on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)
MAX_DAYS = 3660


class TokenError(DomainError):
    """A token that cannot be made or revoked as asked."""


def digest(secret: str) -> str:
    """The SHA-256 a token's secret is stored as."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(
    session: Session, user: User, name: str, expires_in_days: int | None = None, by: User | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``user`` and return it with its secret (shown this once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError(N_("A token needs a name of at most 100 characters."), field="name")
    if not user.is_active:
        raise TokenError(N_("User %(user)s is disabled."), field="user", user=user.username)
    if user.must_change_password:
        raise TokenError(N_("User %(user)s must change their password first."), field="user", user=user.username)
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_DAYS:
        raise TokenError(
            N_("A token expires after 1 to %(max)s days."), field="expires_in_days", max=MAX_DAYS
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user=user, name=name, token_hash=digest(secret), prefix=secret[:10], created_at=now,
        created_by_id=by.id if by else None,
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    record(session, by.id if by else None, "api_token.create", token, user=user.username, name=name)
    return token, secret


def find_token(session: Session, secret: str, now: dt.datetime | None = None) -> ApiToken | None:
    """The usable token whose secret is ``secret``; ``None`` when unknown, revoked, expired or its user disabled."""
    if not secret or len(secret) > 200:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    now = now or utcnow()
    if token is None or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
    return token


def revoke_token(session: Session, token: ApiToken, by: User | None = None) -> ApiToken:
    """Revoke ``token`` for good; revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by_id = by.id if by else None
        session.flush()
        record(session, by.id if by else None, "api_token.revoke", token, name=token.name)
    return token


def revoke_all_tokens(session: Session, user: User, by: User | None, reason: str) -> int:
    """Revoke every live token of ``user`` for good (password changed or reset, account
    disabled), each recorded with who and why; how many there were."""
    live = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id)
    ).all()
    now = utcnow()
    for token in live:
        token.revoked_at = now
        token.revoked_by_id = by.id if by else None
        record(session, by.id if by else None, "api_token.revoke", token, name=token.name, reason=reason)
    session.flush()
    return len(live)


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    return list(session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ))
