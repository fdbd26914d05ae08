#!/usr/bin/env python3
"""Independent reference values for the `cbow` and `skipgram` demos (Tests/ModelsTests/Word2VecTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/word2vec/*.json, and only those) with:

    python3 Tests/Fixtures/reference_word2vec.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (issue 4, docs/models.md),
not from the Swift code, and no number is read from a Swift run:

- tokens: lower-cased words, punctuation stripped (an apostrophe or hyphen kept inside a word);
  the vocabulary in order of first appearance; one window per token with the 2w context
  positions (offsets -w..-1, +1..+w), padding where the window runs off the text;
- weights: `example` is the notes' matrices; `random` draws W_in (V x N) then W_out (N x V),
  row-major, uniform in [-0.5/N, 0.5/N) from Tests/Python/seeded_generator.py (imported);
- CBOW: h = mean of the context words' rows of W_in, u = h W_out, y = softmax(u),
  e = y - target, Q = -log y[target]; skip-gram: h = the centre's row, one error y - target_c
  per context word, e = their sum, Q = sum_c -log y[c];
- gradients by hand: dQ/du = e, dQ/dW_out = h^T e, dQ/dh = e W_out^T, dQ/dW_in: dQ/dh (skip-gram)
  or dQ/dh / C per context occurrence (CBOW) added to the used rows; SGD p <- p - lr dQ/dp;
- training: from the traced update, each epoch shuffles the windows by Fisher-Yates (i from n-1
  down to 1, swap with next_int(i + 1)) with the generator after the weights, then one step per
  window; the epoch's loss is the mean of the examples' losses (each before its update);
- PCA: columns centred, covariance / (V - 1), numpy.linalg.eigh, the two largest, each signed
  so that its largest-magnitude component is positive, projection of the centred rows;
- neighbours: cosine similarity of W_in rows, the word itself left out, top min(5, V - 1); after
  each epoch, in the history, (k + 1) x 2: the word's row and 1, then each neighbour's row and cosine.
"""

import json
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import vocabulary_of, words_of  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402

NOTES = "Hey, this is sample corpus using only one context word."
W_IN_EXAMPLE = np.arange(1, 41, dtype=float).reshape(10, 4)
W_OUT_EXAMPLE = np.array([
    [0.13, 0.15, 0.14, 0.15, 0.16, 0.17, 0.16, 0.19, 0.2, 0.24],
    [0.23, 0.23, 0.24, 0.25, 0.24, 0.27, 0.28, 0.29, 0.2, 0.31],
    [0.22, 0.23, 0.24, 0.25, 0.24, 0.27, 0.28, 0.29, 0.4, 0.41],
    [0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49, 0.5, 0.51],
])
DEFAULTS = {"window": 1, "dimensions": 4, "weights": "random", "train": 0, "lr": 0.05, "seed": 1}


def windows_of(indices, w):
    """(centre, [context index or None for offsets -w..-1, +1..+w]) per token."""
    offsets = list(range(-w, 0)) + list(range(1, w + 1))
    n = len(indices)
    return [(indices[t], [indices[t + o] if 0 <= t + o < n else None for o in offsets]) for t in range(n)]


def softmax(u):
    z = np.exp(u - u.max())
    return z / z.sum()


def log_softmax(u):
    shifted = u - u.max()
    return shifted - np.log(np.exp(shifted).sum())


def step(W_in, W_out, inputs, targets, lr):
    """One example: `inputs` are the rows averaged into h, `targets` the words predicted (one
    softmax each). Returns the tensors of the step and the updated weights."""
    C = len(inputs)
    h = np.mean([W_in[i] for i in inputs], axis=0)
    u = h @ W_out
    y = softmax(u)
    errors = []
    for t in targets:
        target = np.zeros_like(u)
        target[t] = 1.0
        errors.append(y - target)
    e = np.sum(errors, axis=0)
    Q = -sum(log_softmax(u)[t] for t in targets)
    dW_out = np.outer(h, e)
    dh = W_out @ e
    dW_in = np.zeros_like(W_in)
    for i in inputs:
        dW_in[i] += dh / C
    return dict(h=h, u=u, y=y, errors=errors, e=e, Q=Q, dW_out=dW_out, dh=dh, dW_in=dW_in,
                W_in=W_in - lr * dW_in, W_out=W_out - lr * dW_out)


def pca(X):
    centred = X - X.mean(axis=0)
    cov = centred.T @ centred / (X.shape[0] - 1)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(-values, kind="stable")[:2]
    columns = []
    for k in order:
        v = vectors[:, k]
        if v[np.argmax(np.abs(v))] < 0:
            v = -v
        columns.append(v)
    return centred @ np.stack(columns, axis=1)


