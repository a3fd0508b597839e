"""Languages: Chinese (zh_CN) by default, English second; translating the cores' errors."""

from __future__ import annotations

import functools
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, request, session
from flask_babel import format_datetime, get_locale, gettext

from ledger.errors import DomainError

from .terms import ENUM_PARAMS, TERMS, term

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


#: The organisation levels' titles (their entries of ``TERMS``).
LEVEL_TITLES = {level: TERMS[level] for level in ("city", "district", "street", "community")}


def catalog_path(language: str) -> Path:
    """The catalog of a configured language (``zh_CN`` is kept as Babel's ``zh_Hans_CN``)."""
    return TRANSLATIONS / str(Locale.parse(language)) / "LC_MESSAGES" / "messages.po"


def select_locale() -> Locale:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return parsed_locale(chosen)
    return parsed_locale(session.get("lang") if session.get("lang") in languages else languages[0])


@functools.cache
def parsed_locale(language: str) -> Locale:
    """Babel's ``Locale`` of a configured language, parsed once (parsing scans every locale Babel has)."""
    return Locale.parse(language)


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _param_title(name: str, value):
    """``value`` as a message shows it: a code of ``TERMS`` by its title, a list of codes item by item."""
    if not isinstance(value, str) or name not in ENUM_PARAMS:
        return value
    title = term(name, value)
    if title is not None:
        return str(title)
    items = value.split(", ")
    if len(items) > 1:
        titles = [term(name, item) for item in items]
        if all(t is not None for t in titles):
            separator = "、" if get_locale().language == "zh" else ", "
            return separator.join(str(t) for t in titles)
    return value


def error_message(error: DomainError) -> str:
    """The user's language version of a core's refusal (or import row error), with its figures."""
    params = {k: _param_title(k, v) for k, v in error.params.items()}
    return gettext(error.template, **params)


def _catalog_files(folder: Path) -> list[Path]:
    """``messages.po`` and one ``<area>.po`` per area of the code, merged into one catalog."""
    return sorted(folder.glob("*.po"))


def read_catalog(language: str):
    """Every ``.po`` file of ``language`` merged into one Babel ``Catalog``."""
    from babel.messages.pofile import read_po

    merged = None
    for path in _catalog_files(catalog_path(language).parent):
        with path.open("rb") as po_file:
            part = read_po(po_file, locale=str(Locale.parse(language)))
        if merged is None:
            merged = part
            continue
        for message in part:
            if message.id and _translated(message):
                merged[message.id] = message
    return merged


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


def compile_catalogs() -> None:
    """Compile each language's ``.po`` files into ``messages.mo`` when any is newer (no-op when fresh)."""
    from babel.messages.mofile import write_mo

    for folder in TRANSLATIONS.glob("*/LC_MESSAGES"):
        sources = _catalog_files(folder)
        mo_path = folder / "messages.mo"
        if not sources or (mo_path.exists() and mo_path.stat().st_mtime >= max(p.stat().st_mtime for p in sources)):
            continue
        catalog = read_catalog(folder.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)  # atomic: a worker starting meanwhile never reads half a file


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.jinja_env.globals["error_message"] = error_message
    app.jinja_env.globals["level_names"] = LEVEL_TITLES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["is_chinese"] = lambda: get_locale().language == "zh"
    app.jinja_env.globals["format_datetime"] = format_datetime


def extract_catalog():
    """Every translatable message of the code and templates, as a Babel ``Catalog``."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parent.parent
    catalog = Catalog(project="community-funds")
    keywords = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None,
                "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
    methods = [("**.py", "python"), ("**.html", "jinja2")]
    for folder in ("app", "ledger", "workflows", "templates"):
        for filename, lineno, message, comments, context in extract_from_dir(
            root / folder, methods, keywords=keywords
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments)
    return catalog


def untranslated(language: str = "zh_CN") -> list[str]:
    """The msgids of the code that the ``language`` catalog does not translate."""
    catalog = read_catalog(language)
    missing = []
    for message in extract_catalog():
        if not message.id:
            continue
        known = catalog.get(message.id)
        if known is None or not _translated(known):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
