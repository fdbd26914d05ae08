"""The `transfer` demo's traced head and fine-tune iterations against numpy by hand
(Tests/Fixtures/reference_transfer.py), from the pretrained weights the trace records."""

from __future__ import annotations

import copy
import pathlib
import sys

import pytest

from trace_checks import cli_trace

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "Fixtures"))
import reference_transfer  # noqa: E402


@pytest.fixture(scope="module")
def short():
    # 5 images of task B in batches of 3: the traced batch is a full one, the epoch's last has 2.
    return cli_trace("transfer-short")


def test_the_short_run_agrees_with_numpy_by_hand(short):
    reference_transfer.check(short)


def test_the_defaults_agree_with_numpy_by_hand():
    reference_transfer.check(cli_trace("transfer-default"))


def test_the_check_fails_when_a_frozen_layer_is_updated_or_loses_its_mark(short):
    head = reference_transfer.Iteration(short, "head")
    moved = copy.deepcopy(short)
    w_1 = head.leaves["w_1"]["id"]
    for tensor in moved["tensors"]:
        if tensor["id"] == w_1:
            tensor.pop("frozen")
    with pytest.raises(AssertionError):
        reference_transfer.check(moved)
    changed = copy.deepcopy(short)
    (updated,) = [t for t in changed["tensors"] if t["id"] == head.updated("W_3")["id"]]
    updated["data"][0] = float(updated["data"][0]) + 1e-9
    with pytest.raises(AssertionError):
        reference_transfer.check(changed)
