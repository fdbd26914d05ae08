"""PyTorch as a second, optional reference for the `normalization` demo (issue #17).

Each mode's trace (`unrolled trace normalization --mode …`) against torch.nn.functional's
batch_norm, layer_norm, instance_norm and group_norm run on the trace's own x, γ and β: the output
y, the loss ½ Σ (y − t)², the gradients of x, γ and β by autograd, γ and β after the SGD step, and
for batch normalization the running mean and variance torch updates in place (momentum, unbiased
variance) and the evaluation output that uses them.

Optional: skipped with a message when torch is not installed (`pip install torch`; README.md).
Kept beside test_torch_reference.py (the convolution family's) so that each file holds one concern.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import numpy_ops as ops
from trace_checks import unrolled_binary

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional second reference: `pip install torch` to run these tests")
F = torch.nn.functional

CASES = {
    "batch": ["--momentum", "0.2"],
    "layer": ["--mode", "layer", "--seed", "2"],
    "instance": ["--mode", "instance", "--height", "3", "--seed", "3"],
    "group": ["--mode", "group", "--groups", "2", "--channels", "6", "--seed", "4"],
    "batch-features": ["--batch", "5", "--channels", "3", "--height", "1", "--width", "1", "--lr", "0.5"],
}


def trace_of(arguments: list[str]) -> dict:
    result = subprocess.run([str(unrolled_binary()), "trace", "normalization", *arguments], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return ops.load_trace(result.stdout)


def recorded(trace: dict) -> dict:
    """name (version > 0 as name@version) → array, and dL/d<name> → the final gradient."""
    values = {}
    for t in trace["tensors"]:
        if t["role"] == "gradient":
            continue
        key = t["name"] + (f"@{t['version']}" if t.get("version") else "")
        values.setdefault(key, ops.tensor_array(t))
    for of, gradient in trace["gradients"].items():
        values["dL/d" + trace["tensors"][int(of)]["name"]] = ops.tensor_array(trace["tensors"][gradient])
    return values


def torch_version(trace: dict) -> dict:
    """The same computation in torch, from the trace's leaves and config."""
    v, config = recorded(trace), trace["config"]
    mode, eps, lr = config["mode"], config["eps"], config["lr"]
    x = torch.tensor(v["x"], dtype=torch.float64, requires_grad=True)
    gamma = torch.tensor(v["gamma"], dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(v["beta"], dtype=torch.float64, requires_grad=True)
    C = x.shape[1]
    per_channel = dict(weight=gamma.reshape(-1), bias=beta.reshape(-1), eps=eps)   # C×1×1 → C (not used for layer)
    out = {}
    if mode == "batch":
        running_mean, running_var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
        y = F.batch_norm(x, running_mean, running_var, training=True, momentum=config["momentum"], **per_channel)
        out["running_mean@1"], out["running_var@1"] = running_mean, running_var
    elif mode == "layer":
        y = F.layer_norm(x, list(x.shape[1:]), weight=gamma, bias=beta, eps=eps)
    elif mode == "instance":
        y = F.instance_norm(x, **per_channel)
    else:
        y = F.group_norm(x, config["groups"], **per_channel)
    loss = 0.5 * ((y - torch.tensor(v["t"], dtype=torch.float64)) ** 2).sum()
    loss.backward()
    out.update({"y": y, "L": loss, "dL/dx": x.grad, "dL/dgamma": gamma.grad, "dL/dbeta": beta.grad,
                "gamma@1": gamma - lr * gamma.grad, "beta@1": beta - lr * beta.grad})
    if mode == "batch" and config["evaluate"] == "true":
        out["y_eval"] = F.batch_norm(x, out["running_mean@1"], out["running_var@1"], weight=out["gamma@1"].reshape(C),
                                     bias=out["beta@1"].reshape(C), training=False, eps=eps)
    return {k: t.detach().numpy().reshape(v[k].shape) for k, t in out.items()}


def disagreements(trace: dict) -> list[str]:
    v, expected = recorded(trace), torch_version(trace)
    return [f"{k}: largest difference {np.max(np.abs(v[k] - e)):.3g}" for k, e in expected.items()
            if not np.allclose(v[k], e, rtol=1e-12, atol=1e-12)]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_mode_agrees_with_torch(case):
    trace = trace_of(CASES[case])
    compared = torch_version(trace)
    assert {"y", "dL/dx", "dL/dgamma", "dL/dbeta", "gamma@1"} <= set(compared)
    assert (case.startswith("batch")) == ("running_var@1" in compared)
    assert disagreements(trace) == []


def test_the_comparison_fails_on_a_changed_value():
    trace = trace_of(CASES["group"])
    target = next(t for t in trace["tensors"] if t["name"] == "y" and t["role"] != "gradient")
    target["data"][3] = ops.tensor_array(target).reshape(-1)[3] + 1e-9
    assert [d.split(":")[0] for d in disagreements(trace)] == ["y"]
