"""The numpy convolution family (numpy_conv_ops.py) against values worked out by hand, and against
each other only through identities that a mistake in one would break: conv2d's adjoints in x and in w,
the pooling and upsampling adjoints, and max-pool's backward conserving Σ dy."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_ops as ops
from conv_cases import GROUPINGS, gradient_output_padding, random_conv_case, random_pool_case

CONV = dict(stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1)
POOL2 = dict(kernel=[2, 2], stride=[2, 2], padding=[0, 0])


def image(rows) -> np.ndarray:
    """One 1×1×H×W image from its rows."""
    return np.array(rows, dtype=np.float64)[None, None]


X3 = image([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
K2 = image([[1, 2], [3, 4]])  # as a 1×1×2×2 kernel


# --------------------------------------------------------------------------- conv2d by hand


def test_conv2d_of_a_3x3_image_with_a_2x2_kernel_and_bias():
    # y[i,j] = 1·x[i,j] + 2·x[i,j+1] + 3·x[i+1,j] + 4·x[i+1,j+1] + 0.5
    # y[0,0] = 1 + 4 + 12 + 20 = 37, y[0,1] = 2 + 6 + 15 + 24 = 47,
    # y[1,0] = 4 + 10 + 21 + 32 = 67, y[1,1] = 5 + 12 + 24 + 36 = 77.
    y = ops.conv2d(X3, K2, np.array([0.5]), **CONV)
    assert y.tolist() == [[[[37.5, 47.5], [67.5, 77.5]]]]


def test_conv2d_with_stride_2_and_padding_1_reads_zeros_outside():
    # Output ⌊(3 + 2 − 1 − 1)/2⌋ + 1 = 2; window (i, j) starts at (2i − 1, 2j − 1).
    # y[0,0]: only x[0,0]=1 under w[1,1]=4 → 4.   y[0,1]: x[0,1]·w[1,0] + x[0,2]·w[1,1] = 6 + 12 = 18.
    # y[1,0]: x[1,0]·w[0,1] + x[2,0]·w[1,1] = 8 + 28 = 36.   y[1,1]: 5·1 + 6·2 + 8·3 + 9·4 = 77.
    y = ops.conv2d(X3, K2, **{**CONV, "stride": [2, 2], "padding": [1, 1]})
    assert y.tolist() == [[[[4, 18], [36, 77]]]]


def test_conv2d_with_dilation_2_spreads_the_kernel():
    # x[h,w] = 5h + w on 5×5; the dilated 2×2 kernel spans 3 → a 3×3 output with
    # y[i,j] = 1·x[i,j] + 2·x[i,j+2] + 3·x[i+2,j] + 4·x[i+2,j+2] = 10·(5i + j) + (4 + 30 + 48).
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    y = ops.conv2d(x, K2, **{**CONV, "dilation": [2, 2]})
    assert y.tolist() == [[[[10 * (5 * i + j) + 82 for j in range(3)] for i in range(3)]]]


def test_conv2d_groups_2_keeps_channels_apart():
    # Channel 0 = [[1,2],[3,4]] under all-ones → 10; channel 1 = [[5,6],[7,8]] under the identity → 5 + 8 = 13.
    x = np.array([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]], dtype=np.float64)
    w = np.array([[[[1, 1], [1, 1]]], [[[1, 0], [0, 1]]]], dtype=np.float64)
    assert ops.conv2d(x, w, **{**CONV, "groups": 2}).tolist() == [[[[10]], [[13]]]]


def test_depthwise_with_a_multiplier_maps_output_channels_to_groups_in_blocks():
    # C_in = 2, C_out = 4, groups 2: outputs 0, 1 read channel 0; outputs 2, 3 read channel 1.
    x = np.array([[[[1.0]], [[10.0]]]])
    w = np.array([1.0, 2.0, 3.0, 4.0]).reshape(4, 1, 1, 1)
    assert ops.conv2d(x, w, **{**CONV, "groups": 2}).reshape(-1).tolist() == [1, 2, 30, 40]


# --------------------------------------------------------------------------- conv_transpose2d by hand


def test_conv_transpose2d_stride_1_adds_overlapping_kernel_copies():
    # x[h,w] = Σ_{i,j} y[i,j] · w[h − i, w − j], y = w = [[1,2],[3,4]]:
    # x[1,1] = 1·4 + 2·3 + 3·2 + 4·1 = 20, x[0,1] = 1·2 + 2·1 = 4, x[1,2] = 2·4 + 4·2 = 16, …
    x = ops.conv_transpose2d(K2, K2, **CONV, output_padding=[0, 0])
    assert x.tolist() == [[[[1, 4, 4], [6, 20, 16], [9, 24, 16]]]]


def test_conv_transpose2d_padding_crops_the_border():
    # H = (2 − 1)·1 − 2·1 + (2 − 1) + 1 = 1: only the centre of the 3×3 above survives.
    x = ops.conv_transpose2d(K2, K2, **{**CONV, "padding": [1, 1]}, output_padding=[0, 0])
    assert x.tolist() == [[[[20]]]]


def test_conv_transpose2d_stride_2_with_output_padding_1_and_bias():
    # H = (2 − 1)·2 + (2 − 1) + 1 + 1 = 5: each y[i,j] paints y[i,j]·w at rows 2i..2i+1, columns
    # 2j..2j+1 (no overlap); row 4 and column 4 only receive the bias 1.
    x = ops.conv_transpose2d(K2, K2, np.array([1.0]), **{**CONV, "stride": [2, 2]}, output_padding=[1, 1])
    painted = np.array([[1, 2, 2, 4, 0], [3, 4, 6, 8, 0], [3, 6, 4, 8, 0], [9, 12, 12, 16, 0], [0, 0, 0, 0, 0]])
    assert x.tolist() == (painted + 1)[None, None].tolist()


# --------------------------------------------------------------------------- conv2d_weight by hand


def test_conv2d_weight_correlates_the_input_with_the_gradient():
    # dy all ones (2×2): dw[u,v] = Σ_{i,j} x[i+u, j+v]: 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28.
    dw = ops.conv2d_weight(X3, np.ones((1, 1, 2, 2)), **CONV, kernel=[2, 2])
    assert dw.tolist() == [[[[12, 16], [24, 28]]]]


def test_conv2d_weight_with_stride_and_padding_sees_only_the_real_input():
    # Stride 2, padding 1: dy = [[1,0],[0,0]] selects window (0, 0), rows/columns −1..0, so
    # dw[u,v] = x[u − 1, v − 1]: zero except dw[1,1] = x[0,0] = 1.
    dy = image([[1, 0], [0, 0]])
    dw = ops.conv2d_weight(X3, dy, **{**CONV, "stride": [2, 2], "padding": [1, 1]}, kernel=[2, 2])
    assert dw.tolist() == [[[[0, 0], [0, 1]]]]


# --------------------------------------------------------------------------- pooling and upsampling by hand


def test_max_pool_ties_go_to_the_first_maximum_in_row_major_window_order():
    # Window 0 = (1, 3 | 3, 2): the 3 at (0, 1) comes before the 3 at (1, 0).
    # Window 1 is all zeros: its first position (0, 2) takes the gradient.
    x = image([[1, 3, 0, 0], [3, 2, 0, 0]])
    assert ops.max_pool2d(x, **POOL2).tolist() == [[[[3, 0]]]]
    dx = ops.max_pool2d_backward(x, image([[10, 20]]), **POOL2)
    assert dx.tolist() == [[[[0, 10, 20, 0], [0, 0, 0, 0]]]]


def test_max_pool_backward_adds_the_gradients_of_overlapping_windows_at_a_shared_argmax():
    # Windows (1, 5) and (5, 2) both pick the 5: it collects 1 + 10.
    x = image([[1, 5, 2]])
    attrs = dict(kernel=[1, 2], stride=[1, 1], padding=[0, 0])
    assert ops.max_pool2d(x, **attrs).tolist() == [[[[5, 5]]]]
    assert ops.max_pool2d_backward(x, image([[1, 10]]), **attrs).tolist() == [[[[0, 11, 0]]]]


def test_max_pool_never_chooses_padding():
    # Padding 1 around [[−1,−2],[−3,−4]] with 2×2 windows at stride 2: each window holds one real
    # value and three padded positions; a zero padding would win, −∞ does not.
    x = image([[-1, -2], [-3, -4]])
    y = ops.max_pool2d(x, kernel=[2, 2], stride=[2, 2], padding=[1, 1])
    assert y.tolist() == x.tolist()


def test_avg_pool_with_padding_counts_padded_positions_as_zeros():
    # 3×3 output of 2×2 windows over [[1,2],[3,4]] padded by 1, each sum divided by 4:
    # corners 1, 2, 3, 4 alone; edges 1+2, 1+3, 2+4, 3+4; the centre 10.
    y = ops.avg_pool2d(image([[1, 2], [3, 4]]), kernel=[2, 2], stride=[1, 1], padding=[1, 1])
    assert y.tolist() == [[[[0.25, 0.75, 0.5], [1.0, 2.5, 1.5], [0.75, 1.75, 1.0]]]]


def test_avg_pool_backward_spreads_each_gradient_over_its_window():
    # dy = [[1,2,3],[4,5,6],[7,8,9]] on the windows above; x[0,0] is in windows (0|1, 0|1):
    # (1 + 2 + 4 + 5)/4 = 3; x[0,1]: (2 + 3 + 5 + 6)/4 = 4; x[1,0]: (4 + 5 + 7 + 8)/4 = 6; x[1,1]: 28/4 = 7.
    dx = ops.avg_pool2d_backward(X3, kernel=[2, 2], stride=[1, 1], padding=[1, 1], size=[2, 2])
    assert dx.tolist() == [[[[3, 4], [6, 7]]]]


def test_global_average_pooling_is_avg_pool_over_the_whole_image():
    assert ops.avg_pool2d(X3, kernel=[3, 3], stride=[1, 1], padding=[0, 0]).tolist() == [[[[5.0]]]]


def test_nearest_upsampling_repeats_each_value_into_a_block():
    x = image([[1, 2], [3, 4]])
    assert ops.upsample_nearest2d(x, scale=[2, 2]).tolist() == [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]
    assert ops.upsample_nearest2d(x, scale=[1, 3]).tolist() == [[[[1, 1, 1, 2, 2, 2], [3, 3, 3, 4, 4, 4]]]]


def test_nearest_upsampling_backward_sums_each_block():
    # dy = 0..15 as 4×4: blocks 0+1+4+5 = 10, 2+3+6+7 = 18, 8+9+12+13 = 42, 10+11+14+15 = 50.
    dx = ops.upsample_nearest2d_backward(np.arange(16.0).reshape(1, 1, 4, 4), scale=[2, 2])
    assert dx.tolist() == [[[[10, 18], [42, 50]]]]


# --------------------------------------------------------------------------- adjoint identities


def dot(a, b) -> float:
    return float(np.sum(a * b))


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("seed", range(15))
def test_conv2d_transpose_and_weight_gradient_are_adjoints(seed, grouping):
    """⟨conv2d(x, w), y⟩ = ⟨x, conv_transpose2d(y, w)⟩ = ⟨w, conv2d_weight(x, y)⟩."""
    rng = np.random.default_rng(seed)
    x, w, _, attrs = random_conv_case(rng, grouping)
    out = ops.conv2d(x, w, **attrs)
    y = rng.standard_normal(out.shape)
    extra = gradient_output_padding(x.shape, w.shape, attrs)
    back = ops.conv_transpose2d(y, w, **attrs, output_padding=extra)
    assert back.shape == x.shape
    dw = ops.conv2d_weight(x, y, **attrs, kernel=list(w.shape[2:]))
    assert dw.shape == w.shape
    reference = dot(out, y)
    scale = dot(np.abs(out), np.abs(y)) + 1.0
    assert abs(dot(x, back) - reference) <= 1e-12 * scale
    assert abs(dot(w, dw) - reference) <= 1e-12 * scale


def routed_by_hand(x, dy, *, kernel, stride, padding):
    """max_pool2d_backward one output position at a time: np.argmax of the window's real positions."""
    dx = np.zeros(x.shape)
    for n, c, i, j in np.ndindex(*dy.shape):
        top, left = i * stride[0] - padding[0], j * stride[1] - padding[1]
        rows = range(max(top, 0), min(top + kernel[0], x.shape[2]))
        cols = range(max(left, 0), min(left + kernel[1], x.shape[3]))
        window = x[n, c][np.ix_(rows, cols)]
        u, v = np.unravel_index(np.argmax(window), window.shape)
        dx[n, c, rows[u], cols[v]] += dy[n, c, i, j]
    return dx


