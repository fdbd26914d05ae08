#!/usr/bin/env python3
"""Independent reference values for the `attention`, `self-attention` and `attention-vs-tdl`
demos (Tests/ModelsTests/AttentionTests.swift).

Regenerate (rewrites Tests/Fixtures/attention/dot-product-*.json, self-attention-*.json and
attention-vs-tdl-*.json, only those; needs Python 3.9+ and numpy 2.x):

    python3 Tests/Fixtures/reference_attention.py

Written from the documented rules (issue 5, the demos' doc comments, docs/attention.md), not from
the Swift code, and no number is read from a Swift run. The PRNG is Tests/Python/seeded_generator.py;
the tokenizer is reference_word2vec.py's; the fixture layout is reference_rnn.py's.

Attention, rows are tokens: S = Q K^T / sqrt(d_k); with `causal`, S_masked[i, j] = S[i, j] for
j <= i and -inf after; A = softmax of each row; Z = A V; L = 1/2 sum (Z - T)^2. Gradients by hand:
dZ = Z - T, dA = dZ V^T, dV = A^T dZ, dS = A * (dA - rowsum(dA * A)) (0 where masked),
dQ = dS K / sqrt(d_k), dK = dS^T Q / sqrt(d_k); then SGD p <- p - lr dL/dp.

- attention: Q (N x d_k), K (M x d_k), V (M x d_v) are the learnable tensors, drawn in that order
  uniform in [-1, 1) when not given, then the target T (N x d_v, same) when not given.
- self-attention: X from the sentence (one row per distinct word, in order of first appearance,
  uniform in [-1, 1), repeated for repeated words), then W_Q, W_K (d x d_k), W_V (d x d_v), each
  uniform in +-1/sqrt(d), then T (N x d_v); Q = X W_Q, K = X W_K, V = X W_V, so dW_Q = X^T dQ,
  dW_K = X^T dK, dW_V = X^T dV. `incremental` is the causal computation (its equality with the
  full one is what the Swift tests check; the reference computes it all at once).
- attention-vs-tdl: the sequence X (T x I, uniform in [-1, 1) unless given), the targets (T x I),
  the scalar taps a_0 ... a_{L-1} (uniform in +-1/sqrt(L)), W_Q then W_K (I x d_k, +-1/sqrt(I)).
  zhat_t = sum_i a_i x_{t-i} (x_0 = x_{-1} = ... = 0); causal attention with Q = X W_Q, K = X W_K,
  V = X; L = sum_t 1/2 |zhat_t - target_t|^2 + 1/2 |Z - T|^2 with T the targets as rows;
  dL/da_i = sum_t (zhat_t - target_t) . x_{t-i}.

Each fixture: case, demo, description, parameters, tensors (values before the first update,
parameters at versions 0 and 1, final gradients of the first iteration) and history (the loss of
every iteration; the parameters after the first and the last iteration); the loss L of the
first iteration is also a tensor.
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import dump, entry, fixture_folder, snapshot, uniform, vocabulary_of, words_of  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)


def causal_mask(n, m):
    return np.array([[1.0 if j <= i else 0.0 for j in range(m)] for i in range(n)])


def attend(Q, K, V, causal):
    """S, A, Z for queries Q, keys K, values V."""
    S = Q @ K.T / math.sqrt(Q.shape[1])
    scores = np.where(causal_mask(*S.shape) != 0, S, -np.inf) if causal else S
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    A = e / e.sum(axis=1, keepdims=True)
    return S, A, A @ V


def attend_backward(Q, K, V, A, dZ):
    """dQ, dK, dV and dS, dA from dZ (A is already 0 where masked)."""
    dA = dZ @ V.T
    dV = A.T @ dZ
    dS = A * (dA - (dA * A).sum(axis=1, keepdims=True))
    scale = 1 / math.sqrt(Q.shape[1])
    return scale * dS @ K, scale * dS.T @ Q, dV, dS, dA


def train(parameters, names, lr, iterations, step):
    """Runs SGD; `step(parameters)` returns (loss, gradients, record of the forward pass).
    Returns the first iteration's record and gradients, the parameters after it, and history."""
    losses, snapshots, first = [], {}, None
    for iteration in range(1, iterations + 1):
        loss, grads, record = step(parameters)
        if first is None:
            first = (record, grads)
        parameters = [p - lr * g for p, g in zip(parameters, grads)]
        if iteration == 1:
            after_first = parameters
        losses.append(loss)
        if iteration in (1, iterations):
            snapshots[str(iteration)] = {n: snapshot(p) for n, p in zip(names, parameters)}
    return first, after_first, {"losses": losses, "snapshots": snapshots}


def fixture(case, demo, description, params, tensors, history):
    tensors = tensors + [entry("L", history["losses"][0])]
    return {"case": case, "demo": demo, "description": description, "parameters": params, "tensors": tensors,
            "history": history}


