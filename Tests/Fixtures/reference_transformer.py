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
S_i = Q_i K_i^T / sqrt(d_k) (with `causal: true`, -inf where key j > query i), A_i = softmax of
each row, Z_i = A_i V_i; Z = [Z_1 ... Z_h] W_O;
L = mean((Z - T)^2). Every gradient below is written out by hand; SGD p <- p - lr dL/dp.

transformer-encoder: draws X, then W_Q, W_K, W_V, W_O (as above), W_1 (d_model x d_ff), b_1
(1 x d_ff), both uniform in +-1/sqrt(d_model), W_2 (d_ff x d_model), b_2 (1 x d_model), both
uniform in +-1/sqrt(d_ff), then T. gamma_1, gamma_2 = 1 and beta_1, beta_2 = 0 (1 x d_model).
P[p, j] = sin(p / 10000^((j - j mod 2) / d_model)) for even j, cos(...) for odd j, p from 0;
X_P = X + P; Z = MultiHead(X_P); R_1 = X_P + Z; H_1 = LN_1(R_1); U = max(0, H_1 W_1 + b_1);
F = U W_2 + b_2; R_2 = H_1 + F; H_2 = LN_2(R_2); L = mean((H_2 - T)^2).
LN(x) = (x - mu) / sqrt(var + 1e-5) * gamma + beta over each row, var the biased variance.
Layer norm's input gradient uses the closed form
    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sigma   (row means, dxhat = dy * gamma),
checked against the chain through sigma, var, mu and x - mu, which also gives those gradients.
With `loss: next-token`, W_out (d_model x V) and b_out (1 x V), uniform in +-1/sqrt(d_model), are
drawn instead of T (V the sentence's distinct words in order of first appearance);
Y = H_2 W_out + b_out, Y_pred = rows 1..N-1 of Y, T the one-hot successors (N-1 x V),
L = -(1/(N-1)) sum T * log softmax(Y_pred) by rows, dL/dY_pred = (softmax(Y_pred) - T)/(N-1).
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, schedule, snapshot, uniform, vocabulary_of, words_of, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

SENTENCE = "cat sat on the soft mat"


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


MHA_DEFAULTS = {"sentence": SENTENCE, "d-model": 4, "heads": 2, "causal": "false", "train": 1, "lr": 0.1, "seed": 1}
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
        Z, v = mha_forward(X, W, h, causal=p["causal"] == "true")
        L = np.mean((Z - T) ** 2)
        dZ = 2.0 * (Z - T) / n
        dW, dX, g = mha_backward(X, W, h, v, dZ)
        losses.append(float(L))
        W = [w - p["lr"] * gw for w, gw in zip(W, dW)]
        if iteration == 1:
            # a causal S_i holds -inf, which JSON numbers cannot: it is left out (the Swift tests check it)
            tensors += [entry(name, value) for name, value in v.items() if np.all(np.isfinite(value))] + [entry("L", L)]
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
    ("mha-causal-d6-h3", {"causal": "true", "d-model": 6, "heads": 3, "seed": 7},
     "causal: S_i is -inf above the diagonal, A_i exactly 0 there, no gradient through the masked scores"),
    ("mha-h2-d6-one-token", {"sentence": "hello", "d-model": 6, "heads": 2},
     "a single token: every A_i is [[1]], so Z_i = V_i and no gradient reaches W_Q or W_K"),
]


# ---------------------------------------------------------------------------------------------
# Transformer encoder layer


EPSILON = 1e-5


def positional_encoding(n, d):
    P = np.zeros((n, d))
    for p in range(n):
        for j in range(d):
            angle = p / 10000 ** ((j - j % 2) / d)
            P[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return P


def layer_norm(x, gamma, beta):
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc ** 2).mean(axis=1, keepdims=True)
    sigma = np.sqrt(var + EPSILON)
    xhat = xc / sigma
    return xhat * gamma + beta, {"mu": mu, "xc": xc, "var": var, "sigma": sigma, "xhat": xhat}


