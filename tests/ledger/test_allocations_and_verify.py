"""Money in (拨款) in both bases, and ``verify`` finding what was tampered with."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text

from ledger.allocations import AllocationError, record_allocation
from ledger.figures import source_received
from ledger.triggers import drop_triggers
from ledger.verify import verify


@pytest.mark.parametrize("source, accounts", [
    ("district", ["1011", "4001", "8001", "6001"]),
    ("city", ["1011", "4601", "8001", "6601"]),
    ("other", ["1002", "4609", "8001", "6609"]),
])
def test_an_allocation_is_booked_in_both_bases(world, source, accounts):
    allocation = world.allocate("200000.00", source=source, on=dt.date(2025, 2, 3))
    voucher = allocation.voucher
    assert [line.account.code for line in voucher.lines] == accounts
    assert [(line.debit, line.credit) for line in voucher.lines] == [
        (Decimal("200000.00"), 0), (0, Decimal("200000.00"))] * 2
    assert {line.funding_source.code for line in voucher.lines} == {source}
    assert allocation.arrived_on == dt.date(2025, 2, 3) and voucher.date == dt.date(2025, 2, 3)
    assert source_received(world.session, world.community.id, world.source(source).id) == Decimal("200000.00")


def test_an_allocation_retried_with_its_key_is_recorded_once(world):
    args = (world.session, world.book, world.source(), "1000", dt.date(2025, 1, 5))
    first = record_allocation(*args, by=world.clerk, reference="区财拨〔2025〕3号", key="alloc-3")
    again = record_allocation(*args, by=world.clerk, reference="区财拨〔2025〕3号", key="alloc-3")
    assert again is first and world.counts()[0] == 1


def test_an_allocation_must_be_positive(world):
    with pytest.raises(AllocationError, match="above zero, not 0.00"):
        record_allocation(world.session, world.book, world.source(), "0", dt.date(2025, 1, 5), by=world.clerk)
    assert world.counts()[0] == 0


def test_money_arriving_in_a_closed_period_is_booked_later(world):
    from ledger.periods import close_period

    close_period(world.session, world.book, 1, by=world.poster)
    allocation = record_allocation(world.session, world.book, world.source(), "1000",
                                   arrived_on=dt.date(2025, 1, 28), on=dt.date(2025, 2, 2), by=world.clerk)
    assert allocation.arrived_on.month == 1 and allocation.voucher.period == 2


def _tamper(world, *statements: str) -> None:
    """Change committed rows behind the triggers' back, as a hand on the database would."""
    connection = world.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        drop_triggers(connection)
    for sql in statements:
        connection.execute(text(sql))
    world.session.commit()
    world.session.expire_all()


def test_verify_finds_a_changed_amount_and_names_the_voucher(world):
    world.allocate("1000")
    world.allocate("2000")
    world.session.commit()
    assert verify(world.session) == []
    _tamper(world, "UPDATE voucher_lines SET debit = debit * 2 WHERE position = 1 AND voucher_id = "
                   "(SELECT id FROM vouchers WHERE number = 1)")
    problems = [str(p) for p in verify(world.session)]
    assert "Q1/2025 #1: hash does not match its content: the voucher was changed after posting" in problems
    assert any(p.startswith("Q1/2025 #1: financial basis does not balance") for p in problems)


def test_verify_finds_a_gap_and_a_broken_link(world):
    for amount in ("1", "2", "3"):
        world.allocate(amount)
    world.session.commit()
    _tamper(world, "UPDATE vouchers SET number = 4 WHERE number = 3")
    problems = [str(p) for p in verify(world.session)]
    assert "Q1/2025 #4: numbered 4 where 3 was expected" in problems
    assert any("Q1/2025 #4: hash does not match" in p for p in problems)


def test_verify_finds_a_deleted_voucher(world):
    for amount in ("1", "2", "3"):
        world.allocate(amount)
    world.session.commit()
    second = "(SELECT id FROM vouchers WHERE number = 2)"
    _tamper(world, f"DELETE FROM allocations WHERE voucher_id = {second}",
            f"DELETE FROM voucher_lines WHERE voucher_id = {second}",
            "DELETE FROM vouchers WHERE number = 2")
    problems = [str(p) for p in verify(world.session, world.book)]
    assert "Q1/2025 #3: numbered 3 where 2 was expected" in problems
    assert "Q1/2025 #3: is not linked to the voucher posted before it" in problems
