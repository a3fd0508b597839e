"""Preparing, reviewing, posting and reversing vouchers: every rule and its refusal."""

import datetime as dt
from decimal import Decimal

import pytest

from ledger.allocations import record_allocation
from ledger.base import money
from ledger.books import open_book
from ledger.posting import (
    AlreadyReversed, IdempotencyConflict, SeparationOfDuties, VoucherStateError, discard_voucher,
    post_voucher, prepare_voucher, reverse_voucher, review_voucher,
)
from ledger.rules import LineError, NegativeListRefusal, UnbalancedVoucher
from ledger.verify import verify
from ledger.vouchers import LineDraft as L, VoucherDraft

DAY = dt.date(2025, 3, 15)


def draft(*lines, key=None, description="测试凭证"):
    return VoucherDraft(DAY, description, tuple(lines), key)


def refuses(world, error, match, voucher_draft):
    """Preparing ``voucher_draft`` is refused with ``match`` and writes nothing."""
    before = world.counts()
    with pytest.raises(error, match=match) as info:
        prepare_voucher(world.session, world.book, voucher_draft, by=world.clerk)
    assert world.counts() == before
    return info.value


@pytest.fixture
def funded(world):
    """Q1 has 10,000 of district money and an open project P1 of 5,000."""
    world.allocate("10000")
    return world.project(amount="5000")


def payment(amount="100.00", **tags):
    tags = {"project": "P1", "source": "district", **tags}
    return (
        L("5001", debit=Decimal(amount), **tags),
        L("1011", credit=Decimal(amount), source="district"),
        L("7101", debit=Decimal(amount), **tags),
        L("8001", credit=Decimal(amount), source="district"),
    )


def test_each_basis_must_balance_on_its_own(world, funded):
    lines = payment()[:2] + (L("7101", debit=Decimal("100"), project="P1", source="district"),
                             L("8001", credit=Decimal("90"), source="district"))
    error = refuses(world, UnbalancedVoucher,
                    r"The budget basis does not balance: debits 100.00, credits 90.00\.", draft(*lines))
    assert error.field == "lines"
    # Balanced overall but not per basis: 100 financial debit against 100 budget credit.
    refuses(world, UnbalancedVoucher, "financial basis does not balance",
            draft(L("5001", debit=Decimal("100"), project="P1", source="district"),
                  L("8001", credit=Decimal("100"), source="district")))


def test_a_voucher_needs_two_lines(world):
    refuses(world, UnbalancedVoucher, "at least 2 lines, this one has 0", draft())


@pytest.mark.parametrize("debit, credit, match", [
    ("0", "0", "not debit 0.00 and credit 0.00"),
    ("5", "5", "not debit 5.00 and credit 5.00"),
    ("-5", "0", "not debit -5.00 and credit 0.00"),
])
def test_each_line_has_exactly_one_positive_side(world, funded, debit, credit, match):
    lines = (L("1002", debit=Decimal(debit), credit=Decimal(credit)), L("1001", credit=Decimal("5")))
    error = refuses(world, LineError, match, draft(*lines))
    assert error.field == "lines[0].debit"


def test_amounts_must_be_money(world):
    error = refuses(world, LineError, "Line 1: debit is not an amount",
                    draft(L("1002", debit=0.1), L("1001", credit=Decimal("0.1"))))
    assert error.field == "lines[0].debit"
    refuses(world, LineError, "more than two decimal places",
            draft(L("1002", debit=Decimal("0.001")), L("1001", credit=Decimal("0.001"))))


@pytest.mark.parametrize("typed, amount", [
    ("１２３．４５", "123.45"), ("１，２３４．５０", "1234.50"), ("1，234.5", "1234.50"), (" ８ ", "8.00"),
])
def test_full_width_amounts_as_a_chinese_input_method_types_them(typed, amount):
    assert money(typed) == Decimal(amount)


