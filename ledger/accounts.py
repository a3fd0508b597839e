"""The chart of accounts (会计科目表) as data, one chart per city.

Government Accounting System (政府会计制度, 2019) keeps two bases side by side:
financial accounting (accrual: assets 1xxx, liabilities 2xxx, net assets 3xxx, revenue
4xxx, expense 5xxx) and budget accounting (cash: budget revenue 6xxx, budget expenditure
7xxx, fund balances 8xxx). An account's basis and normal side follow from its category,
so the chart only has to say which category an account belongs to.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base
from .errors import DomainError, N_
from .organisations import Organisation

FINANCIAL, BUDGET = "financial", "budget"
DEBIT, CREDIT = "debit", "credit"

#: category -> (basis, normal side). Expense and expenditure categories are "spending".
CATEGORIES: dict[str, tuple[str, str]] = {
    "asset": (FINANCIAL, DEBIT),
    "liability": (FINANCIAL, CREDIT),
    "net_assets": (FINANCIAL, CREDIT),
    "revenue": (FINANCIAL, CREDIT),
    "expense": (FINANCIAL, DEBIT),
    "budget_revenue": (BUDGET, CREDIT),
    "budget_expenditure": (BUDGET, DEBIT),
    "fund_balance": (BUDGET, CREDIT),
}
#: The category that counts as spending on each basis (budget control, execution rate).
SPENDING_CATEGORY = {FINANCIAL: "expense", BUDGET: "budget_expenditure"}
#: Categories that count as money coming in.
INCOME_CATEGORIES = ("revenue", "budget_revenue")

#: The default chart: the accounts a street office needs for community funds.
DEFAULT_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("1001", "库存现金", "asset"),
    ("1002", "银行存款", "asset"),
    ("1011", "零余额账户用款额度", "asset"),
    ("1201", "财政应返还额度", "asset"),
    ("1218", "其他应收款", "asset"),
    ("2302", "应付账款", "liability"),
    ("2307", "其他应付款", "liability"),
    ("3001", "累计盈余", "net_assets"),
    ("3301", "本期盈余", "net_assets"),
    ("4001", "财政拨款收入", "revenue"),
    ("4601", "非同级财政拨款收入", "revenue"),
    ("4609", "其他收入", "revenue"),
    ("5001", "业务活动费用", "expense"),
    ("5901", "其他费用", "expense"),
    ("6001", "财政拨款预算收入", "budget_revenue"),
    ("6601", "非同级财政拨款预算收入", "budget_revenue"),
    ("6609", "其他预算收入", "budget_revenue"),
    ("7101", "行政支出", "budget_expenditure"),
    ("7201", "事业支出", "budget_expenditure"),
    ("7901", "其他支出", "budget_expenditure"),
    ("8001", "资金结存", "fund_balance"),
    ("8101", "财政拨款结转", "fund_balance"),
    ("8102", "财政拨款结余", "fund_balance"),
)
DEFAULT_CHART_NAME = "政府会计制度（2019）"


class ChartError(DomainError):
    """A chart or account that cannot be created as asked."""


class Chart(Base):
    """A chart of accounts (会计科目表) that a city's books are opened from."""

    __tablename__ = "charts"
    __table_args__ = (UniqueConstraint("city_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    city: Mapped[Organisation] = relationship()
    accounts: Mapped[list[Account]] = relationship(
        back_populates="chart", order_by="Account.code", cascade="all, delete-orphan"
    )

    def account(self, code: str) -> Account | None:
        """The account with ``code`` in this chart, if any."""
        return next((a for a in self.accounts if a.code == code), None)

    def __repr__(self) -> str:
        return f"<Chart {self.id} {self.name!r}>"


class Account(Base):
    """An account (会计科目) of a chart, or a sub-account (明细科目) below one."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("chart_id", "code"),
        CheckConstraint("basis IN ('financial', 'budget')", name="basis_known"),
        CheckConstraint(
            "category IN ('asset', 'liability', 'net_assets', 'revenue', 'expense', "
            "'budget_revenue', 'budget_expenditure', 'fund_balance')",
            name="category_known",
        ),
        CheckConstraint("normal_side IN ('debit', 'credit')", name="normal_side_known"),
        CheckConstraint(
            "(basis = 'financial') = (category IN ('asset', 'liability', 'net_assets', "
            "'revenue', 'expense'))",
            name="category_fits_basis",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chart_id: Mapped[int] = mapped_column(ForeignKey("charts.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(24))
    normal_side: Mapped[str] = mapped_column(String(8))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    is_active: Mapped[bool] = mapped_column(default=True)

    chart: Mapped[Chart] = relationship(back_populates="accounts")
    parent: Mapped[Account | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Account]] = relationship(back_populates="parent")

    @property
    def is_spending(self) -> bool:
        return self.category == SPENDING_CATEGORY[self.basis]

    def __repr__(self) -> str:
        return f"<Account {self.code} {self.name}>"


def add_account(
    session: Session,
    chart: Chart,
    code: str,
    name: str,
    category: str | None = None,
    parent: Account | None = None,
) -> Account:
    """Add an account to ``chart``; a sub-account takes its parent's category.

    A sub-account's code must start with its parent's code (500101 under 5001), which is
    how accountants read a chart.
    """
    code, name = (code or "").strip(), (name or "").strip()
    if not code.isdigit():
        raise ChartError(N_("Account code %(code)r must be digits."), field="code", code=code)
    if not name:
        raise ChartError(N_("Account name is required."), field="name")
    if parent is not None:
        if not code.startswith(parent.code) or code == parent.code:
            raise ChartError(
                N_("Sub-account code %(code)s must extend its parent's code %(parent)s."),
                field="code", code=code, parent=parent.code,
            )
        if not parent.is_active:
            raise ChartError(
                N_("Account %(parent)s is inactive; no sub-account can be added below it."),
                field="parent", parent=parent.code,
            )
        category = parent.category
    if category not in CATEGORIES:
        raise ChartError(
            N_("Category %(category)r is unknown: use one of %(allowed)s."),
            field="category", category=category, allowed=", ".join(CATEGORIES),
        )
    if chart.account(code) is not None:
        raise ChartError(N_("Account %(code)s already exists."), field="code", code=code)
    basis, side = CATEGORIES[category]
    account = Account(
        code=code, name=name, basis=basis, category=category, normal_side=side, parent=parent
    )
    chart.accounts.append(account)
    session.flush()
    return account


def seed_default_chart(session: Session, city: Organisation, name: str = DEFAULT_CHART_NAME) -> Chart:
    """The city's default chart, created with ``DEFAULT_ACCOUNTS`` the first time."""
    if city.level != "city":
        raise ChartError(
            N_("A chart belongs to a city, not a %(level)s."), field="city", level=city.level
        )
    chart = session.scalar(select(Chart).where(Chart.city_id == city.id, Chart.name == name))
    if chart is not None:
        return chart
    chart = Chart(city=city, name=name)
    session.add(chart)
    for code, account_name, category in DEFAULT_ACCOUNTS:
        add_account(session, chart, code, account_name, category)
    return chart


def chart_of(session: Session, city: Organisation) -> Chart | None:
    """The chart a city's new books are opened from: its first (default) chart."""
    return session.scalar(select(Chart).where(Chart.city_id == city.id).order_by(Chart.id))


def rename_account(account: Account, name: str) -> Account:
    """Give ``account`` a new name; its code, and so every posted line, stays as it was."""
    name = (name or "").strip()
    if not name:
        raise ChartError(N_("Account name is required."), field="name")
    account.name = name
    return account
