"""Checks Unrolled traces (format v1) from outside the engine.

For every trace: it validates against docs/trace.schema.json; every step, re-executed on its
recorded inputs by an independent numpy implementation (numpy_ops.py), gives the recorded
output; and the structural rules of docs/trace-format.md hold.

The traces come from the CLI (`$UNROLLED_BIN trace <demo> …`, default .build/debug/unrolled)
and from a small trace written out below, so the checks themselves are exercised even
without a build. Run with plain `python3 -m pytest Tests/Python`.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import math
import subprocess

import pytest

import numpy_ops as ops
from trace_checks import (CLI_CASES, FIXTURES, HANDWRITTEN_TRACE, HISTORY_ONLY, REPO, SCHEMA_PATH, check_history, check_keys_sorted, check_schema, check_structure, cli_trace, cli_trace_bytes, handwritten_trace, replay_trace, unrolled_binary)

# --------------------------------------------------------------------------- the hand-written trace


def test_handwritten_trace_matches_the_schema():
    check_schema(handwritten_trace())


def test_handwritten_trace_replays_step_by_step():
    count, worst = replay_trace(handwritten_trace())
    assert count == 12 and worst == 0.0


def test_handwritten_trace_keeps_the_structural_rules():
    trace = handwritten_trace()
    check_structure(trace)
    check_history(trace)


def test_handwritten_trace_has_sorted_keys():
    check_keys_sorted(HANDWRITTEN_TRACE.encode())


def test_minus_zero_keeps_its_sign_when_read():
    data = handwritten_trace()["tensors"][5]["data"]
    assert math.copysign(1.0, data[3]) == -1.0


# The checks must fail when a trace breaks the rules they state.


def test_schema_rejects_an_unknown_field_a_bare_number_string_and_an_unknown_op():
    for path, value in (
        (("extra",), 1),
        (("tensors", 5, "data", 0), "nan"),
        (("steps", 0, "op"), "conv2d"),
        (("tensors", 0, "role"), "weight"),
        (("steps", 3, "attrs", "factor"), None),
        (("steps", 0, "inputs"), [0]),
    ):
        trace = handwritten_trace()
        target = trace
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(AssertionError):
            check_schema(trace)


def test_replay_detects_a_changed_number_and_a_changed_non_finite_value():
    for tensor_id, position, value in ((16, 0, 2.000000001), (8, 2, "Infinity"), (6, 0, 0.0)):
        trace = handwritten_trace()
        trace["tensors"][tensor_id]["data"][position] = value
        with pytest.raises(AssertionError):
            replay_trace(trace)


def test_structure_check_detects_broken_ids_order_and_gradients():
    breakages = [
        lambda t: t["tensors"][3].update(id=4),
        lambda t: t["steps"][1].update(inputs=[3]),
        lambda t: t["tensors"][16].update(role="activation"),
        lambda t: t["gradients"].update({"1": 14}),
        lambda t: t["tensors"][16].update(of=0, shape=[1, 2], data=[2, 0]),
        lambda t: t["gradients"].clear(),
        lambda t: t["scopes"][0].update(parent=1),
        lambda t: t["tensors"][17].update(version=2),
        lambda t: t["tensors"][12]["data"].__setitem__(0, 2),
    ]
    for breakage in breakages:
        trace = handwritten_trace()
        breakage(trace)
        with pytest.raises(AssertionError):
            check_structure(trace)


# --------------------------------------------------------------------------- recorded engine traces


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_recorded_trace_matches_the_schema_replays_and_keeps_the_rules(path):
    text = path.read_bytes()
    trace = ops.load_trace(text)
    check_schema(trace)
    replay_trace(trace)
    check_structure(trace)
    check_history(trace)
    check_keys_sorted(text)


def _update_schema():
    """scripts/update-schema as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("update_schema", str(REPO / "scripts" / "update-schema"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


def test_the_schema_lists_the_ops_as_the_engine_declares_them():
    """docs/trace.schema.json's op names and per-op rules are made from `unrolled ops --json`
    (scripts/update-schema); after a change to an op's declaration, `make schema` writes them."""
    update = _update_schema()
    current = SCHEMA_PATH.read_text()
    expected = update.text(update.updated(json.loads(current), update.catalog(str(unrolled_binary()))))
    assert current == expected, "docs/trace.schema.json is out of date with the ops' declarations: run `make schema`"


def test_the_numpy_ops_take_the_inputs_and_attributes_the_engine_declares():
    """Every op the engine declares has a numpy implementation and the other way round, with the
    same number of inputs and the same attributes, each required or not alike. That every op
    replays in numpy is Swift's NumpyReplayTests (its forward cases)."""
    declared = json.loads(subprocess.run([str(unrolled_binary()), "ops", "--json"], check=True,
                                         capture_output=True, text=True).stdout)
    assert {op["name"] for op in declared} == set(ops.OPS)
    for op in declared:
        _, arity, attrs = ops.OPS[op["name"]]
        assert arity == op["inputs"], op["name"]
        assert ops.OPTIONAL_INPUTS[op["name"]] == op.get("optional_inputs", 0), op["name"]
        assert attrs == {a["key"]: a["required"] for a in op["attributes"]}, op["name"]


# --------------------------------------------------------------------------- traces from the CLI


def test_unrolled_binary_is_built():
    assert unrolled_binary().is_file()


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_matches_the_schema(case):
    check_schema(cli_trace(case))


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_replays_step_by_step(case):
    count, _ = replay_trace(cli_trace(case))
    assert count > 0 or case in HISTORY_ONLY


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_keeps_the_structural_rules(case):
    trace = cli_trace(case)
    check_structure(trace)
    check_history(trace)


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_is_byte_identical_when_run_again_and_has_sorted_keys(case):
    first = cli_trace_bytes(case)
    demo, arguments = CLI_CASES[case]
    again = subprocess.run([str(unrolled_binary()), "trace", demo, *arguments], capture_output=True, timeout=300)
    assert again.returncode == 0 and again.stdout == first
    check_keys_sorted(first)


def test_cli_training_trace_has_a_history_and_parameter_versions():
    trace = cli_trace("mlp-train-3")
    assert len(trace.get("history", [])) == 3
    assert any(t.get("version") == 1 for t in trace["tensors"]), "no updated parameter in a training trace"
