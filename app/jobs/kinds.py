"""The registry of what each kind of job does.

An area registers a kind with ``register(kind, title, handler, writes=...)``. A handler
takes the job and a ``progress(percent, message)`` callback; it fills the job's result
(a file, counts) and raises ``JobFailed`` to fail with a report. A handler that writes to
the books never reports progress half-way: its work and the job's ``done`` are committed
together, so a worker killed in the middle leaves nothing behind and the redelivered
task starts again from a clean slate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    title: object  # lazy translated string
    handler: Callable
    writes: bool = False


KINDS: dict[str, Kind] = {}


def register(kind: str, title, handler: Callable, writes: bool = False) -> None:
    """Make ``kind`` runnable (called once, at import of an area's module)."""
    KINDS[kind] = Kind(title, handler, writes)


class JobFailed(Exception):
    """A handler's refusal: a message (template and params) and a result to show."""

    def __init__(self, template: str, result: dict | None = None, **params):
        self.template, self.params, self.result = template, params, result or {}
        super().__init__(template % params if params else template)


def message_of(template: str, **params) -> dict:
    """A message kept on a job, translated when the page shows it."""
    return {"template": template, "params": {k: plain(v) for k, v in params.items()}}


def plain(value):
    """``value`` as JSON keeps it: numbers stay numbers (``%(month)02d``), the rest is text."""
    return value if isinstance(value, (int, str)) or value is None else str(value)
