"""Login attempts: counted per address, per account and address, and per account; an account
is slowed down, never locked.

- per address (``LOGIN_RATE_LIMIT``, 10 a minute): one machine trying many accounts;
- per account and address (``LOGIN_RATE_LIMIT_PER_ACCOUNT_AND_ADDRESS``, 5 a minute): one
  machine guessing one account's password;
- per account from every address (``LOGIN_RATE_LIMIT_PER_USERNAME``, 5 a minute): many
  machines guessing one account. Past it the account is slowed, not locked: one attempt per
  ``LOGIN_SLOWDOWN`` (10 seconds) from a browser it is new to, and no slowing at all for a
  browser that logged into the account before (a signed cookie). Guesses from elsewhere
  cannot keep the real user out.

Each attempt is counted before the password is checked, so parallel guesses cannot slip
past a limit, and a login that succeeds releases the account's counts: what stays counted
is failures.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from .. import throttle

KNOWN_COOKIE = "known_logins"
KNOWN_KEPT = 5  # accounts a browser remembers having logged into
KNOWN_DAYS = 365


def _account(username: str) -> str:
    return (username or "").strip().lower()[:64]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-login-devices")


def _known_accounts() -> list[str]:
    """The accounts this browser logged into before (a cookie only this site can sign)."""
    try:
        known = _serializer().loads(request.cookies.get(KNOWN_COOKIE, ""))
    except BadSignature:
        return []
    return [a for a in known if isinstance(a, str)] if isinstance(known, list) else []


def address_refusal() -> str | None:
    """Count a login POST against its address; the message when it is one too many."""
    if throttle.hit(current_app.config["LOGIN_RATE_LIMIT"], "login-address", get_remote_address()):
        return None
    return _("Too many login attempts from your address. Please wait a minute and try again.")


def account_refusal(username: str) -> str | None:
    """Count an attempt at ``username``; the message when this one may not be tried now."""
    account, address = _account(username), get_remote_address()
    config = current_app.config
    if not throttle.hit(config["LOGIN_RATE_LIMIT_PER_ACCOUNT_AND_ADDRESS"], "login-account-address", account, address):
        return _("Too many failed logins for this account from your address. Please wait a minute and try again.")
    if account in _known_accounts():
        return None  # this browser logged in as the account before: guesses from elsewhere do not slow it
    if throttle.hit(config["LOGIN_RATE_LIMIT_PER_USERNAME"], "login-account", account):
        return None
    if throttle.hit(config["LOGIN_SLOWDOWN"], "login-account-slowed", account):
        return None
    return _("This account has had many failed logins: it accepts one attempt every few seconds from a "
             "browser that has not logged into it before. Please wait a few seconds and try again.")


def succeeded(username: str, response) -> None:
    """Release the account's counts and let this browser remember it logged in."""
    account, address = _account(username), get_remote_address()
    config = current_app.config
    throttle.clear(config["LOGIN_RATE_LIMIT_PER_ACCOUNT_AND_ADDRESS"], "login-account-address", account, address)
    throttle.clear(config["LOGIN_RATE_LIMIT_PER_USERNAME"], "login-account", account)
    known = [account] + [a for a in _known_accounts() if a != account]
    response.set_cookie(
        KNOWN_COOKIE, _serializer().dumps(known[:KNOWN_KEPT]), max_age=KNOWN_DAYS * 86400, httponly=True,
        samesite="Lax", secure=bool(config.get("SESSION_COOKIE_SECURE")),
    )
