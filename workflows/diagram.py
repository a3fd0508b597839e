"""Diagrams of a process (流程图) drawn from its definition: Mermaid and Graphviz DOT text.

No binary is needed: the text is rendered by the browser (Mermaid) or by whoever has
Graphviz. Because both come from the definition, a city's variant draws itself.
"""

from __future__ import annotations

from .process import ProcessDefinition


def _label(definition: ProcessDefinition, t) -> str:
    roles = "/".join(r for r in t.roles if r != "system")
    return f"{t.title} ({roles})" + (" [auto]" if t.auto else "")


def mermaid(definition: ProcessDefinition) -> str:
    """A Mermaid ``stateDiagram-v2`` of the process."""
    lines = ["stateDiagram-v2", f"    %% {definition.title} v{definition.version}"]
    for step in definition.steps:
        prefix = f"{step.number}. " if step.number else ""
        lines.append(f'    state "{prefix}{step.title}" as {step.id}')
    lines.append(f"    [*] --> {definition.initial.id}")
    for t in definition.transitions:
        lines.append(f"    {t.source} --> {t.target}: {_label(definition, t)}")
    lines += [f"    {s.id} --> [*]" for s in definition.steps if s.final]
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(definition: ProcessDefinition) -> str:
    """A Graphviz ``digraph`` of the process."""
    lines = [f"digraph {_dot_quote(definition.name)} {{", "    rankdir=LR;",
             f"    label={_dot_quote(f'{definition.title} v{definition.version}')};",
             '    node [shape=box, style=rounded, fontname="Noto Sans CJK SC"];']
    for step in definition.steps:
        prefix = f"{step.number}. " if step.number else ""
        shape = ", shape=doubleoctagon" if step.final else ""
        lines.append(f"    {step.id} [label={_dot_quote(prefix + step.title)}{shape}];")
    for t in definition.transitions:
        lines.append(f"    {t.source} -> {t.target} [label={_dot_quote(_label(definition, t))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
