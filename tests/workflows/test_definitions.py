"""The process is data: stored in versions, pinned by projects, drawn as diagrams."""

from __future__ import annotations

import dataclasses

import pytest

from workflows.definitions import StoredDefinition, current_definition, save_definition
from workflows.diagram import dot, mermaid
from workflows.errors import WorkflowError
from workflows.machine import machine_class
from workflows.process import BEIJING_SIX_STEPS, EIGHT_STEPS, ProcessDefinition


@pytest.mark.parametrize("definition", [EIGHT_STEPS, BEIJING_SIX_STEPS])
def test_definitions_survive_json(definition):
    assert ProcessDefinition.from_dict(definition.to_dict()) == definition


def test_saving_makes_a_new_version_and_projects_keep_theirs(flow):
    first = current_definition(flow.session)
    assert first.version == 1
    old = flow.project("OLD")
    longer = dataclasses.replace(first.definition, publicity_days=10)
    second = save_definition(flow.session, longer)
    assert (second.name, second.version) == ("eight_steps", 2)
    new = flow.project("NEW")
    assert old.definition.publicity_days == 7 and new.definition.publicity_days == 10
    assert old.stored_definition.id == first.id and new.stored_definition.id == second.id
    flow.walk(old, "publicity")
    flow.walk(new, "publicity")
    notices = {p.code: p for p in (old, new)}
    from workflows.publicity import latest_notice

    lengths = {code: (latest_notice(flow.session, p, "resolution").ends_at
                      - latest_notice(flow.session, p, "resolution").starts_at).days for code, p in notices.items()}
    assert lengths == {"OLD": 7, "NEW": 10}


def test_a_city_variant_is_configuration(flow):
    """A variant with a longer publicity and no joint meeting, built without code."""
    body = EIGHT_STEPS.to_dict()
    body["name"] = "lakeside"
    body["steps"][2]["meetings"] = ["proposal", "party_members", "representatives"]
    body["publicity_days"] = 5
    save_definition(flow.session, ProcessDefinition.from_dict(body))
    flow.use_process("lakeside")
    project = flow.walk(flow.project(), "publicity")
    assert project.definition.deliberations == ("proposal", "party_members", "representatives")
    assert project.definition.version == 1


@pytest.mark.parametrize("change, problem", [
    (lambda b: b["transitions"][0].update(target="nowhere"), "unknown step"),
    (lambda b: b["transitions"][0].update(roles=["mayor"]), "unknown role mayor"),
    (lambda b: b["transitions"][0].update(guards=["bribe_paid"]), "unknown guard bribe_paid"),
    (lambda b: b["transitions"][0].update(effects=["print_money"]), "unknown effect print_money"),
    (lambda b: b["steps"][2].update(meetings=["tea_party"]), "no rule for meeting tea_party"),
    (lambda b: b.update(publicity_days=0), "at least one day"),
])
def test_broken_definitions_are_refused(flow, change, problem):
    body = EIGHT_STEPS.to_dict()
    change(body)
    with pytest.raises(WorkflowError, match=problem):
        save_definition(flow.session, ProcessDefinition.from_dict(body))
    assert flow.session.query(StoredDefinition).count() == 0


def test_reserved_names_are_refused():
    body = EIGHT_STEPS.to_dict()
    body["name"] = "clash"
    body["transitions"][0]["event"] = "send"
    with pytest.raises(WorkflowError, match="reserved names: send"):
        machine_class(ProcessDefinition.from_dict(body))


def test_the_machine_is_built_from_the_definition():
    machine = machine_class(BEIJING_SIX_STEPS)
    assert [s.id for s in machine.states] == [s.id for s in BEIJING_SIX_STEPS.steps]
    assert {e.id for e in machine.events} == {t.event for t in BEIJING_SIX_STEPS.transitions}


def test_diagrams_come_from_the_definition():
    text = mermaid(EIGHT_STEPS)
    assert text.startswith("stateDiagram-v2")
    assert 'state "3. 四议" as deliberation' in text
    assert "review --> implementation: 审核通过并备案 (street_committee)" in text
    assert text.count(" --> ") == len(EIGHT_STEPS.transitions) + 3  # plus start and two ends
    graph = dot(BEIJING_SIX_STEPS)
    assert graph.startswith('digraph "beijing_six_steps" {') and graph.rstrip().endswith("}")
    assert 'party_review -> street_approval [label="报街道审批 (community_staff)"];' in graph
    assert "acceptance" not in graph
