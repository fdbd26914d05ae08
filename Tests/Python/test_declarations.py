"""The declared structure of every CLI case (Tests/Python/declarations.py): vocabulary and types,
agreement with where each tensor is made, tags unique per iteration, the history described, and
the cells' equations recomputed from the tagged tensors. Also: a trace without declarations
(as made before they existed) still matches the schema."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from declarations import check_cell_equations, check_declarations, recomputed
from trace_checks import CLI_CASES, check_schema, cli_trace, handwritten_trace, schema_validator

CELL_CASES = ["lstm-default", "lstm-text-train", "peephole-lstm-inputs", "gru-default", "gru-train", "bilstm-text",
              "bigru-cross-entropy", "gradient-flow-lstm"]


@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_cli_trace_declarations_agree_with_the_recorded_structure(case):
    trace = cli_trace(case)
    check_declarations(trace)
    assert "views" in trace   # every demo says which views it suggests, even none


@pytest.mark.parametrize("case", CELL_CASES)
def test_cell_equations_hold_between_the_tagged_tensors(case):
    trace = cli_trace(case)
    steps = trace["config"]["steps"] if "steps" in trace["config"] else None
    checked = check_cell_equations(trace)
    assert checked > 0 and (steps is None or checked % steps == 0), checked


@pytest.mark.parametrize("case", ["lstm-text-train", "gru-train"])
def test_cell_equations_hold_in_every_snapshot_of_the_activation_series(case):
    """The cell's tensors recomputed after each snapshotted update satisfy the cell's equations too,
    and they are not the traced ones: the weights changed."""
    trace = cli_trace(case)
    entries = [e for e in trace["history"] if any(s["quantity"] == "activation" and s["key"] in (e.get("tensors") or {})
                                                 for s in trace["series"])]
    assert len(entries) >= 2
    for entry in entries:
        after = recomputed(trace, entry)
        assert check_cell_equations(after) == check_cell_equations(trace) > 0
        changed = [a["data"] != b["data"] for a, b in zip(after["tensors"], trace["tensors"])
                   if b.get("tags", {}).get("quantity") == "hidden_state" and b["tags"].get("t", 0) > 0]
        assert changed and all(changed)


def test_every_declared_kind_of_the_demos_is_used():
    kinds = {s.get("kind") for case in CLI_CASES for s in cli_trace(case)["scopes"]}
    quantities = {t["tags"]["quantity"] for case in CLI_CASES for t in cli_trace(case)["tensors"] if "tags" in t}
    assert {"iteration", "time_step", "direction", "cell", "cell_part", "layer", "head", "block", "attention",
            "stage", "loss", "delay_line"} <= kinds
    assert {"hidden_state", "cell_state", "gate", "candidate", "stacked_input", "attention_weights", "embedding",
            "delay_line_output"} <= quantities


def test_schema_accepts_a_trace_without_declarations_and_checks_their_types():
    plain = handwritten_trace()
    check_schema(plain)   # version 1 without any declaration
    declared = copy.deepcopy(plain)
    declared["scopes"][0].update(kind="layer", attributes={"layer": 1})
    declared["tensors"][3]["tags"] = {"quantity": "hidden_state", "t": 1}
    declared["series"] = [{"key": "loss", "quantity": "loss", "per": "iteration", "meaning": "the loss"},
                          {"key": "W", "quantity": "parameter", "per": "iteration", "meaning": "W after the update"}]
    declared["views"] = ["training"]
    check_schema(declared)
    check_declarations(declared)
    for path, bad in ((("scopes", 0, "attributes"), {"layer": 1.5}), (("tensors", 3, "tags"), {"t": 1}),
                      (("views",), ["training", "training"]), (("series", 0, "per"), 3),
                      (("series", 1, "tags"), {"t": 1}), (("series", 1, "tags"), {"quantity": "gate", "t": [1]})):
        broken = copy.deepcopy(declared)
        target = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bad
        assert list(schema_validator().iter_errors(broken)), path
    with pytest.raises(jsonschema.ValidationError):
        schema_validator().validate({**declared, "views": "training"})
