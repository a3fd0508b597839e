"""The people who act on the books and the projects.

Only identity lives here, so that every voucher, posting and workflow event can name
who did it by foreign key. Passwords, sessions and roles belong to the web layer
(``app/auth``); the two columns about the password (its hash, and whether an administrator's
reset obliges the user to choose a new one) stay on this row, so a login and every request
read one row and no join.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class User(Base):
    """A person with an account (用户): a secretary, a finance clerk, an auditor...

    A user name is kept as typed but is one name whatever its case: ``ADMIN`` is ``admin``
    (the database refuses a second one; ``named`` finds it).
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("length(trim(username)) > 0", name="username_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Set by an administrator's password reset: until the user picks a new password, every
    #: page but the change-password page (and logging out) sends them there.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<User {self.username}>"


Index("uq_users_username_folded", func.lower(User.username), unique=True)


def named(username: str):
    """The condition on ``User`` of the account called ``username``, in any case."""
    return func.lower(User.username) == (username or "").strip().lower()
