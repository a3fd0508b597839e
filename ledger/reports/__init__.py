"""Reports (报表) of the books: trial balance, ledgers, budget execution, CSV and Excel.

Computed by the database (``GROUP BY``, window sums), shaped with pandas; nothing here
writes. See each module for its report.
"""

from .common import Rounding, TRUNCATE, books_in_scope
from .execution import (
    community_overview, execution_by_organisation, execution_by_project, execution_by_purpose,
    execution_by_source,
)
from .export import CHINESE_TITLES, neutral_text, save_workbook, to_csv_bytes, to_xlsx_bytes
from .ledgers import general_ledger, subsidiary_ledger
from .timeline import execution_timeline
from .trial_balance import is_balanced, totals, trial_balance, trial_balances, with_totals

__all__ = [
    "CHINESE_TITLES", "Rounding", "TRUNCATE", "books_in_scope", "community_overview",
    "execution_by_organisation", "execution_by_project", "execution_by_purpose",
    "execution_by_source", "execution_timeline", "general_ledger", "is_balanced", "neutral_text",
    "save_workbook", "subsidiary_ledger", "to_csv_bytes", "to_xlsx_bytes", "totals", "trial_balance", "trial_balances", "with_totals",
]