def nearest(X, word, k):
    norms = np.linalg.norm(X, axis=1)
    scores = [(other, float(X[word] @ X[other] / (norms[word] * norms[other])))
              for other in range(X.shape[0]) if other != word]
    scores.sort(key=lambda s: (-s[1], s[0]))
    return scores[:k]


def shuffle(items, gen):
    """Fisher-Yates in place: i from n-1 down to 1, swap with next_int(i + 1)."""
    for i in range(len(items) - 1, 0, -1):
        j = gen.next_int(i + 1)
        items[i], items[j] = items[j], items[i]


def pca_snapshot(W_in):
    projection = pca(W_in)
    return {"W_in_pca": {"shape": [W_in.shape[0], 2], "data": [float(v) for v in projection.ravel()]}}


def neighbour_snapshots(W_in, vocabulary, words):
    """Per word of the comma-separated `words`, `neighbours_<word>` after an epoch: rows (index, cosine),
    the word itself (cosine 1) first, then its nearest words."""
    snapshots = {}
    for word in [x for x in words.split(",") if x]:
        index = vocabulary.index(word)
        found = nearest(W_in, index, min(5, len(vocabulary) - 1))
        rows = [[index, 1.0]] + [[other, cosine] for other, cosine in found]
        snapshots[f"neighbours_{word}"] = {"shape": [len(rows), 2], "data": [float(v) for row in rows for v in row]}
    return snapshots


def neighbour_tensors(W_in, vocabulary, words):
    """A neighbours_<word> tensor for each of the comma-separated `words`: the indices of its nearest words."""
    tensors = []
    for word in [x for x in words.split(",") if x]:
        found = nearest(W_in, vocabulary.index(word), min(5, len(vocabulary) - 1))
        tensors.append(tensor(f"neighbours_{word}", [[c for _, c in found]]))
    return tensors


def tensor(name, value, version=None, gradient_of=None):
    value = np.atleast_2d(np.asarray(value, dtype=float)) if np.ndim(value) else np.asarray(value, dtype=float)
    entry = {"name": name, "shape": list(value.shape), "data": [float(v) for v in value.ravel()]}
    if version is not None:
        entry["version"] = version
    if gradient_of is not None:
        entry["gradientOf"] = gradient_of
    return entry


def setup(demo, parameters):
    """The run's corpus, generator (after the weights) and traced example: a dict with p, vocabulary,
    windows, gen, W_in, W_out, inputs (the rows averaged into h) and targets (the words predicted)."""
    p = {**DEFAULTS, **parameters}
    tokens = words_of(p.get("corpus", NOTES))
    vocabulary = vocabulary_of(tokens)
    indices = [vocabulary.index(t) for t in tokens]
    V, N, w = len(vocabulary), p["dimensions"], p["window"]
    windows = windows_of(indices, w)
    gen = SeededGenerator(p["seed"])
    if p["weights"] == "example":
        W_in, W_out = W_IN_EXAMPLE.copy(), W_OUT_EXAMPLE.copy()
    else:
        b = 0.5 / N
        W_in = np.array([gen.uniform(-b, b) for _ in range(V * N)]).reshape(V, N)
        W_out = np.array([gen.uniform(-b, b) for _ in range(N * V)]).reshape(N, V)

    if demo == "cbow":
        if "context" in p:
            context = [vocabulary.index(x) for x in p["context"].split(",")]
        else:
            context = [c for c in windows[0][1] if c is not None]
        target = vocabulary.index(p["target"]) if "target" in p else next(
            centre for centre, ctx in windows if sorted(c for c in ctx if c is not None) == sorted(context))
        inputs, targets = context, [target]
    else:
        centre = vocabulary.index(p["word"]) if "word" in p else windows[0][0]
        ctx = next(ctx for c, ctx in windows if c == centre)
        inputs, targets = [centre], [c for c in ctx if c is not None]
    return dict(p=p, vocabulary=vocabulary, windows=windows, gen=gen, W_in=W_in, W_out=W_out, inputs=inputs, targets=targets)


def trained(demo, W_in, W_out, windows, epochs, lr, gen):
    """The epochs after the traced update: (epoch, mean loss, W_in, W_out) after each."""
    order = list(range(len(windows)))
    for epoch in range(1, epochs + 1):
        shuffle(order, gen)
        total = 0.0
        for k in order:
            centre, ctx = windows[k]
            words = [c for c in ctx if c is not None]
            r = step(W_in, W_out, words, [centre], lr) if demo == "cbow" else step(W_in, W_out, [centre], words, lr)
            total += r["Q"]
            W_in, W_out = r["W_in"], r["W_out"]
        yield epoch, total / len(order), W_in, W_out


