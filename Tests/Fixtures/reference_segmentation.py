#!/usr/bin/env python3
"""Independent reference values for the `segmentation` demo (Tests/ModelsTests/SegmentationTests.swift).

Regenerate (rewrites Tests/Fixtures/segmentation/*.json, only those; needs Python 3.9+ and numpy 2.x):

    python3 Tests/Fixtures/reference_segmentation.py

Written from the documented rules (docs/models.md "segmentation", the demo's doc comments and
the op semantics of docs/trace-format.md "Image ops"), not from the Swift code; no number is read
from a Swift run, and the convolutions here are this file's own (not Tests/Python/numpy_conv_ops.py),
so that the two stay independent. The PRNG is Tests/Python/seeded_generator.py.

The network, on images x (N x 1 x S x S), * a cross-correlation with zero padding:
  h1 = relu(W1 * x + b1)            3x3, padding 1
  m2 = maxpool 2x2 stride 2 of h1   (the first maximum of a window in row-major order wins)
  h2 = relu(W2 *_d m2 + b2)         3x3, dilation d, padding d
  u3 = nearest x2 of h2, or the transposed convolution u3[n,c,2i+a,2j+b] = b3[c] + sum_o W3[o,c,a,b] h2[n,o,i,j]
  s4 = [u3; h1] along channels (with `skip: false`, s4 = u3 and W4 is C x C x 3 x 3)
  h4 = relu(W4 * s4 + b4)           3x3, padding 1
  y  = W5 * h4 + b5                 1x1
  P = softmax of y over the class axis; Q = -1/(N S^2) sum T log P.
Every gradient is written out by hand below and checked against central differences of Q
before anything is written; then SGD p <- p - lr dQ/dp, one step per epoch over all images.

Draws: first per image the square's side a = 3 + int(S/2 - 1), its top and left, each
int(S - a + 1), then the S^2 pixels row-major, 1[inside] + uniform[-0.8, 0.8); then the parameters
W1, b1, W2, b2, [W3, b3,] W4, b4, W5, b5, each row-major uniform in +-1/sqrt(fan_in) with
fan_in = C_in k_h k_w.
Labels: 0 outside, 1 inside, 2 on the square's border ring when K = 3.
"""

import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, snapshot, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402


# ---------------------------------------------------------------------------------------------
# The operations, forward and backward, from their definitions


def conv(x, w, b, pad, dil):
    """y[n,o,i,j] = b[o] + sum_{c,u,v} w[o,c,u,v] xpad[n,c,i+u*dil,j+v*dil] (stride 1)."""
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    H, W = xp.shape[2] - dil * (k - 1), xp.shape[3] - dil * (k - 1)
    y = np.zeros((x.shape[0], w.shape[0], H, W)) + b[None, :, None, None]
    for u in range(k):
        for v in range(k):
            y += np.einsum("nchw,oc->nohw", xp[:, :, u * dil:u * dil + H, v * dil:v * dil + W], w[:, :, u, v])
    return y


def conv_backward(x, w, g, pad, dil):
    """dx, dw, db of conv for the output gradient g: each tap (u, v) sends g back to the input
    positions it read, times its weight, and meets the input it read for dw."""
    k = w.shape[2]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    H, W = g.shape[2], g.shape[3]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for u in range(k):
        for v in range(k):
            window = (slice(None), slice(None), slice(u * dil, u * dil + H), slice(v * dil, v * dil + W))
            dxp[window] += np.einsum("nohw,oc->nchw", g, w[:, :, u, v])
            dw[:, :, u, v] = np.einsum("nohw,nchw->oc", g, xp[window])
    return dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]], dw, g.sum(axis=(0, 2, 3))


def blocks(x):
    """N x C x H x W -> N x C x H/2 x W/2 x 4, each 2x2 block's values in row-major order."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)


def unblocks(b):
    n, c, h, w, _ = b.shape
    return b.reshape(n, c, h, w, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, 2 * h, 2 * w)


def maxpool(x):
    return blocks(x).max(axis=4)


def maxpool_backward(x, g):
    """g goes to each window's first maximum (np.argmax returns the first)."""
    first = blocks(x).argmax(axis=4)
    routed = (np.arange(4) == first[..., None]) * g[..., None]
    return unblocks(routed)


def up_nearest(x):
    return x.repeat(2, axis=2).repeat(2, axis=3)


def up_nearest_backward(g):
    return blocks(g).sum(axis=4)


def up_transposed(y, w, b):
    out = np.zeros((y.shape[0], w.shape[1], 2 * y.shape[2], 2 * y.shape[3])) + b[None, :, None, None]
    for a in range(2):
        for c in range(2):
            out[:, :, a::2, c::2] += np.einsum("noij,ok->nkij", y, w[:, :, a, c])
    return out


