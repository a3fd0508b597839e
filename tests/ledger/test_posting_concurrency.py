"""Many clerks posting at once (PostgreSQL): no overspending, no duplicate number, no loss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from ledger.allocations import record_allocation
from ledger.books import Book
from ledger.budget import BudgetExceeded, OverrideError
from ledger.dimensions import funding_source
from ledger.expenditures import record_expenditure
from ledger.figures import project_spent
from ledger.overrides import answer_override, ask_override
from ledger.posting import post_voucher, review_voucher
from ledger.projects import LedgerProject
from ledger.users import User
from ledger.verify import verify
from ledger.vouchers import POSTED, OverrideRequest, Voucher
from tests.parallel import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.concurrent]

POSTERS = 16
ATTEMPTS = 2


def _run_in_threads(engine, work) -> list:
    """Run ``work(session, n)`` in ``POSTERS`` threads started together; collect results."""
    def copy(n: int, ready) -> list:
        with Session(engine) as session:
            ready()
            return work(session, n)

    return [result for answer in run_together(POSTERS, copy).values() for result in answer]


@pytest.fixture
def setting(database, make_world):
    """Committed: Q1's book with 100,000 of district money and project P1 approved for 1,000."""
    with Session(database.engine) as session:
        world = make_world(session)
        world.allocate("100000")
        world.project("P1", "1000")
        session.commit()
        ids = dict(book=world.book.id, clerk=world.clerk.id, reviewer=world.reviewer.id,
                   poster=world.poster.id)
    engine = create_engine(database.url, pool_size=POSTERS + 2)
    yield engine, ids
    engine.dispose()


def test_sixteen_posters_never_overspend_a_project(setting):
    engine, ids = setting

    def pay(session: Session, n: int) -> list:
        outcomes = []
        clerk, reviewer, poster = (session.get(User, ids[k]) for k in ("clerk", "reviewer", "poster"))
        book = session.get(Book, ids["book"])
        project = session.scalars(select(LedgerProject).where(LedgerProject.code == "P1")).one()
        for attempt in range(ATTEMPTS):
            voucher = record_expenditure(
                session, book, project, funding_source(session, "district"), "100.00",
                dt.date(2025, 3, 1 + n),
                f"支付 {n}-{attempt}", by=clerk, key=f"pay-{n}-{attempt}",
            )
            review_voucher(session, voucher, by=reviewer)
            try:
                post_voucher(session, voucher, by=poster)
            except BudgetExceeded:
                session.rollback()
                outcomes.append(("refused", None))
                continue
            session.commit()
            outcomes.append(("posted", voucher.id))
        return outcomes

    outcomes = _run_in_threads(engine, pay)
    posted = [voucher_id for outcome, voucher_id in outcomes if outcome == "posted"]
    assert len(outcomes) == POSTERS * ATTEMPTS
    assert len(posted) == 10  # exactly 1,000 / 100: no more, and nothing lost

    with Session(engine) as session:
        project = session.scalars(select(LedgerProject)).one()
        for basis in ("financial", "budget"):
            assert project_spent(session, project.id, basis) == Decimal("1000.00")
        numbers = session.scalars(select(Voucher.number).where(Voucher.status == POSTED)
                                  .order_by(Voucher.number)).all()
        assert numbers == list(range(1, 12))  # the allocation, then ten payments
        assert set(posted) <= set(session.scalars(select(Voucher.id).where(Voucher.status == POSTED)))
        assert verify(session) == []


def test_sixteen_posters_of_allocations_get_distinct_gapless_numbers(setting):
    engine, ids = setting

    def allocate(session: Session, n: int) -> list:
        clerk, poster = session.get(User, ids["clerk"]), session.get(User, ids["poster"])
        book = session.get(Book, ids["book"])
        allocation = record_allocation(
            session, book, funding_source(session, "city"), f"{n + 1}.00",
            dt.date(2025, 4, 1), by=clerk, key=f"city-{n}",
        )
        review_voucher(session, allocation.voucher, by=session.get(User, ids["reviewer"]))
        post_voucher(session, allocation.voucher, by=poster)
        session.commit()
        return [allocation.voucher.number]

    numbers = _run_in_threads(engine, allocate)
    assert sorted(numbers) == list(range(2, POSTERS + 2))
    with Session(engine) as session:
        total = session.scalar(select(func.count(Voucher.id)).where(Voucher.status == POSTED))
        assert total == POSTERS + 1
        assert verify(session) == []


