"""The cache of the pages that cost the most: the public board and the street and oversight dashboards.

What is cached is a page's content, rendered: the part inside ``base.html``, without what
differs per visitor (the CSRF token, the user's name and menu, flash messages), which
``cached_page.html`` adds on each request. The content is keyed by:

- the generation tokens of everything and of the organisation the URL names, read before
  the request touches the database (``scoped``) and renewed by any commit that changes
  what the page shows (app/generations.py), so a page is never older than the last commit;
- what else the content depends on, given by the view: the year and settings asked for,
  the viewer's roles where links or actions depend on them, and always the language and
  the version of the code (templates, translations and source);
- a time until which it stays right (``Page.valid_until``): a notice's last day, a step
  becoming overdue; an entry is never read after it, whatever the generation.

After a change, the first request for a page computes it and the others asking for the
same key meanwhile wait for that result (``PAGE_CACHE_WAIT_SECONDS`` at most, then compute
it themselves), so a commit does not set every worker computing the same dashboard at once.

The store is Flask-Caching's: Redis when ``CACHE_REDIS_URL`` is set, else files under the
instance folder, both shared by the web workers, the Celery worker and the CLI of one
machine; ``CACHE_TYPE = "NullCache"`` turns caching off.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache as once
from pathlib import Path
from typing import Callable

import click
from flask import Flask, current_app, g, render_template
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from markupsafe import Markup

from ledger.base import utcnow
from ledger.organisations import CODE_PATTERN

from .extensions import db
from .generations import EVERYTHING, Generations, database_key, register

ROOT = Path(__file__).resolve().parent.parent
cache = Cache()


@dataclass
class Page:
    """A page's title and rendered content, right until ``valid_until`` (``None``: until a change)."""

    title: str
    content: str
    valid_until: datetime | None = None


