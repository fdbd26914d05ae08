#!/usr/bin/env python3
"""Independent reference values for the `skipgram-ns` demo (Tests/ModelsTests/SkipGramNSTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/word2vec/skipgram-ns-*.json, and only those) with:

    python3 Tests/Fixtures/reference_skipgram_ns.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (issue 4,
docs/word2vec-negative-sampling.md), not from the Swift code, and no number is read from a Swift
run. The corpus rules (tokens, vocabulary, windows), the shuffle, the PCA and the neighbours are
those of reference_word2vec.py, imported from it (the tokenizer by way of fixture_io.py); the PRNG
is Tests/Python/seeded_generator.py.

- pairs: every window in text order, its context words in offset order (-w..-1, +1..+w), padding
  left out; the traced pair is the window of `word`'s first occurrence (default the first) and
  `context` (default its first context word);
- draws: W_in (V x N), then W_out (N x V), row-major uniform in [-0.5/N, 0.5/N); then the traced
  pair's k negatives; then per epoch a Fisher-Yates shuffle of the pairs and each pair's k negatives;
- the sampler: weight(w) = sqrt(count) * sqrt(sqrt(count)); running sums in vocabulary order from
  0.0; a draw is r = next_uniform(), the first word whose running sum exceeds r * total (the last
  word if none), drawn again while it equals the pair's context word (a linear scan here, where the
  engine does a binary search);
- the step: h = W_in[c], u_j = h . W_out[:, j] for j = o, n_1..n_k, Q = -log sigma(u_o)
  - sum_i log sigma(-u_{n_i}), dQ/du_o = sigma(u_o) - 1, dQ/du_{n_i} = sigma(u_{n_i}),
  dQ/dh = sum_j dQ/du_j W_out[:, j], dQ/dW_out[:, j] += dQ/du_j h (a word drawn twice gets both),
  dQ/dW_in[c] = dQ/dh; SGD p <- p - lr dQ/dp;
- training from the traced update; the epoch's loss is the mean Q of its steps (each before its update).

Each fixture has the layout of reference_word2vec.py's, plus "negatives": the traced pair's
sampled word indices.
"""

import json
import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import vocabulary_of, words_of  # noqa: E402
from reference_word2vec import NOTES, neighbour_snapshots, neighbour_tensors, pca_snapshot, shuffle, tensor, windows_of  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402

DEFAULTS = {"window": 1, "dimensions": 4, "negatives": 5, "train": 0, "lr": 0.05, "seed": 1}


class Sampler:
    """P_n(w) proportional to count(w)^(3/4), by the cumulative-distribution method."""

    def __init__(self, counts):
        self.running = []
        total = 0.0
        for count in counts:
            c = float(count)
            total += math.sqrt(c) * math.sqrt(math.sqrt(c))
            self.running.append(total)

    @property
    def probabilities(self):
        weights = [b - a for a, b in zip([0.0] + self.running[:-1], self.running)]
        return [weight / self.running[-1] for weight in weights]

    def draw(self, gen, avoid):
        while True:
            threshold = gen.next_uniform() * self.running[-1]
            word = next((w for w, s in enumerate(self.running) if s > threshold), len(self.running) - 1)
            if word != avoid:
                return word

    def draws(self, gen, k, avoid):
        return [self.draw(gen, avoid) for _ in range(k)]


def sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def step(W_in, W_out, c, o, negatives, lr):
    selected = [o] + negatives
    h = W_in[c].copy()
    w = W_out[:, selected].T.copy()  # (k + 1) x N: the output vectors, one per row
    u = w @ h
    sigma_o = sigmoid(u[0])
    sigma_n = np.array([sigmoid(-x) for x in u[1:]])
    Q = -math.log(sigma_o) - float(np.sum(np.log(sigma_n)))
    du = np.array([sigma_o - 1] + [sigmoid(x) for x in u[1:]])
    dh = du @ w
    dW_out = np.zeros_like(W_out)
    for j, word in enumerate(selected):
        dW_out[:, word] += du[j] * h
    dW_in = np.zeros_like(W_in)
    dW_in[c] = dh
    return dict(h=h, w=w, u=u, sigma_o=sigma_o, sigma_n=sigma_n, Q=Q, du=du, dh=dh, dW_in=dW_in, dW_out=dW_out,
                W_in=W_in - lr * dW_in, W_out=W_out - lr * dW_out)


