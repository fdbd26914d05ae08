#!/usr/bin/env python3
"""Independent reference values for the `cnn` demo (Tests/ModelsTests/CNNTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/cnn/*.json, and only those) with:

    python3 Tests/Fixtures/reference_cnn.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (docs/models.md, "cnn"; the
op semantics in docs/trace-format.md, "Image ops"), not from the Swift code, and no number is read
from a Swift run. The PRNG is Tests/Python/seeded_generator.py; the convolution, pooling and every
gradient are written out here by hand (not imported from Tests/Python/numpy_conv_ops.py), and the
gradients are checked against central differences before anything is written.

The network, images N x 1 x 8 x 8, kernels k x k with k odd and zero padding p = (k - 1)/2:
    z1 = w1 * x + b1, a1 = relu(z1), h1 = maxpool 2x2 stride 2 (a1)
    z2 = w2 * h1 + b2, h2 = relu(z2)
    g = mean of h2 over each channel's pixels (N x C2), y = g W3 + b3 (b3 is 1 x K)
    p = softmax(y) along the classes, Q = -(1/N) sum T log softmax(y)
where * is cross-correlation, y[n,o,i,j] = b[o] + sum_c sum_u sum_v w[o,c,u,v] x[n,c,i+u-p,j+v-p].

Draws: w1 (C1 x 1 x k x k), b1, w2 (C2 x C1 x k x k), b2 uniform in +-1/sqrt(C_in k^2), W3 (C2 x K),
b3 uniform in +-1/sqrt(C2), then the images: for sample j, class j mod K, the row offset
next_int(8 - height + 1), the column offset likewise, then 64 noise values uniform in
[-noise, noise) added row-major to the shape's 0s and 1s (shapes: 1x5 bar, 5x1 bar, 5-cell
diagonal, 4x4 square outline).

Training: `train` epochs over the images in order, batches of `batch` (the last one smaller when batch does
not divide the samples); each batch one SGD step on its mean loss. An epoch's history loss is
sum_b n_b Q_b / m (each Q_b before its step); after the epoch the whole set goes through the
network: accuracy = fraction with argmax y (first maximum) = label, and the chosen image's a1
(feature_maps_1, C1 x 8 x 8) and h2 (feature_maps_2, C2 x 4 x 4).

`run` also serves reference_augmentation.py: a `validation` split (the last floor(validation * m)
images held out, their loss and accuracy per epoch) and each training batch's augmentation.

Each fixture has the layout of Tests/Fixtures/models (see fixture_io.py): the first iteration's
tensors (by trace name; parameters at version 0 and 1; gradients by `gradientOf`) and `history`
with every epoch's loss and, per epoch, the accuracy and both maps as snapshots.
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, snapshot, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

SIZE = 8
DEFAULTS = {"channels": [4, 8], "kernel": 3, "classes": 4, "samples": 64, "noise": 0.3, "batch": 8,
            "train": 30, "lr": 0.5, "image": 1, "seed": 1, "validation": 0}
SHAPES = [
    [(0, c) for c in range(5)],
    [(r, 0) for r in range(5)],
    [(i, i) for i in range(5)],
    [(r, c) for r in range(4) for c in range(4) if r in (0, 3) or c in (0, 3)],
]


# ---------------------------------------------------------------------------------------------
# Data and parameters

def uniform(gen, shape, bound):
    return np.array(gen.tensor(int(np.prod(shape)), bound)).reshape(shape)


def parameters(gen, c1, c2, k, classes):
    b1, b2, b3 = 1 / math.sqrt(k * k), 1 / math.sqrt(c1 * k * k), 1 / math.sqrt(c2)
    return {"w_1": uniform(gen, (c1, 1, k, k), b1), "b_1": uniform(gen, (c1,), b1),
            "w_2": uniform(gen, (c2, c1, k, k), b2), "b_2": uniform(gen, (c2,), b2),
            "W_3": uniform(gen, (c2, classes), b3), "b_3": uniform(gen, (1, classes), b3)}


def images(gen, samples, classes, noise):
    xs, labels = [], []
    for j in range(samples):
        label = j % classes
        cells = SHAPES[label]
        height, width = max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1
        top, left = gen.next_int(SIZE - height + 1), gen.next_int(SIZE - width + 1)
        image = np.zeros((SIZE, SIZE))
        for r, c in cells:
            image[top + r, left + c] = 1.0
        image = image.reshape(-1)
        for i in range(SIZE * SIZE):
            image[i] += gen.uniform(-noise, noise)
        xs.append(image.reshape(1, SIZE, SIZE))
        labels.append(label)
    return np.array(xs), np.array(labels)


def one_hot(labels, classes):
    T = np.zeros((len(labels), classes))
    T[np.arange(len(labels)), labels] = 1.0
    return T


# ---------------------------------------------------------------------------------------------
# The layers and their gradients, by hand

def conv(x, w, b, p):
    """y[n,o,i,j] = b[o] + sum_{c,u,v} w[o,c,u,v] xpad[n,c,i+u,j+v] (stride 1, zero padding p)."""
    N, _, H, W = x.shape
    O, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    Ho, Wo = H + 2 * p - k + 1, W + 2 * p - k + 1
    y = np.zeros((N, O, Ho, Wo)) + b.reshape(1, O, 1, 1)
    for u in range(k):
        for v in range(k):
            y += np.einsum("oc,nchw->nohw", w[:, :, u, v], xp[:, :, u:u + Ho, v:v + Wo])
    return y


def conv_backward(x, w, dy, p):
    """dx, dw, db of conv: each dy[n,o,i,j] reaches w[o,c,u,v] times xpad[n,c,i+u,j+v], and
    xpad[n,c,i+u,j+v] times w[o,c,u,v]; db[o] sums dy over n, i, j."""
    N, C, H, W = x.shape
    k = w.shape[2]
    _, _, Ho, Wo = dy.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for u in range(k):
        for v in range(k):
            dxp[:, :, u:u + Ho, v:v + Wo] += np.einsum("oc,nohw->nchw", w[:, :, u, v], dy)
            dw[:, :, u, v] = np.einsum("nohw,nchw->oc", dy, xp[:, :, u:u + Ho, v:v + Wo])
    return dxp[:, :, p:p + H, p:p + W], dw, dy.sum(axis=(0, 2, 3))


def maxpool(a):
    """2x2 windows, stride 2: the maximum and, per output, the window position (0..3, row-major)
    of its first maximum, where the gradient goes."""
    N, C, H, W = a.shape
    windows = a.reshape(N, C, H // 2, 2, W // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H // 2, W // 2, 4)
    return windows.max(axis=-1), windows.argmax(axis=-1)   # argmax: the first of equal maxima


def maxpool_backward(dh, argmax, shape):
    N, C, H, W = shape
    da = np.zeros(shape)
    for n in range(N):
        for c in range(C):
            for i in range(H // 2):
                for j in range(W // 2):
                    u, v = divmod(int(argmax[n, c, i, j]), 2)
                    da[n, c, 2 * i + u, 2 * j + v] += dh[n, c, i, j]
    return da


def log_softmax(y):
    shifted = y - y.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def forward(P, x, T, pad):
    f = {"x": x, "T": T}
    f["z_1"] = conv(x, P["w_1"], P["b_1"], pad)
    f["a_1"] = np.maximum(f["z_1"], 0)
    f["h_1"], f["argmax"] = maxpool(f["a_1"])
    f["z_2"] = conv(f["h_1"], P["w_2"], P["b_2"], pad)
    f["h_2"] = np.maximum(f["z_2"], 0)
    f["g"] = f["h_2"].mean(axis=(2, 3))
    f["y"] = f["g"] @ P["W_3"] + P["b_3"]
    f["p"] = np.exp(log_softmax(f["y"]))
    f["Q"] = np.array(-np.sum(T * log_softmax(f["y"])) / len(x))
    return f


def backward(P, f, pad):
    """dQ/d of every tensor by the chain rule, from dQ/dy = (p - T)/N."""
    d = {}
    N = len(f["x"])
    d["y"] = (f["p"] - f["T"]) / N
    d["W_3"] = f["g"].T @ d["y"]
    d["b_3"] = d["y"].sum(axis=0, keepdims=True)
    d["g"] = d["y"] @ P["W_3"].T
    H2, W2 = f["h_2"].shape[2:]
    d["h_2"] = np.broadcast_to(d["g"][:, :, None, None] / (H2 * W2), f["h_2"].shape).copy()
    d["z_2"] = d["h_2"] * (f["z_2"] > 0)
    d["h_1"], d["w_2"], d["b_2"] = conv_backward(f["h_1"], P["w_2"], d["z_2"], pad)
    d["a_1"] = maxpool_backward(d["h_1"], f["argmax"], f["a_1"].shape)
    d["z_1"] = d["a_1"] * (f["z_1"] > 0)
    _, d["w_1"], d["b_1"] = conv_backward(f["x"], P["w_1"], d["z_1"], pad)
    return d


ORDER = ["w_1", "b_1", "w_2", "b_2", "W_3", "b_3"]


def check_gradients(P, x, T, pad, rng_entries=6):
    """Every parameter's hand-written gradient against central differences at a few entries."""
    d = backward(P, forward(P, x, T, pad), pad)
    h = 1e-6
    for name in ORDER:
        flat = P[name].reshape(-1)
        for index in np.linspace(0, flat.size - 1, min(rng_entries, flat.size)).astype(int):
            saved = flat[index]
            flat[index] = saved + h
            up = forward(P, x, T, pad)["Q"]
            flat[index] = saved - h
            down = forward(P, x, T, pad)["Q"]
            flat[index] = saved
            numeric = (up - down) / (2 * h)
            analytic = d[name].reshape(-1)[index]
            assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(numeric)), (name, index, numeric, analytic)


