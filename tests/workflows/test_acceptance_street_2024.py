"""A Beijing street office's 2024 fund (shared/acceptance/street_2024.md), rebuilt through
the system: 23 communities × 400,000 CNY (200,000 city + 200,000 district), 98 projects
completed (57 works, 18 activities, 5 convenience, 5 volunteer, 13 other services),
40 emergency projects, 8,988,025.24 CNY spent. The execution report must show 97.69 %
(truncated, as published) and the project counts by type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ledger.allocations import record_allocation
from ledger.books import open_book
from ledger.dimensions import funding_source
from ledger.expenditures import record_expenditure
from ledger.organisations import add_organisation
from ledger.posting import post_voucher, review_voucher
from ledger.reports.common import Rounding
from ledger.reports.execution import execution_by_organisation
from workflows.figures import counts_by_type, project_figures
from workflows.machine import fire
from workflows.projects import create_project, spending_project

YEAR = 2024
SPENT = Decimal("8988025.24")
COMPLETED = {"works": 57, "activities": 18, "convenience": 5, "volunteer": 5, "other": 13}
EMERGENCY = 40
COMMUNITIES = 23


def _post(flow, voucher):
    review_voucher(flow.session, voucher, by=flow.reviewer)
    post_voucher(flow.session, voucher, by=flow.poster)


def _shares(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` split into ``parts`` amounts to the fen, the remainder on the first ones."""
    fen = int(total * 100)
    base, extra = divmod(fen, parts)
    return [Decimal(base + (i < extra)) / 100 for i in range(parts)]


def test_the_street_2024_figures(flow):
    session = flow.session
    communities = [flow.community, flow.neighbour] + [
        add_organisation(session, f"Q{n:02d}", f"第{n}社区", "community", flow.street)
        for n in range(3, COMMUNITIES + 1)
    ]
    books = {}
    for community in communities:
        books[community.id] = book = open_book(session, community, YEAR)
        for source in ("city", "district"):
            allocation = record_allocation(session, book, funding_source(session, source), "200000.00",
                                           arrived_on=dt.date(YEAR, 3, 1), by=flow.clerk)
            _post(flow, allocation.voucher)

    types = [t for t, n in COMPLETED.items() for _ in range(n)]
    by_community = [types[i::COMMUNITIES] for i in range(COMMUNITIES)]
    spending = _shares(SPENT, COMMUNITIES)
    number = 0
    for community, project_types, amount in zip(communities, by_community, spending):
        for project_type, cost in zip(project_types, _shares(amount, len(project_types))):
            number += 1
            halves = _shares(cost, 2)
            project = create_project(
                session, community, code=f"P{number:03d}", title=f"项目{number}", project_type=project_type,
                purpose_code="convenience", plan_year=YEAR, responsible_person="书记", by=flow.staff,
                budget={"city": str(halves[0]), "district": str(halves[1])}, needs=[flow.need(community)],
            )
            flow.walk(project, "implementation", amount=str(cost))
            for source, part in zip(("city", "district"), halves):
                _post(flow, record_expenditure(session, books[community.id], spending_project(project),
                                               funding_source(session, source), part, dt.date(YEAR, 9, 1),
                                               "项目支出", by=flow.clerk))
            flow.walk(project, "closed")
    for n in range(EMERGENCY):
        community = communities[n % COMMUNITIES]
        emergency = create_project(
            session, community, code=f"E{n:03d}", title=f"应急项目{n}", project_type="emergency",
            purpose_code="emergency", plan_year=YEAR, responsible_person="书记", by=flow.staff,
            budget={"district": "1000.00"}, needs=[flow.need(community)],
        )
        fire(session, emergency, "fast_approve", by=flow.committee, role="street_committee",
             amount="1000.00", reason="汛期险情")

    street = execution_by_organisation(session, flow.street, YEAR, level="street", rounding=Rounding("truncate", 2))
    row = street.iloc[0]
    assert row["allocated"] == Decimal("9200000.00")
    assert row["spent"] == SPENT
    assert row["execution_rate"] == Decimal("97.69")
    assert execution_by_organisation(session, flow.street, YEAR, level="street",
                                     rounding=Rounding("half_up", 2)).iloc[0]["execution_rate"] == Decimal("97.70")
    per_community = execution_by_organisation(session, flow.street, YEAR, level="community")
    assert len(per_community) == COMMUNITIES and sum(per_community["spent"]) == SPENT

    counts = counts_by_type(session, flow.street, YEAR)
    assert {t: counts[t]["completed"] for t in COMPLETED} == COMPLETED
    assert sum(c["completed"] for c in counts.values()) == 98
    assert counts["emergency"]["total"] == EMERGENCY
    figures = project_figures(session, flow.street, YEAR)
    assert (figures.completed, figures.emergency, figures.communities_served) == (98, 40, COMMUNITIES)
