"""Server-side login sessions: create on login, check on every request, revoke on logout."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.base import utcnow
from ledger.users import User

from .models import LoginSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, remote_addr: str | None, user_agent: str | None) -> str:
    """Record a new login for ``user`` and return the token the browser will hold."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(
        token_hash=_digest(token), user_id=user.id,
        remote_addr=(remote_addr or "")[:64], user_agent=(user_agent or "")[:255],
    ))
    user.last_login_at = utcnow()
    session.flush()
    return token


def find_session(session: Session, token: str, idle_seconds: int) -> LoginSession | None:
    """The live login for ``token``, touched; ``None`` if revoked, idle too long or disabled."""
    if not token:
        return None
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(token)))
    if login is None or login.revoked_at is not None or not login.user.is_active:
        return None
    now = utcnow()
    if now - login.last_seen_at > dt.timedelta(seconds=idle_seconds):
        login.revoked_at = now
        return None
    if now - login.last_seen_at > dt.timedelta(seconds=60):
        login.last_seen_at = now  # touch at most once a minute, not on every request
    return login


def end_session(login: LoginSession) -> None:
    login.revoked_at = utcnow()


def end_all_sessions(session: Session, user: User, keep: LoginSession | None = None) -> None:
    """Revoke every login of ``user`` (account disabled, password reset), or every one but
    ``keep`` (the browser the user changed their password in)."""
    stmt = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep.id)
    session.execute(stmt.values(revoked_at=utcnow()))
