"""Security headers on every response, the content security policy, and the origin check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _without_nul(values: ImmutableMultiDict) -> ImmutableMultiDict | None:
    if not any("\x00" in v for _, v in values.items(multi=True)):
        return None
    return ImmutableMultiDict([(k.replace("\x00", ""), v.replace("\x00", "")) for k, v in values.items(multi=True)])


def drop_nul_characters() -> None:
    """Remove NUL characters from the query and the form before any handler reads them.

    Nobody means to type one, and PostgreSQL cannot store one in text: left in, a NUL in any
    field would end as a server error instead of the value the user meant. The JSON API
    refuses them instead, naming the field (``app/api/validation.py``).
    """
    if request.blueprint == "api":
        return
    for name in ("args", "form"):
        cleaned = _without_nul(getattr(request, name))
        if cleaned is not None:
            setattr(request, name, cleaned)


def _host_of(url: str) -> str | None:
    """The host and port a URL names. The scheme is not compared: behind a TLS proxy that
    does not say so (``PROXY_COUNT``), the browser's ``https`` origin reaches us as ``http``."""
    parts = urlsplit(url)
    return parts.netloc.lower() if parts.scheme and parts.netloc else None


def refuse_foreign_origins() -> None:
    """Refuse a form sent from another site, a valid CSRF token or not (OWASP: verify origin).

    A browser names the page a POST comes from in ``Origin`` (or, older ones, ``Referer``);
    one that is not this site's own is refused. A request naming neither is left to the CSRF
    token. The API authenticates by token, which no other site can make a browser send.
    """
    if request.method in SAFE_METHODS or request.blueprint == "api":
        return
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed:
        return
    if claimed == "null" or _host_of(claimed) != _host_of(request.host_url):
        raise CSRFError("the request came from another site")  # the page says so, translated


def init_app(app: Flask) -> None:
    app.before_request(drop_nul_characters)
    app.before_request(refuse_foreign_origins)

    @app.after_request
    def set_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            # Pages may show other people's work in progress: no shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response