def up_transposed_backward(y, w, g):
    dy, dw = np.zeros_like(y), np.zeros_like(w)
    for a in range(2):
        for c in range(2):
            dy += np.einsum("nkij,ok->noij", g[:, :, a::2, c::2], w[:, :, a, c])
            dw[:, :, a, c] = np.einsum("noij,nkij->ok", y, g[:, :, a::2, c::2])
    return dy, dw, g.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------
# The network


def shapes(C, K, transposed, skip):
    """(layer, kernel shape, fan-in) in drawing order."""
    layers = [(1, (C, 1, 3, 3), 9), (2, (C, C, 3, 3), 9 * C)]
    if transposed:
        layers.append((3, (C, C, 2, 2), 4 * C))
    read = 2 * C if skip else C
    return layers + [(4, (C, read, 3, 3), 9 * read), (5, (K, C, 1, 1), C)]


def draw_parameters(gen, C, K, transposed, skip):
    params = {}
    for layer, kernel, fan_in in shapes(C, K, transposed, skip):
        bound = 1 / np.sqrt(fan_in)
        params[f"W_{layer}"] = np.array(gen.tensor(int(np.prod(kernel)), bound)).reshape(kernel)
        params[f"b_{layer}"] = np.array(gen.tensor(kernel[0], bound))
    return params


