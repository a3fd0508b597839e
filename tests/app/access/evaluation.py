"""Routes of the evaluation area: oversight reads, the district evaluates."""

from __future__ import annotations

from sqlalchemy import select

from ledger.organisations import by_code
from workflows.evaluation import Evaluation, EvaluationTemplate

from . import OVERSIGHT, Route

DISTRICT = frozenset({"oversight-d01"})
STREET = {"own": "S0101", "sibling": "S0101", "foreign": "XS0101"}

ROUTES = {
    "evaluation.index": Route("GET", "/evaluation/", OVERSIGHT),
    "evaluation.show": Route("GET", "/evaluation/{evaluation}", OVERSIGHT, True),
    "evaluation.xlsx": Route("GET", "/evaluation/{evaluation}/self-evaluation.xlsx", OVERSIGHT, True),
    "evaluation.pdf": Route("GET", "/evaluation/{evaluation}/report.pdf", OVERSIGHT, True),
    "evaluation.print_view": Route("GET", "/evaluation/{evaluation}/print", OVERSIGHT, True),
    "evaluation.refresh": Route("POST", "/evaluation/{evaluation}/refresh", DISTRICT, True),
    "evaluation.finalise": Route("POST", "/evaluation/{evaluation}/finalise", DISTRICT, True),
    "evaluation.update_item": Route("POST", "/evaluation/{evaluation}/items/{evaluation_item}", DISTRICT, True,
                                    {"i{evaluation_item}-actual": "合理"}),
    "evaluation.template": Route("GET", "/evaluation/templates/{evaluation_template}", DISTRICT, True),
}


def targets(session, scope: str) -> dict:
    street = by_code(session, STREET[scope])
    evaluation = session.scalar(select(Evaluation).where(Evaluation.organisation_id == street.id))
    template = session.scalar(select(EvaluationTemplate.id).where(EvaluationTemplate.district_id == street.parent_id))
    return {"evaluation": evaluation.id, "evaluation_item": evaluation.items[2].id, "evaluation_template": template}
