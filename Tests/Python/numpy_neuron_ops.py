"""The perceptron's ops of Unrolled trace format v1, written independently in numpy from
docs/trace-format.md: the step function, its local derivative and Rosenblatt's update rule.
Re-exported by numpy_ops.py, which registers every public function here as the op of its name.
"""

from __future__ import annotations

import numpy as np

from trace_values import OpError, decode_number


def step(x):
    """The Heaviside step: 1.0 where x >= 0 (also at 0 and -0), 0.0 where x < 0, NaN stays NaN."""
    return np.where(np.isnan(x), x, np.where(x >= 0, 1.0, 0.0))


def step_backward(x, dy):
    """The step's derivative times dy: 0 wherever it exists and recorded as 0 at x = 0; +0.0 even
    where dy is infinite or NaN (it is not 0 * dy)."""
    if x.shape != dy.shape:
        raise OpError(f"step_backward: shapes {x.shape} and {dy.shape} differ")
    return np.zeros(x.shape)


def perceptron(p, a, t, y, *, lr):
    """Rosenblatt's rule: p + lr * (t - y) a^T, p K x n, a n x 1, t and y K x 1 (the bias: a = [[1]])."""
    if p.ndim != 2:
        raise OpError(f"perceptron: parameter {p.shape} is not a matrix")
    k, n = p.shape
    if a.shape != (n, 1) or t.shape != (k, 1) or y.shape != (k, 1):
        raise OpError(f"perceptron: input {a.shape}, target {t.shape}, output {y.shape} do not fit parameter {p.shape}")
    out = p.copy()
    rate = decode_number(lr)
    for row in range(k):
        change = rate * (t[row, 0] - y[row, 0])
        for column in range(n):
            out[row, column] = out[row, column] + change * a[column, 0]
    return out
