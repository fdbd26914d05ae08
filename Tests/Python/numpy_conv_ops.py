"""The convolution family of ops (issue #16), written independently in numpy from the op spec
(docs/trace-format.md's op table): conv2d, conv_transpose2d, conv2d_weight, max_pool2d(_backward),
avg_pool2d(_backward), upsample_nearest2d(_backward). numpy_ops.py re-exports them, which
registers them as ops for `replay`.

Images are N×C×H×W, float64; pairs of attributes are [h, w]. Positional parameters are the step's
inputs (a bias is optional: `b=None`), keyword-only ones its attrs, all required.

Each op is written on its own, not through another (conv_transpose2d is a scatter, not conv2d of
a dilated input), so that a mistake in one cannot hide in another; the adjoint identities between
them are then a real check (test_numpy_conv_ops.py). Loops run over kernel taps and are
vectorised over output positions, and every sum adds its terms in one stated order:
- conv2d: from b[o] (or +0.0), the terms over c′, u, v ascending;
- conv_transpose2d: from b[c] (or +0.0), the contributions to x[n, c, h, w] in (o, i, j) ascending
  order, as a scatter over n, o, i, j, u, v adds them;
- conv2d_weight: from +0.0, over n, i, j ascending;
- avg_pool2d: over u, v ascending, then / (k_h·k_w); its backward adds dy/(k_h·k_w) in (i, j) order;
- max_pool2d_backward: dy added in (i, j) order; upsample_nearest2d_backward: over a, b ascending.
Positions outside the input (zero padding) are skipped, not multiplied by 0 (so ∞·0 never makes NaN).
"""

from __future__ import annotations

import numpy as np

from trace_values import OpError

# --------------------------------------------------------------------------- attrs and shapes


def _pair(op: str, name: str, value, minimum: int, fix: str) -> tuple[int, int]:
    """A JSON array [h, w] of integers ≥ minimum, or an OpError naming the attribute and the fix."""
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise OpError(f"{op}: attribute {name!r} must be two integers [h, w], got {value!r}")
    if min(value) < minimum:
        raise OpError(f"{op}: attribute {name!r} = {value} has a value below {minimum}: {fix}")
    return value[0], value[1]


