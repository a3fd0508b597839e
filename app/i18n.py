"""Languages: Chinese (zh_CN) by default, English second; translating the cores' errors."""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from flask import Flask, current_app, request, session
from flask_babel import format_datetime, get_locale, gettext
from flask_babel import lazy_gettext as _l

from ledger.errors import DomainError

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


LEVEL_TITLES = {
    "city": _l("city"),
    "district": _l("district"),
    "street": _l("street office"),
    "community": _l("community"),
}


def catalog_path(language: str) -> Path:
    """The catalog of a configured language (``zh_CN`` is kept as Babel's ``zh_Hans_CN``)."""
    return TRANSLATIONS / str(Locale.parse(language)) / "LC_MESSAGES" / "messages.po"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    return session.get("lang") if session.get("lang") in languages else languages[0]


def select_timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def error_message(error: DomainError) -> str:
    """The user's language version of a core's refusal (or import row error), with its figures."""
    params = {k: LEVEL_TITLES.get(v, v) if isinstance(v, str) else v for k, v in error.params.items()}
    return gettext(error.template, **params)


def compile_catalogs() -> None:
    """Compile every ``.po`` catalog whose ``.mo`` is missing or older (no-op when fresh)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


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
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as po_file:
        catalog = read_po(po_file)
    missing = []
    for message in extract_catalog():
        if not message.id:
            continue
        known = catalog.get(message.id)
        strings = known.string if known else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing
