"""The ops of Unrolled trace format v1, written independently in numpy from docs/trace-format.md.

One function per op. Each takes the step's input arrays (float64) and its attrs as keyword
arguments, checks shapes the way the format says, and returns the output array. Reductions
add in index order, starting from +0.0, and `matmul` accumulates over the inner dimension
one index at a time, so that results agree with the engine to the last bit wherever the op
uses only IEEE arithmetic (exp, log and tanh may differ from the engine's libm by an ulp).

`replay(op, inputs, attrs)` runs a recorded step. Reading trace values (`load_trace`, `decode_number`,
`tensor_array`) is in trace_values.py, the convolution family in numpy_conv_ops.py, the perceptron's ops in numpy_neuron_ops.py,
all re-exported here.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from numpy_conv_ops import *  # noqa: F403 (re-exported: the convolution family's ops)
from numpy_neuron_ops import *  # noqa: F403 (re-exported: the step, its derivative, the perceptron rule)
from trace_values import NON_FINITE, OpError, decode_number, load_trace, tensor_array  # noqa: F401 (re-exported)

# --------------------------------------------------------------------------- helpers


def _fits(source: tuple, target: tuple) -> bool:
    """Whether `source` broadcasts (numpy rules) to exactly `target`."""
    try:
        return tuple(np.broadcast_shapes(tuple(source), tuple(target))) == tuple(target)
    except ValueError:
        return False


def _broadcast_shape(op: str, a: np.ndarray, b: np.ndarray) -> tuple:
    try:
        return tuple(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        raise OpError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None


def _axis(op: str, axis, rank: int) -> int:
    if isinstance(axis, bool) or not isinstance(axis, int) or not 0 <= axis < rank:
        raise OpError(f"{op}: axis {axis!r} is out of range for rank {rank}")
    return axis


def _int_list(op: str, name: str, value) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise OpError(f"{op}: attribute {name!r} must be an array of integers, got {value!r}")
    return value


def _sum_along(x: np.ndarray, axis: int) -> np.ndarray:
    """Σ over `axis`, adding positions 0, 1, 2, … in turn to +0.0 (the engine's order)."""
    total = np.zeros(x.shape[:axis] + x.shape[axis + 1:])
    for k in range(x.shape[axis]):
        total = total + np.take(x, k, axis=axis)
    return total


def _sum_all(x: np.ndarray) -> float:
    """Σ of every element in row-major order, starting from +0.0."""
    return float(_sum_along(x.reshape(-1), 0))


def _same_shape(op: str, a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise OpError(f"{op}: shapes {a.shape} and {b.shape} differ")


# --------------------------------------------------------------------------- linear algebra


def matmul(a, b):
    """(m×k) · (k×n) → m×n; both rank 2. C[i, j] = Σ_p A[i, p] · B[p, j], p ascending."""
    if a.ndim != 2 or b.ndim != 2:
        raise OpError(f"matmul: needs two matrices, got {a.shape} and {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise OpError(f"matmul: inner dimensions differ: {a.shape} times {b.shape}")
    out = np.zeros((a.shape[0], b.shape[1]))
    for p in range(a.shape[1]):
        out = out + a[:, p:p + 1] * b[p:p + 1, :]
    return out


# --------------------------------------------------------------------------- element-wise, binary


def add(a, b):
    """a + b, numpy broadcasting."""
    _broadcast_shape("add", a, b)
    return a + b


def sub(a, b):
    """a − b, numpy broadcasting."""
    _broadcast_shape("sub", a, b)
    return a - b


def mul(a, b):
    """a ⊙ b, numpy broadcasting."""
    _broadcast_shape("mul", a, b)
    return a * b


def div(a, b):
    """a / b, numpy broadcasting; IEEE division (x/0 = ±∞, 0/0 = NaN)."""
    _broadcast_shape("div", a, b)
    return a / b


# --------------------------------------------------------------------------- element-wise, unary


def neg(x):
    return -x


def exp(x):
    return np.exp(x)


def log(x):
    """ln x: −∞ at ±0, NaN below 0."""
    return np.log(x)


def sqrt(x):
    """√x: NaN below 0, −0 at −0."""
    return np.sqrt(x)


def square(x):
    return x * x


def tanh(x):
    return np.tanh(x)


def sigmoid(x):
    """σ(x): 1 / (1 + e^−x) for x ≥ 0, e^x / (1 + e^x) otherwise (neither can overflow)."""
    e = np.exp(np.minimum(x, 0.0))  # e^x on the negative side
    positive = 1.0 / (1.0 + np.exp(-np.maximum(x, 0.0)))
    return np.where(x >= 0, positive, e / (1.0 + e))


def relu(x):
    """x where x > 0, NaN stays NaN, +0.0 elsewhere (−0 becomes +0)."""
    return np.where((x > 0) | np.isnan(x), x, 0.0)


def scale(x, *, factor):
    """factor · x; `factor` is a number or "NaN"/"Infinity"/"-Infinity"."""
    return decode_number(factor) * x


def where(mask, a, *, value):
    """a where mask ≠ 0 (NaN counts as non-zero), `value` elsewhere; mask broadcasts to a's shape."""
    if not _fits(mask.shape, a.shape):
        raise OpError(f"where: mask of shape {mask.shape} does not broadcast to {a.shape}")
    return np.where(np.broadcast_to(mask, a.shape) != 0, a, decode_number(value))


# --------------------------------------------------------------------------- reductions


def _reduction_axis(op, x, axis):
    if axis is None:
        return None
    return _axis(op, axis, x.ndim)


def _reduced_axes(op, x, axis, axes):
    """The axes a reduction sums, or None for every element: `axis` (one) or `axes` (several,
    strictly increasing), never both."""
    if axis is not None and axes is not None:
        raise OpError(f"{op}: give axis or axes, not both")
    if axes is None:
        axis = _reduction_axis(op, x, axis)
        return None if axis is None else [axis]
    axes = _int_list(op, "axes", axes)
    if not axes or any(b <= a for a, b in zip(axes, axes[1:])):
        raise OpError(f"{op}: axes {axes} must be a non-empty, strictly increasing list")
    return [_axis(op, a, x.ndim) for a in axes]


def sum(x, *, axis=None, axes=None, keepdims=False):  # noqa: A001 - the op's name
    """Σ over `axis` or `axes` (every element when both are absent or null); the reduced axes
    dropped unless keepdims. Each output element adds its terms in x's row-major order."""
    reduced = _reduced_axes("sum", x, axis, axes)
    if reduced is None:
        total = np.array(_sum_all(x))
        return total.reshape([1] * x.ndim) if keepdims else total
    kept = [a for a in range(x.ndim) if a not in reduced]
    # The reduced axes last, flattened into one in row-major order, then summed position by position.
    grouped = np.transpose(x, kept + reduced).reshape([x.shape[a] for a in kept] + [math.prod(x.shape[a] for a in reduced)])
    total = _sum_along(grouped, len(kept))
    return np.expand_dims(total, tuple(reduced)) if keepdims else total


def mean(x, *, axis=None, axes=None, keepdims=False):
    """Σ over `axis`, `axes` (or everything) divided by the number of values summed."""
    reduced = _reduced_axes("mean", x, axis, axes)
    total = sum(x, axes=reduced, keepdims=keepdims) if reduced else sum(x, keepdims=keepdims)
    count = x.size if reduced is None else math.prod(x.shape[a] for a in reduced)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / float(count)


def sum_to(x, *, shape):
    """Undo a broadcast: Σ over the leading axes x has in excess and, keeping them as 1,
    over the axes where `shape` has 1. `shape` must broadcast to x's shape."""
    target = tuple(_int_list("sum_to", "shape", shape))
    if not _fits(target, x.shape):
        raise OpError(f"sum_to: cannot sum {x.shape} to {target}")
    lead = x.ndim - len(target)
    summed = list(range(lead)) + [lead + i for i, d in enumerate(target) if d == 1 and x.shape[lead + i] != 1]
    kept = [axis for axis in range(x.ndim) if axis not in summed]
    # Row-major order over the summed axes, as the engine walks x.
    grouped = np.transpose(x, summed + kept).reshape((-1,) + tuple(x.shape[a] for a in kept))
    return _sum_along(grouped, 0).reshape(target)


def broadcast_to(x, *, shape):
    """numpy broadcast_to: repeat along length-1 and new leading axes to fill `shape`."""
    target = tuple(_int_list("broadcast_to", "shape", shape))
    if not _fits(x.shape, target):
        raise OpError(f"broadcast_to: {x.shape} does not broadcast to {target}")
    return np.array(np.broadcast_to(x, target))


def _shifted(op, x, axis):
    """x − m along `axis`, m the largest non-NaN value, or 0 when that is ±∞ (or there is none)."""
    axis = _axis(op, axis, x.ndim)
    largest = np.max(np.where(np.isnan(x), -np.inf, x), axis=axis, keepdims=True, initial=-np.inf)
    largest = np.where(np.isfinite(largest), largest, 0.0)
    shifted = x - largest
    total = np.expand_dims(_sum_along(np.exp(shifted), axis), axis)
    return shifted, total


def softmax(x, *, axis):
    """exp(x − m) / Σ exp(x − m) along `axis` (see `_shifted` for m)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shifted, total = _shifted("softmax", x, axis)
        return np.exp(shifted) / total


def log_softmax(x, *, axis):
    """(x − m) − ln Σ exp(x − m) along `axis`."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        shifted, total = _shifted("log_softmax", x, axis)
        return shifted - np.log(total)


# --------------------------------------------------------------------------- shape


def transpose(x, *, perm=None):
    """Output axis i is input axis perm[i]; without perm the axes are reversed."""
    order = list(reversed(range(x.ndim))) if perm is None else _int_list("transpose", "perm", perm)
    if sorted(order) != list(range(x.ndim)):
        raise OpError(f"transpose: {order} is not a permutation of the axes of {x.shape}")
    return np.array(np.transpose(x, order))


def reshape(x, *, shape):
    """Same values in row-major order, another shape of the same size (no −1)."""
    target = _int_list("reshape", "shape", shape)
    if any(d < 0 for d in target) or math.prod(target) != x.size:
        raise OpError(f"reshape: cannot reshape {x.shape} to {target}")
    return x.reshape(target)


def concat(*parts, axis):
    """numpy concatenate along `axis`; same rank, same dimensions off the axis."""
    if not parts:
        raise OpError("concat: needs at least one input")
    axis = _axis("concat", axis, parts[0].ndim)
    for part in parts[1:]:
        a, b = list(parts[0].shape), list(part.shape)
        if len(a) != len(b):
            raise OpError(f"concat: shapes {parts[0].shape} and {part.shape} have different ranks")
        a[axis] = b[axis] = 0
        if a != b:
            raise OpError(f"concat: shapes {parts[0].shape} and {part.shape} differ off axis {axis}")
    return np.concatenate(parts, axis=axis)


def slice(x, *, axis, start, end):  # noqa: A001 - the op's name
    """Positions start ≤ k < end along `axis`; 0 ≤ start ≤ end ≤ length (no negative indices, no step)."""
    axis = _axis("slice", axis, x.ndim)
    if not 0 <= start <= end <= x.shape[axis]:
        raise OpError(f"slice: {start}..<{end} along axis {axis} does not fit {x.shape}")
    return np.array(np.take(x, np.arange(start, end), axis=axis))


def flip(x, *, axes):
    """x with its positions in reverse order along each of `axes` (non-empty, strictly increasing)."""
    axes = _int_list("flip", "axes", axes)
    if not axes or any(b <= a for a, b in zip(axes, axes[1:])):
        raise OpError(f"flip: axes {axes} must be a non-empty, strictly increasing list")
    return np.flip(x, [_axis("flip", a, x.ndim) for a in axes]).copy()


def pad(x, *, axis, before, after):
    """`before` zeros ahead and `after` zeros behind x along `axis`."""
    axis = _axis("pad", axis, x.ndim)
    if before < 0 or after < 0:
        raise OpError(f"pad: cannot pad by {before}, {after}")
    widths = [(0, 0)] * x.ndim
    widths[axis] = (before, after)
    return np.pad(x, widths, mode="constant", constant_values=0.0)


def rows(x, *, indices):
    """x[indices] along axis 0 (repeats allowed): shape [len(indices)] + x.shape[1:]."""
    indices = _int_list("rows", "indices", indices)
    if x.ndim < 1:
        raise OpError("rows: needs a tensor with rows, got a scalar")
    if any(not 0 <= i < x.shape[0] for i in indices):
        raise OpError(f"rows: an index of {indices} is out of range for {x.shape}")
    return x[np.array(indices, dtype=np.intp)].reshape((len(indices),) + x.shape[1:])


def rows_backward(dy, *, indices, count):
    """The adjoint of rows: `count` zero rows, row k of dy added to row indices[k], k ascending."""
    indices = _int_list("rows_backward", "indices", indices)
    if dy.ndim < 1 or dy.shape[0] != len(indices):
        raise OpError(f"rows_backward: needs {len(indices)} rows, got {dy.shape}")
    if any(not 0 <= i < count for i in indices):
        raise OpError(f"rows_backward: an index of {indices} is out of range for {count} rows")
    out = np.zeros((count,) + dy.shape[1:])
    for k, row in enumerate(indices):
        out[row] = out[row] + dy[k]
    return out


# --------------------------------------------------------------------------- local derivatives


def sigmoid_backward(s, dy):
    """dy · s · (1 − s), multiplied left to right; s = σ(x)."""
    _same_shape("sigmoid_backward", s, dy)
    return dy * s * (1.0 - s)


def tanh_backward(t, dy):
    """dy · (1 − t²); t = tanh(x)."""
    _same_shape("tanh_backward", t, dy)
    return dy * (1.0 - t * t)


def relu_backward(x, dy):
    """dy where x > 0, +0.0 elsewhere (also where x is NaN)."""
    _same_shape("relu_backward", x, dy)
    return np.where(x > 0, dy, 0.0)


def softmax_backward(s, dy, *, axis):
    """s · (dy − Σ_axis dy · s); s = softmax(x) along `axis`."""
    _same_shape("softmax_backward", s, dy)
    axis = _axis("softmax_backward", axis, s.ndim)
    dot = np.expand_dims(_sum_along(dy * s, axis), axis)
    return s * (dy - dot)


# --------------------------------------------------------------------------- update


def sgd(p, g, *, lr):
    """p − lr · g: the parameter's next version."""
    if p.shape != g.shape:
        raise OpError(f"sgd: parameter {p.shape} and gradient {g.shape} differ")
    return p - decode_number(lr) * g


def clip_norm(g, *, max_norm):
    """Gradient clipping by norm: g · (max_norm / ‖g‖) when ‖g‖ > max_norm, else g unchanged;
    ‖g‖ = √(Σ g²), the squares added in row-major order from +0.0. NaN norms never clip."""
    limit = decode_number(max_norm)
    if not limit >= 0:
        raise OpError(f"clip_norm: max_norm must be a number ≥ 0, got {max_norm!r}")
    norm = math.sqrt(_sum_all(g * g))
    if norm > limit:
        return g * (limit / norm)
    return g.copy()


def running_average(r, s, *, momentum):
    """(1 − momentum) · r + momentum · s: a running statistic's next version (batch norm's running
    mean and variance, PyTorch's update rule)."""
    m = decode_number(momentum)
    if not 0 <= m <= 1:
        raise OpError(f"running_average: momentum must be a number in [0, 1], got {momentum!r}")
    if r.shape != s.shape:
        raise OpError(f"running_average: running value {r.shape} and statistic {s.shape} differ")
    return (1 - m) * r + m * s


# --------------------------------------------------------------------------- the table


def _signature(function) -> tuple:
    """(function, inputs or None for "one or more", attrs: name → required?), from its parameters."""
    parameters = inspect.signature(function).parameters.values()
    variadic = any(p.kind is p.VAR_POSITIONAL for p in parameters)
    arity = None if variadic else len([p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD])
    return function, arity, {p.name: p.default is p.empty for p in parameters if p.kind is p.KEYWORD_ONLY}


# Each public function here, in numpy_conv_ops or in numpy_neuron_ops is the op of its name: positionals its inputs, keyword-only its attrs.
OPS = {name: _signature(value) for name, value in list(globals().items()) if inspect.isfunction(value)
       and value.__module__ in (__name__, "numpy_conv_ops", "numpy_neuron_ops") and not name.startswith("_")}
OPTIONAL_INPUTS = {name: len(f.__defaults__ or ()) for name, (f, _, _) in OPS.items()}  # last inputs with a default (b=None)


def replay(op: str, inputs: list[np.ndarray], attrs: dict) -> np.ndarray:
    """The output of a step `op` on `inputs` with `attrs`, or OpError when they do not fit."""
    if op not in OPS:
        raise OpError(f"unknown op {op!r}")
    function, arity, known = OPS[op]
    fewest = None if arity is None else arity - OPTIONAL_INPUTS[op]
    if arity is not None and not fewest <= len(inputs) <= arity:
        raise OpError(f"{op}: takes {fewest}{'' if fewest == arity else f' to {arity}'} input(s), the step has {len(inputs)}")
    unknown = set(attrs) - set(known)
    missing = {name for name, required in known.items() if required and name not in attrs}
    if unknown or missing:
        raise OpError(f"{op}: unknown attrs {sorted(unknown)}, missing attrs {sorted(missing)}")
    # For `axis` (sum, mean) and `perm` (transpose), an explicit null means the same as absent.
    kwargs = {name: value for name, value in attrs.items() if not (value is None and name in ("axis", "perm"))}
    if "keepdims" in kwargs and not isinstance(kwargs["keepdims"], bool):
        raise OpError(f"{op}: keepdims must be true or false")
    with np.errstate(all="ignore"):
        return np.asarray(function(*inputs, **kwargs), dtype=np.float64)
