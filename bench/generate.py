"""A deterministic city for the benchmarks: organisations, books, projects, allocations, vouchers.

``plan_city(scale, seed)`` decides everything from a seeded ``random.Random`` (the same
seed gives the same city, byte for byte); ``load(session, plan, clerks)`` writes it through
the project's own paths: the organisation tree import, the default chart and dimensions,
``open_project_budget``/``open_spending`` for the projects the street approved, and the
allocation and voucher imports of ``ledger/imports`` (every posting rule, numbering, hash
chain and budget control applies). Each community receives 100,000 CNY from the city and
100,000 CNY from the district a year (the 1:1 rule of the domain brief); the district's
money sometimes arrives late, and the communities spend 70-90 % of it on projects of the
city's positive list, so a little room is left for the benchmark's own postings.

``python -m bench.generate --scale tiny --database sqlite:///bench.sqlite`` builds one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ledger.accounts import seed_default_chart
from ledger.clerks import Clerks
from ledger.dimensions import purpose, seed_default_dimensions
from ledger.imports import import_allocations, import_vouchers
from ledger.organisations import Organisation, by_code, import_tree_csv
from ledger.project_budgets import open_project_budget, open_spending
from ledger.users import User

from .bulk import check_loaded, copy_structure, copy_vouchers
from .planned import PlannedProject, PlannedVoucher

CENT = Decimal("0.01")
ALLOCATION = Decimal("100000.00")  # per source, community and year
SOURCES = ("city", "district")
#: Rows of one import file: whole vouchers, well under the importer's 100,000-row limit.
CHUNK_ROWS = 20_000
#: The project every community keeps open in the last year for the benchmark's postings.
BENCH_PROJECT = "P-BENCH"


@dataclass(frozen=True)
class Scale:
    """How big a city: districts × streets per district × communities per street × years."""

    name: str
    districts: int
    streets: int
    communities: int
    years: int
    vouchers: int  # per community and year, allocations included
    #: How many of the payment vouchers go through the import; the rest is COPYed (``bench/bulk.py``).
    imported: int | None = None
    #: Projects and allocations COPYed too (``bench/bulk.py``): 2,000 communities' worth
    #: through the service would take hours here.
    bulk_structure: bool = False
    first_year: int = 2021

    @property
    def community_count(self) -> int:
        return self.districts * self.streets * self.communities

    @property
    def year_list(self) -> list[int]:
        return list(range(self.first_year, self.first_year + self.years))

    @property
    def voucher_count(self) -> int:
        return self.community_count * self.years * self.vouchers


SCALES = {
    "tiny": Scale("tiny", 1, 2, 2, 2, 10),
    "small": Scale("small", 2, 4, 10, 3, 100, imported=4000),
    "city": Scale("city", 10, 10, 20, 1, 100, imported=20000, bulk_structure=True),
    "full": Scale("full", 10, 10, 20, 5, 100, imported=100000, bulk_structure=True),
}

DISTRICT_NAMES = ["东城区", "西城区", "南湖区", "北岸区", "高新区", "滨江区", "金山区", "青峰区", "临河区", "望海区",
                  "松林区", "柳岸区"]
STREET_NAMES = ["春华", "秋实", "明珠", "长青", "和平", "幸福", "朝阳", "新华", "文昌", "安定", "团结", "光明"]
COMMUNITY_NAMES = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "东", "西", "南", "北", "中",
                   "花园", "锦绣", "翠苑", "枫林", "桂香", "兰亭", "梅园", "竹苑", "荷塘"]
#: purpose code -> realistic project titles of the positive list (正面清单).
TITLES = {
    "convenience": ["楼道照明维修", "便民理发服务", "家电义务维修", "垃圾分类清运", "便民晾衣架安装"],
    "volunteer": ["志愿者服务队培训", "邻里互助志愿活动", "环境整治志愿行动"],
    "culture": ["社区广场舞比赛", "重阳节文艺汇演", "少儿书法班", "社区读书会"],
    "care": ["独居老人探访", "老年助餐服务", "困难家庭走访慰问", "残疾人康复服务"],
    "emergency": ["防汛物资储备", "消防器材更新", "暴雨后排水抢修"],
    "support": ["社区议事会会务", "居民意见征集", "项目公示栏制作"],
    "small_works": ["小区道路修补", "健身器材更新", "非机动车棚改造", "绿地补植"],
    "party_education": ["党史学习宣传", "红色观影活动", "党员先锋岗宣传"],
    "urgent_other": ["电梯应急维修", "化粪池清掏"],
}


@dataclass
class Plan:
    """Everything the generator will write, decided before anything is written."""

    scale: Scale
    seed: int
    tree: list[tuple[str, str, str, str]] = field(default_factory=list)
    projects: list[PlannedProject] = field(default_factory=list)
    allocations: list[dict] = field(default_factory=list)
    vouchers: list[PlannedVoucher] = field(default_factory=list)

    @property
    def city(self) -> str:
        return self.tree[0][0]

    def communities(self) -> list[str]:
        return [code for code, _, level, _ in self.tree if level == "community"]

    def streets(self) -> list[str]:
        return [code for code, _, level, _ in self.tree if level == "street"]

    def tree_csv(self) -> str:
        rows = ["code,name,level,parent_code"] + [",".join(row) for row in self.tree]
        return "\n".join(rows) + "\n"


def _tree(scale: Scale) -> list[tuple[str, str, str, str]]:
    city = "BENCH"
    rows = [(city, "基准市", "city", "")]
    for d in range(1, scale.districts + 1):
        district = f"BD{d:02d}"
        district_name = DISTRICT_NAMES[(d - 1) % len(DISTRICT_NAMES)] + ("" if d <= 12 else str(d))
        rows.append((district, district_name, "district", city))
        for s in range(1, scale.streets + 1):
            street = f"BS{d:02d}{s:02d}"
            rows.append((street, f"{district_name[:2]}{STREET_NAMES[(s - 1) % len(STREET_NAMES)]}{s}街道",
                         "street", district))
            for c in range(1, scale.communities + 1):
                name = f"{STREET_NAMES[(s - 1) % len(STREET_NAMES)]}{COMMUNITY_NAMES[(c - 1) % len(COMMUNITY_NAMES)]}" \
                       f"社区{d}-{s}-{c}"
                rows.append((f"BQ{d:02d}{s:02d}{c:02d}", name, "community", street))
    return rows


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` cut into ``parts`` positive amounts that add up to it exactly."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = float(total) / sum(weights)
    amounts = [max(_money(w * scale), Decimal("1.00")) for w in weights[:-1]]
    return amounts + [total - sum(amounts, Decimal(0))]


def _community_year(plan: Plan, rng: random.Random, community: str, year: int, last: bool) -> None:
    scale = plan.scale
    arrived = {"city": dt.date(year, 1, rng.randint(3, 15))}
    late = rng.random() < 0.2  # the district's money is late in one community-year out of five
    arrived["district"] = dt.date(year, rng.randint(3, 6), rng.randint(1, 28)) if late \
        else dt.date(year, 1, rng.randint(5, 25))
    for source in SOURCES:
        plan.allocations.append(dict(
            organisation=community, source=source, amount=f"{ALLOCATION}", arrived_on=arrived[source].isoformat(),
            reference=f"{'市' if source == 'city' else '区'}财拨〔{year}〕{rng.randint(1, 999)}号",
        ))
    payments = scale.vouchers - len(SOURCES)
    if payments <= 0:
        return
    budget = _money(float(ALLOCATION) * len(SOURCES) * rng.uniform(0.70, 0.90))
    project_count = max(1, min(12, payments // 8))
    approved = _split(budget, project_count, rng)
    projects = []
    for k, amount in enumerate(approved, start=1):
        code = rng.choice(list(TITLES))
        project = PlannedProject(community, f"P{year}-{k:02d}", rng.choice(TITLES[code]), code, amount)
        plan.projects.append(project)
        projects.append(project)
    if last:
        plan.projects.append(PlannedProject(community, BENCH_PROJECT, "便民服务日常保障", "convenience",
                                            Decimal("30000.00")))
    # Each project spends 80-100 % of its budget in its share of the payments.
    counts = [payments // project_count + (1 if k < payments % project_count else 0) for k in range(project_count)]
    spent = {s: Decimal(0) for s in SOURCES}
    days = sorted(dt.date(year, 2, 1) + dt.timedelta(days=rng.randint(0, 320)) for _ in range(payments))
    schedule = [(p, a) for p, n in zip(projects, counts)
                for a in _split(_money(float(p.amount) * rng.uniform(0.8, 1.0)), n, rng) if n]
    rng.shuffle(schedule)
    for number, ((project, amount), day) in enumerate(zip(schedule, days), start=1):
        usable = [s for s in SOURCES if arrived[s] <= day and spent[s] + amount <= ALLOCATION]
        if not usable:  # before the district's money came: pay after it did
            day = max(day, arrived["district"])
            usable = [s for s in SOURCES if spent[s] + amount <= ALLOCATION]
        source = min(usable, key=lambda s: spent[s])
        spent[source] += amount
        tags = (project.code, project.purpose, source)
        description = f"支付{project.title}费用"
        plan.vouchers.append(PlannedVoucher(community, f"{year}-{number:04d}", day, description, [
            ("5001", amount, None, *tags, f"发票 {rng.randint(10**7, 10**8 - 1)}"),
            ("1011", None, amount, None, None, source, ""),
            ("7101", amount, None, *tags, ""),
            ("8001", None, amount, None, None, source, ""),
        ]))


def plan_city(scale: Scale, seed: int = 20250101) -> Plan:
    """The whole city of ``scale``, decided by ``seed`` alone."""
    rng = random.Random(seed)
    plan = Plan(scale, seed, _tree(scale))
    years = scale.year_list
    for year in years:
        for community in plan.communities():
            _community_year(plan, rng, community, year, last=year == years[-1])
    plan.vouchers.sort(key=lambda v: (v.date.year, v.date, v.organisation, v.reference))
    return plan


# -- writing the import files ------------------------------------------------------------------

ALLOCATION_HEADER = ["organisation", "source", "amount", "arrived_on", "reference"]
VOUCHER_HEADER = ["organisation", "voucher", "date", "description", "account", "debit", "credit",
                  "project", "purpose", "source", "memo"]


def _csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def allocation_files(plan: Plan) -> Iterator[bytes]:
    for start in range(0, len(plan.allocations), CHUNK_ROWS):
        chunk = plan.allocations[start:start + CHUNK_ROWS]
        yield _csv(ALLOCATION_HEADER, ([row[c] for c in ALLOCATION_HEADER] for row in chunk))


def voucher_rows(voucher: PlannedVoucher):
    for account, debit, credit, project, purpose_code, source, memo in voucher.lines:
        yield [voucher.organisation, voucher.reference, voucher.date.isoformat(), voucher.description, account,
               debit or "", credit or "", project or "", purpose_code or "", source or "", memo]


def voucher_files(vouchers: list[PlannedVoucher]) -> Iterator[bytes]:
    """CSV files of whole vouchers, each under ``CHUNK_ROWS`` rows."""
    batch, rows = [], 0
    for voucher in vouchers:
        batch.append(voucher)
        rows += len(voucher.lines)
        if rows >= CHUNK_ROWS:
            yield _csv(VOUCHER_HEADER, (r for v in batch for r in voucher_rows(v)))
            batch, rows = [], 0
    if batch:
        yield _csv(VOUCHER_HEADER, (r for v in batch for r in voucher_rows(v)))


# -- loading -----------------------------------------------------------------------------------

class LoadError(RuntimeError):
    """An import the generator's own data should never fail: the rules changed."""


