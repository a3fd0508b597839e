"""Budget control: projects within their approval, spending within the money received."""

from decimal import Decimal

import pytest

from ledger.budget import BudgetExceeded, Override, OverrideError
from ledger.figures import project_spent, source_received
from ledger.posting import post_voucher, reverse_voucher, review_voucher
from ledger.projects import ProjectError
from ledger.project_budgets import close_project, open_project_budget


def refused_at_posting(world, voucher, match, override=None):
    """Posting ``voucher`` is refused with ``match``; it stays reviewed, nothing is written."""
    review_voucher(world.session, voucher, by=world.reviewer)
    before = world.counts()
    with pytest.raises((BudgetExceeded, OverrideError), match=match) as info:
        post_voucher(world.session, voucher, by=world.poster, override=override)
    assert world.counts() == before
    assert voucher.status == "reviewed" and voucher.number is None
    return info.value


def test_a_project_cannot_spend_past_its_approval(world):
    world.allocate("10000")
    project = world.project(amount="1000")
    world.spend(project, "800")
    voucher = world.spend(project, "300", post=False)
    error = refused_at_posting(
        world, voucher,
        r"Project P1 would be overspent on the financial basis: approved 1000.00, spent 800.00, "
        r"this voucher 300.00\.")
    assert {b.params["basis"] for b in error.breaches} == {"financial", "budget"}
    world.spend(project, "200")  # exactly the rest is fine


def test_a_community_cannot_spend_money_it_has_not_received(world):
    world.allocate("500", source="district")
    world.allocate("5000", source="city")
    project = world.project(amount="3000")
    voucher = world.spend(project, "600", source="district", post=False)
    refused_at_posting(
        world, voucher,
        r"Q1 would spend more district money than it received on the financial basis: received "
        r"500.00, spent 0.00; after this voucher received 500.00, spent 600.00\.")
    world.spend(project, "600", source="city")  # city money has arrived


def test_money_is_received_only_once_its_voucher_is_posted(world):
    world.allocate("500", post=False)
    assert source_received(world.session, world.community.id, world.source().id) == 0
    project = world.project(amount="3000")
    refused_at_posting(world, world.spend(project, "100", post=False), "received 0.00")


def test_money_received_by_another_community_does_not_count(world):
    from ledger.books import open_book

    neighbour_book = open_book(world.session, world.neighbour, 2025)
    world.allocate("5000", book=neighbour_book)
    project = world.project()
    refused_at_posting(world, world.spend(project, "100", post=False), "Q1 would spend more district money")


def test_a_split_approval_limits_each_source(world):
    world.allocate("5000", source="district")
    world.allocate("5000", source="city")
    project = world.project(amount="1000", by_source={"district": "400", "city": "600"})
    world.spend(project, "400", source="district")
    refused_at_posting(
        world, world.spend(project, "1", source="district", post=False),
        r"Project P1 would spend more district money than approved on the financial basis: "
        r"approved 400.00, spent 400.00, this voucher 1.00\.")
    world.spend(project, "600", source="city")


def test_split_must_add_up(world):
    with pytest.raises(ProjectError, match="add up to 900.00, not the approved 1000.00"):
        world.project(amount="1000", by_source={"district": "400", "city": "500"})


def test_an_override_with_a_reason_is_allowed_and_recorded(world):
    world.allocate("10000")
    project = world.project(amount="100")
    voucher = world.spend(project, "150", override=Override("暴雨抢修，先行支付", by=world.poster))
    assert voucher.status == "posted"
    record = voucher.override
    assert record.reason == "暴雨抢修，先行支付" and record.by is world.poster
    assert "approved 100.00, spent 0.00, this voucher 150.00" in record.breaches


def test_an_override_needs_a_reason(world):
    world.allocate("10000")
    project = world.project(amount="100")
    voucher = world.spend(project, "150", post=False)
    refused_at_posting(world, voucher, "needs a reason", override=Override("  ", by=world.poster))


def test_a_reversal_always_posts_but_reversing_income_already_spent_is_refused(world):
    allocation = world.allocate("1000")
    project = world.project(amount="1000")
    payment = world.spend(project, "800")
    over = world.spend(project, "200", override=Override("追加", by=world.poster))
    world.post(reverse_voucher(world.session, over, by=world.clerk))  # spending less is always fine
    assert project_spent(world.session, project.id, "financial") == Decimal("800.00")
    taking_back = reverse_voucher(world.session, allocation.voucher, by=world.clerk)
    refused_at_posting(
        world, taking_back,
        "received 1000.00, spent 800.00; after this voucher received 0.00, spent 800.00")
    assert payment.status == "posted"


def test_close_releases_what_was_not_spent_and_stops_spending(world):
    world.allocate("10000")
    project = world.project(amount="1000")
    world.spend(project, "650")
    assert close_project(world.session, project) == Decimal("350.00")
    assert project.closed and not project.spending_open and project.released_amount == Decimal("350.00")
    with pytest.raises(ProjectError, match="already closed"):
        close_project(world.session, project)
    with pytest.raises(ProjectError, match="closed; its budget cannot be changed"):
        world.project(amount="2000")


def test_re_approval_may_change_the_budget_but_not_below_what_was_spent(world):
    world.allocate("10000")
    project = world.project(amount="1000")
    world.spend(project, "650")
    with pytest.raises(ProjectError, match="has already spent 650.00; it cannot be approved for 600.00"):
        world.project(amount="600")
    assert world.project(amount="700") is project and project.approved_amount == Decimal("700.00")


def test_a_project_on_the_negative_list_cannot_be_approved(world):
    with pytest.raises(ProjectError, match="Purpose 职工福利/奖金 is on the negative list"):
        open_project_budget(world.session, world.community, "X", "发奖金", world.purpose("staff_welfare"), "10")


def test_a_voucher_refused_at_posting_goes_back_to_draft_and_can_be_discarded(world):
    from ledger.posting import VoucherStateError, discard_voucher, return_to_draft

    world.allocate("10000")
    project = world.project(amount="100")
    voucher = world.spend(project, "150", post=False)
    refused_at_posting(world, voucher, "would be overspent")
    with pytest.raises(VoucherStateError, match="only a draft can be discarded"):
        discard_voucher(world.session, voucher, by=world.clerk)
    return_to_draft(world.session, voucher, by=world.reviewer)
    assert voucher.status == "draft" and voucher.reviewed_by is None
    discard_voucher(world.session, voucher, by=world.clerk)
    assert world.counts()[2] == 1  # only the allocation is posted
