"""Several copies of one piece of work started together, as parallel requests would be.

``run_together(copies, work)`` calls ``work(n, ready)`` in ``copies`` threads; each copy
calls ``ready()`` at the moment it should wait for the others (after it opened its session,
before the request it races with), so all of them go at once. The answers come back by copy
number; an exception in any copy fails the test that ran them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_together(copies: int, work: Callable[[int, Callable[[], None]], T], timeout: float = 120) -> dict[int, T]:
    barrier, answers, errors = threading.Barrier(copies), {}, []

    def copy(n: int) -> None:
        try:
            answers[n] = work(n, barrier.wait)
        except Exception as error:  # noqa: BLE001 (reported below, in the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=copy, args=(n,)) for n in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors[:3]
    return answers
