#!/usr/bin/env python3
"""Independent reference values for the `encoder-decoder` demo (Tests/ModelsTests/EncoderDecoderTests.swift).

Regenerate (rewrites Tests/Fixtures/attention/encoder-decoder-*.json, only those):

    python3 Tests/Fixtures/reference_encoder_decoder.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (issue 5, the doc comments of
EncoderDecoder.swift, TransformerEncoder.swift and MultiHeadAttention.swift, docs/transformer.md),
not from the Swift code's arithmetic, and no number is read from a Swift run. Gradients come from
the small reverse mode below (`Node`): each op's vector-Jacobian product is written out by hand
in numpy, the graph walked backwards in creation order. The PRNG is Tests/Python/seeded_generator.py;
the fixture writer is reference_rnn.py's, the tokenizer reference_word2vec.py's.

The network (rows are tokens):
- source tokens: the source's words (lower-cased, punctuation stripped); decoder input
  `<s> y_1 ... y_m`, next tokens `y_1 ... y_m </s>`; target vocabulary `<s>`, `</s>`, then the
  target's words by first appearance;
- draws: the source vocabulary's embedding rows (uniform [-1, 1), d_model each, in order of first
  appearance), the target vocabulary's likewise; then the encoder layer's W_Q, W_K, W_V, W_O
  (d x d, +-1/sqrt(d)), its FFN W_1 (d x d_ff), b_1 (1 x d_ff) (+-1/sqrt(d)), W_2 (d_ff x d), b_2
  (1 x d) (+-1/sqrt(d_ff)); the decoder's self-attention W_Q..W_O, cross-attention W_Q..W_O, FFN
  as the encoder's; W_out (d x V), b_out (1 x V), +-1/sqrt(d); every layer norm starts at gamma = 1,
  beta = 0 (not drawn);
- X^enc = E^enc + P, X^dec = E^dec + P, P[p, 2i] = sin(p / 10000^(2i/d)), P[p, 2i+1] = cos(same);
- multi-head attention: Q = Xq W_Q, K = Xkv W_K, V = Xkv W_V, head i its columns (i-1)d_k..i d_k - 1,
  S_i = Q_i K_i^T / sqrt(d_k) (causal: -inf above the diagonal), A_i = row softmax, Z_i = A_i V_i,
  Z = [Z_1 ... Z_h] W_O;
- LN(x) = (x - mean) / sqrt(biased variance + 1e-5) * gamma + beta, per row;
- encoder: H_1 = LN_1(X + MHA(X)), H_2 = LN_2(H_1 + FFN(H_1)), FFN(x) = max(0, x W_1 + b_1) W_2 + b_2;
- decoder: H_1 = LN_1(X + MHA_causal(X)), H_2 = LN_2(H_1 + MHA(H_1, M, M)) with M = H_2^enc,
  H_3 = LN_3(H_2 + FFN(H_2));
- Y = H_3 W_out + b_out; L = -(1/N_t) sum_i log softmax(Y_i)[next token i]; SGD p <- p - lr dL/dp.

When it trains more than one iteration, each snapshot also holds the attention maps A_i^enc, A_i^dec
and A_i^cross recomputed by a forward pass with the snapshot's parameters on the same input: the
trace's `activation` series.

Each fixture has the layout of Tests/Fixtures/models (see reference_models.py) plus
"sourceTokens", "decoderTokens", "nextTokens" and "vocabulary".
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

START, END = "<s>", "</s>"
EPSILON = 1e-5
DEFAULTS = {"source": "je suis étudiant", "target": "i am a student", "d-model": 4, "heads": 2, "d-ff": 8,
            "train": 1, "lr": 0.1, "seed": 1}

# ---------------------------------------------------------------------------------------------
# A small reverse mode: every node keeps its value, its parents and the vector-Jacobian product
# that maps dL/d(node) to dL/d(parent) for each parent.

_created = [0]


class Node:
    def __init__(self, value, parents=(), vjp=None):
        self.value = np.asarray(value, dtype=np.float64)
        self.parents = parents
        self.vjp = vjp
        self.grad = None
        self.order = _created[0]
        _created[0] += 1


def leaf(value):
    return Node(value)


def unbroadcast(g, shape):
    """Sums g down to `shape` (undoes numpy broadcasting)."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def add(a, b):
    return Node(a.value + b.value, (a, b), lambda g: (unbroadcast(g, a.value.shape), unbroadcast(g, b.value.shape)))