def _groups(op: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OpError(f"{op}: attribute 'groups' must be an integer ≥ 1, got {value!r}: use 1 for a full convolution")
    return value


def _image(op: str, name: str, x: np.ndarray) -> tuple[int, int, int, int]:
    if x.ndim != 4:
        raise OpError(f"{op}: {name} must be N×C×H×W (rank 4), got shape {x.shape}")
    return x.shape


def _out_size(op: str, axis: str, size: int, k: int, s: int, p: int, d: int) -> int:
    """⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 along one axis; an error when the kernel does not fit."""
    span = d * (k - 1) + 1
    if size + 2 * p < span:
        raise OpError(f"{op}: kernel larger than the padded input along {axis}: {size} + 2·{p} < {span} "
                      f"(the dilated kernel's extent); pad more or use a smaller kernel or dilation")
    return (size + 2 * p - span) // s + 1


def _conv_attrs(op, stride, padding, dilation, groups):
    s = _pair(op, "stride", stride, 1, "a stride is at least 1")
    p = _pair(op, "padding", padding, 0, "padding is at least 0")
    d = _pair(op, "dilation", dilation, 1, "dilation is at least 1 (1 is no dilation)")
    return s, p, d, _groups(op, groups)


def _divides(op: str, groups: int, what: str, count: int) -> None:
    if count % groups:
        raise OpError(f"{op}: groups = {groups} does not divide {what} = {count}: "
                      f"choose groups dividing both channel counts")


def _bias(op: str, b, channels: int) -> None:
    if b is not None and b.shape != (channels,):
        raise OpError(f"{op}: bias b must have shape ({channels},), one per output channel, got {b.shape}")


def _start(shape, b) -> np.ndarray:
    """Where a convolution's sums start: b[c] over channel c, or +0.0 without a bias."""
    return np.zeros(shape) if b is None else np.array(np.broadcast_to(b[None, :, None, None], shape))


def _taps(size: int, out: int, k: int, s: int, p: int, d: int):
    """For each kernel offset u: (input rows i·s + u·d − p clipped into range, mask of those inside)."""
    rows = np.arange(out) * s - p
    for u in range(k):
        r = rows + u * d
        yield u, np.clip(r, 0, size - 1), (r >= 0) & (r < size)


def _window(x, rows, cols):
    """x[..., rows[i], cols[j]] for every (i, j)."""
    return x[..., rows[:, None], cols[None, :]]


# --------------------------------------------------------------------------- convolution


def conv2d(x, w, b=None, *, stride, padding, dilation, groups):
    """y[n,o,i,j] = b[o] + Σ_{c′,u,v} w[o,c′,u,v] · x[n, g·C_in/G + c′, i·s_h + u·d_h − p_h, j·s_w + v·d_w − p_w],
    g = ⌊o/(C_out/G)⌋ the output channel's group; x is 0 outside (zero padding)."""
    op = "conv2d"
    (s_h, s_w), (p_h, p_w), (d_h, d_w), G = _conv_attrs(op, stride, padding, dilation, groups)
    N, C_in, H, W = _image(op, "x", x)
    C_out, per_group, k_h, k_w = _image(op, "the kernel w", w)
    _divides(op, G, "C_in", C_in)
    _divides(op, G, "C_out", C_out)
    if per_group != C_in // G:
        raise OpError(f"{op}: the kernel w has {per_group} input channels, expected C_in/groups = {C_in // G} "
                      f"(x has {C_in} channels, groups = {G})")
    _bias(op, b, C_out)
    H_o = _out_size(op, "height", H, k_h, s_h, p_h, d_h)
    W_o = _out_size(op, "width", W, k_w, s_w, p_w, d_w)
    y = _start((N, C_out, H_o, W_o), b)
    O = C_out // G  # output channels per group
    for g in range(G):
        for c in range(per_group):
            channel = x[:, g * per_group + c]
            for u, rows, row_in in _taps(H, H_o, k_h, s_h, p_h, d_h):
                for v, cols, col_in in _taps(W, W_o, k_w, s_w, p_w, d_w):
                    inside = row_in[:, None] & col_in[None, :]
                    patch = _window(channel, rows, cols)[:, None]                 # N×1×H_o×W_o
                    kernel = w[g * O:(g + 1) * O, c, u, v][None, :, None, None]   # 1×O×1×1
                    y[:, g * O:(g + 1) * O] += np.where(inside, kernel * patch, 0.0)
    return y


def conv_transpose2d(y, w, b=None, *, stride, padding, dilation, groups, output_padding):
    """The adjoint of conv2d in x: x starts as b[c] (or 0) and each y[n,o,i,j] · w[o,c′,u,v] is added
    to x[n, g·C_x/G + c′, i·s_h + u·d_h − p_h, j·s_w + v·d_w − p_w] when that lies inside x."""
    op = "conv_transpose2d"
    (s_h, s_w), (p_h, p_w), (d_h, d_w), G = _conv_attrs(op, stride, padding, dilation, groups)
    a_h, a_w = _pair(op, "output_padding", output_padding, 0, "output_padding is at least 0")
    if a_h >= max(s_h, d_h) or a_w >= max(s_w, d_w):
        raise OpError(f"{op}: attribute 'output_padding' = {[a_h, a_w]} must be below max(stride, dilation) "
                      f"= {[max(s_h, d_h), max(s_w, d_w)]} on each axis")
    N, C_y, H_y, W_y = _image(op, "y", y)
    C_w, per_group, k_h, k_w = _image(op, "the kernel w", w)
    if C_w != C_y:
        raise OpError(f"{op}: the kernel w has {C_w} output channels, y has {C_y}: they must agree")
    _divides(op, G, "C_y", C_y)
    C_x = per_group * G
    _bias(op, b, C_x)
    H = (H_y - 1) * s_h - 2 * p_h + d_h * (k_h - 1) + a_h + 1
    W = (W_y - 1) * s_w - 2 * p_w + d_w * (k_w - 1) + a_w + 1
    if H <= 0 or W <= 0:
        raise OpError(f"{op}: the output would be {H}×{W}: padding {[p_h, p_w]} crops away everything; pad less")
    x = _start((N, C_x, H, W), b)
    O = C_y // G
    for o in range(C_y):
        g = o // O
        # For one x position, (i, j) ascending is (u, v) descending: the scatter's order.
        for u in reversed(range(k_h)):
            rows = np.arange(H_y) * s_h + u * d_h - p_h
            i_in = np.nonzero((rows >= 0) & (rows < H))[0]
            for v in reversed(range(k_w)):
                cols = np.arange(W_y) * s_w + v * d_w - p_w
                j_in = np.nonzero((cols >= 0) & (cols < W))[0]
                target = x[:, g * per_group:(g + 1) * per_group]                   # a view: += writes into x
                source = y[:, o][:, None, i_in[:, None], j_in[None, :]] * w[o, :, u, v][None, :, None, None]
                target[:, :, rows[i_in][:, None], cols[j_in][None, :]] += source
    return x


def conv2d_weight(x, dy, *, stride, padding, dilation, groups, kernel):
    """∂L/∂w of conv2d (no gradient rule of its own):
    dw[o,c′,u,v] = Σ_{n,i,j} dy[n,o,i,j] · x[n, g·C_in/G + c′, i·s_h + u·d_h − p_h, j·s_w + v·d_w − p_w]."""
    op = "conv2d_weight"
    (s_h, s_w), (p_h, p_w), (d_h, d_w), G = _conv_attrs(op, stride, padding, dilation, groups)
    k_h, k_w = _pair(op, "kernel", kernel, 1, "a kernel is at least 1×1")
    N, C_in, H, W = _image(op, "x", x)
    N_dy, C_out, H_o, W_o = _image(op, "dy", dy)
    _divides(op, G, "C_in", C_in)
    _divides(op, G, "C_out", C_out)
    expected = (N, C_out, _out_size(op, "height", H, k_h, s_h, p_h, d_h), _out_size(op, "width", W, k_w, s_w, p_w, d_w))
    if dy.shape != expected:
        raise OpError(f"{op}: dy has shape {dy.shape}, but conv2d of x {x.shape} with these attrs gives {expected}")
    per_group, O = C_in // G, C_out // G
    dw = np.zeros((C_out, per_group, k_h, k_w))
    for g in range(G):
        grads = dy[:, g * O:(g + 1) * O]                                           # N×O×H_o×W_o
        for u, rows, row_in in _taps(H, H_o, k_h, s_h, p_h, d_h):
            for v, cols, col_in in _taps(W, W_o, k_w, s_w, p_w, d_w):
                inside = row_in[:, None] & col_in[None, :]
                patch = _window(x[:, g * per_group:(g + 1) * per_group], rows, cols)  # N×C′×H_o×W_o
                terms = np.where(inside, grads[:, :, None] * patch[:, None], 0.0)      # N×O×C′×H_o×W_o
                ordered = np.moveaxis(terms, (1, 2), (3, 4)).reshape(-1, O, per_group)  # (n, i, j) × O × C′
                total = np.zeros((O, per_group))
                for term in ordered:
                    total = total + term
                dw[g * O:(g + 1) * O, :, u, v] = total
    return dw


# --------------------------------------------------------------------------- pooling


def _pool_attrs(op, kernel, stride, padding):
    k = _pair(op, "kernel", kernel, 1, "a pooling window is at least 1×1")
    s = _pair(op, "stride", stride, 1, "a stride is at least 1")
    p = _pair(op, "padding", padding, 0, "padding is at least 0")
    if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
        raise OpError(f"{op}: attribute 'padding' = {list(p)} is more than half the kernel {list(k)}: "
                      f"a window could see only padding; use padding ≤ kernel/2")
    return k, s, p


def _pooled(op, H, W, k, s, p):
    return _out_size(op, "height", H, k[0], s[0], p[0], 1), _out_size(op, "width", W, k[1], s[1], p[1], 1)


def _argmax(op, x, kernel, stride, padding):
    """For each window: its largest value and where it is (row, column); ties to the first in (u, v) order.
    A NaN beats any number (the first NaN wins), as max does in IEEE-minded libraries."""
    k, s, p = _pool_attrs(op, kernel, stride, padding)
    N, C, H, W = _image(op, "x", x)
    H_o, W_o = _pooled(op, H, W, k, s, p)
    best = np.full((N, C, H_o, W_o), -np.inf)
    where_row = np.zeros((N, C, H_o, W_o), dtype=np.intp)
    where_col = np.zeros((N, C, H_o, W_o), dtype=np.intp)
    found = np.zeros((N, C, H_o, W_o), dtype=bool)
    for _, rows, row_in in _taps(H, H_o, k[0], s[0], p[0], 1):
        for _, cols, col_in in _taps(W, W_o, k[1], s[1], p[1], 1):
            inside = row_in[:, None] & col_in[None, :]
            value = _window(x, rows, cols)
            better = inside & (~found | (value > best) | (np.isnan(value) & ~np.isnan(best)))
            best = np.where(better, value, best)
            where_row = np.where(better, rows[:, None], where_row)
            where_col = np.where(better, cols[None, :], where_col)
            found |= inside
    return best, where_row, where_col


def max_pool2d(x, *, kernel, stride, padding):
    """y[n,c,i,j] = max over the window of x[n,c,i·s_h+u−p_h, j·s_w+v−p_w]; padding is never chosen."""
    return _argmax("max_pool2d", x, kernel, stride, padding)[0]


def max_pool2d_backward(x, dy, *, kernel, stride, padding):
    """dx: zeros, and dy[n,c,i,j] added at the argmax of window (i, j), (i, j) ascending."""
    op = "max_pool2d_backward"
    best, rows, cols = _argmax(op, x, kernel, stride, padding)
    if dy.shape != best.shape:
        raise OpError(f"{op}: dy has shape {dy.shape}, but max_pool2d of x {x.shape} gives {best.shape}")
    N, C = x.shape[:2]
    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
    dx = np.zeros(x.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            dx[n, c, rows[:, :, i, j], cols[:, :, i, j]] += dy[:, :, i, j]
    return dx


def avg_pool2d(x, *, kernel, stride, padding):
    """y[n,c,i,j] = Σ over the window / (k_h·k_w); padded positions count as 0 and in the count."""
    op = "avg_pool2d"
    k, s, p = _pool_attrs(op, kernel, stride, padding)
    N, C, H, W = _image(op, "x", x)
    H_o, W_o = _pooled(op, H, W, k, s, p)
    total = np.zeros((N, C, H_o, W_o))
    for _, rows, row_in in _taps(H, H_o, k[0], s[0], p[0], 1):
        for _, cols, col_in in _taps(W, W_o, k[1], s[1], p[1], 1):
            total = total + np.where(row_in[:, None] & col_in[None, :], _window(x, rows, cols), 0.0)
    return total / float(k[0] * k[1])


def avg_pool2d_backward(dy, *, kernel, stride, padding, size):
    """dx[n,c,h,w] = Σ over the windows (i, j) that cover (h, w) of dy[n,c,i,j] / (k_h·k_w)."""
    op = "avg_pool2d_backward"
    k, s, p = _pool_attrs(op, kernel, stride, padding)
    H, W = _pair(op, "size", size, 1, "size is the pooled input's [H, W], each at least 1")
    N, C, H_o, W_o = _image(op, "dy", dy)
    if (H_o, W_o) != _pooled(op, H, W, k, s, p):
        raise OpError(f"{op}: dy is {H_o}×{W_o}, but pooling an input of size {[H, W]} gives "
                      f"{'×'.join(map(str, _pooled(op, H, W, k, s, p)))}: 'size' must be the input's [H, W]")
    share = dy / float(k[0] * k[1])
    dx = np.zeros((N, C, H, W))
    for u in reversed(range(k[0])):  # (i, j) ascending for each (h, w), as in conv_transpose2d
        rows = np.arange(H_o) * s[0] + u - p[0]
        i_in = np.nonzero((rows >= 0) & (rows < H))[0]
        for v in reversed(range(k[1])):
            cols = np.arange(W_o) * s[1] + v - p[1]
            j_in = np.nonzero((cols >= 0) & (cols < W))[0]
            dx[:, :, rows[i_in][:, None], cols[j_in][None, :]] += share[:, :, i_in[:, None], j_in[None, :]]
    return dx


# --------------------------------------------------------------------------- upsampling


def _scale(op, scale):
    return _pair(op, "scale", scale, 1, "an upsampling factor is an integer ≥ 1")


def upsample_nearest2d(x, *, scale):
    """y[n,c,i,j] = x[n,c,⌊i/f_h⌋,⌊j/f_w⌋]: each value repeated into an f_h×f_w block."""
    f_h, f_w = _scale("upsample_nearest2d", scale)
    N, C, H, W = _image("upsample_nearest2d", "x", x)
    return x[:, :, (np.arange(H * f_h) // f_h)[:, None], (np.arange(W * f_w) // f_w)[None, :]]


def upsample_nearest2d_backward(dy, *, scale):
    """dx[n,c,h,w] = Σ_{a<f_h} Σ_{b<f_w} dy[n,c,h·f_h + a, w·f_w + b], a then b ascending."""
    op = "upsample_nearest2d_backward"
    f_h, f_w = _scale(op, scale)
    N, C, H_y, W_y = _image(op, "dy", dy)
    if H_y % f_h or W_y % f_w:
        raise OpError(f"{op}: dy is {H_y}×{W_y}, not a whole number of {f_h}×{f_w} blocks of attribute 'scale'")
    dx = np.zeros((N, C, H_y // f_h, W_y // f_w))
    for a in range(f_h):
        for b in range(f_w):
            dx = dx + dy[:, :, a::f_h, b::f_w]
    return dx
