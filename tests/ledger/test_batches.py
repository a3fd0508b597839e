"""Posting a batch of vouchers at once: the same rules and the same books as one by one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.batches import BatchRefusal, post_batch
from ledger.books import PeriodClosed, open_book
from ledger.periods import close_period
from ledger.budget import BudgetExceeded
from ledger.clerks import Clerks, post_draft
from ledger.figures import project_spent, source_spent
from ledger.posting import IdempotencyConflict, SeparationOfDuties
from ledger.purpose_lists import add_purpose
from ledger.reports import trial_balance
from ledger.rules import NegativeListRefusal
from ledger.verify import verify
from ledger.vouchers import POSTED, LineDraft, Voucher, VoucherDraft

D = Decimal


def payment(project: str, amount: str, key: str, on=dt.date(2025, 3, 1), source="district", memo=""):
    tags = dict(project=project, purpose="convenience", source=source)
    return VoucherDraft(on, f"支付 {project} {key}", (
        LineDraft("5001", amount, 0, memo=memo, **tags), LineDraft("1011", 0, amount, source=source),
        LineDraft("7101", amount, 0, **tags), LineDraft("8001", 0, amount, source=source),
    ), key)


@pytest.fixture
def batch_world(world):
    """Q1 with 10,000 of district money and P1 approved for 3,000; Q2's books open."""
    world.allocate("10000")
    world.p1 = world.project("P1", "3000")
    world.neighbour_book = open_book(world.session, world.neighbour, 2025, by=world.poster)
    world.allocate("5000", book=world.neighbour_book)
    world.p2 = world.project("P2", "2000", community=world.neighbour)
    world.clerks = Clerks(world.clerk, world.reviewer, world.poster)
    return world


def posted(w, book):
    return w.session.scalars(select(Voucher).where(Voucher.book_id == book.id, Voucher.status == POSTED)
                             .order_by(Voucher.number)).all()


def test_a_batch_posts_in_order_continuing_each_books_numbers_and_chain(batch_world):
    w = batch_world
    ids = post_batch(w.session, [
        (w.book, payment("P1", "100.00", "a")),
        (w.neighbour_book, payment("P2", "200.00", "b")),
        (w.book, payment("P1", "300.00", "c")),
    ], w.clerks)
    w.session.expire_all()
    mine, theirs = posted(w, w.book), posted(w, w.neighbour_book)
    assert [v.number for v in mine] == [1, 2, 3] and [v.number for v in theirs] == [1, 2]
    assert ids == [mine[1].id, theirs[1].id, mine[2].id]
    assert mine[2].previous_hash == mine[1].hash and theirs[1].previous_hash == theirs[0].hash
    assert {v.prepared_by_id for v in mine[1:]} == {w.clerk.id}
    assert {(v.reviewed_by_id, v.posted_by_id) for v in mine[1:]} == {(w.reviewer.id, w.poster.id)}
    assert all(v.posted_at is not None and v.posted_at.tzinfo is not None for v in mine)
    for basis in ("financial", "budget"):
        assert project_spent(w.session, w.p1.id, basis) == D("400.00")
        assert project_spent(w.session, w.p2.id, basis) == D("200.00")
    assert verify(w.session) == []

    # a voucher posted alone afterwards continues the chain the batch left
    single = post_draft(w.session, w.book, payment("P1", "1.00", "d"), w.clerks)
    assert single.number == 4 and single.previous_hash == mine[2].hash
    assert verify(w.session) == []


def test_a_batch_gives_the_books_posting_one_by_one_gives(batch_world):
    w = batch_world
    w.allocate("5000", book=w.neighbour_book)  # Q2 now holds what Q1 holds
    w.project("P1", "3000", community=w.neighbour)
    drafts = [payment("P1", f"{n}.25", f"k{n}", on=dt.date(2025, 1 + n % 12, 1 + n)) for n in range(12)]
    post_batch(w.session, [(w.book, d) for d in drafts], w.clerks)
    for draft in drafts:
        post_draft(w.session, w.neighbour_book, draft, w.clerks)
    for basis in ("financial", "budget"):
        assert trial_balance(w.session, w.book, basis=basis).equals(
            trial_balance(w.session, w.neighbour_book, basis=basis))
    assert [v.number for v in posted(w, w.book)] == list(range(1, 14))
    assert verify(w.session) == []


def test_budget_control_counts_the_batchs_own_earlier_vouchers(batch_world):
    w = batch_world
    before = w.counts()
    with pytest.raises(BatchRefusal) as refused:
        post_batch(w.session, [
            (w.book, payment("P1", "1000.00", "a")),
            (w.book, payment("P1", "1500.00", "b")),
            (w.book, payment("P1", "600.00", "c")),  # 3,100 of 3,000
        ], w.clerks)
    assert refused.value.index == 2
    assert isinstance(refused.value.error, BudgetExceeded)
    assert "approved 3000.00, spent 2500.00, this voucher 600.00" in refused.value.error.message
    assert w.counts() == before  # nothing of the batch was written