def setup(parameters):
    """The run's corpus, generator (after the traced pair's negatives) and traced pair: a dict with
    p, vocabulary, pairs, sampler, gen, W_in, W_out, centre, context and negatives."""
    p = {**DEFAULTS, **parameters}
    tokens = words_of(p.get("corpus", NOTES))
    vocabulary = vocabulary_of(tokens)
    indices = [vocabulary.index(t) for t in tokens]
    counts = [indices.count(i) for i in range(len(vocabulary))]
    V, N, k = len(vocabulary), p["dimensions"], p["negatives"]
    windows = windows_of(indices, p["window"])
    pairs = [(centre, x) for centre, context in windows for x in context if x is not None]

    centre = vocabulary.index(p["word"]) if "word" in p else windows[0][0]
    window = next(context for c, context in windows if c == centre)
    context = vocabulary.index(p["context"]) if "context" in p else next(x for x in window if x is not None)
    assert context in window

    gen = SeededGenerator(p["seed"])
    b = 0.5 / N
    W_in = np.array([gen.uniform(-b, b) for _ in range(V * N)]).reshape(V, N)
    W_out = np.array([gen.uniform(-b, b) for _ in range(N * V)]).reshape(N, V)
    sampler = Sampler(counts)
    negatives = sampler.draws(gen, k, context)
    return dict(p=p, vocabulary=vocabulary, pairs=pairs, sampler=sampler, gen=gen, W_in=W_in, W_out=W_out,
                centre=centre, context=context, negatives=negatives)


def trained(W_in, W_out, pairs, sampler, k, epochs, lr, gen):
    """The epochs after the traced update: (epoch, mean loss, W_in, W_out) after each."""
    for epoch in range(1, epochs + 1):
        shuffle(pairs, gen)
        total = 0.0
        for c, o in pairs:
            r = step(W_in, W_out, c, o, sampler.draws(gen, k, o), lr)
            total += r["Q"]
            W_in, W_out = r["W_in"], r["W_out"]
        yield epoch, total / len(pairs), W_in, W_out


def run(case, description, parameters):
    r = setup(parameters)
    p, vocabulary, pairs, sampler, gen = r["p"], r["vocabulary"], r["pairs"], r["sampler"], r["gen"]
    W_in, W_out, centre, context, negatives = r["W_in"], r["W_out"], r["centre"], r["context"], r["negatives"]
    k, lr = p["negatives"], p["lr"]

    s = step(W_in, W_out, centre, context, negatives, lr)
    tensors = [tensor("P_n", [sampler.probabilities]), tensor("negatives", [negatives]),
               tensor("W_in", W_in), tensor("W_out", W_out), tensor("h", [s["h"]]), tensor("w", s["w"]),
               tensor("u", [s["u"]]), tensor("u_o", [[s["u"][0]]]), tensor("u_n", [s["u"][1:]]),
               tensor("sigma_o", [[s["sigma_o"]]]), tensor("sigma_n", [s["sigma_n"]]), tensor("Q", s["Q"]),
               tensor("dQ/du", [s["du"]], gradient_of="u"), tensor("dQ/dh", [s["dh"]], gradient_of="h"),
               tensor("dQ/dW_in", s["dW_in"], gradient_of="W_in"), tensor("dQ/dW_out", s["dW_out"], gradient_of="W_out"),
               tensor("W_in", s["W_in"], version=1), tensor("W_out", s["W_out"], version=1)]

    W_in, W_out = s["W_in"], s["W_out"]
    history = None
    if p["train"] > 0:
        losses, snapshots = [], {}
        for epoch, loss, W_in, W_out in trained(W_in, W_out, pairs, sampler, k, p["train"], lr, gen):
            losses.append(loss)
            snapshots[str(epoch)] = {**pca_snapshot(W_in), **neighbour_snapshots(W_in, vocabulary, p.get("neighbours", ""))}
        history = {"losses": losses, "snapshots": snapshots}
    tensors += neighbour_tensors(W_in, vocabulary, p.get("neighbours", ""))

    fixture = {"case": case, "demo": "skipgram-ns", "description": description, "parameters": parameters,
               "negatives": negatives, "tensors": tensors}
    if history:
        fixture["history"] = history
    return fixture


SMALL = "the cat sat on the mat and the dog sat on the log"
CASES = [
    ("skipgram-ns-default", "the notes' corpus, the first pair hey -> this, k = 5", {}),
    ("skipgram-ns-k1", "one negative, corpus -> using, a long step", {"negatives": 1, "word": "corpus", "context": "using", "lr": 0.5, "seed": 3}),
    ("skipgram-ns-train", "window 2, sat -> on, k = 8 (repeated negatives), 4 epochs, neighbours",
     {"corpus": SMALL, "window": 2, "word": "sat", "context": "on", "dimensions": 3, "negatives": 8, "seed": 9,
      "train": 4, "lr": 0.2, "neighbours": "cat,dog"}),
    ("skipgram-ns-k20", "k = 20 over a 4-word vocabulary: the centre and repeats among the negatives",
     {"corpus": "to be or not to be", "window": 2, "word": "or", "context": "be", "negatives": 20, "seed": 2, "lr": 0.3}),
]


def main():
    out = HERE / "word2vec"
    out.mkdir(exist_ok=True)
    for case, description, parameters in CASES:
        fixture = run(case, description, parameters)
        (out / f"{case}.json").write_text(json.dumps(fixture, indent=1) + "\n")
        print(f"wrote word2vec/{case}.json")


if __name__ == "__main__":
    main()
