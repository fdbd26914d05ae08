#!/usr/bin/env python3
"""Independent reference values for the `multi-head-attention` and `transformer-encoder` demos
(Tests/ModelsTests/MultiHeadAttentionTests.swift, TransformerEncoderTests.swift).

Regenerate (rewrites Tests/Fixtures/attention/mha-*.json and transformer-*.json, only those):

    python3 Tests/Fixtures/reference_transformer.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (issue 5, the demos' doc
comments, docs/transformer.md), not from the Swift code; no number is read from a Swift run.
The PRNG is Tests/Python/seeded_generator.py; the fixture layout and writer are reference_rnn.py's.

Embeddings: the sentence's words (lower-cased, punctuation stripped, as word2vec's corpus);
each distinct word in order of first appearance gets a row of d_model values drawn uniform in
[-1, 1); X (N x d_model) repeats a word's row.

multi-head-attention: draws X, then W_Q, W_K, W_V, W_O (d_model x d_model, each uniform in
+-1/sqrt(d_model)), then the target T (N x d_model, uniform in [-1, 1)).
Q = X W_Q, K = X W_K, V = X W_V; head i takes columns (i-1) d_k .. i d_k - 1 (d_k = d_model/h);
S_i = Q_i K_i^T / sqrt(d_k), A_i = softmax of each row, Z_i = A_i V_i; Z = [Z_1 ... Z_h] W_O;
L = mean((Z - T)^2). Every gradient below is written out by hand; SGD p <- p - lr dL/dp.
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from reference_rnn import dump, entry, snapshot  # noqa: E402
from reference_word2vec import vocabulary_of, words_of  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

SENTENCE = "cat sat on the soft mat"


def uniform(gen, shape, bound):
    return np.array(gen.tensor(int(np.prod(shape)), bound)).reshape(shape)


def schedule(iterations):
    every = max(1, iterations // 50)
    return {i for i in range(1, iterations + 1) if i == 1 or i == iterations or i % every == 0}


def embed(sentence, d, gen):
    tokens = words_of(sentence)
    vocabulary = vocabulary_of(tokens)
    table = uniform(gen, (len(vocabulary), d), 1.0)
    return tokens, np.array([table[vocabulary.index(t)] for t in tokens])


def softmax_rows(S):
    e = np.exp(S - S.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Multi-head attention, forward and backward by hand


def mha_forward(X, W, h, causal=False):
    """W = (W_Q, W_K, W_V, W_O). Returns Z and every intermediate, by trace name."""
    W_Q, W_K, W_V, W_O = W
    d = X.shape[1]
    dk = d // h
    Q, K, V = X @ W_Q, X @ W_K, X @ W_V
    v = {"Q": Q, "K": K, "V": V}
    heads = []
    for i in range(1, h + 1):
        cols = slice((i - 1) * dk, i * dk)
        Qi, Ki, Vi = Q[:, cols], K[:, cols], V[:, cols]
        S = (Qi @ Ki.T) * (1.0 / math.sqrt(dk))
        if causal:
            S = np.where(np.tril(np.ones_like(S)) != 0, S, -np.inf)
        A = softmax_rows(S)
        Zi = A @ Vi
        v.update({f"Q_{i}": Qi, f"K_{i}": Ki, f"V_{i}": Vi, f"S_{i}": S, f"A_{i}": A, f"Z_{i}": Zi})
        heads.append(Zi)
    C = np.concatenate(heads, axis=1)
    v["Z_heads"] = C
    v["Z"] = C @ W_O
    return v["Z"], v


def mha_backward(X, W, h, v, dZ):
    """Gradients of (W_Q, W_K, W_V, W_O), of X, and of the intermediates, given dL/dZ."""
    W_Q, W_K, W_V, W_O = W
    d = X.shape[1]
    dk = d // h
    g = {"Z": dZ}
    dW_O = v["Z_heads"].T @ dZ
    dC = dZ @ W_O.T
    g["Z_heads"] = dC
    dQ, dK, dV = np.zeros_like(v["Q"]), np.zeros_like(v["K"]), np.zeros_like(v["V"])
    for i in range(1, h + 1):
        cols = slice((i - 1) * dk, i * dk)
        A, Qi, Ki, Vi = v[f"A_{i}"], v[f"Q_{i}"], v[f"K_{i}"], v[f"V_{i}"]
        dZi = dC[:, cols]
        dA = dZi @ Vi.T
        dVi = A.T @ dZi
        dS = A * (dA - np.sum(dA * A, axis=1, keepdims=True))  # the softmax's Jacobian, row by row
        # masked entries have A = 0, hence dS = 0 there: the mask passes no gradient
        dQi = (dS @ Ki) / math.sqrt(dk)
        dKi = (dS.T @ Qi) / math.sqrt(dk)
        g.update({f"Z_{i}": dZi, f"A_{i}": dA, f"S_{i}": dS, f"Q_{i}": dQi, f"K_{i}": dKi, f"V_{i}": dVi})
        dQ[:, cols], dK[:, cols], dV[:, cols] = dQi, dKi, dVi
    g.update({"Q": dQ, "K": dK, "V": dV})
    dX = dQ @ W_Q.T + dK @ W_K.T + dV @ W_V.T
    return [X.T @ dQ, X.T @ dK, X.T @ dV, dW_O], dX, g


MHA_DEFAULTS = {"sentence": SENTENCE, "d-model": 4, "heads": 2, "train": 1, "lr": 0.1, "seed": 1}
MHA_NAMES = ["W_Q", "W_K", "W_V", "W_O"]


def mha_case(params):
    p = dict(MHA_DEFAULTS, **params)
    gen = SeededGenerator(p["seed"])
    d, h = p["d-model"], p["heads"]
    tokens, X = embed(p["sentence"], d, gen)
    W = [uniform(gen, (d, d), 1.0 / math.sqrt(d)) for _ in range(4)]
    T = uniform(gen, X.shape, 1.0)
    n = X.size
    tensors = [entry("X", X), entry("T", T)] + [entry(name, w, version=0) for name, w in zip(MHA_NAMES, W)]
    losses, snapshots = [], {}
    for iteration in range(1, p["train"] + 1):
        Z, v = mha_forward(X, W, h)
        L = np.mean((Z - T) ** 2)
        dZ = 2.0 * (Z - T) / n
        dW, dX, g = mha_backward(X, W, h, v, dZ)
        losses.append(float(L))
        W = [w - p["lr"] * gw for w, gw in zip(W, dW)]
        if iteration == 1:
            tensors += [entry(name, value) for name, value in v.items()] + [entry("L", L)]
            tensors += [entry(f"dL/d{name}", value, gradient_of=name) for name, value in g.items()]
            tensors += [entry(f"dL/d{name}", gw, gradient_of=name) for name, gw in zip(MHA_NAMES, dW)]
            tensors += [entry("dL/dX", dX, gradient_of="X")]
            tensors += [entry(name, w, version=1) for name, w in zip(MHA_NAMES, W)]
        if iteration in schedule(p["train"]):
            snapshots[str(iteration)] = {name: snapshot(w) for name, w in zip(MHA_NAMES, W)}
    return {"tokens": tokens, "tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}


MHA_CASES = [
    ("mha-defaults", {}, "the notes' sentence, d_model 4, 2 heads of 2 columns, one SGD step"),
    ("mha-h1", {"heads": 1, "seed": 3}, "one head: d_k = d_model = 4"),
    ("mha-h4-d8-repeated-word", {"sentence": "The cat sat on the mat.", "d-model": 8, "heads": 4, "seed": 5},
     "4 heads of 2 columns; 'the' twice, so X repeats a row; case and punctuation folded"),
    ("mha-d6-h3-train5", {"d-model": 6, "heads": 3, "train": 5, "lr": 0.5, "seed": 2},
     "3 heads of 2 columns, 5 SGD iterations at lr 0.5: every loss and the snapshots"),
    ("mha-h2-d6-one-token", {"sentence": "hello", "d-model": 6, "heads": 2},
     "a single token: every A_i is [[1]], so Z_i = V_i and no gradient reaches W_Q or W_K"),
]


def main():
    out = HERE / "attention"
    out.mkdir(parents=True, exist_ok=True)
    for pattern in ("mha-*.json", "transformer-*.json"):
        for old in out.glob(pattern):
            old.unlink()
    cases = [("multi-head-attention", mha_case, MHA_CASES)]
    for demo, run, table in cases:
        for name, params, description in table:
            result = run(params)
            fixture = {"case": name, "demo": demo, "description": description, "parameters": params, **result}
            (out / f"{name}.json").write_text(dump(fixture))
            print(f"wrote {out.name}/{name}.json ({len(result['tensors'])} tensors)")


if __name__ == "__main__":
    main()