def test_batches_and_single_postings_at_once_never_overspend_and_keep_one_chain(setting):
    """Half the threads post batches of five payments, half post one at a time, all on P1's
    1,000: exactly ten payments of 100 are posted, numbered 2 to 11 in one chain."""
    from ledger.batches import BatchRefusal, post_batch
    from ledger.clerks import Clerks, post_draft
    from ledger.vouchers import LineDraft, VoucherDraft

    engine, ids = setting

    def draft(key: str) -> VoucherDraft:
        tags = dict(project="P1", purpose="convenience", source="district")
        return VoucherDraft(dt.date(2025, 5, 1), f"支付 {key}", (
            LineDraft("5001", "100.00", 0, **tags), LineDraft("1011", 0, "100.00", source="district"),
            LineDraft("7101", "100.00", 0, **tags), LineDraft("8001", 0, "100.00", source="district"),
        ), key)

    def pay(session: Session, n: int) -> list:
        clerks = Clerks(*(session.get(User, ids[k]) for k in ("clerk", "reviewer", "poster")))
        book = session.get(Book, ids["book"])
        try:
            if n % 2:
                posted = post_batch(session, [(book, draft(f"batch-{n}-{i}")) for i in range(5)], clerks)
            else:
                posted = [post_draft(session, book, draft(f"single-{n}"), clerks).id]
        except (BatchRefusal, BudgetExceeded):
            session.rollback()
            return []
        session.commit()
        return posted

    posted = _run_in_threads(engine, pay)
    with Session(engine) as session:
        project = session.scalars(select(LedgerProject)).one()
        for basis in ("financial", "budget"):
            assert project_spent(session, project.id, basis) == Decimal("100.00") * len(posted)
            assert project_spent(session, project.id, basis) <= Decimal("1000.00")
        assert len(posted) >= 5  # whoever came first was posted
        numbers = session.scalars(select(Voucher.number).where(Voucher.status == POSTED)
                                  .order_by(Voucher.number)).all()
        assert numbers == list(range(1, len(posted) + 2))
        assert verify(session) == []


def test_sixteen_answers_to_one_request_to_pass_the_budget_count_once(setting):
    """Sixteen committee members answer one request at once: one answer stands, the others
    are told it was answered; the voucher posts (or not) by that one answer."""
    engine, ids = setting
    with Session(engine) as session:
        book = session.get(Book, ids["book"])
        project = session.scalars(select(LedgerProject).where(LedgerProject.code == "P1")).one()
        voucher = record_expenditure(session, book, project, funding_source(session, "district"), "1500.00",
                                     dt.date(2025, 3, 1), "支付 超预算", by=session.get(User, ids["clerk"]))
        review_voucher(session, voucher, by=session.get(User, ids["reviewer"]))
        request_id = ask_override(session, voucher, "追加", by=session.get(User, ids["poster"])).id
        members = [User(username=f"committee-{n}", display_name=f"委员{n}") for n in range(POSTERS)]
        session.add_all(members)
        session.commit()
        member_ids, voucher_id = [m.id for m in members], voucher.id

    def answer(session: Session, n: int) -> list:
        request_ = session.get(OverrideRequest, request_id)
        try:
            answer_override(session, request_, grant=n % 2 == 0, note=f"答复 {n}", by=session.get(User, member_ids[n]))
            session.commit()
            return [n]
        except OverrideError as error:
            session.rollback()
            assert "already granted" in error.message or "already refused" in error.message
            return []

    winners = _run_in_threads(engine, answer)
    assert len(winners) == 1
    with Session(engine) as session:
        request_ = session.get(OverrideRequest, request_id)
        assert request_.answered_by_id == member_ids[winners[0]] and request_.answer == f"答复 {winners[0]}"
        voucher = session.get(Voucher, voucher_id)
        if request_.status == "granted":
            post_voucher(session, voucher, by=session.get(User, ids["poster"]))
            assert voucher.override.by_id == member_ids[winners[0]]
        else:
            with pytest.raises(BudgetExceeded):
                post_voucher(session, voucher, by=session.get(User, ids["poster"]))
