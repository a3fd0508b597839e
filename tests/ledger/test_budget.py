"""Budget control: projects within their approval, spending within the money received."""

import datetime as dt
from decimal import Decimal

import pytest

from ledger.allocations import AllocationError, record_allocation
from ledger.batches import BatchRefusal, post_batch
from ledger.budget import BudgetExceeded, OverrideError, OverrideOutdated
from ledger.clerks import Clerks, post_draft
from ledger.figures import project_spent, source_received
from ledger.overrides import answer_override, ask_override
from ledger.posting import (
    SeparationOfDuties, post_voucher, prepare_voucher, return_to_draft, reverse_voucher, review_voucher,
)
from ledger.projects import ProjectError
from ledger.project_budgets import close_project, open_project_budget
from ledger.rules import LineError, VoucherError
from ledger.vouchers import VoucherDraft


def refused_at_posting(world, voucher, match, reviewed=False):
    """Posting ``voucher`` is refused with ``match``; it stays reviewed, nothing is written."""
    if not reviewed:
        review_voucher(world.session, voucher, by=world.reviewer)
    before = world.counts()
    with pytest.raises((BudgetExceeded, OverrideError, SeparationOfDuties), match=match) as info:
        post_voucher(world.session, voucher, by=world.poster)
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


def over_budget(world):
    """A reviewed payment of 150 on a project approved for 100."""
    world.allocate("10000")
    project = world.project(amount="100")
    voucher = world.spend(project, "150", post=False)
    review_voucher(world.session, voucher, by=world.reviewer)
    return project, voucher


def test_past_the_approval_only_with_the_committees_grant_recorded_with_who_allowed_it(world):
    project, voucher = over_budget(world)
    request = ask_override(world.session, voucher, "暴雨抢修，先行支付", by=world.poster)
    refused_at_posting(world, voucher, "approved 100.00, spent 0.00", reviewed=True)  # asked is not granted
    answer_override(world.session, request, grant=True, note="党工委会议同意追加", by=world.committee)
    post_voucher(world.session, voucher, by=world.poster)
    record = voucher.override
    assert voucher.status == "posted" and record.request is request
    assert (record.reason, record.by, request.asked_by) == ("暴雨抢修，先行支付", world.committee, world.poster)
    assert "approved 100.00, spent 0.00, this voucher 150.00" in record.breaches


def test_a_refused_request_leaves_the_voucher_refused_and_asking_again_is_a_new_request(world):
    project, voucher = over_budget(world)
    first = ask_override(world.session, voucher, "追加", by=world.poster)
    assert ask_override(world.session, voucher, "再次提交", by=world.poster) is first  # a resent form asks once
    answer_override(world.session, first, grant=False, note="请先调整预算", by=world.committee)
    refused_at_posting(world, voucher, "approved 100.00", reviewed=True)
    second = ask_override(world.session, voucher, "调整后再申请", by=world.poster)
    assert second is not first and (first.status, second.status) == ("refused", "asked")


def test_nobody_who_handled_the_voucher_answers_and_the_granter_does_not_post(world):
    project, voucher = over_budget(world)
    request = ask_override(world.session, voucher, "追加", by=world.poster)
    for who, role in ((world.poster, "asked for it"), (world.clerk, "prepared the voucher"),
                      (world.reviewer, "reviewed the voucher")):
        with pytest.raises(OverrideError, match=role):
            answer_override(world.session, request, grant=True, note="同意", by=who)
    assert request.status == "asked"
    answer_override(world.session, request, grant=True, note="同意", by=world.committee)
    with pytest.raises(OverrideError, match="already granted by committee"):
        answer_override(world.session, request, grant=False, note="不同意", by=world.committee)
    with pytest.raises(OverrideError, match="allowed voucher .* past the budget and cannot also post it"):
        post_voucher(world.session, voucher, by=world.committee)


