"""Dimensions every posting carries besides its account: funding source and purpose.

Funding sources (资金来源: city, district, other) say whose money it is, and name the
accounts an allocation from that source is booked to. Purpose categories are the city's
positive list (正面清单) of allowed uses and its negative list (负面清单) of forbidden ones;
a negative entry may also carry keywords that flag a line whose text mentions them.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base
from .organisations import Organisation

POSITIVE, NEGATIVE = "positive", "negative"
NO_PROJECT = "no_project"

#: code, name, debit account for the money, revenue account, budget revenue account.
#: The street office is a dispatched agency of the district, so the district treasury
#: is its same-level treasury (同级财政): district money is 财政拨款收入 (4001/6001).
#: City money paid down directly is from a higher-level treasury: 非同级 (4601/6601).
#: Donations and other money go to 其他收入 (4609/6609) through the bank account.
DEFAULT_FUNDING_SOURCES = (
    ("district", "区级财政", "1011", "4001", "6001"),
    ("city", "市级财政", "1011", "4601", "6601"),
    ("other", "其他来源", "1002", "4609", "6609"),
)

DEFAULT_POSITIVE_LIST = (
    ("convenience", "便民服务"),
    ("volunteer", "志愿公益活动"),
    ("culture", "居民文体活动"),
    ("care", "关爱帮扶"),
    ("emergency", "应急保障"),
    ("support", "服务保障"),
    ("small_works", "公共设施小型工程"),
    ("party_education", "社区党建宣传"),
    ("urgent_other", "其他急需"),
)

#: code, rule name, keywords that flag a spending line mentioning them.
#: ``no_project`` has no keywords: it is the rule a spending line without an approved
#: project breaks, and its name is quoted in that refusal.
DEFAULT_NEGATIVE_LIST = (
    ("staff_welfare", "职工福利/奖金", "福利|奖金|津贴|补贴发放|加班费"),
    ("banquet_gift", "宴请/礼品", "宴请|聚餐|礼品|礼金|购物卡"),
    ("office_running", "办公运转经费", "办公经费|办公用品|水电费|办公室装修"),
    (NO_PROJECT, "无居民议定项目的支出", ""),
)


class FundingSource(Base):
    """Where money comes from (资金来源): city, district or other."""

    __tablename__ = "funding_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    asset_account_code: Mapped[str] = mapped_column(String(32))
    revenue_account_code: Mapped[str] = mapped_column(String(32))
    budget_revenue_account_code: Mapped[str] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<FundingSource {self.code}>"


class PurposeCategory(Base):
    """A use of the fund on the city's positive list (正面清单) or negative list (负面清单)."""

    __tablename__ = "purpose_categories"
    __table_args__ = (
        UniqueConstraint("city_id", "code"),
        CheckConstraint("listed IN ('positive', 'negative')", name="listed_known"),
        CheckConstraint("listed = 'negative' OR keywords = ''", name="keywords_only_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    listed: Mapped[str] = mapped_column(String(16), default=POSITIVE)
    #: ``|``-separated words; a spending line whose text contains one is refused.
    keywords: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_negative(self) -> bool:
        return self.listed == NEGATIVE

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split("|") if k.strip()]

    def __repr__(self) -> str:
        return f"<PurposeCategory {self.code} {self.listed}>"


def seed_default_dimensions(session: Session, city: Organisation) -> None:
    """Create the funding sources and the city's positive and negative lists if missing."""
    for code, name, asset, revenue, budget_revenue in DEFAULT_FUNDING_SOURCES:
        if funding_source(session, code) is None:
            session.add(FundingSource(
                code=code, name=name, asset_account_code=asset,
                revenue_account_code=revenue, budget_revenue_account_code=budget_revenue,
            ))
    rows = [(c, n, POSITIVE, "") for c, n in DEFAULT_POSITIVE_LIST]
    rows += [(c, n, NEGATIVE, k) for c, n, k in DEFAULT_NEGATIVE_LIST]
    for code, name, listed, keywords in rows:
        if purpose(session, city, code) is None:
            session.add(PurposeCategory(
                city_id=city.id, code=code, name=name, listed=listed, keywords=keywords
            ))
    session.flush()


def funding_source(session: Session, code: str) -> FundingSource | None:
    return session.scalar(select(FundingSource).where(FundingSource.code == code))


def purpose(session: Session, city: Organisation, code: str) -> PurposeCategory | None:
    return session.scalar(
        select(PurposeCategory).where(PurposeCategory.city_id == city.id, PurposeCategory.code == code)
    )


def negative_rules(session: Session, city_id: int) -> list[PurposeCategory]:
    """The city's active negative list, in code order."""
    return list(session.scalars(
        select(PurposeCategory)
        .where(PurposeCategory.city_id == city_id, PurposeCategory.listed == NEGATIVE,
               PurposeCategory.is_active.is_(True))
        .order_by(PurposeCategory.code)
    ))
