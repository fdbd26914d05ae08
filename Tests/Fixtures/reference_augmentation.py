#!/usr/bin/env python3
"""Independent reference values for the `cnn` demo with data augmentation and a validation split
(Tests/ModelsTests/AugmentationTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/augmentation/*.json, and only those) with:

    python3 Tests/Fixtures/reference_augmentation.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (docs/models.md, "cnn",
"Data augmentation"), not from the Swift code, and no number is read from a Swift run. The network,
its hand-written gradients (checked against central differences here too, on the augmented batch),
the parameter and image draws are those of reference_cnn.py, imported; what is new here is written
out by hand:

Split: v = floor(validation * m) images held out, the last v; the first m - v train, in batches of
`batch` in order.

Augmentation of each training batch (n images, 1 x 8 x 8), its draws taken from the generator
after the images, batch after batch as training reaches them, in this order:
    flip (augment has "flip"): n coins next_int(2); image i is mirrored left-right when its coin is 1
        and its shape's mirror is a shape of the same class (not the diagonal), f_i = 1, else f_i = 0
    shift ("shift", s = `shift`): dy = next_int(2s + 1) - s, then dx likewise; the batch moves dy rows
        down and dx columns right, x_s[i, j] = x_f[i - dy, j - dx], 0 where that is outside
    noise ("noise", a = `augment-noise`): n * 64 values uniform(-a, a) row-major, added.
The trace names x (as drawn), f, x_f (flipped), x_s (shifted), the noise and x_aug (the last one).

History per epoch: the mean training loss (each augmented image's loss in its batch, before the
batch's step), the accuracy over the training images, both maps of image `image` (among all m), and
with v > 0 validation_loss (mean loss over the v held-out images, not augmented) and
validation_accuracy.
"""

import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import fixture_folder, write  # noqa: E402
from reference_cnn import SHAPES, SIZE, run  # noqa: E402

AUGMENT_DEFAULTS = {"augment": "none", "shift": 1, "augment-noise": 0.1, "validation": 0.0}


def survives_mirror(label):
    """Whether the shape, mirrored left-right inside its bounding box, is the same set of cells."""
    cells = set(SHAPES[label])
    width = max(c for _, c in cells) + 1
    return {(r, width - 1 - c) for r, c in cells} == cells


def augment(gen, x, labels, given):
    """The augmented batch and what the trace names along the way, as (name, value) pairs, drawing
    in the documented order."""
    p = {**AUGMENT_DEFAULTS, **given}
    kinds = p["augment"].split("+")
    out, named = x.copy(), {}
    n = len(x)
    if "flip" in kinds:
        coins = [gen.next_int(2) for _ in range(n)]
        f = np.array([float(c) if survives_mirror(label) else 0.0 for c, label in zip(coins, labels)])
        flipped = out.copy()
        for i in range(n):
            if f[i] == 1.0:
                flipped[i] = out[i][:, :, ::-1]
        named["f"], named["x_f"] = f.reshape(n, 1, 1, 1), flipped
        out = flipped
    if "shift" in kinds:
        s = p["shift"]
        dy = gen.next_int(2 * s + 1) - s
        dx = gen.next_int(2 * s + 1) - s
        shifted = np.zeros_like(out)
        for i in range(SIZE):
            for j in range(SIZE):
                if 0 <= i - dy < SIZE and 0 <= j - dx < SIZE:
                    shifted[:, :, i, j] = out[:, :, i - dy, j - dx]
        named["x_s"] = shifted
        out = shifted
    if "noise" in kinds:
        a = p["augment-noise"]
        eps = np.array([gen.uniform(-a, a) for _ in range(out.size)]).reshape(out.shape)
        named["ε"] = eps
        out = out + eps
    # The last transformation's output is x_aug itself, under that name only.
    steps = [key for key in ("x_f", "x_s") if key in named][:None if "ε" in named else -1]
    return out, [(key, named[key]) for key in ("f", "ε", *steps) if key in named] + [("x_aug", out)]


CASES = [
    ("augment-all-validation", "flip, shift by up to 1 and noise 0.1 on 16 training images, 16 held out, 3 epochs (seed 4)",
     {"augment": "flip+shift+noise", "samples": 32, "validation": 0.5, "train": 3, "seed": 4}),
    ("augment-flip-uneven", "flips alone, 3 shapes, 10 training images in batches of 4, 2 held out; the first batch's diagonal draws heads and stays unflipped",
     {"augment": "flip", "classes": 3, "samples": 12, "validation": 0.2, "batch": 4, "train": 3, "seed": 4, "image": 11}),
    ("augment-shift3-noise", "shifts by up to 3 and noise 0.5, 5x5 kernels, the whole set of 9 images as one batch",
     {"augment": "shift+noise", "shift": 3, "augment-noise": 0.5, "kernel": 5, "channels": [2, 3], "classes": 3, "samples": 9,
      "batch": 9, "train": 4, "seed": 9}),
    ("validation-only", "no augmentation, a quarter of 24 images held out: validation loss and accuracy per epoch",
     {"samples": 24, "validation": 0.25, "train": 3, "lr": 0.3}),
]


if __name__ == "__main__":
    out = fixture_folder("augmentation", "*.json")
    for name, description, given in CASES:
        write(out, *run(name, description, given, augment if given.get("augment", "none") != "none" else None))
