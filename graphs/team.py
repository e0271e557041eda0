"""Wires the team graph drawn in ARCHITECTURE.md. Returns it uncompiled: the caller picks the checkpointer."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from core.state import JobInput, TeamState
from graphs import routing
from graphs.candidates import candidates_node
from graphs.context import TeamContext
from graphs.finalize import finalize
from graphs.gates import gate_node
from graphs.nodes import (
    coder_node,
    intake,
    localizer_node,
    planner_node,
    reviewer_node,
    tester_reproduce_node,
    tester_verify,
)


def build_team_graph() -> StateGraph[TeamState, TeamContext, JobInput, TeamState]:
    graph = StateGraph(TeamState, context_schema=TeamContext, input_schema=JobInput)
    graph.add_node("intake", intake)
    graph.add_node("planner", planner_node)
    graph.add_node("plan_gate", gate_node("plan"))
    graph.add_node("localizer", localizer_node)
    graph.add_node("locations_gate", gate_node("locations"))
    graph.add_node("tester_reproduce", tester_reproduce_node)
    graph.add_node("candidates", candidates_node)
    graph.add_node("coder", coder_node)
    graph.add_node("tester_verify", tester_verify)
    graph.add_node("reviewer", reviewer_node)
    graph.add_node("patch_gate", gate_node("patch"))
    graph.add_node("final_gate", gate_node("final"))
    graph.add_node("finalize", finalize)

    graph.add_edge(START, "intake")
    graph.add_conditional_edges("intake", routing.after_intake)
    graph.add_conditional_edges("planner", routing.after_planner)
    graph.add_conditional_edges("plan_gate", routing.after_plan_gate)
    graph.add_conditional_edges("localizer", routing.after_localizer)
    graph.add_conditional_edges("locations_gate", routing.after_locations_gate)
    graph.add_conditional_edges("tester_reproduce", routing.after_reproduce)
    graph.add_conditional_edges("candidates", routing.after_candidates)
    graph.add_conditional_edges("coder", routing.after_coder)
    graph.add_conditional_edges("tester_verify", routing.after_verify)
    graph.add_conditional_edges("reviewer", routing.after_review)
    graph.add_conditional_edges("patch_gate", routing.after_patch_gate)
    graph.add_conditional_edges("final_gate", routing.after_final_gate)
    graph.add_edge("finalize", END)
    return graph