def draw_task(gen, N, S, K):
    images, labels = np.zeros((N, 1, S, S)), np.zeros((N, S, S), dtype=int)
    for n in range(N):
        side = 3 + gen.next_int(S // 2 - 1)
        top, left = gen.next_int(S - side + 1), gen.next_int(S - side + 1)
        for i in range(S):
            for j in range(S):
                inside = top <= i < top + side and left <= j < left + side
                images[n, 0, i, j] = (1.0 if inside else 0.0) + gen.uniform(-0.8, 0.8)
                border = i in (top, top + side - 1) or j in (left, left + side - 1)
                labels[n, i, j] = 0 if not inside else 2 if K == 3 and border else 1
    T = (np.arange(K)[None, :, None, None] == labels[:, None, :, :]).astype(float)
    return images, labels, T


def forward(p, x, T, d, skip=True):
    f = {"x": x, "T": T}
    f["a_1"] = conv(x, p["W_1"], p["b_1"], 1, 1)
    f["h_1"] = np.maximum(f["a_1"], 0)
    f["m_2"] = maxpool(f["h_1"])
    f["a_2"] = conv(f["m_2"], p["W_2"], p["b_2"], d, d)
    f["h_2"] = np.maximum(f["a_2"], 0)
    f["u_3"] = up_transposed(f["h_2"], p["W_3"], p["b_3"]) if "W_3" in p else up_nearest(f["h_2"])
    f["s_4"] = np.concatenate([f["u_3"], f["h_1"]], axis=1) if skip else f["u_3"]
    f["a_4"] = conv(f["s_4"], p["W_4"], p["b_4"], 1, 1)
    f["h_4"] = np.maximum(f["a_4"], 0)
    f["y"] = conv(f["h_4"], p["W_5"], p["b_5"], 0, 1)
    shifted = f["y"] - f["y"].max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    f["P"] = np.exp(log_p)
    f["Q"] = -np.sum(T * log_p) / (x.shape[0] * x.shape[2] * x.shape[3])
    return f


def backward(p, f, d, skip=True):
    """dQ/d of every tensor: activations by name, parameters by name."""
    g = {}
    N, _, S, _ = f["x"].shape
    g["y"] = (f["P"] - f["T"]) / (N * S * S)
    g["h_4"], g["W_5"], g["b_5"] = conv_backward(f["h_4"], p["W_5"], g["y"], 0, 1)
    g["a_4"] = g["h_4"] * (f["a_4"] > 0)
    g["s_4"], g["W_4"], g["b_4"] = conv_backward(f["s_4"], p["W_4"], g["a_4"], 1, 1)
    C = f["h_1"].shape[1]
    g["u_3"], from_skip = (g["s_4"][:, :C], g["s_4"][:, C:]) if skip else (g["s_4"], 0)
    if "W_3" in p:
        g["h_2"], g["W_3"], g["b_3"] = up_transposed_backward(f["h_2"], p["W_3"], g["u_3"])
    else:
        g["h_2"] = up_nearest_backward(g["u_3"])
    g["a_2"] = g["h_2"] * (f["a_2"] > 0)
    g["m_2"], g["W_2"], g["b_2"] = conv_backward(f["m_2"], p["W_2"], g["a_2"], d, d)
    g["h_1"] = maxpool_backward(f["h_1"], g["m_2"]) + from_skip  # two paths: through the pool and the skip
    g["a_1"] = g["h_1"] * (f["a_1"] > 0)
    _, g["W_1"], g["b_1"] = conv_backward(f["x"], p["W_1"], g["a_1"], 1, 1)
    return g


def accuracy(y, labels):
    return float(np.mean(y.argmax(axis=1) == labels))


def check_gradients(p, x, T, d, skip, case):
    """Every parameter gradient against central differences of Q; stops on a mismatch."""
    g = backward(p, forward(p, x, T, d, skip), d, skip)
    h = 1e-6
    for name, value in p.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus, minus = dict(p), dict(p)
            plus[name], minus[name] = value.copy(), value.copy()
            plus[name][index] += h
            minus[name][index] -= h
            numeric[index] = (forward(plus, x, T, d, skip)["Q"] - forward(minus, x, T, d, skip)["Q"]) / (2 * h)
        error = np.max(np.abs(numeric - g[name]) / np.maximum(1, np.abs(numeric)))
        if error > 1e-7:
            sys.exit(f"{case}: dQ/d{name} differs from central differences by {error}")


# ---------------------------------------------------------------------------------------------
# Cases

DEFAULTS = {"size": 8, "channels": 4, "classes": 2, "upsampling": "nearest", "dilation": 2, "skip": True, "samples": 4, "train": 60,
            "lr": 0.8, "seed": 1}
ACTIVATIONS = ["x", "T", "a_1", "h_1", "m_2", "a_2", "h_2", "u_3", "s_4", "a_4", "h_4", "y", "P"]


def case(name, description, given):
    c = {**DEFAULTS, **given}
    N, S, K, C, d, skip = c["samples"], c["size"], c["classes"], c["channels"], c["dilation"], c["skip"]
    gen = SeededGenerator(c["seed"])
    x, labels, T = draw_task(gen, N, S, K)
    params = draw_parameters(gen, C, K, c["upsampling"] == "transposed", skip)
    check_gradients(params, x, T, d, skip, name)

    names = list(params)
    f = forward(params, x, T, d, skip)
    g = backward(params, f, d, skip)
    activations = [n for n in ACTIVATIONS if skip or n != "s_4"]  # without the skip, layer 4 reads u_3
    tensors = [entry(n, params[n], version=0) for n in names] + [entry(n, f[n]) for n in activations] + [entry("Q", f["Q"])]
    tensors += [entry(f"dQ/d{n}", g[n], gradient_of=n) for n in activations[2:-1] + names]

    losses, snapshots, current = [], {}, params
    epochs = c["train"]  # the demo's `train` counts epochs
    for epoch in range(1, epochs + 1):
        f = forward(current, x, T, d, skip)
        g = backward(current, f, d, skip)
        current = {n: current[n] - c["lr"] * g[n] for n in names}
        losses.append(float(f["Q"]))
        after = forward(current, x, T, d, skip)
        shot = {"accuracy": snapshot(accuracy(after["y"], labels))}
        if epoch in (1, epochs):  # the trace snapshots more often; these two suffice
            shot.update({n: snapshot(current[n]) for n in names})
        snapshots[str(epoch)] = shot
        if epoch == 1:
            tensors += [entry(n, current[n], version=1) for n in names]
    final = snapshots[str(epochs)]["accuracy"]["data"][0]
    baseline = float(np.mean(labels == 0))
    print(f"{name}: loss {losses[0]:.4f} -> {losses[-1]:.4f}, pixel accuracy {final:.4f} (all background {baseline:.4f})")
    return {"case": name, "demo": "segmentation", "description": description, "parameters": given, "tensors": tensors,
            "history": {"losses": losses, "snapshots": snapshots}, "backgroundFraction": baseline}


CASES = [
    ("segmentation-defaults", "defaults: 4 images 8x8, C 4, 2 classes, dilation 2, nearest, 60 epochs, lr 0.8", {}),
    ("segmentation-transposed-edges", "transposed-convolution upsampling, 3 classes (edge), 2 images, C 3, 3 epochs",
     {"upsampling": "transposed", "classes": 3, "size": 8, "samples": 2, "channels": 3, "train": 3, "seed": 5}),
    ("segmentation-dilation1", "dilation 1, C 2, 6x6, 2 images, 5 epochs",
     {"dilation": 1, "channels": 2, "size": 6, "samples": 2, "train": 5, "lr": 0.2, "seed": 7}),
    ("segmentation-no-skip", "the defaults without the skip (layer 4 reads u_3 alone), 20 epochs", {"skip": False, "train": 20}),
    ("segmentation-transposed-train", "transposed, dilation 1, 3 classes, 30 epochs, lr 0.5",
     {"upsampling": "transposed", "dilation": 1, "classes": 3, "train": 30, "lr": 0.5, "seed": 3}),
]


def main():
    out = fixture_folder("segmentation", "segmentation-*.json")
    for name, description, given in CASES:
        write(out, name, case(name, description, given))


if __name__ == "__main__":
    main()