@pytest.mark.parametrize("seed", range(20))
def test_pooling_and_upsampling_adjoints_and_max_pool_routing_window_by_window(seed):
    rng = np.random.default_rng(100 + seed)
    x, attrs = random_pool_case(rng)
    y = rng.standard_normal(ops.avg_pool2d(x, **attrs).shape)
    back = ops.avg_pool2d_backward(y, **attrs, size=list(x.shape[2:]))
    assert abs(dot(ops.avg_pool2d(x, **attrs), y) - dot(x, back)) <= 1e-12 * (dot(np.abs(x), np.abs(back)) + 1)
    routed = ops.max_pool2d_backward(x, y, **attrs)
    assert abs(routed.sum() - y.sum()) <= 1e-12 * (np.abs(y).sum() + 1)
    assert np.array_equal(routed, routed_by_hand(x, y, **attrs))
    scale = rng.integers(1, 4, 2).tolist()
    up = rng.standard_normal(ops.upsample_nearest2d(x, scale=scale).shape)
    assert abs(dot(ops.upsample_nearest2d(x, scale=scale), up) - dot(x, ops.upsample_nearest2d_backward(up, scale=scale))) \
        <= 1e-12 * (np.abs(up).sum() * np.abs(x).max() + 1)


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("call, words", [
    (lambda: ops.conv2d(X3, np.ones((1, 1, 5, 5)), **CONV), "kernel larger than the padded input"),
    (lambda: ops.conv2d(X3, K2, **{**CONV, "stride": [0, 1]}), "'stride'"),
    (lambda: ops.conv2d(np.ones((1, 3, 3, 3)), np.ones((2, 1, 1, 1)), **{**CONV, "groups": 2}), "groups = 2 does not divide C_in = 3"),
    (lambda: ops.conv2d(np.ones((1, 2, 3, 3)), np.ones((2, 2, 1, 1)), **{**CONV, "groups": 2}), "C_in/groups = 1"),
    (lambda: ops.conv2d(X3, K2, np.ones(2), **CONV), "bias b must have shape (1,)"),
    (lambda: ops.conv2d(X3[0], K2, **CONV), "x must be N×C×H×W"),
    (lambda: ops.conv_transpose2d(K2, K2, **CONV, output_padding=[1, 0]), "'output_padding'"),
    (lambda: ops.conv_transpose2d(image([[1.0]]), image([[1.0]]), **{**CONV, "padding": [1, 1]}, output_padding=[0, 0]), "pad less"),
    (lambda: ops.conv2d_weight(X3, np.ones((1, 1, 3, 3)), **CONV, kernel=[2, 2]), "dy has shape"),
    (lambda: ops.max_pool2d(X3, kernel=[2, 2], stride=[1, 1], padding=[2, 0]), "'padding'"),
    (lambda: ops.avg_pool2d_backward(np.ones((1, 1, 2, 2)), **POOL2, size=[2, 2]), "'size'"),
    (lambda: ops.upsample_nearest2d(X3, scale=[0, 1]), "'scale'"),
    (lambda: ops.upsample_nearest2d_backward(X3, scale=[2, 2]), "'scale'"),
])
def test_shapes_and_attrs_that_do_not_fit_are_refused_by_name(call, words):
    with pytest.raises(ops.OpError) as error:
        call()
    assert words in str(error.value)


def test_replay_takes_a_convolution_with_or_without_bias_and_nothing_else():
    attrs = dict(CONV)
    assert ops.replay("conv2d", [X3, K2], attrs).tolist() == [[[[37, 47], [67, 77]]]]
    assert ops.replay("conv2d", [X3, K2, np.array([1.0])], attrs)[0, 0, 0, 0] == 38
    for inputs in ([X3], [X3, K2, np.ones(1), np.ones(1)]):
        with pytest.raises(ops.OpError, match=r"takes 2 to 3 input\(s\)"):
            ops.replay("conv2d", inputs, attrs)
    with pytest.raises(ops.OpError, match="missing attrs"):
        ops.replay("conv2d", [X3, K2], {"stride": [1, 1]})
    assert (ops.OPS["conv2d"][1], ops.OPTIONAL_INPUTS["conv2d"]) == (3, 1)
    assert (ops.OPS["conv2d_weight"][1], ops.OPTIONAL_INPUTS["conv2d_weight"]) == (2, 0)