# ---------------------------------------------------------------------------------------------
# A case

def run(name, description, given, augment=None):
    """One fixture. With `validation` v = floor(validation * m) > 0 the last v images are held out
    (never trained on) and each epoch also records their mean loss and accuracy; `augment(gen, x,
    labels, p)`, when given (reference_augmentation.py), returns each training batch's augmented
    images, drawn from the generator after the images, and what it made by trace name."""
    p = dict(DEFAULTS, **given)
    gen = SeededGenerator(p["seed"])
    (c1, c2), k, K, m = p["channels"], p["kernel"], p["classes"], p["samples"]
    pad = (k - 1) // 2
    P = parameters(gen, c1, c2, k, K)
    X, labels = images(gen, m, K, p["noise"])
    held_out = math.floor(p["validation"] * m)
    train = m - held_out
    batches = [range(s, min(s + p["batch"], train)) for s in range(0, train, p["batch"])]

    tensors = [entry(n, P[n], version=0) for n in ORDER]
    losses, snapshots = [], {}
    for epoch in range(1, p["train"] + 1):
        total = 0.0
        for b, batch in enumerate(batches):
            x, T = X[batch.start:batch.stop], one_hot(labels[batch.start:batch.stop], K)
            x_in, made = augment(gen, x, labels[batch.start:batch.stop], p) if augment else (x, [])
            f = forward(P, x_in, T, pad)
            d = backward(P, f, pad)
            if epoch == 1 and b == 0:
                check_gradients({key: v.copy() for key, v in P.items()}, x_in, T, pad)
                tensors += [entry("x", x), entry("T", T)] + [entry(n, value) for n, value in made]
                tensors += [entry(n, f[n]) for n in ["z_1", "a_1", "h_1", "z_2", "h_2", "g", "y", "p", "Q"]]
                tensors += [entry(f"dQ/d{n}", d[n], gradient_of=n) for n in ["y", "g", "h_2", "z_2", "h_1", "a_1", "z_1"]]
                tensors += [entry(f"dQ/d{n}", d[n], gradient_of=n) for n in ORDER]
            P = {n: P[n] - p["lr"] * d[n] for n in ORDER}
            if epoch == 1 and b == 0:
                tensors += [entry(n, P[n], version=1) for n in ORDER]
            total += float(f["Q"]) * len(batch)
        losses.append(total / train)
        every = forward(P, X, one_hot(labels, K), pad)
        right = every["y"].argmax(axis=1) == labels
        i = p["image"] - 1
        snapshots[str(epoch)] = {"accuracy": snapshot([int(np.sum(right[:train])) / train]),
                                 "feature_maps_1": snapshot(every["a_1"][i]), "feature_maps_2": snapshot(every["h_2"][i])}
        if held_out:
            held = forward(P, X[train:], one_hot(labels[train:], K), pad)
            snapshots[str(epoch)]["validation_loss"] = snapshot([float(held["Q"])])
            snapshots[str(epoch)]["validation_accuracy"] = snapshot([int(np.sum(right[train:])) / held_out])
    return name, {"case": name, "demo": "cnn", "description": description, "parameters": given,
                  "tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}


CASES = [
    ("cnn-defaults-3-epochs", "the defaults (4 shapes, 64 images, batches of 8, 3x3 kernels, 4 then 8 channels) for 3 epochs",
     {"train": 3}),
    ("cnn-k5-uneven-batches", "2 shapes, 5x5 kernels, 2 then 3 channels, 10 images in batches of 4 (the last of 2), image 3",
     {"channels": [2, 3], "kernel": 5, "classes": 2, "samples": 10, "batch": 4, "lr": 0.3, "noise": 0.5, "image": 3,
      "train": 4, "seed": 7}),
    ("cnn-k1-full-batch", "1x1 kernels, 3 shapes, the whole set of 9 images as one batch, no noise (pooling ties)",
     {"channels": [3, 2], "kernel": 1, "classes": 3, "samples": 9, "batch": 9, "noise": 0, "train": 2, "seed": 3}),
]


if __name__ == "__main__":
    out = fixture_folder("cnn", "*.json")
    for name, description, given in CASES:
        write(out, *run(name, description, given))