def test_money_not_received_cannot_be_spent_within_a_batch(batch_world):
    w = batch_world
    w.project("P3", "20000")
    with pytest.raises(BatchRefusal) as refused:
        post_batch(w.session, [(w.book, payment("P1", "3000.00", "a")),
                               (w.book, payment("P3", "7000.01", "b"))], w.clerks)
    assert refused.value.index == 1
    assert "would spend more district money than it received" in refused.value.error.message
    assert source_spent(w.session, w.community.id, w.source("district").id, "budget") == D("0.00")


def test_a_batch_sent_again_returns_the_same_vouchers_and_writes_nothing(batch_world):
    w = batch_world
    drafts = [(w.book, payment("P1", "10.00", "a")), (w.neighbour_book, payment("P2", "20.00", "b"))]
    first = post_batch(w.session, drafts, w.clerks)
    counts = w.counts()
    assert post_batch(w.session, drafts, w.clerks) == first
    assert w.counts() == counts

    with pytest.raises(BatchRefusal) as refused:
        post_batch(w.session, [(w.book, payment("P1", "11.00", "a"))], w.clerks)
    assert isinstance(refused.value.error, IdempotencyConflict)
    assert w.counts() == counts


def test_a_key_repeated_inside_a_batch_is_one_voucher_or_a_conflict(batch_world):
    w = batch_world
    same = payment("P1", "10.00", "a")
    ids = post_batch(w.session, [(w.book, same), (w.book, same)], w.clerks)
    assert ids[0] == ids[1] and len(posted(w, w.book)) == 2  # the allocation and one payment
    with pytest.raises(BatchRefusal) as refused:
        post_batch(w.session, [(w.book, payment("P1", "1.00", "x")), (w.book, payment("P1", "2.00", "x"))], w.clerks)
    assert refused.value.index == 1 and isinstance(refused.value.error, IdempotencyConflict)


def test_each_rule_refuses_its_voucher_by_place_in_the_batch(batch_world):
    w = batch_world
    add_purpose(w.session, w.city, "neg_gift", "购买礼品", "negative", keywords="礼品")
    close_period(w.session, w.book, 1, by=w.poster)
    before = w.counts()
    cases = [
        (payment("P1", "5.00", "closed", on=dt.date(2025, 1, 20)), PeriodClosed, "is closed"),
        (payment("P1", "5.00", "gift", memo="节日礼品"), NegativeListRefusal, "礼品"),
        (payment("P9", "5.00", "unknown"), BatchRefusal, "project 'P9' does not exist"),
        (VoucherDraft(dt.date(2025, 3, 1), "不平", (LineDraft("5001", "5.00", 0, "P1", "convenience", "district"),
                                                   LineDraft("1011", 0, "4.00", source="district")), "unbalanced"),
         BatchRefusal, "does not balance"),
    ]
    for draft, kind, message in cases:
        with pytest.raises(BatchRefusal) as refused:
            post_batch(w.session, [(w.book, payment("P1", "1.00", f"ok-{kind.__name__}")), (w.book, draft)], w.clerks)
        assert refused.value.index == 1
        assert isinstance(refused.value.error, kind) or kind is BatchRefusal
        assert message in refused.value.error.message
        assert w.counts() == before


def test_a_batch_needs_three_different_clerks(batch_world):
    w = batch_world
    with pytest.raises(SeparationOfDuties, match="clerk prepares the batch and cannot also review it"):
        post_batch(w.session, [(w.book, payment("P1", "1.00", "a"))], Clerks(w.clerk, w.clerk, w.poster))
    with pytest.raises(SeparationOfDuties, match="reviewer reviews the batch and cannot also post it"):
        post_batch(w.session, [(w.book, payment("P1", "1.00", "a"))], Clerks(w.clerk, w.reviewer, w.reviewer))
    with pytest.raises(BatchRefusal, match="needs a request key"):
        post_batch(w.session, [(w.book, payment("P1", "1.00", ""))], w.clerks)


def test_a_voucher_an_earlier_attempt_left_unposted_is_posted_by_the_batch(batch_world):
    from ledger.posting import prepare_voucher

    w = batch_world
    left = prepare_voucher(w.session, w.book, payment("P1", "10.00", "a"), by=w.clerk)  # then the job died
    ids = post_batch(w.session, [(w.book, payment("P1", "20.00", "b")), (w.book, payment("P1", "10.00", "a"))],
                     w.clerks)
    assert ids[1] == left.id
    w.session.expire_all()
    assert [(v.id, v.number) for v in posted(w, w.book)][1:] == [(left.id, 2), (ids[0], 3)]
    assert project_spent(w.session, w.p1.id, "budget") == D("30.00")
    assert verify(w.session) == []
