"""The posting rules a voucher must meet, as checks that raise a readable refusal.

They look only at the voucher in hand (its lines, accounts and dimensions) and at the
negative list passed in, never at the database, so they run the same when a voucher is
prepared and again when it is posted. Budget limits need figures from the database and
live in ``ledger/budget.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .accounts import FINANCIAL, BUDGET
from .dimensions import NO_PROJECT, PurposeCategory
from .errors import DomainError, N_
from .vouchers import Voucher, VoucherLine

MIN_LINES = 2


class VoucherError(DomainError):
    """A voucher that breaks a posting rule."""


class UnbalancedVoucher(VoucherError):
    """A basis whose debits and credits differ (each basis balances on its own)."""


class LineError(VoucherError):
    """A line with a wrong amount, account or dimension."""


class NegativeListRefusal(VoucherError):
    """A line whose use is on the negative list (负面清单)."""


def _line_field(line: VoucherLine, name: str) -> str:
    return f"lines[{line.position - 1}].{name}"


def check_amounts(line: VoucherLine) -> None:
    """Exactly one of debit and credit is above zero, neither is negative."""
    debit, credit = line.debit, line.credit
    if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
        raise LineError(
            N_("Line %(line)s needs either a debit or a credit above zero, not debit %(debit)s "
               "and credit %(credit)s."),
            field=_line_field(line, "debit"), line=line.position, debit=debit, credit=credit,
        )


def check_account(line: VoucherLine, parents: set[int]) -> None:
    """Post to an active account with no sub-accounts (the most detailed level);
    ``parents``: the ids of the chart's accounts that have an active sub-account."""
    account = line.account
    if not account.is_active:
        raise LineError(
            N_("Line %(line)s: account %(account)s is inactive."),
            field=_line_field(line, "account"), line=line.position, account=account.code,
        )
    if account.id in parents:
        raise LineError(
            N_("Line %(line)s: account %(account)s has sub-accounts; post to one of them."),
            field=_line_field(line, "account"), line=line.position, account=account.code,
        )


def check_dimensions(line: VoucherLine, no_project_rule: str) -> None:
    """Spending names project, purpose and funding source; income names its source.

    A spending line without a project breaks the negative-list rule against spending
    that residents never approved, so the refusal quotes that rule's name.
    """
    account, position = line.account, line.position
    if account.is_spending:
        if line.project is None:
            raise NegativeListRefusal(
                N_("Line %(line)s spends on %(account)s without a project: refused by the "
                   "negative list rule %(rule)s."),
                field=_line_field(line, "project"), line=position, account=account.code,
                rule=no_project_rule,
            )
        for name, value in (("purpose", line.purpose), ("source", line.funding_source)):
            if value is None:
                raise LineError(
                    N_("Line %(line)s spends on %(account)s and must name its %(dimension)s."),
                    field=_line_field(line, name), line=position, account=account.code,
                    dimension=name,
                )
    if account.category in ("revenue", "budget_revenue") and line.funding_source is None:
        raise LineError(
            N_("Line %(line)s records income on %(account)s and must name its funding source."),
            field=_line_field(line, "source"), line=position, account=account.code,
        )
    project = line.project
    if project is not None:
        if project.organisation_id != line.organisation.id:
            raise LineError(
                N_("Line %(line)s: project %(project)s belongs to another organisation."),
                field=_line_field(line, "project"), line=position, project=project.code,
            )
        # Only new spending needs an open project: a refund or a reversal of an
        # earlier payment may still be booked after the project closed.
        if account.is_spending and line.amount > 0 and (project.closed or not project.spending_open):
            raise LineError(
                N_("Line %(line)s: project %(project)s is %(state)s; no spending can be posted."),
                field=_line_field(line, "project"), line=position, project=project.code,
                state="closed" if project.closed else "not yet open for spending",
            )


def check_negative_list(
    line: VoucherLine, description: str, negative: Sequence[PurposeCategory]
) -> None:
    """Refuse a line whose purpose is on the negative list, or spending whose text names one."""
    if line.account.is_spending and line.amount < 0:
        return  # a refund or reversal gives money back; it cannot be a forbidden use
    if line.purpose is not None and line.purpose.is_negative:
        raise NegativeListRefusal(
            N_("Line %(line)s is refused by the negative list rule %(rule)s."),
            field=_line_field(line, "purpose"), line=line.position, rule=line.purpose.name,
        )
    if not line.account.is_spending:
        return
    text = f"{description} {line.memo}"
    for rule in negative:
        for word in rule.keyword_list:
            if word in text:
                raise NegativeListRefusal(
                    N_("Line %(line)s mentions %(word)r: refused by the negative list rule %(rule)s."),
                    field=_line_field(line, "memo"), line=line.position, word=word, rule=rule.name,
                )


def basis_totals(lines: Iterable[VoucherLine]) -> dict[str, tuple[Decimal, Decimal]]:
    """Total debits and credits of each basis the lines touch."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        debit, credit = totals.get(line.account.basis, (Decimal("0.00"), Decimal("0.00")))
        totals[line.account.basis] = (debit + line.debit, credit + line.credit)
    return totals


def check_balance(voucher: Voucher) -> None:
    """At least two lines, and each basis (financial, budget) balances on its own (平行记账)."""
    if len(voucher.lines) < MIN_LINES:
        raise UnbalancedVoucher(
            N_("A voucher needs at least %(min)s lines, this one has %(count)s."),
            field="lines", min=MIN_LINES, count=len(voucher.lines),
        )
    totals = basis_totals(voucher.lines)
    for basis in (FINANCIAL, BUDGET):
        debit, credit = totals.get(basis, (0, 0))
        if debit != credit:
            raise UnbalancedVoucher(
                N_("The %(basis)s basis does not balance: debits %(debit)s, credits %(credit)s."),
                field="lines", basis=basis, debit=debit, credit=credit,
            )


def check_voucher(voucher: Voucher, negative: Sequence[PurposeCategory]) -> None:
    """Every posting rule that needs nothing but the voucher and the negative list."""
    no_project = next((r.name for r in negative if r.code == NO_PROJECT), NO_PROJECT)
    for line in voucher.lines:
        check_amounts(line)
    # The chart's accounts are loaded with the book: no query per line for its children.
    charts = {line.account.chart for line in voucher.lines}
    parents = {a.parent_id for chart in charts for a in chart.accounts if a.is_active and a.parent_id}
    for line in voucher.lines:
        check_account(line, parents)
        check_negative_list(line, voucher.description, negative)
        check_dimensions(line, no_project)
    check_balance(voucher)
