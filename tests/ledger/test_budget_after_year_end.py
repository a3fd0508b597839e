"""Budget control across the year-end close: closing vouchers do not erase spending."""

import datetime as dt
from decimal import Decimal

import pytest

from ledger.budget import BudgetExceeded
from ledger.clerks import Clerks
from ledger.figures import project_spent, source_received, source_spent
from ledger.yearend import close_year


@pytest.mark.parametrize("disposition, left", [("carry_over", "700.00"), ("return", "0.00")])
def test_what_is_left_after_the_close_is_what_was_carried_over(world, disposition, left):
    world.allocate("1000")
    project = world.project(amount="5000")
    world.spend(project, "300")
    year_end = close_year(world.session, world.book, Clerks(world.clerk, world.reviewer, world.poster),
                          disposition=disposition)
    source = world.source()
    received = source_received(world.session, world.community.id, source.id)
    for basis in ("financial", "budget"):
        assert project_spent(world.session, project.id, basis) == Decimal("300.00")
        assert received - source_spent(world.session, world.community.id, source.id, basis) == Decimal(left)
    next_year = dict(on=dt.date(2026, 2, 1), book=year_end.next_book)
    if disposition == "return":  # the money went back to the treasury (财政收回)
        with pytest.raises(BudgetExceeded, match="received 300.00, spent 300.00"):
            world.spend(project, "1", **next_year)
    else:  # carried over (结转): spendable next year, and not a fen more
        world.spend(project, "700", **next_year)
        with pytest.raises(BudgetExceeded, match="received 1000.00, spent 1000.00"):
            world.spend(project, "0.01", **next_year)