def _check(report, what: str) -> None:
    if not report.ok:
        errors = "; ".join(f"line {e.line} {e.column}: {e.message}" for e in report.errors[:5])
        raise LoadError(f"{what} refused: {errors}")


def bench_clerks(session: Session) -> Clerks:
    """The three clerks the imports post with (created the first time)."""
    users = []
    for name in ("bench-preparer", "bench-reviewer", "bench-poster"):
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            user = User(username=name, display_name=name)
            session.add(user)
        users.append(user)
    session.flush()
    return Clerks(*users)


def load_structure(session: Session, plan: Plan, projects: bool = True) -> Organisation:
    """The organisation tree, the chart, the dimensions and (``projects``) the approved projects."""
    _check(import_tree_csv(session, plan.tree_csv()), "organisation tree")
    city = by_code(session, plan.city)
    seed_default_chart(session, city)
    seed_default_dimensions(session, city)
    organisations = {o.code: o for o in session.scalars(select(Organisation))}
    purposes = {code: purpose(session, city, code) for code in TITLES}
    for project in plan.projects if projects else ():
        ledger_project = open_project_budget(
            session, organisations[project.organisation], project.code, project.title,
            purposes[project.purpose], project.amount)
        open_spending(session, ledger_project)
    session.flush()
    return city