def matmul(a, b):
    return Node(a.value @ b.value, (a, b), lambda g: (g @ b.value.T, a.value.T @ g))


def columns(a, start, end):
    def vjp(g):
        full = np.zeros_like(a.value)
        full[:, start:end] = g
        return (full,)
    return Node(a.value[:, start:end], (a,), vjp)


def hstack(parts):
    widths = np.cumsum([0] + [p.value.shape[1] for p in parts])
    return Node(np.concatenate([p.value for p in parts], axis=1), tuple(parts),
                lambda g: tuple(g[:, widths[k]:widths[k + 1]] for k in range(len(parts))))


def attention_weights(q, k, scale, causal):
    """softmax(q k^T * scale) row by row, -inf above the diagonal when causal; one node for S, one for A."""
    s_value = (q.value @ k.value.T) * scale
    if causal:
        s_value = np.where(np.tril(np.ones_like(s_value)) != 0, s_value, -np.inf)
    allowed = np.isfinite(s_value)
    # dL/dS = (dL/dS_raw) on allowed entries, 0 where masked; S_raw = q k^T * scale
    S = Node(s_value, (q, k), lambda g: ((np.where(allowed, g, 0) @ k.value) * scale,
                                         (np.where(allowed, g, 0).T @ q.value) * scale))
    shifted = s_value - s_value.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    a_value = e / e.sum(axis=1, keepdims=True)
    A = Node(a_value, (S,), lambda g: (a_value * (g - np.sum(g * a_value, axis=1, keepdims=True)),))
    return S, A


def relu(a):
    return Node(np.maximum(a.value, 0), (a,), lambda g: (g * (a.value > 0),))


def layer_norm(x, gamma, beta):
    """Per row: xhat = (x - mean) / sqrt(var + eps); y = xhat * gamma + beta. Backward:
    dxhat = g gamma; dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / sigma."""
    mu = x.value.mean(axis=1, keepdims=True)
    centred = x.value - mu
    sigma = np.sqrt((centred ** 2).mean(axis=1, keepdims=True) + EPSILON)
    xhat = centred / sigma

    def vjp(g):
        dxhat = g * gamma.value
        dx = (dxhat - dxhat.mean(axis=1, keepdims=True) - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)) / sigma
        return dx, (g * xhat).sum(axis=0, keepdims=True), g.sum(axis=0, keepdims=True)

    return Node(xhat * gamma.value + beta.value, (x, gamma, beta), vjp)


def cross_entropy(y, targets):
    """-(1/N) sum_i log softmax(y_i)[t_i]; dL/dy = (softmax(y) - onehot) / N."""
    n = y.value.shape[0]
    shifted = y.value - y.value.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    onehot = np.zeros_like(y.value)
    onehot[np.arange(n), targets] = 1
    return Node(-np.sum(onehot * log_p) / n, (y,), lambda g: (g * (np.exp(log_p) - onehot) / n,))


def backward(loss):
    """Fills .grad of every node the loss depends on, walking in reverse creation order."""
    nodes, stack, seen = [], [loss], {id(loss)}
    while stack:
        node = stack.pop()
        nodes.append(node)
        for p in node.parents:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    nodes.sort(key=lambda n: -n.order)
    for node in nodes:
        node.grad = None
    loss.grad = np.ones_like(loss.value)
    for node in nodes:
        if node.grad is None or node.vjp is None:
            continue
        for parent, g in zip(node.parents, node.vjp(node.grad)):
            parent.grad = g if parent.grad is None else parent.grad + g


# ---------------------------------------------------------------------------------------------
# The network


def positional_encoding(n, d):
    return np.array([[math.sin(p / 10000 ** ((j - j % 2) / d)) if j % 2 == 0 else math.cos(p / 10000 ** ((j - j % 2) / d))
                      for j in range(d)] for p in range(n)])


def attention_draws(gen, d):
    return [uniform(gen, (d, d), 1 / math.sqrt(d)) for _ in range(4)]


def ffn_draws(gen, d, dff):
    return [uniform(gen, (d, dff), 1 / math.sqrt(d)), uniform(gen, (1, dff), 1 / math.sqrt(d)),
            uniform(gen, (dff, d), 1 / math.sqrt(dff)), uniform(gen, (1, d), 1 / math.sqrt(dff))]


def norm_values(d):
    return [np.ones((1, d)), np.zeros((1, d))]