def test_a_grant_covers_the_figures_it_was_asked_for_not_later_spending(world):
    project, voucher = over_budget(world)
    world.allow(voucher, "追加")
    world.spend(project, "50")  # the project spends more before the granted voucher is posted
    error = refused_at_posting(world, voucher, "changed since committee allowed it", reviewed=True)
    assert isinstance(error, OverrideOutdated)
    again = ask_override(world.session, voucher, "再次申请", by=world.poster)
    assert error.granted.status == "withdrawn" and again.status == "asked"


def test_returning_to_draft_withdraws_the_request_and_a_reason_is_required(world):
    project, voucher = over_budget(world)
    with pytest.raises(OverrideError, match="State why"):
        ask_override(world.session, voucher, "  ", by=world.poster)
    request = world.allow(voucher, "追加")
    with pytest.raises(OverrideError, match="State why"):
        answer_override(world.session, ask_override(world.session, voucher, "x", by=world.poster), grant=True,
                        note="", by=world.committee)
    return_to_draft(world.session, voucher, by=world.poster)
    assert request.status == "withdrawn"
    review_voucher(world.session, voucher, by=world.reviewer)
    refused_at_posting(world, voucher, "approved 100.00", reviewed=True)


def test_a_voucher_within_its_limits_is_not_asked_for(world):
    world.allocate("10000")
    voucher = world.spend(world.project(amount="1000"), "150", post=False)
    with pytest.raises(OverrideError, match="only a reviewed voucher"):
        ask_override(world.session, voucher, "追加", by=world.poster)
    review_voucher(world.session, voucher, by=world.reviewer)
    with pytest.raises(OverrideError, match="within every budget limit"):
        ask_override(world.session, voucher, "追加", by=world.poster)


def test_the_reviewer_does_not_post_what_they_reviewed(world):
    world.allocate("10000")
    voucher = world.spend(world.project(amount="1000"), "150", post=False)
    review_voucher(world.session, voucher, by=world.reviewer)
    with pytest.raises(SeparationOfDuties, match="reviewed voucher .* a third clerk posts"):
        post_voucher(world.session, voucher, by=world.reviewer)
    assert post_voucher(world.session, voucher, by=world.poster).status == "posted"


def test_a_reversal_always_posts_but_reversing_income_already_spent_is_refused(world):
    allocation = world.allocate("1000")
    project = world.project(amount="1000")
    payment = world.spend(project, "800")
    over = world.spend(project, "200")
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


def test_no_client_chooses_a_year_end_key_to_hide_spending_from_budget_control(world):
    world.allocate("10000")
    project = world.project(amount="1000")
    hidden = world.spend(project, "900", post=False)
    draft = VoucherDraft(hidden.date, "伪装成结账的支付", tuple(line.as_draft() for line in hidden.lines), "closing:evil")
    for key in ("closing:evil", "opening:evil", " closing:1:flows"):
        with pytest.raises(VoucherError, match="belong to the year-end close"):
            prepare_voucher(world.session, world.book, draft._replace(key=key), by=world.clerk)
    clerks = Clerks(world.clerk, world.reviewer, world.poster)
    with pytest.raises(VoucherError, match="belong to the year-end close"):
        post_draft(world.session, world.book, draft, clerks)
    with pytest.raises(BatchRefusal) as refused:
        post_batch(world.session, [(world.book, draft)], clerks)
    assert "belong to the year-end close" in refused.value.error.message
    assert project_spent(world.session, project.id, "financial") == Decimal("0.00")


def test_an_amount_past_any_single_entry_is_refused_with_the_limit(world):
    with pytest.raises(AllocationError, match="largest single amount accepted, 999999999.99") as refused:
        record_allocation(world.session, world.book, world.source(), "1000000000.00", arrived_on=dt.date(2025, 1, 10), by=world.clerk)
    assert refused.value.field == "amount"
    with pytest.raises(ProjectError, match="largest single amount"):
        world.project(amount="1000000000000000.00")
    world.allocate("10000")
    with pytest.raises(LineError, match="largest single amount") as refused:
        world.spend(world.project(amount="1000"), "9999999999999999.99", post=False)
    assert refused.value.field.startswith("lines[")
