"""The street committee's dashboard across its communities, on the page and as Excel."""

from __future__ import annotations

from decimal import Decimal

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ledger.base import utcnow

from ledger.organisations import Organisation

from ..auth.access import require, visible_organisations
from ..cache import Page, cached_page, render_content, render_page, scoped, viewer
from ..extensions import db
from . import expiry, loading
from .charts import bars, timeline
from .exports import board_workbook
from .figures import DEFAULT_SHARE, board, default_year, parse_cutoff, timeline_months, years_with_books
from .forms import BoardForm
from .records import source_names

READ = "oversight.view"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def settings(root: Organisation) -> tuple[BoardForm, int, Decimal]:
    """The year and threshold asked for in the query string; the defaults when absent or wrong."""
    form = BoardForm(request.args)
    valid = form.validate()
    year = form.year.data if valid and form.year.data else default_year()
    share = Decimal(form.share.data) if valid and form.share.data is not None else DEFAULT_SHARE
    if valid:  # show the figures' settings in the form; a refused value stays as typed
        form.year.data, form.share.data = year, share
    return form, year, share


def late_after() -> tuple[int, int]:
    return parse_cutoff(current_app.config.get("LATE_ALLOCATION_CUTOFF", "06-30"))


def board_of(root: Organisation, year: int, share: Decimal):
    """The board with the application's settings (the late-allocation cutoff)."""
    return board(db.session, root, year, share, late_after=late_after())


def cached_board_page(kind: str, root: Organisation, form, year: int, share: Decimal, compute) -> Page:
    """A dashboard page from the cache, for its settings and the viewer's roles (links and
    actions depend on them); a refused setting is shown as typed, with its error, uncached."""
    if form.errors:
        return compute()
    params = (root.code, year, str(share), late_after(), timeline_months(year), default_year(), viewer())
    return cached_page(kind, params, compute)


def download_name(root: Organisation, year: int, suffix: str) -> str:
    return f"{root.code}-{year}-{suffix}"


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
def index():
    """The streets the user reviews or watches; straight to the dashboard when there is one."""
    require("oversight.view")
    streets = list(db.session.scalars(visible_organisations("oversight.view", level="street")))
    if len(streets) == 1:
        return redirect(url_for("street.dashboard", street_code=streets[0].code))
    can_review = {s.id for s in streets if current_user.can("project.review", s)}
    return render_template("street/index.html", streets=streets, can_review=can_review)


@scoped("street_code")
@login_required
def dashboard(street_code: str):
    street = loading.street(street_code, READ)
    form, year, share = settings(street)

    def compute() -> Page:
        figures = board_of(street, year, share)
        content = render_content(
            "street/_dashboard.html", street=street, board=figures, form=form,
            years=years_with_books(db.session, street), charts=charts_of(figures),
            can_review=current_user.can("project.review", street),
            query={"year": year, "share": share}, source_titles=source_names(db.session),
        )
        return Page(f"{street.name} · {gettext('Dashboard')}", content,
                    expiry.valid_until(db.session, street, utcnow()))

    return render_page(cached_board_page("street-dashboard", street, form, year, share, compute))


@login_required
def dashboard_xlsx(street_code: str):
    street = loading.street(street_code, READ)
    _form, year, share = settings(street)
    data = board_workbook(board_of(street, year, share))
    return attachment(data, XLSX, download_name(street, year, "dashboard.xlsx"))


def charts_of(figures) -> dict:
    execution = [(row["name"], row["execution_rate"]) for _, row in figures.execution.iterrows()]
    purposes = [(row["name"], row["share"]) for _, row in figures.purposes.iterrows()]
    flagged = {row["name"] for _, row in figures.concentrated_root.iterrows()}
    months = [(row["month"], row["execution_rate"], f"{row['cumulative_spent']:,.2f}")
              for _, row in figures.timeline.iterrows()]
    return {
        "timeline": timeline(months),
        "execution": bars(execution, maximum=Decimal(100), unit="%"),
        "purposes": bars(purposes, maximum=Decimal(100), unit="%", highlight=flagged,
                         threshold=figures.threshold),
    }