class PageCache:
    """The shared store, and this process's copy of the pages it read last.

    An entry never changes under its key (the tokens are part of it), so the copy saves
    the second round trip to the store on a hit without ever being older than the store.
    """

    KEPT = 256
    #: The longest a claim to compute a page holds (a worker killed meanwhile leaves it).
    COMPUTING_SECONDS = 60
    POLL_SECONDS = 0.02

    def __init__(self, generations: Generations, backend, stamp: str, timeout: int):
        self.generations, self.backend, self.stamp, self.timeout = generations, backend, stamp, timeout
        self.recent: OrderedDict[str, Page] = OrderedDict()

    def get(self, key: str) -> Page | None:
        page = self.recent.get(key)
        if page is None:
            page = self.backend.get(key)
            if not isinstance(page, Page):
                return None
            self.keep(key, page)
        return page

    def set(self, key: str, page: Page, timeout: int) -> None:
        self.backend.set(key, page, timeout=timeout)
        self.keep(key, page)

    def claim(self, key: str) -> bool:
        """Whether this request computes the page of ``key``: the first to ask after a change
        does; until it is done, or ``COMPUTING_SECONDS`` if it dies, the others wait for it."""
        return bool(self.backend.add(f"{key}:computing", 1, timeout=self.COMPUTING_SECONDS))

    def release(self, key: str) -> None:
        self.backend.delete(f"{key}:computing")

    def wait_for(self, key: str, seconds: float) -> Page | None:
        """The page another request is computing under ``key``, or ``None`` after ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(self.POLL_SECONDS)
            page = self.backend.get(key)
            if isinstance(page, Page):
                self.keep(key, page)
                return page
        return None

    def keep(self, key: str, page: Page) -> None:
        self.recent[key] = page
        self.recent.move_to_end(key)
        while len(self.recent) > self.KEPT:
            self.recent.popitem(last=False)


def init_app(app: Flask) -> None:
    """Attach the cache to ``app`` (after ``db``) and renew its generations on every commit."""
    with app.app_context():
        engine = db.engine
    namespace = "cf-" + hashlib.sha256(database_key(engine.url).encode()).hexdigest()[:12]
    if not app.config.get("CACHE_DIR"):
        app.config["CACHE_DIR"] = str(Path(app.instance_path) / "cache")
    if not app.config.get("CACHE_KEY_PREFIX"):  # ``clear`` of Redis removes this database's keys only
        app.config["CACHE_KEY_PREFIX"] = f"{namespace}:"
    cache.init_app(app)
    backend = app.extensions["cache"][cache]
    timeout = int(app.config.get("CACHE_DEFAULT_TIMEOUT") or 3600)
    generations = Generations(backend, namespace, timeout)
    app.extensions["page_cache"] = PageCache(generations, backend, code_stamp(), timeout)
    if app.config.get("CACHE_TYPE") != "NullCache":  # nothing kept, nothing to renew on commit
        register(engine, generations)
    app.url_value_preprocessor(_read_generations)

    @app.cli.command("clear-cache")
    def clear_cache():
        """Forget every cached page (after restoring the database or changing it by hand)."""
        backend.clear()
        click.echo("cache cleared")


@once
def code_stamp() -> str:
    """A digest of the templates, translations and source: a new version never reads an old page."""
    digest = hashlib.sha256()
    for folder in ("templates", "app", "ledger", "workflows"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".html", ".py", ".po", ".mo") and path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# -- views ------------------------------------------------------------------------------------

def scoped(view_arg: str):
    """Mark a view whose pages are cached under the organisation named by ``view_arg``.

    Its generation tokens are then read first thing in the request, before the login or
    anything else reads the database: on SQLite a transaction keeps the snapshot of its
    first read, and a page computed from a snapshot older than its tokens could be stale.
    """
    def mark(view):
        view.cache_scope = view_arg
        return view
    return mark


def _read_generations(endpoint, values) -> None:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    arg = getattr(view, "cache_scope", None)
    if arg is None:
        return
    code = (values or {}).get(arg, "")
    store = current_app.extensions["page_cache"]
    g.cache_tokens = store.generations.tokens([EVERYTHING, code]) if CODE_PATTERN.fullmatch(code) else None


def viewer() -> tuple:
    """What decides the links and actions a user sees: their roles and where they hold them."""
    return tuple(sorted((a.role, a.organisation.path) for a in current_user.assignments))


def cached_page(kind: str, params: tuple, compute: Callable[[], Page]) -> Page:
    """The page ``compute`` makes, from the cache when it holds one for these tokens and ``params``."""
    if "cache_tokens" not in g:
        raise RuntimeError("a cached page needs its view marked with app.cache.scoped(...)")
    if g.cache_tokens is None:
        return compute()
    store: PageCache = current_app.extensions["page_cache"]
    key = page_key(kind, params)
    page = store.get(key)
    if _current(page):
        return page
    claimed = store.claim(key)
    if not claimed:  # another worker is computing this very page (after a change, many ask at once)
        page = store.wait_for(key, current_app.config["PAGE_CACHE_WAIT_SECONDS"])
        if _current(page):
            return page
    try:
        page = compute()
        now = utcnow()
        timeout = store.timeout
        if page.valid_until is not None:
            timeout = min(timeout, math.floor((page.valid_until - now).total_seconds()))
        if timeout > 0:
            store.set(key, page, timeout)
    finally:
        if claimed:
            store.release(key)
    return page


def page_key(kind: str, params: tuple) -> str:
    """The key of a page: its kind, the request's generation tokens, ``params`` and the language."""
    store: PageCache = current_app.extensions["page_cache"]
    described = repr((params, str(get_locale()))).encode()
    return (f"{store.generations.namespace}:page:{store.stamp}:{kind}:{':'.join(g.cache_tokens)}:"
            f"{hashlib.sha256(described).hexdigest()[:24]}")


def _current(page: Page | None) -> bool:
    return page is not None and (page.valid_until is None or utcnow() < page.valid_until)


class _NotInCachedContent:
    """What a cached content may not use: it would show one visitor's data to the next."""

    def __init__(self, name: str):
        self.name = name

    def _refuse(self, *_args, **_kwargs):
        raise RuntimeError(f"{self.name} may not be used inside cached content (app/cache.py)")

    __call__ = __bool__ = __iter__ = __str__ = _refuse

    def __getattr__(self, _attr):
        self._refuse()


PER_VISITOR = ("current_user", "csrf_token", "get_flashed_messages", "session", "request", "g")


def render_content(template: str, **context) -> str:
    """``template`` rendered for the cache: using anything of ``PER_VISITOR`` is an error."""
    guards = {name: _NotInCachedContent(name) for name in PER_VISITOR}
    return render_template(template, **guards, **context)


def render_page(page: Page) -> str:
    """The cached content inside this visitor's frame (menu, CSRF token, messages)."""
    return render_template("cached_page.html", title=page.title, content=Markup(page.content))
