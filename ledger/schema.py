"""Import every table of the ledger so that ``Base.metadata`` knows them all."""

from . import db, organisations, users  # noqa: F401
from . import (  # noqa: F401
    accounts, allocations, books, budget, dimensions, expenditures, posting, projects,
    targets, totals, triggers, verify, vouchers,
)