def parameter_names():
    enc = [f"W_{k}^enc" for k in "QKVO"] + ["gamma_1^enc", "beta_1^enc"] + [f"{n}^enc" for n in ("W_1", "b_1", "W_2", "b_2")] \
        + ["gamma_2^enc", "beta_2^enc"]
    dec = [f"W_{k}^dec" for k in "QKVO"] + ["gamma_1^dec", "beta_1^dec"] + [f"W_{k}^cross" for k in "QKVO"] \
        + ["gamma_2^dec", "beta_2^dec"] + [f"{n}^dec" for n in ("W_1", "b_1", "W_2", "b_2")] + ["gamma_3^dec", "beta_3^dec"]
    return enc + dec + ["W_out", "b_out"]


def multi_head(xq, xkv, W, h, tag, causal, v):
    W_Q, W_K, W_V, W_O = W
    d = xq.value.shape[1]
    dk = d // h
    Q, K, V = matmul(xq, W_Q), matmul(xkv, W_K), matmul(xkv, W_V)
    v.update({f"Q^{tag}": Q, f"K^{tag}": K, f"V^{tag}": V})
    heads = []
    for i in range(1, h + 1):
        Qi, Ki, Vi = (columns(m, (i - 1) * dk, i * dk) for m in (Q, K, V))
        S, A = attention_weights(Qi, Ki, 1 / math.sqrt(dk), causal)
        Zi = matmul(A, Vi)
        v.update({f"S_{i}^{tag}": S, f"A_{i}^{tag}": A, f"Z_{i}^{tag}": Zi})
        heads.append(Zi)
    joined = hstack(heads)
    Z = matmul(joined, W_O)
    v.update({f"Z_heads^{tag}": joined, f"Z^{tag}": Z})
    return Z


def ffn(x, W, tag, v):
    U = relu(add(matmul(x, W[0]), W[1]))
    F = add(matmul(U, W[2]), W[3])
    v.update({f"U^{tag}": U, f"F^{tag}": F})
    return F


def forward(P, E_enc, E_dec, next_indices, h, v):
    """P: the 32 parameter nodes in parameter_names() order. Fills v with named nodes; returns L."""
    enc, dec, (W_out, b_out) = P[:12], P[12:30], P[30:]
    ns, nt, d = E_enc.shape[0], E_dec.shape[0], E_enc.shape[1]
    X_enc = leaf(E_enc + positional_encoding(ns, d))
    X_dec = leaf(E_dec + positional_encoding(nt, d))
    v.update({"X^enc": X_enc, "X^dec": X_dec})

    Z = multi_head(X_enc, X_enc, enc[0:4], h, "enc", False, v)
    R1 = add(X_enc, Z)
    H1 = layer_norm(R1, enc[4], enc[5])
    F = ffn(H1, enc[6:10], "enc", v)
    R2 = add(H1, F)
    M = layer_norm(R2, enc[10], enc[11])
    v.update({"R_1^enc": R1, "H_1^enc": H1, "R_2^enc": R2, "H_2^enc": M})

    Z = multi_head(X_dec, X_dec, dec[0:4], h, "dec", True, v)
    R1 = add(X_dec, Z)
    H1 = layer_norm(R1, dec[4], dec[5])
    C = multi_head(H1, M, dec[6:10], h, "cross", False, v)
    R2 = add(H1, C)
    H2 = layer_norm(R2, dec[10], dec[11])
    F = ffn(H2, dec[12:16], "dec", v)
    R3 = add(H2, F)
    H3 = layer_norm(R3, dec[16], dec[17])
    v.update({"R_1^dec": R1, "H_1^dec": H1, "R_2^dec": R2, "H_2^dec": H2, "R_3^dec": R3, "H_3^dec": H3})

    Y = add(matmul(H3, W_out), b_out)
    L = cross_entropy(Y, next_indices)
    v.update({"Y": Y, "L": L})
    return L


# Intermediates whose values (and gradients, all but the masked S) the fixtures pin down.
VALUES = ["X^enc", "X^dec", "Q^enc", "A_1^enc", "Z^enc", "H_1^enc", "U^enc", "H_2^enc", "A_1^dec", "Z^dec",
          "H_1^dec", "Q^cross", "K^cross", "V^cross", "S_1^cross", "A_1^cross", "Z^cross", "H_2^dec", "F^dec", "H_3^dec",
          "Y", "L"]
