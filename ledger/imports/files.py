"""Reading an imported file (导入文件): CSV or Excel into numbered rows of text cells.

Every cell comes back as stripped text with the line number a spreadsheet shows, so the
error report points at the cell the user must fix. Column titles may be the English
names of ``docs/IMPORT.md`` or their Chinese aliases. A CSV file must be UTF-8 (with or
without BOM) or GB18030/GBK, the two encodings Excel writes on Chinese systems.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import DomainError, N_

MAX_ROWS = 100_000
XLSX_MAGIC, XLS_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


class FileError(DomainError):
    """A file that cannot be read at all (encoding, format, missing columns)."""


@dataclass(frozen=True)
class Row:
    """One non-blank data row: its line in the file and its cells by column name."""

    line: int
    cells: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise FileError(
            N_("The file is not UTF-8 or GB18030 text (it looks like UTF-16 or a binary file): "
               "save it as \"CSV UTF-8\" or as an .xlsx workbook."), field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileError(
        N_("The file is neither UTF-8 nor GB18030 text: save it as \"CSV UTF-8\"."), field="file")


def _cell_text(value) -> str:
    """An Excel cell as the text a user typed; floats keep their shortest decimal form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise FileError(N_("The Excel workbook cannot be opened: it is damaged or not .xlsx."),
                        field="file") from None
    sheet = book.worksheets[0]
    rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise FileError(N_("The CSV file is malformed: %(reason)s."), field="file", reason=str(error)) from None


def read_rows(
    data: bytes, filename: str, columns: Sequence[str], required: Sequence[str],
    aliases: Mapping[str, str],
) -> list[Row]:
    """The data rows of a CSV or .xlsx file, keyed by the English column names.

    Refuses an old .xls workbook, a file whose header lacks a ``required`` column, and
    unknown columns (a typo in a title would otherwise drop that column silently).
    """
    if data.startswith(XLS_MAGIC) or filename.lower().endswith(".xls"):
        raise FileError(N_("Old .xls workbooks are not read: save the file as .xlsx or CSV."), field="file")
    table = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else _csv_rows(data)
    if not table or not any(table[0]):
        raise FileError(N_("The file is empty: the first line must name the columns."), field="file")
    header = [aliases.get(title.strip(), title.strip()) for title in table[0]]
    unknown = [title for title in header if title and title not in columns]
    if unknown:
        raise FileError(
            N_("Unknown columns: %(unknown)s. Allowed: %(allowed)s."), field="file",
            unknown=", ".join(unknown), allowed=", ".join(columns))
    missing = [column for column in required if column not in header]
    if missing:
        raise FileError(
            N_("Missing columns: %(missing)s. Required: %(required)s."), field="file",
            missing=", ".join(missing), required=", ".join(required))
    if len(table) - 1 > MAX_ROWS:
        raise FileError(N_("The file has more than %(max)s rows; split it."), field="file", max=MAX_ROWS)
    rows = []
    for line, values in enumerate(table[1:], start=2):
        if not any(values):
            continue
        cells = {name: (values[i] if i < len(values) else "") for i, name in enumerate(header) if name}
        rows.append(Row(line, cells))
    return rows