def layer_norm_backward(dy, gamma, c):
    """(dx, dgamma, dbeta, gradients of the intermediates)."""
    d = dy.shape[1]
    xhat, xc, sigma = c["xhat"], c["xc"], c["sigma"]
    dgamma = np.sum(dy * xhat, axis=0, keepdims=True)
    dbeta = np.sum(dy, axis=0, keepdims=True)
    dxhat = dy * gamma
    dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) / sigma
    # the same through the chain of the forward pass
    dsigma = np.sum(-dxhat * xc / sigma ** 2, axis=1, keepdims=True)
    dvar = dsigma * 0.5 / sigma
    dxc = dxhat / sigma + dvar * 2.0 * xc / d
    dmu = -np.sum(dxc, axis=1, keepdims=True)
    assert np.allclose(dxc + dmu / d, dx, rtol=1e-12, atol=1e-14)
    return dx, dgamma, dbeta, {"xhat": dxhat, "sigma": dsigma, "var": dvar, "xc": dxc, "mu": dmu}


ENCODER_NAMES = ["W_Q", "W_K", "W_V", "W_O", "gamma_1", "beta_1", "W_1", "b_1", "W_2", "b_2", "gamma_2", "beta_2"]
ENCODER_DEFAULTS = dict(MHA_DEFAULTS, **{"d-ff": 8, "loss": "mse"})


def encoder_forward(X, P, p, h, causal):
    Xp = X + P
    Z, v = mha_forward(Xp, p[0:4], h, causal)
    v["X_P"] = Xp
    R1 = Xp + Z
    H1, c1 = layer_norm(R1, p[4], p[5])
    pre = H1 @ p[6] + p[7]
    U = np.maximum(pre, 0.0)
    F = U @ p[8] + p[9]
    R2 = H1 + F
    H2, c2 = layer_norm(R2, p[10], p[11])
    v.update({"R_1": R1, "H_1": H1, "U": U, "F": F, "R_2": R2, "H_2": H2})
    v.update({f"{k}_1": value for k, value in c1.items()})
    v.update({f"{k}_2": value for k, value in c2.items()})
    return H2, v, (c1, c2, pre)


def encoder_backward(X, p, h, v, caches, dH2):
    c1, c2, pre = caches
    g = {"H_2": dH2}
    dR2, dgamma2, dbeta2, inner2 = layer_norm_backward(dH2, p[10], c2)
    g["R_2"] = dR2
    g.update({f"{k}_2": value for k, value in inner2.items()})
    dF = dR2
    dW2 = v["U"].T @ dF
    db2 = dF.sum(axis=0, keepdims=True)
    dU = dF @ p[8].T
    dpre = dU * (pre > 0)
    dW1 = v["H_1"].T @ dpre
    db1 = dpre.sum(axis=0, keepdims=True)
    dH1 = dR2 + dpre @ p[6].T
    g.update({"F": dF, "U": dU, "H_1": dH1})
    dR1, dgamma1, dbeta1, inner1 = layer_norm_backward(dH1, p[4], c1)
    g["R_1"] = dR1
    g.update({f"{k}_1": value for k, value in inner1.items()})
    dWa, dXp_attention, ga = mha_backward(v["X_P"], p[0:4], h, v, dR1)
    g.update(ga)
    dXp = dR1 + dXp_attention
    g["X_P"] = dXp
    return dWa + [dgamma1, dbeta1, dW1, db1, dW2, db2, dgamma2, dbeta2], dXp, g