GRADIENTS = ["Y", "H_3^dec", "Z^cross", "A_1^cross", "H_1^dec", "A_1^dec", "H_2^enc", "Z^enc"]


def case(params):
    p = dict(DEFAULTS, **params)
    gen = SeededGenerator(p["seed"])
    d, h, dff = p["d-model"], p["heads"], p["d-ff"]

    source = words_of(p["source"])
    source_vocabulary = vocabulary_of(source)
    source_table = uniform(gen, (len(source_vocabulary), d), 1.0)
    words = words_of(p["target"])
    decoder_tokens, next_tokens = [START] + words, words + [END]
    vocabulary = [START, END] + vocabulary_of(words)
    target_table = uniform(gen, (len(vocabulary), d), 1.0)
    E_enc = np.array([source_table[source_vocabulary.index(t)] for t in source])
    E_dec = np.array([target_table[vocabulary.index(t)] for t in decoder_tokens])
    next_indices = [vocabulary.index(t) for t in next_tokens]

    values = attention_draws(gen, d) + norm_values(d) + ffn_draws(gen, d, dff) + norm_values(d)
    self_w, cross_w, ffn_w = attention_draws(gen, d), attention_draws(gen, d), ffn_draws(gen, d, dff)
    values += self_w + norm_values(d) + cross_w + norm_values(d) + ffn_w + norm_values(d)
    V = len(vocabulary)
    values += [uniform(gen, (d, V), 1 / math.sqrt(d)), uniform(gen, (1, V), 1 / math.sqrt(d))]
    names = parameter_names()

    tensors = [entry("E^enc", E_enc), entry("E^dec", E_dec)] + [entry(n, w, version=0) for n, w in zip(names, values)]
    losses, snapshots = [], {}
    for iteration in range(1, p["train"] + 1):
        P = [leaf(w) for w in values]
        v = {}
        L = forward(P, E_enc, E_dec, next_indices, h, v)
        backward(L)
        losses.append(float(L.value))
        values = [w - p["lr"] * node.grad for w, node in zip(values, P)]
        if iteration == 1:
            tensors += [entry(n, v[n].value) for n in VALUES]
            tensors += [entry(f"dL/d{n}", v[n].grad, gradient_of=n) for n in GRADIENTS]
            tensors += [entry(f"dL/d{n}", node.grad, gradient_of=n) for n, node in zip(names, P)]
            tensors += [entry(n, w, version=1) for n, w in zip(names, values)]
        if iteration in schedule(p["train"]):
            snapshots[str(iteration)] = {n: snapshot(w) for n, w in zip(names, values)}
        if iteration in schedule(p["train"]) and p["train"] > 1:
            # The attention maps the updated weights give on the same input (the trace's activation
            # series, kept when the run trains more than one iteration).
            after = {}
            forward([leaf(w) for w in values], E_enc, E_dec, next_indices, h, after)
            snapshots[str(iteration)].update({f"A_{i}^{tag}": snapshot(after[f"A_{i}^{tag}"].value)
                                              for tag in ("enc", "dec", "cross") for i in range(1, h + 1)})
    return {"sourceTokens": source, "decoderTokens": decoder_tokens, "nextTokens": next_tokens, "vocabulary": vocabulary,
            "tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}


CASES = [
    ("encoder-decoder-defaults", {}, "je suis étudiant → i am a student: d_model 4, 2 heads, d_ff 8, one SGD step"),
    ("encoder-decoder-h1", {"heads": 1, "d-ff": 3, "seed": 4}, "one head of 4 columns, d_ff 3"),
    ("encoder-decoder-d6-h3-train4", {"source": "the cat sat", "target": "le chat le chat", "d-model": 6, "heads": 3,
                                      "d-ff": 5, "train": 4, "lr": 0.3, "seed": 2},
     "3 heads of 2 columns, a repeated target word (V = 4), 4 SGD iterations: every loss and the snapshots"),
    ("encoder-decoder-one-source-token", {"source": "bonjour", "target": "hello there", "seed": 7},
     "one source token: every cross-attention row is [1]"),
]


def main():
    out = fixture_folder("attention", "encoder-decoder-*.json")
    for name, params, description in CASES:
        result = case(params)
        fixture = {"case": name, "demo": "encoder-decoder", "description": description, "parameters": params, **result}
        write(out, name, fixture)


if __name__ == "__main__":
    main()
