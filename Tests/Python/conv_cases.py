"""Seeded shapes and attrs for the convolution family, shared by test_numpy_conv_ops.py (adjoint
identities) and test_torch_reference.py (PyTorch as a second reference)."""

from __future__ import annotations

import numpy as np

GROUPINGS = ("full", "grouped", "depthwise")


def random_conv_case(rng: np.random.Generator, grouping: str | None = None):
    """(x, w, b, attrs) for conv2d that fit: groups 1 ("full"), 2 or 3 ("grouped") or C_in
    ("depthwise", with 1 or 2 output channels per input channel); kernels 1–3, strides 1–3,
    dilation 1–2, padding 0–2, images up to 8×8."""
    grouping = grouping or str(rng.choice(GROUPINGS))
    if grouping == "full":
        G, C_in = 1, int(rng.integers(1, 4))
    elif grouping == "grouped":
        G = int(rng.choice([2, 3]))
        C_in = 2 * G
    else:
        G = C_in = int(rng.integers(2, 4))
    C_out = G * int(rng.integers(1, 3))
    k, s, d, p = (rng.integers(1, 4, 2), rng.integers(1, 4, 2), rng.integers(1, 3, 2), rng.integers(0, 3, 2))
    size = [int(rng.integers(max(1, d[a] * (k[a] - 1) + 1 - 2 * p[a]), 9)) for a in range(2)]
    attrs = dict(stride=s.tolist(), padding=p.tolist(), dilation=d.tolist(), groups=G)
    x = rng.standard_normal((int(rng.integers(1, 3)), C_in, *size))
    w = rng.standard_normal((C_out, C_in // G, *k.tolist()))
    return x, w, rng.standard_normal(C_out), attrs


def gradient_output_padding(x_shape, w_shape, attrs) -> list[int]:
    """The output_padding that makes conv_transpose2d give back x's size: the rows (and columns)
    the stride left unread at the far edge, as the spec's gradient rule for conv2d chooses it."""
    return [(x_shape[2 + a] + 2 * attrs["padding"][a] - attrs["dilation"][a] * (w_shape[2 + a] - 1) - 1)
            % attrs["stride"][a] for a in range(2)]


def random_pool_case(rng: np.random.Generator):
    """(x, attrs) for max_pool2d and avg_pool2d: kernels 1–3, strides 1–3, padding ≤ kernel/2."""
    k = rng.integers(1, 4, 2)
    attrs = dict(kernel=k.tolist(), stride=rng.integers(1, 4, 2).tolist(),
                 padding=[int(rng.integers(0, a // 2 + 1)) for a in k])
    x = rng.standard_normal((int(rng.integers(1, 3)), int(rng.integers(1, 3)), *rng.integers(k, k + 6).tolist()))
    return x, attrs
