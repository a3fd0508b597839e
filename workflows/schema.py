"""Import every table of the workflow core so that ``Base.metadata`` knows them all."""

from . import (  # noqa: F401
    definitions, emergency, evaluation, events, evidence, meetings, needs, plans, projects, publicity,
    satisfaction,
)
from . import effects, machine, rules, timers  # noqa: F401
