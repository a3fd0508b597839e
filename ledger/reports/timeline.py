"""The monthly timeline of budget execution (预算执行进度): how fast the money is spent.

For one fiscal year and every organisation at a level under a root (community, street,
district or city), one row per month: what was spent in the month, the cumulative
spending and the cumulative execution rate against the year's budget (the ``allocated``
of ``execution_by_organisation``: the planned budget, or the allocations where none is
set). Spending is summed by the database per book owner and voucher period
(``_by_owner``), in the same pass that gives the year's figures; the few owner rows are
rolled up to the level by path in Python (``_roll_up``: a dictionary look-up per owner,
linear in the communities, where a path join paired every owner with every organisation
of the level); pandas only fills the empty months and accumulates. Closing vouchers are
left out, as in every execution figure.
"""

from __future__ import annotations

from itertools import accumulate

import pandas as pd
from sqlalchemy.orm import Session

from ..accounts import BUDGET
from ..errors import N_
from ..organisations import Organisation
from ..vouchers import Voucher
from .common import TRUNCATE, ZERO, ReportError, Rounding
from .execution import _by_owner, _execution_frame, _levelled, _roll_up

MONTHS = tuple(range(1, 13))
COLUMNS = ["organisation", "name", "month", "month_spent", "cumulative_spent", "allocated", "execution_rate"]


def execution_timeline(
    session: Session,
    root: Organisation,
    fiscal_year: int,
    level: str | None = None,
    basis: str = BUDGET,
    rounding: Rounding = TRUNCATE,
    months: int = 12,
) -> pd.DataFrame:
    """Cumulative spending and execution rate by month, per organisation at ``level``.

    ``level`` defaults to the root's own (one line for the root as a whole); ``months``
    cuts the year short (e.g. at the current month, so the future is not drawn flat).
    """
    level = level or root.level
    if not 1 <= months <= 12:
        raise ReportError(N_("A timeline has 1 to 12 months, not %(months)s."), field="months", months=months)
    organisations = _levelled(session, root, level)
    moved = _by_owner(session, root, fiscal_year, basis, None, Voucher.period.label("period"))
    budget = _execution_frame(session, root, fiscal_year, organisations, moved, rounding, None)
    by_period = _roll_up([(path, period, spent) for path, period, _, spent in moved],
                         {path: code for _, code, _, path in organisations}, 1)
    records = []
    for row in budget.itertuples(index=False):
        monthly = [by_period.get((row.organisation, month), [ZERO])[0] for month in MONTHS[:months]]
        for month, (in_month, cumulative) in enumerate(zip(monthly, accumulate(monthly)), start=1):
            records.append((row.organisation, row.name, month, in_month, cumulative, row.allocated,
                            rounding.percent(cumulative, row.allocated)))
    return pd.DataFrame.from_records(records, columns=COLUMNS)