def encoder_case(params):
    p_ = dict(ENCODER_DEFAULTS, **params)
    gen = SeededGenerator(p_["seed"])
    d, h, dff = p_["d-model"], p_["heads"], p_["d-ff"]
    tokens, X = embed(p_["sentence"], d, gen)
    attention = [uniform(gen, (d, d), 1.0 / math.sqrt(d)) for _ in range(4)]
    W1 = uniform(gen, (d, dff), 1.0 / math.sqrt(d))
    b1 = uniform(gen, (1, dff), 1.0 / math.sqrt(d))
    W2 = uniform(gen, (dff, d), 1.0 / math.sqrt(dff))
    b2 = uniform(gen, (1, d), 1.0 / math.sqrt(dff))
    ones, zeros = np.ones((1, d)), np.zeros((1, d))
    params_ = attention + [ones, zeros, W1, b1, W2, b2, ones.copy(), zeros.copy()]
    names = list(ENCODER_NAMES)
    next_token = p_["loss"] == "next-token"
    if next_token:
        vocabulary = vocabulary_of(tokens)
        V, N = len(vocabulary), len(tokens)
        params_ += [uniform(gen, (d, V), 1.0 / math.sqrt(d)), uniform(gen, (1, V), 1.0 / math.sqrt(d))]
        names += ["W_out", "b_out"]
        T = np.zeros((N - 1, V))
        for i, token in enumerate(tokens[1:]):
            T[i, vocabulary.index(token)] = 1.0
    else:
        T = uniform(gen, X.shape, 1.0)
    P = positional_encoding(len(tokens), d)
    n = X.size
    tensors = [entry("X", X), entry("P", P), entry("T", T)]
    tensors += [entry(name, w, version=0) for name, w in zip(names, params_)]
    losses, snapshots = [], {}
    for iteration in range(1, p_["train"] + 1):
        H2, v, caches = encoder_forward(X, P, params_, h, p_["causal"] == "true")
        if next_token:
            Y = H2 @ params_[12] + params_[13]
            Yp = Y[:-1]
            shifted = Yp - Yp.max(axis=1, keepdims=True)
            log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            L = -np.sum(T * log_probabilities) / (N - 1)
            dYp = (np.exp(log_probabilities) - T) / (N - 1)
            dY = np.vstack([dYp, np.zeros((1, Y.shape[1]))])
            dH2 = dY @ params_[12].T
            head_grads = [H2.T @ dY, dY.sum(axis=0, keepdims=True)]
            v.update({"Y": Y, "Y_pred": Yp})
        else:
            L = np.mean((H2 - T) ** 2)
            dH2 = 2.0 * (H2 - T) / n
            head_grads = []
        grads, dX, g = encoder_backward(X, params_, h, v, caches, dH2)
        grads += head_grads
        if next_token:
            g.update({"Y": dY, "Y_pred": dYp})
        losses.append(float(L))
        params_ = [w - p_["lr"] * gw for w, gw in zip(params_, grads)]
        if iteration == 1:
            # a causal S_i holds -inf, which JSON numbers cannot: it is left out (the Swift tests check it)
            tensors += [entry(name, value) for name, value in v.items() if np.all(np.isfinite(value))] + [entry("L", L)]
            tensors += [entry(f"dL/d{name}", value, gradient_of=name) for name, value in g.items()]
            tensors += [entry(f"dL/d{name}", gw, gradient_of=name) for name, gw in zip(names, grads)]
            tensors += [entry("dL/dX", dX, gradient_of="X")]
            tensors += [entry(name, w, version=1) for name, w in zip(names, params_)]
        if iteration in schedule(p_["train"]):
            snapshots[str(iteration)] = {name: snapshot(w) for name, w in zip(names, params_)}
    return {"tokens": tokens, "tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}


ENCODER_CASES = [
    ("transformer-defaults", {}, "the notes' sentence, d_model 4, 2 heads, d_ff 8, one SGD step"),
    ("transformer-d5-h1-ff3", {"d-model": 5, "heads": 1, "d-ff": 3, "seed": 6},
     "odd d_model (the last column of P a sine), one head, a narrow feed-forward layer where ReLU blocks units"),
    ("transformer-d8-h4-ff16-repeated-word", {"sentence": "The cat sat on the mat.", "d-model": 8, "heads": 4, "d-ff": 16, "seed": 5},
     "4 heads; equal rows of X made different by P"),
    ("transformer-train5", {"train": 5, "lr": 0.3, "seed": 2},
     "5 SGD iterations: gamma and beta move away from 1 and 0, every loss and the snapshots"),
    ("transformer-causal-train3", {"causal": "true", "train": 3, "lr": 0.2, "seed": 4},
     "causal self-attention in the layer, 3 SGD iterations"),
    ("transformer-next-token-causal", {"loss": "next-token", "causal": "true", "sentence": "the cat sat on the mat",
                                        "train": 4, "lr": 0.5, "seed": 3},
     "next-token cross-entropy over the vocabulary the, cat, sat, on, mat with the causal mask; W_out, b_out; 4 iterations"),
    ("transformer-next-token", {"loss": "next-token", "d-model": 6, "heads": 2, "d-ff": 5},
     "next-token cross-entropy without the mask: each position may read its successor"),
    ("transformer-two-tokens", {"sentence": "hello world", "d-model": 6, "heads": 3, "d-ff": 4, "seed": 9},
     "two tokens, three heads of 2 columns"),
]


def main():
    out = fixture_folder("attention", "mha-*.json", "transformer-*.json")
    cases = [("multi-head-attention", mha_case, MHA_CASES), ("transformer-encoder", encoder_case, ENCODER_CASES)]
    for demo, run, table in cases:
        for name, params, description in table:
            result = run(params)
            fixture = {"case": name, "demo": demo, "description": description, "parameters": params, **result}
            write(out, name, fixture)


if __name__ == "__main__":
    main()
