"""Running code "at the same moment" in tests, to prove that row locks and unique constraints hold.

Each call runs in its own thread, so on its own database connection (Django keeps one per thread); a barrier
holds the threads back until all have started, so they reach the database together rather than one after the
other. Such tests need ``@pytest.mark.django_db(transaction=True)`` (the threads must see committed rows) and
PostgreSQL (SQLite in memory is one connection and has no row locks).
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections

BARRIER_TIMEOUT = 30  # seconds; a thread that never reaches the barrier breaks it instead of hanging the run


@dataclass(frozen=True)
class Outcome:
    """What one call did: returned ``result``, or raised ``error``."""

    result: Any = None
    error: BaseException | None = None


def at_the_same_moment(*calls: Callable[[], Any]) -> list[Outcome]:
    """Run each zero-argument call in its own thread, released together, and return their outcomes in call
    order.

    An exception does not escape its thread (where it would only be printed): it is kept as the outcome's
    ``error`` for the test to assert on. Each thread closes its own database connections when done, or the
    test database could not be dropped at the end of the run.
    """
    barrier = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)
    outcomes: dict[int, Outcome] = {}

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = Outcome(result=call())
        except BaseException as exc:  # not only Exception: pytest.fail() and pytest.skip() raise BaseExceptions
            outcomes[index] = Outcome(error=exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [outcomes[index] for index in range(len(calls))]