def run(case, demo, description, parameters):
    run_setup = setup(demo, parameters)
    p, vocabulary, windows, gen = run_setup["p"], run_setup["vocabulary"], run_setup["windows"], run_setup["gen"]
    W_in, W_out, inputs, targets, lr = run_setup["W_in"], run_setup["W_out"], run_setup["inputs"], run_setup["targets"], p["lr"]
    s = step(W_in, W_out, inputs, targets, lr)
    tensors = [tensor("W_in", W_in), tensor("W_out", W_out), tensor("h", s["h"]), tensor("u", s["u"]),
               tensor("y", s["y"]), tensor("Q", s["Q"]),
               tensor("dQ/du", s["e"], gradient_of="u"), tensor("dQ/dh", s["dh"], gradient_of="h"),
               tensor("dQ/dW_in", s["dW_in"], gradient_of="W_in"), tensor("dQ/dW_out", s["dW_out"], gradient_of="W_out"),
               tensor("W_in", s["W_in"], version=1), tensor("W_out", s["W_out"], version=1)]
    names = [vocabulary[t] for t in targets]
    for name, error in zip(names, s["errors"]):
        if names.count(name) == 1:
            tensors.append(tensor(f"e_{name}", error))
    if demo == "skipgram" and len(targets) > 1:
        tensors.append(tensor("e", s["e"]))
    if demo == "cbow" and len(inputs) > 1:
        tensors.append(tensor("H", np.stack([W_in[i] for i in inputs])))

    W_in, W_out = s["W_in"], s["W_out"]
    history = None
    if p["train"] > 0:
        losses, snapshots = [], {}
        for epoch, loss, W_in, W_out in trained(demo, W_in, W_out, windows, p["train"], lr, gen):
            losses.append(loss)
            snapshots[str(epoch)] = {**pca_snapshot(W_in), **neighbour_snapshots(W_in, vocabulary, p.get("neighbours", ""))}
        history = {"losses": losses, "snapshots": snapshots}
    tensors += neighbour_tensors(W_in, vocabulary, p.get("neighbours", ""))

    fixture = {"case": case, "demo": demo, "description": description, "parameters": parameters, "tensors": tensors}
    if history:
        fixture["history"] = history
    return fixture


SMALL = "the cat sat on the mat and the dog sat on the log"
CASES = [
    ("cbow-example-this", "cbow", "the notes' CBOW with one context word: h is row 'this' of W_in",
     {"weights": "example", "context": "this"}),
    ("cbow-example-three", "cbow", "the notes' three-context average (this, corpus, context), target sample",
     {"weights": "example", "context": "this,corpus,context", "target": "sample"}),
    ("cbow-random-train", "cbow", "random weights, window 2, 3 epochs, neighbours",
     {"corpus": SMALL, "window": 2, "dimensions": 3, "seed": 5, "train": 3, "lr": 0.1, "neighbours": "cat,dog"}),
    ("cbow-repeated-context", "cbow", "a context word used twice: its row gets both shares",
     {"corpus": "to be or not to be", "window": 2, "context": "to,be,not,to", "seed": 2}),
    ("skipgram-example-default", "skipgram", "the notes' weights, the first pair hey -> this, <padding>",
     {"weights": "example"}),
    ("skipgram-example-corpus", "skipgram", "the notes' weights, corpus -> sample, using (the notes' table has a slip)",
     {"weights": "example", "word": "corpus", "lr": 0.5}),
    ("skipgram-random-train", "skipgram", "random weights, window 2, centre 'the', 4 epochs, neighbours",
     {"corpus": SMALL, "window": 2, "word": "the", "dimensions": 4, "seed": 9, "train": 4, "lr": 0.2, "neighbours": "mat,sat"}),
    ("skipgram-repeated-context", "skipgram", "a context word twice in the window: its target counts twice",
     {"corpus": "to be or not to be", "window": 2, "word": "or", "seed": 4}),
]


def main():
    out = HERE / "word2vec"
    out.mkdir(exist_ok=True)
    for case, demo, description, parameters in CASES:
        fixture = run(case, demo, description, parameters)
        (out / f"{case}.json").write_text(json.dumps(fixture, indent=1) + "\n")
        print(f"wrote word2vec/{case}.json")


if __name__ == "__main__":
    main()
