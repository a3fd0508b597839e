"""Imports (数据导入) of opening balances, allocations and historical vouchers, all or nothing.

The columns and examples are in ``docs/IMPORT.md``.
"""

from .kinds import import_allocations, import_opening_balances, import_vouchers

__all__ = ["import_allocations", "import_opening_balances", "import_vouchers"]
