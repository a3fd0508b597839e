"""Planned budget (预算指标): set per community, year and source; versions kept; reports use it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ledger.reports import execution_by_organisation, execution_by_source
from ledger.targets import BudgetTarget, TargetError, current_target, planned_total, set_target
from tests.ledger.conftest import YEAR

D = Decimal


def row(frame, column, value):
    return frame[frame[column] == value].iloc[0]


def test_a_change_is_a_new_version_with_its_reason(world):
    w = world
    first = set_target(w.session, w.community, YEAR, w.source("district"), "20000", by=w.clerk, reference="区财〔2025〕1号")
    assert first.version == 1
    assert set_target(w.session, w.community, YEAR, w.source("district"), "20,000.00", by=w.clerk,
                      reference="区财〔2025〕1号") is first  # sent twice: nothing new
    with pytest.raises(TargetError, match="say why it changes") as refused:
        set_target(w.session, w.community, YEAR, w.source("district"), "15000", by=w.clerk)
    assert refused.value.field == "reason"
    second = set_target(w.session, w.community, YEAR, w.source("district"), "15000", by=w.reviewer,
                        reason="区级预算调减")
    assert (second.version, second.amount, second.recorded_by_id) == (2, D("15000.00"), w.reviewer.id)
    assert current_target(w.session, w.community, YEAR, w.source("district")) is second
    history = w.session.scalars(select(BudgetTarget.amount).order_by(BudgetTarget.version)).all()
    assert history == [D("20000.00"), D("15000.00")]
    assert planned_total(w.session, w.community, YEAR) == D("15000.00")


@pytest.mark.parametrize("organisation, amount, field", [
    ("street", "100", "organisation"), ("community", "-1", "amount"), ("community", "1.234", "amount"),
    ("community", "abc", "amount"),
])
def test_refusals_name_the_field(world, organisation, amount, field):
    with pytest.raises(TargetError) as refused:
        set_target(world.session, getattr(world, organisation), YEAR, world.source(), amount, by=world.clerk)
    assert refused.value.field == field


@pytest.mark.parametrize("statement", ["UPDATE budget_targets SET amount = 1", "DELETE FROM budget_targets"])
def test_the_database_refuses_to_rewrite_a_target(world, database, statement):
    set_target(world.session, world.community, YEAR, world.source(), "20000", by=world.clerk)
    world.session.commit()
    with database.engine.connect() as connection:
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
        connection.rollback()
    assert world.session.scalar(select(BudgetTarget.amount)) == D("20000.00")


def test_reports_measure_against_the_plan_and_fall_back_to_allocations(world):
    """Q1 planned 20,000 district + 10,000 city, received 10,000 district + 5,000 city;
    Q2 has no plan: its 2,000 allocated is its budget."""
    from ledger.books import open_book

    w = world
    w.allocate("10000.00", source="district")
    w.allocate("5000.00", source="city")
    project = w.project("P1", amount="3000")
    w.spend(project, "1500.00")
    q2_book = open_book(w.session, w.neighbour, YEAR)
    w.allocate("2000", book=q2_book)
    set_target(w.session, w.community, YEAR, w.source("district"), "20000", by=w.clerk)
    set_target(w.session, w.community, YEAR, w.source("city"), "10000", by=w.clerk)
    frame = execution_by_organisation(w.session, w.street, YEAR)
    q1, q2 = row(frame, "organisation", w.community.code), row(frame, "organisation", w.neighbour.code)
    assert (q1.allocated, q1.arrived, q1.spent, q1.balance) == (D("30000.00"), D("15000.00"), D("1500.00"),
                                                                D("13500.00"))
    assert (q1.execution_rate, q1.arrival_rate) == (D("5.00"), D("50.00"))
    assert (q2.allocated, q2.arrival_rate) == (D("2000.00"), D("100.00"))
    street = execution_by_organisation(w.session, w.city, YEAR, level="street").iloc[0]
    assert (street.allocated, street.arrived, street.arrival_rate) == (D("32000.00"), D("17000.00"), D("53.12"))
    sources = execution_by_source(w.session, w.street, YEAR)
    assert row(sources, "source", "district").allocated == D("22000.00")  # Q1's plan + Q2's allocation
    assert row(sources, "source", "city").allocated == D("10000.00")


def test_a_report_as_of_a_date_reads_the_target_then_in_force(world):
    w = world
    w.allocate("10000.00", source="district")
    set_target(w.session, w.community, YEAR, w.source("district"), "40000", by=w.clerk)
    w.session.flush()
    later = set_target(w.session, w.community, YEAR, w.source("district"), "20000", by=w.clerk, reason="调减")
    later_day = dt.date.today() + dt.timedelta(days=3)
    # a third version as if recorded in three days' time
    w.session.add(BudgetTarget(organisation_id=w.community.id, fiscal_year=YEAR, funding_source_id=w.source("district").id,
                               version=later.version + 1, amount=D("25000"), reason="再调",
                               recorded_by_id=w.clerk.id,
                               recorded_at=dt.datetime.combine(later_day, dt.time(12), tzinfo=dt.timezone.utc)))
    w.session.flush()
    tomorrow = dt.date.today() + dt.timedelta(days=1)  # "today" in Beijing, whatever the UTC hour
    today = execution_by_organisation(w.session, w.street, YEAR, as_of=tomorrow)
    assert row(today, "organisation", w.community.code).allocated == D("20000.00")
    now = execution_by_organisation(w.session, w.street, YEAR)
    assert row(now, "organisation", w.community.code).allocated == D("25000.00")


def test_a_csv_is_imported_whole_or_its_wrong_rows_are_listed(world):
    from ledger.targets import import_targets_csv

    w = world
    good = "community,fiscal_year,source,amount,reference,reason\n" \
        f"{w.community.code},{YEAR},district,200000,区财1号,\n{w.neighbour.code},{YEAR},city,\"150,000.00\",,\n"
    targets, errors = import_targets_csv(w.session, good, by=w.clerk)
    assert errors == [] and [t.amount for t in targets] == [D("200000.00"), D("150000.00")]
    bad = f"community,fiscal_year,source,amount\n{w.community.code},{YEAR},district,100\nQ9,{YEAR},city,1\n" \
          f"{w.street.code},{YEAR},city,1\n"
    _targets, errors = import_targets_csv(w.session, bad, by=w.clerk)
    assert [line for line, _message in errors] == [2, 3, 4]  # a change without reason, unknown, a street
    assert "say why it changes" in errors[0][1]