def load(session: Session, plan: Plan, clerks: Clerks | None = None, log=print) -> dict:
    """Write ``plan`` through the project's imports, committing after each file; timings back.

    Past ``scale.imported`` payment vouchers, the rest is COPYed (PostgreSQL, ``bench/bulk.py``)
    and checked afterwards. On SQLite (no COPY) every voucher goes through the imports.
    """
    clerks = clerks or bench_clerks(session)
    started = time.perf_counter()
    postgres = session.get_bind().dialect.name == "postgresql"
    bulk = plan.scale.bulk_structure and postgres
    load_structure(session, plan, projects=not bulk)
    session.commit()
    timings = {"structure_s": time.perf_counter() - started}
    started = time.perf_counter()
    if bulk:
        copy_structure(session, plan, clerks)
        session.commit()
        log(f"  copied {len(plan.projects)} projects and {len(plan.allocations)} allocations")
    else:
        for data in allocation_files(plan):
            _check(import_allocations(session, data, "allocations.csv", clerks), "allocations")
            session.commit()
    timings["allocations_s"] = time.perf_counter() - started
    limit = plan.scale.imported if postgres else None
    imported = plan.vouchers if limit is None else plan.vouchers[:limit]
    started, done = time.perf_counter(), 0
    for data in voucher_files(imported):
        report = import_vouchers(session, data, "vouchers.csv", clerks)
        _check(report, "vouchers")
        session.commit()
        done += report.created
        log(f"  imported {done}/{len(imported)} vouchers ({done / (time.perf_counter() - started):.0f}/s)")
    timings["vouchers_s"] = time.perf_counter() - started
    timings["imported"] = len(imported) + (0 if bulk else len(plan.allocations))
    rest = plan.vouchers[len(imported):]
    timings["copied"] = len(rest) + (len(plan.allocations) if bulk else 0)
    if rest:
        started = time.perf_counter()
        copy_vouchers(session, rest, clerks)
        session.commit()
        timings["copy_s"] = time.perf_counter() - started
        problems = check_loaded(session)
        if problems:
            raise LoadError("the COPYed vouchers break the rules: " + "; ".join(problems[:5]))
        log(f"  copied {len(rest)} vouchers in {timings['copy_s']:.1f} s, checked")
    # Fresh planner statistics, as autovacuum would gather within a minute of a bulk load;
    # without them PostgreSQL plans every report as if the tables were empty. (SQLite's
    # ANALYZE fills sqlite_stat1 alike.)
    session.execute(text("ANALYZE"))
    session.commit()
    timings["vouchers"] = len(plan.vouchers) + len(plan.allocations)
    timings["lines"] = sum(len(v.lines) for v in plan.vouchers) + 4 * len(plan.allocations)
    return timings


def main(argv: list[str] | None = None) -> None:
    import app.models  # noqa: F401  (every table, so create_all builds the whole schema)
    from ledger.base import Base
    from ledger.db import make_engine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="tiny")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty database")
    args = parser.parse_args(argv)
    engine = make_engine(args.database)
    Base.metadata.create_all(engine)
    plan = plan_city(SCALES[args.scale], args.seed)
    with Session(engine) as session:
        print(load(session, plan))


if __name__ == "__main__":
    main()
