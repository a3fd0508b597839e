"""Errors the cores return to a user: what was wrong, in which field, what is allowed.

A message is an English template with ``%(name)s`` placeholders, marked with ``N_`` so
that the web layer can translate it (zh_CN first) and fill in the figures.
"""

from __future__ import annotations


def N_(template: str) -> str:
    """Mark a message template for translation without translating it here."""
    return template


#: The refusal of an amount above ``ledger.base.MAX_ENTRY`` (``amount`` and ``max`` filled in).
TOO_LARGE = N_("%(amount)s is more than the largest single amount accepted, %(max)s: no entry of a community's "
               "fund comes near it; check the digits.")


class DomainError(Exception):
    """A refusal a user can act on.

    ``template`` is the untranslated message, ``params`` the figures it quotes and
    ``field`` the input it is about (``None`` for the request as a whole).
    """

    def __init__(self, template: str, field: str | None = None, **params):
        self.template = template
        self.params = params
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The message in English with its figures filled in."""
        return self.template % self.params if self.params else self.template

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"
