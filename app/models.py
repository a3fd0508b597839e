"""Every table of the system, imported in one place for Alembic and the tests."""

import ledger.schema  # noqa: F401

from .audit import AuditEvent  # noqa: F401
from .auth.models import LoginSession, RoleAssignment  # noqa: F401
from .system.models import WorkerHeartbeat  # noqa: F401
