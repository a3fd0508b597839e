"""Tables of the api area: access tokens, and the request keys that make a retry safe."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.base import Base, utcnow
from ledger.users import User


class ApiToken(Base):
    """A bearer token (接口令牌) that lets finance software act as one user.

    Only the SHA-256 of the secret is kept; the secret is shown once when the token is
    made. The token acts with its user's roles and scope, so disabling the user or
    taking a role away takes effect on the next request; disabling the user, or changing or
    resetting their password, also revokes it for good. ``prefix`` (the first
    characters of the secret) lets a person tell their tokens apart in a list.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("expires_at IS NULL OR expires_at > created_at", name="expires_after_created"),
        CheckConstraint("(revoked_at IS NULL) OR (revoked_at >= created_at)", name="revoked_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_usable(self, now: datetime) -> bool:
        """Neither revoked nor expired, its user still active and not due to change their password."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and self.user.is_active
            and not self.user.must_change_password
        )

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… of user {self.user_id}>"


class ApiRequestKey(Base):
    """An ``Idempotency-Key`` a client sent with a write the cores keep no key for.

    Vouchers and allocations carry their key in the ledger itself; other writes (a need)
    are remembered here: the same key and the same body return the object made the
    first time, the same key with another body is a conflict.
    """

    __tablename__ = "api_request_keys"
    __table_args__ = (UniqueConstraint("user_id", "endpoint", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(100))
    request_digest: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
