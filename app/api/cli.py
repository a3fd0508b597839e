"""``flask api-token ...``: make, list and revoke the tokens finance software uses."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ledger.base import utcnow
from ledger.users import User, named

from ..extensions import db
from .models import ApiToken
from .tokens import TokenError, issue_token, revoke_token, tokens_of


@click.group("api-token", cls=AppGroup)
def api_token_group():
    """Tokens of the JSON API (/api/v1)."""


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(named(username)))
    if user is None:
        raise click.ClickException(f"no user {username}")
    return user


@api_token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. the finance software's name.")
@click.option("--expires-days", type=click.IntRange(1, 3660), default=None,
              help="Days until the token expires (default: never).")
def create(username: str, name: str, expires_days: int | None):
    """Make a token acting as USERNAME, and print its secret (shown only this once)."""
    user = _user(username)
    try:
        token, secret = issue_token(db.session, user, name, expires_days)
    except TokenError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error.message}")
    db.session.commit()
    expiry = token.expires_at.date().isoformat() if token.expires_at else "never"
    click.echo(f"token {token.id} for {user.username} ({name}), expires: {expiry}")
    click.echo("secret (store it now; it is not kept and cannot be shown again):")
    click.echo(secret)


@api_token_group.command("list")
@click.argument("username")
def list_(username: str):
    """List the tokens of USERNAME."""
    now = utcnow()
    for token in tokens_of(db.session, _user(username)):
        state = "usable" if token.is_usable(now) else ("revoked" if token.revoked_at else "not usable")
        used = token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else "never"
        click.echo(f"{token.id:>5}  {token.prefix}…  {token.name:<30} {state:<10} last used {used}")


@api_token_group.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int):
    """Revoke token TOKEN_ID for good."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    revoke_token(db.session, token)
    db.session.commit()
    click.echo(f"token {token_id} revoked")
