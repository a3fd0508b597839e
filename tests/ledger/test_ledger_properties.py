"""Property tests: whatever clerks do, the books stay balanced, numbered and chained.

Hypothesis draws a sequence of operations (allocations, payments, reversals, period
closes, and vouchers that break a rule). A small model predicts which payments the
budget limits must refuse; after every operation ``verify`` must find nothing and each
basis of every book must balance in total. Each example runs in a transaction that is
rolled back, so the examples share one database without seeing each other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.accounts import Account
from ledger.periods import close_period
from ledger.budget import BudgetExceeded
from ledger.errors import DomainError
from ledger.posting import prepare_voucher, reverse_voucher
from ledger.verify import verify
from ledger.vouchers import POSTED, LineDraft as L, Voucher, VoucherDraft, VoucherLine

SOURCES = ("district", "city", "other")
APPROVED = {"P1": Decimal("3000.00"), "P2": Decimal("800.00")}
SETTINGS = settings(
    max_examples=50, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

def amounts(max_yuan: int):
    return st.integers(min_value=1, max_value=max_yuan * 100).map(lambda fen: Decimal(fen) / 100)



days = st.integers(min_value=1, max_value=28)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("allocate"), st.sampled_from(SOURCES), amounts(5000), days),
        st.tuples(st.just("spend"), st.sampled_from(sorted(APPROVED)), st.sampled_from(SOURCES), amounts(1000), days),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("close")),
        st.tuples(st.just("invalid"), st.sampled_from(
            ["unbalanced", "no_project", "negative", "both_sides", "closed_period", "keyword"]), amounts(1000)),
    ),
    min_size=1, max_size=15,
)


class Model:
    """What the books should say, kept by hand: money received and spent."""

    def __init__(self):
        self.received = defaultdict(Decimal)
        self.spent_source = defaultdict(Decimal)
        self.spent_project = defaultdict(Decimal)
        self.open_month = 1  # the first month not yet closed
        self.reversible: list[tuple[int, str, tuple]] = []  # (voucher id, kind, details)


def _date(model: Model, day: int) -> dt.date:
    return dt.date(2025, min(model.open_month, 12), day)


def _balanced_in_total(session: Session) -> bool:
    rows = session.execute(
        select(Voucher.book_id, Account.basis, func.sum(VoucherLine.debit), func.sum(VoucherLine.credit))
        .join(Voucher, Voucher.id == VoucherLine.voucher_id).join(Account)
        .where(Voucher.status == POSTED).group_by(Voucher.book_id, Account.basis)
    ).all()
    return all(debit == credit for _, _, debit, credit in rows)


def _invalid_draft(world, model: Model, kind: str, amount: Decimal) -> VoucherDraft:
    tags = dict(project="P1", source="district")
    lines = [L("5001", debit=amount, **tags), L("1011", credit=amount, source="district"),
             L("7101", debit=amount, **tags), L("8001", credit=amount, source="district")]
    day, description = _date(model, 5), "无效凭证"
    if kind == "unbalanced":
        lines[3] = lines[3]._replace(credit=amount + Decimal("0.01"))
    elif kind == "no_project":
        lines[0] = lines[0]._replace(project=None, purpose="care")
    elif kind == "negative":
        lines[2] = lines[2]._replace(purpose="office_running")
    elif kind == "both_sides":
        lines[1] = lines[1]._replace(debit=amount)
    elif kind == "keyword":
        description = "发放加班费"
    elif kind == "closed_period":
        if model.open_month == 1:
            lines[3] = lines[3]._replace(credit=amount * 2)  # nothing closed yet: unbalance it
        else:
            day = dt.date(2025, model.open_month - 1, 1)
    return VoucherDraft(day, description, tuple(lines))


def _attempt(world, action):
    """Run ``action`` like a request: all of it, or (on a refusal) none of it."""
    savepoint = world.session.begin_nested()
    try:
        result = action()
    except DomainError:
        savepoint.rollback()
        raise
    savepoint.commit()
    return result


def _run(world, model: Model, op: tuple) -> None:
    kind = op[0]
    if kind == "allocate":
        _, source, amount, day = op
        allocation = _attempt(world, lambda: world.allocate(amount, source=source, on=_date(model, day)))
        model.received[source] += amount
        model.reversible.append((allocation.voucher.id, "allocate", (source, amount)))
    elif kind == "spend":
        _, code, source, amount, day = op
        refused = (model.spent_project[code] + amount > APPROVED[code]
                   or model.spent_source[source] + amount > model.received[source])
        try:
            voucher = _attempt(world, lambda: world.spend(world.projects[code], amount, source=source,
                                                          on=_date(model, day)))
        except BudgetExceeded:
            assert refused, "a payment within every limit was refused"
            event("payment refused by budget control")
            return
        assert not refused, "a payment past a limit was posted"
        event("payment posted")
        model.spent_project[code] += amount
        model.spent_source[source] += amount
        model.reversible.append((voucher.id, "spend", (code, source, amount)))
    elif kind == "reverse" and model.reversible:
        voucher_id, what, details = model.reversible[op[1] % len(model.reversible)]
        original = world.session.get(Voucher, voucher_id)
        on = max(original.date, _date(model, 1))
        if what == "allocate":
            source, amount = details
            refused = model.received[source] - amount < model.spent_source[source]
        else:
            refused = False
        try:
            _attempt(world, lambda: world.post(reverse_voucher(world.session, original, by=world.clerk, on=on)))
        except BudgetExceeded:
            assert refused, "a reversal within every limit was refused"
            event("reversal refused by budget control")
            return
        assert not refused, "taking back money already spent was posted"
        event(f"reversal of {what} posted")
        model.reversible.remove((voucher_id, what, details))
        if what == "allocate":
            model.received[details[0]] -= details[1]
        else:
            code, source, amount = details
            model.spent_project[code] -= amount
            model.spent_source[source] -= amount
    elif kind == "close" and model.open_month < 12:
        close_period(world.session, world.book, model.open_month, by=world.poster)
        model.open_month += 1
        event("period closed")
    elif kind == "invalid":
        before = world.counts()
        with pytest.raises(DomainError) as refusal:
            _attempt(world, lambda: prepare_voucher(
                world.session, world.book, _invalid_draft(world, model, op[1], op[2]), by=world.clerk))
        assert refusal.value.message and "%(" not in refusal.value.message
        assert world.counts() == before
        event(f"invalid voucher refused: {type(refusal.value).__name__}")


@SETTINGS
@given(ops=operations)
def test_any_sequence_keeps_the_books_balanced_numbered_and_chained(database, make_world, ops):
    with database.engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            world = make_world(session)
            world.projects = {code: world.project(code, amount) for code, amount in APPROVED.items()}
            model = Model()
            for source in SOURCES:  # some money in every pot, so payments often fit
                _run(world, model, ("allocate", source, Decimal("1000.00"), 2))
            for op in ops:
                _run(world, model, op)
                assert verify(session) == []
                assert _balanced_in_total(session)
            posted = session.scalars(select(Voucher.number).where(Voucher.status == POSTED)
                                     .order_by(Voucher.number)).all()
            assert posted == list(range(1, len(posted) + 1))
        finally:
            session.close()
            transaction.rollback()