def parameter_entries(names, initial, updated, grads):
    return ([entry(n, p, version=0) for n, p in zip(names, initial)]
            + [entry(n, p, version=1) for n, p in zip(names, updated)]
            + [entry(f"dL/d{n}", g, gradient_of=n) for n, g in zip(names, grads)])


# attention: Q, K, V learnable

def dot_product(case, description, params):
    p = {"tokens": 3, "key-size": 2, "value-size": 2, "causal": "false", "train": 1, "lr": 0.1, "seed": 1} | params
    gen = SeededGenerator(p["seed"])
    given = {k: np.array(p[k], dtype=float) for k in ("queries", "keys", "values") if k in p}
    m = len(p["keys"]) if "keys" in p else len(p["values"]) if "values" in p else len(p["queries"]) if "queries" in p else p["tokens"]
    n = len(p["queries"]) if "queries" in p else m
    dk = given["queries"].shape[1] if "queries" in given else given["keys"].shape[1] if "keys" in given else p["key-size"]
    dv = given["values"].shape[1] if "values" in given else p["value-size"]
    Q = given["queries"] if "queries" in given else uniform(gen, (n, dk), 1.0)
    K = given["keys"] if "keys" in given else uniform(gen, (m, dk), 1.0)
    V = given["values"] if "values" in given else uniform(gen, (m, dv), 1.0)
    T = np.array(p["target"], dtype=float) if "target" in p else uniform(gen, (n, dv), 1.0)
    causal = p["causal"] == "true"

    def step(ps):
        Q, K, V = ps
        S, A, Z = attend(Q, K, V, causal)
        dZ = Z - T
        dQ, dK, dV, dS, dA = attend_backward(Q, K, V, A, dZ)
        return 0.5 * float((dZ ** 2).sum()), [dQ, dK, dV], (S, A, Z, dS, dA, dZ)

    names = ["Q", "K", "V"]
    (record, grads), updated, history = train([Q, K, V], names, p["lr"], p["train"], step)
    S, A, Z, dS, dA, dZ = record
    tensors = [entry("T", T), entry("S", S), entry("A", A), entry("Z", Z),
               entry("dL/dZ", dZ, gradient_of="Z"), entry("dL/dA", dA, gradient_of="A"), entry("dL/dS", dS, gradient_of="S")]
    tensors += parameter_entries(names, [Q, K, V], updated, grads)
    return fixture(case, "attention", description, params, tensors, history)


# self-attention over a sentence

def self_attention(case, description, params):
    p = {"sentence": "cat sat on the soft mat", "dimension": 4, "key-size": 3, "value-size": 3, "causal": "false",
         "incremental": "false", "train": 1, "lr": 0.1, "seed": 1} | params
    gen = SeededGenerator(p["seed"])
    tokens = words_of(p["sentence"])
    vocabulary = vocabulary_of(tokens)
    d, dk, dv = p["dimension"], p["key-size"], p["value-size"]
    table = uniform(gen, (len(vocabulary), d), 1.0)
    X = np.array([table[vocabulary.index(t)] for t in tokens])
    bound = 1 / math.sqrt(d)
    W = [uniform(gen, (d, dk), bound), uniform(gen, (d, dk), bound), uniform(gen, (d, dv), bound)]
    T = np.array(p["target"], dtype=float) if "target" in p else uniform(gen, (len(tokens), dv), 1.0)
    causal = p["causal"] == "true" or p["incremental"] == "true"
    incremental = p["incremental"] == "true"

    def step(ps):
        W_Q, W_K, W_V = ps
        Q, K, V = X @ W_Q, X @ W_K, X @ W_V
        S, A, Z = attend(Q, K, V, causal)
        dZ = Z - T
        dQ, dK, dV, dS, dA = attend_backward(Q, K, V, A, dZ)
        return 0.5 * float((dZ ** 2).sum()), [X.T @ dQ, X.T @ dK, X.T @ dV], (Q, K, V, S, A, Z, dS, dA, dZ)

    names = ["W_Q", "W_K", "W_V"]
    (record, grads), updated, history = train(W, names, p["lr"], p["train"], step)
    Q, K, V, S, A, Z, dS, dA, dZ = record
    tensors = [entry("X", X), entry("T", T), entry("A", A), entry("Z", Z), entry("dL/dZ", dZ, gradient_of="Z")]
    if not incremental:  # one token at a time there is no N x N S, and A is assembled from the rows a_t
        tensors += [entry("Q", Q), entry("K", K), entry("V", V), entry("S", S),
                    entry("dL/dA", dA, gradient_of="A"), entry("dL/dS", dS, gradient_of="S")]
    tensors += parameter_entries(names, W, updated, grads)
    result = fixture(case, "self-attention", description, params, tensors, history)
    result["tokens"] = tokens
    return result


# a tapped delay line against causal attention

