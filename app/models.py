"""Every table of the system, imported in one place for Alembic and the tests."""

import ledger.schema  # noqa: F401
import workflows.schema  # noqa: F401

from .api import models as _api  # noqa: F401
from .audit import AuditEvent  # noqa: F401
from .auth.models import LoginSession, RoleAssignment  # noqa: F401
from .community import models as _community  # noqa: F401
from .finance import models as _finance  # noqa: F401
from .jobs import models as _jobs  # noqa: F401
from .public import models as _public  # noqa: F401
from .system.models import WorkerHeartbeat  # noqa: F401
from .system.notifications import Notification, NotificationRead  # noqa: F401