def test_unknown_codes_are_named(world, funded):
    refuses(world, LineError, "account '9999' is not in the chart of books Q1/2025",
            draft(L("9999", debit=Decimal(1)), L("1001", credit=Decimal(1))))
    refuses(world, LineError, "project 'P9' does not exist", draft(*payment(project="P9")))
    refuses(world, LineError, "source 'moon' does not exist", draft(*payment(source="moon")))


def test_spending_needs_a_project_citing_the_negative_list_rule(world, funded):
    error = refuses(world, NegativeListRefusal,
                    "Line 1 spends on 5001 without a project: refused by the negative list rule 无居民议定项目的支出",
                    draft(*payment(project=None, purpose="care")))
    assert error.field == "lines[0].project"


def test_spending_needs_a_funding_source_and_income_too(world, funded):
    refuses(world, LineError, "Line 1 spends on 5001 and must name its source", draft(*payment(source=None)))
    refuses(world, LineError, "Line 2 records income on 4001 and must name its funding source",
            draft(L("1011", debit=Decimal(5)), L("4001", credit=Decimal(5))))


def test_a_purpose_on_the_negative_list_is_refused_by_name(world, funded):
    refuses(world, NegativeListRefusal, "Line 1 is refused by the negative list rule 宴请/礼品",
            draft(*payment(purpose="banquet_gift")))


def test_a_spending_line_mentioning_a_forbidden_use_is_refused(world, funded):
    lines = payment()
    lines = (lines[0]._replace(memo="春节慰问职工奖金"),) + lines[1:]
    refuses(world, NegativeListRefusal, "mentions '奖金': refused by the negative list rule 职工福利/奖金",
            draft(*lines))
    refuses(world, NegativeListRefusal, "'宴请'", draft(*payment(), description="志愿者宴请"))


def test_spending_on_a_project_of_another_community_is_refused(world, funded):
    world.project(code="P2", community=world.neighbour)
    refuses(world, LineError, "project 'P2' does not exist", draft(*payment(project="P2")))


def test_spending_needs_the_project_open_for_spending(world, funded):
    world.project(code="P3", spending=False)
    refuses(world, LineError, "project P3 is not yet open for spending", draft(*payment(project="P3")))


def test_the_preparer_can_neither_review_nor_post(world, funded):
    voucher = prepare_voucher(world.session, world.book, draft(*payment()), by=world.clerk)
    with pytest.raises(SeparationOfDuties, match="clerk prepared voucher Q1/2025 draft .* cannot also review it"):
        review_voucher(world.session, voucher, by=world.clerk)
    review_voucher(world.session, voucher, by=world.reviewer)
    with pytest.raises(SeparationOfDuties, match="cannot also post it"):
        post_voucher(world.session, voucher, by=world.clerk)
    assert voucher.status == "reviewed" and voucher.number is None


def test_status_runs_draft_reviewed_posted(world, funded):
    voucher = prepare_voucher(world.session, world.book, draft(*payment()), by=world.clerk)
    with pytest.raises(VoucherStateError, match="is draft; it must be reviewed before posting"):
        post_voucher(world.session, voucher, by=world.poster)
    review_voucher(world.session, voucher, by=world.reviewer)
    with pytest.raises(VoucherStateError, match="only a draft can be reviewed"):
        review_voucher(world.session, voucher, by=world.poster)
    post_voucher(world.session, voucher, by=world.poster)
    assert (voucher.status, voucher.posted_by, voucher.reviewed_by) == ("posted", world.poster, world.reviewer)
    assert voucher.posted_at.tzinfo is not None
    assert post_voucher(world.session, voucher, by=world.poster) is voucher  # a retry is harmless
    assert voucher.number == 2


def test_numbers_are_gapless_per_book_and_chained(world, funded):
    other_book = open_book(world.session, world.neighbour, 2025)
    world.allocate("50", book=other_book)  # another book counts on its own
    discarded = world.spend(funded, "1", post=False)  # a discarded draft takes no number
    discard_voucher(world.session, discarded, by=world.clerk)
    vouchers = [world.spend(funded, str(n)) for n in (10, 20, 30)]
    assert [v.number for v in vouchers] == [2, 3, 4]
    assert [v.previous_hash for v in vouchers[1:]] == [v.hash for v in vouchers[:-1]]
    assert verify(world.session) == []


