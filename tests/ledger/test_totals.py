"""The running totals budget control reads (``ledger/totals.py``) follow every posting exactly."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from ledger.batches import post_batch
from ledger.budget import BudgetExceeded
from ledger.clerks import Clerks
from ledger.figures import budget_figures, project_spent, source_received, source_spent
from ledger.posting import reverse_voucher, review_voucher
from ledger.totals import BudgetTotal, rebuild_totals, totals_differences
from ledger.verify import verify
from ledger.vouchers import LineDraft, VoucherDraft
from ledger.yearend import close_year


def _totals(session) -> dict:
    return {(t.book_id, t.project_key, t.source_key, t.account_id, t.closing): (t.debit, t.credit)
            for t in session.scalars(select(BudgetTotal)).all()}


def _payment(project, amount: str, key: str) -> VoucherDraft:
    tags = dict(project=project.code, source="district")
    return VoucherDraft(dt.date(2025, 5, 6), f"支付 {project.code}", (
        LineDraft("5001", Decimal(amount), 0, **tags), LineDraft("1011", 0, Decimal(amount), source="district"),
        LineDraft("7101", Decimal(amount), 0, **tags), LineDraft("8001", 0, Decimal(amount), source="district"),
    ), key)


def test_totals_follow_every_kind_of_posting_and_equal_the_lines(world):
    session, clerks = world.session, Clerks(world.clerk, world.reviewer, world.poster)
    allocation = world.allocate("1000.00")
    project = world.project(amount="900.00")
    paid = world.spend(project, "250.00")
    world.post(reverse_voucher(session, paid, by=world.clerk))
    post_batch(session, [(world.book, _payment(project, "100.00", "batch-1")),
                         (world.book, _payment(project, "50.00", "batch-2"))], clerks)
    close_year(session, world.book, clerks)
    session.flush()

    assert totals_differences(session, world.book.id) == [] and verify(session) == []
    kept = _totals(session)
    assert kept, "posting wrote no totals"
    district = world.source().id
    cash = [row for key, row in kept.items() if key[0] == world.book.id and key[2] == district and not key[4]
            and key[3] == allocation.voucher.lines[0].account_id]
    assert cash == [(Decimal("1250.00"), Decimal("400.00"))]  # 1000 in, 250 back by the reversal; 250+100+50 out
    figures = budget_figures(session, world.community.id, [project.id], [district])
    for basis in ("financial", "budget"):
        assert figures.project_spent(project.id, basis) == project_spent(session, project.id, basis) \
            == Decimal("150.00")
        assert figures.source_spent(district, basis) == source_spent(session, world.community.id, district, basis)
    assert figures.source_received(district) == source_received(session, world.community.id, district) \
        == Decimal("1000.00")


def test_only_posting_counts_and_a_refused_posting_adds_nothing(world):
    world.allocate("100.00")
    project = world.project(amount="1000.00")
    before = _totals(world.session)
    draft = world.spend(project, "40.00", post=False)
    review_voucher(world.session, draft, by=world.reviewer)
    assert _totals(world.session) == before  # a draft and a reviewed voucher are not figures yet
    over = world.spend(project, "500.00", post=False)
    with pytest.raises(BudgetExceeded):
        world.post(over)
    assert _totals(world.session) == before


def test_a_total_changed_by_hand_is_found_and_rebuilt(world):
    world.allocate("1000.00")
    world.spend(world.project(), "300.00")
    world.session.flush()
    world.session.execute(update(BudgetTotal).where(BudgetTotal.debit > 0).values(debit=BudgetTotal.debit - 1))
    problems = [str(p) for p in verify(world.session)]
    assert problems and all(p.startswith(f"{world.book.label}: budget totals (") for p in problems)
    assert any("the posted lines debit 300.00" in p for p in problems)

    rebuild_totals(world.session.connection())
    assert verify(world.session) == []
    world.session.execute(delete(BudgetTotal))
    assert any("hold debit 0.00 / credit 0.00, the posted lines debit 1000.00" in str(p)
               for p in verify(world.session))