def attention_vs_tdl(case, description, params):
    p = {"steps": 4, "input": 1, "taps": 3, "key-size": 2, "train": 1, "lr": 0.1, "seed": 1} | params
    gen = SeededGenerator(p["seed"])
    X = np.array(p["inputs"], dtype=float) if "inputs" in p else uniform(gen, (p["steps"], p["input"]), 1.0)
    steps, size = X.shape
    T = uniform(gen, (steps, size), 1.0)
    L, dk = p["taps"], p["key-size"]
    taps = [uniform(gen, (), 1 / math.sqrt(L)) for _ in range(L)]
    W = [uniform(gen, (size, dk), 1 / math.sqrt(size)) for _ in range(2)]
    padded = np.vstack([np.zeros((L - 1, size)), X])  # padded[L - 1 + t] is x_{t+1}

    def step(ps):
        a, (W_Q, W_K) = ps[:L], ps[L:]
        zhat = np.array([sum(a[i] * padded[L - 1 + t - i] for i in range(L)) for t in range(steps)])
        Q, K = X @ W_Q, X @ W_K
        S, A, Z = attend(Q, K, X, True)
        e_line, e_att = zhat - T, Z - T
        da = [np.array(sum(float(e_line[t] @ padded[L - 1 + t - i]) for t in range(steps))) for i in range(L)]
        dQ, dK, _, dS, dA = attend_backward(Q, K, X, A, e_att)
        loss = 0.5 * float((e_line ** 2).sum()) + 0.5 * float((e_att ** 2).sum())
        return loss, da + [X.T @ dQ, X.T @ dK], (zhat, S, A, Z, dA, e_att)

    names = [f"a_{i}" for i in range(L)] + ["W_Q", "W_K"]
    initial = [np.array(t) for t in taps] + W
    (record, grads), updated, history = train(initial, names, p["lr"], p["train"], step)
    zhat, S, A, Z, dA, dZ = record
    tensors = [entry("X", X), entry("T", T), entry("S", S), entry("A", A), entry("Z", Z),
               entry("dL/dZ", dZ, gradient_of="Z"), entry("dL/dA", dA, gradient_of="A")]
    tensors += [entry(f"zhat_{t + 1}", zhat[t].reshape(size, 1)) for t in range(steps)]
    tensors += parameter_entries(names, initial, updated, grads)
    return fixture(case, "attention-vs-tdl", description, params, tensors, history)


CASES = [
    (dot_product, "dot-product-defaults", "Q, K, V drawn (N 3, d_k 2, d_v 2), one SGD step", {}),
    (dot_product, "dot-product-given", "2 queries over 3 given keys and 1-wide values, a given target, 3 iterations",
     {"queries": [[1, 0], [0, 1]], "keys": [[1, 1], [0, -1], [2, 0]], "values": [[1], [2], [3]],
      "target": [[2], [1]], "train": 3, "lr": 0.5}),
    (dot_product, "dot-product-causal", "causal, N 4, d_k 3, d_v 2, seed 5, 2 iterations",
     {"tokens": 4, "key-size": 3, "value-size": 2, "causal": "true", "seed": 5, "train": 2}),
    (self_attention, "self-attention-defaults", "the notes' sentence, d 4, d_k 3, d_v 3, one SGD step", {}),
    (self_attention, "self-attention-causal", "the notes' sentence, causal, 3 iterations", {"causal": "true", "train": 3}),
    (self_attention, "self-attention-incremental", "the notes' sentence one token at a time (the causal numbers), 2 iterations",
     {"incremental": "true", "train": 2}),
    (self_attention, "self-attention-repeated-word", "'the' twice, d 3, d_k 2, d_v 2, seed 7, causal",
     {"sentence": "The cat sat on the mat.", "dimension": 3, "key-size": 2, "value-size": 2, "seed": 7, "causal": "true"}),
    (self_attention, "self-attention-target", "two words, d 2, d_k 1, a given target, lr 0.5, 4 iterations",
     {"sentence": "hello world", "dimension": 2, "key-size": 1, "value-size": 2, "target": [[1, 0], [0, 1]],
      "lr": 0.5, "train": 4}),
    (attention_vs_tdl, "attention-vs-tdl-defaults", "4 scalar steps, 3 taps, d_k 2, one SGD step", {}),
    (attention_vs_tdl, "attention-vs-tdl-given", "5 given 2-vectors, 2 taps, d_k 3, seed 4, 3 iterations",
     {"inputs": [[0.5, -1], [1, 0], [0, 2], [-1, 1], [0.25, 0.5]], "taps": 2, "key-size": 3, "seed": 4, "train": 3}),
    (attention_vs_tdl, "attention-vs-tdl-long-line", "6 scalar steps, 4 taps, d_k 1, lr 0.05, 2 iterations",
     {"steps": 6, "taps": 4, "key-size": 1, "lr": 0.05, "train": 2}),
]


def main():
    out = fixture_folder("attention")
    for make, case, description, params in CASES:
        (out / f"{case}.json").write_text(dump(make(case, description, params)))
    print(f"wrote {len(CASES)} fixtures to {out}")


if __name__ == "__main__":
    main()