def test_same_key_and_content_returns_the_same_voucher(world, funded):
    first = prepare_voucher(world.session, world.book, draft(*payment(), key="req-1"), by=world.clerk)
    again = prepare_voucher(world.session, world.book, draft(*payment(), key="req-1"), by=world.clerk)
    assert again is first and world.counts()[0] == 2


def test_same_key_with_other_content_is_a_conflict(world, funded):
    first = prepare_voucher(world.session, world.book, draft(*payment(), key="req-1"), by=world.clerk)
    world.post(first)
    error = refuses(world, IdempotencyConflict,
                    "Request key req-1 was already used in books Q1/2025 for voucher Q1/2025 #2 with different content",
                    draft(*payment("200.00"), key="req-1"))
    assert error.field == "key"
    # The same key in another book is another request.
    other_book = open_book(world.session, world.neighbour, 2025)
    allocation = record_allocation(world.session, other_book, world.source(), "5", DAY, by=world.clerk, key="req-1")
    assert allocation.voucher.book is other_book


def test_reversal_mirrors_the_lines_and_posts_by_the_same_rules(world, funded):
    original = world.spend(funded, "300")
    reversal = reverse_voucher(world.session, original, by=world.clerk)
    assert reversal.status == "draft" and reversal.reverses is original
    assert [(l.account.code, l.debit, l.credit, l.project) for l in reversal.lines] == [
        (l.account.code, l.credit, l.debit, l.project) for l in original.lines]
    with pytest.raises(SeparationOfDuties):
        review_voucher(world.session, reversal, by=world.clerk)
    world.post(reversal)
    assert reversal.number == 3 and original.reversed_by is reversal
    assert reversal.description.startswith("冲销 Q1/2025 #2")
    assert verify(world.session) == []


def test_a_voucher_is_reversed_once(world, funded):
    original = world.spend(funded, "300")
    reversal = reverse_voucher(world.session, original, by=world.clerk)
    assert reverse_voucher(world.session, original, by=world.clerk) is reversal  # a retry
    before = world.counts()
    with pytest.raises(AlreadyReversed, match=r"Voucher Q1/2025 #2 was already reversed by Q1/2025 draft \d+"):
        reverse_voucher(world.session, original, by=world.clerk, key="second-try")
    assert world.counts() == before


def test_only_posted_vouchers_are_reversed(world, funded):
    voucher = world.spend(funded, "300", post=False)
    with pytest.raises(VoucherStateError, match="only a posted voucher is reversed"):
        reverse_voucher(world.session, voucher, by=world.clerk)


def test_a_refund_may_still_post_after_the_project_closed(world, funded):
    from ledger.project_budgets import close_project

    original = world.spend(funded, "300")
    close_project(world.session, funded)
    with pytest.raises(LineError, match="project P1 is closed"):
        world.spend(funded, "1", post=False)
    reversal = reverse_voucher(world.session, original, by=world.clerk)
    world.post(reversal)
    assert reversal.number == 3


def test_the_reversal_of_a_voucher_with_the_longest_description_fits(world):
    from ledger.expenditures import record_expenditure
    from ledger.posting import reverse_voucher
    from ledger.vouchers import DESCRIPTION_MAX

    world.allocate("1000.00")
    project = world.project()
    original = world.post(record_expenditure(world.session, world.book, project, world.source(), "100.00", DAY,
                                             "长" * DESCRIPTION_MAX, by=world.clerk))
    reversal = world.post(reverse_voucher(world.session, original, by=world.clerk))
    assert reversal.status == "posted" and reversal.description.startswith("冲销 ")
    assert len(reversal.description) == DESCRIPTION_MAX
