"""A job kind for the worker tests: the real trial-balance export, slowed down, with an effect.

Imported by the worker process through ``CELERY_IMPORTS`` (and by the tests themselves), so
that a test can kill the worker while the job is surely in the middle. The effect is a
notification keyed by the job, written in the job's final commit: after any number of
deliveries and lost workers it must exist exactly once.
"""

from __future__ import annotations

import time

from app.extensions import db
from app.finance.tasks import export_trial_balances
from app.jobs.kinds import register
from app.system.notifications import notify

KIND = "test.slow_trial_balances"


def slow_trial_balances(job, progress) -> None:
    pause = float(job.parameters.get("pause", 0.5))

    def slowly(percent, message=None):
        progress(percent, message)
        time.sleep(pause)

    slowly(2, "Working…")  # committed: the test sees the job running before it is killed
    export_trial_balances(job, slowly)
    notify(db.session, f"test-export:{job.id}", job.organisation, "street_finance", "export",
           "The books %(book)s failed verification: %(problem)s", book=job.id, problem="-")


register(KIND, "slow trial balances (test)", slow_trial_balances)
