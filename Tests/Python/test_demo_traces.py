"""Demo traces from the CLI checked against what their docs say, from outside the engine: the
documented generator's draws, gradient-flow's norms and clipping, word2vec's notes example and
history, self-attention one token at a time, attention against a delay line."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numpy_ops as ops
from seeded_generator import SeededGenerator
from trace_checks import cli_trace, cli_trace_bytes


def test_documented_sampler_reproduces_the_skipgram_ns_negatives():
    """docs/word2vec-negative-sampling.md: after W_in and W_out, k draws from the running sums of
    sqrt(count) * sqrt(sqrt(count)), the first word above r * total, redrawn while equal to the context word."""
    trace = cli_trace("skipgram-ns-train")
    tensors = {t["name"]: t for t in trace["tensors"] if "version" not in t and t["role"] != "gradient"}
    vocabulary = tensors["W_in"]["labels"][0]
    V, N = tensors["W_in"]["shape"]
    tokens = "the cat sat on the mat and the dog sat on the log".split()
    running, total = [], 0.0
    for word in vocabulary:
        count = float(tokens.count(word))
        total += math.sqrt(count) * math.sqrt(math.sqrt(count))
        running.append(total)
    generator = SeededGenerator(1)
    assert tensors["W_in"]["data"] + tensors["W_out"]["data"] == generator.tensor(2 * V * N, 0.5 / N)
    context = vocabulary.index(tensors["u"]["labels"][1][0])
    negatives = []
    while len(negatives) < 8:
        threshold = generator.next_uniform() * total
        word = next((w for w, s in enumerate(running) if s > threshold), V - 1)
        if word != context:
            negatives.append(word)
    assert tensors["negatives"]["data"] == negatives
    assert tensors["u"]["labels"][1][1:] == [vocabulary[n] for n in negatives]


def norm(values) -> float:
    return float(np.sqrt(np.sum(np.square(np.asarray(values, dtype=np.float64)))))


@pytest.mark.parametrize("case", ["gradient-flow-vanish", "gradient-flow-explode-clip", "gradient-flow-lstm"])
def test_gradient_flow_history_norms_are_the_norms_of_the_traced_state_gradients(case):
    trace = cli_trace(case)
    steps = trace["config"]["steps"]
    tensors = trace["tensors"]
    kept = trace["history"][0]["tensors"]
    for key, state in (("grad_norm_h", "h"), ("grad_norm_c", "c")):
        if key not in kept:
            assert state == "c" and trace["config"]["network"] == "rnn"
            continue
        norms = ops.tensor_array(kept[key])
        assert norms.shape == (steps,)
        for t in range(1, steps + 1):
            (base,) = [x["id"] for x in tensors if x["name"] == f"{state}_{t}" and x["role"] != "gradient"]
            gradient = [x for x in tensors if x["role"] == "gradient" and x["of"] == base][-1]  # the accumulated one
            assert gradient["name"] == f"dQ/d{state}_{t}"
            expected = norm(ops.tensor_array(gradient))
            assert abs(norms[t - 1] - expected) <= 1e-12 * expected, f"{key}[{t}]"


def test_gradient_flow_vanishing_norms_shrink_going_back():
    norms = ops.tensor_array(cli_trace("gradient-flow-vanish")["history"][0]["tensors"]["grad_norm_h"])
    assert norms[0] < 1e-4 * norms[-1]


def test_gradient_flow_clipping_caps_every_parameter_gradient():
    trace = cli_trace("gradient-flow-explode-clip")
    clips = [step for step in trace["steps"] if step["op"] == "clip_norm"]
    assert len(clips) == 4  # W_1, b_1, W_2, b_2 in the traced iteration
    capped = 0
    for step in clips:
        limit = ops.decode_number(step["attrs"]["max_norm"])
        before = norm(ops.tensor_array(trace["tensors"][step["inputs"][0]]))
        after = norm(ops.tensor_array(trace["tensors"][step["output"]]))
        assert after <= limit * (1 + 1e-15)
        if before > limit:
            assert abs(after - limit) <= 1e-15 * limit
            capped += 1
    assert capped > 0
    users = {step["inputs"][1] for step in trace["steps"] if step["op"] == "sgd"}
    assert users == {step["output"] for step in clips}, "sgd reads the clipped gradients"


def test_gradient_flow_overflow_keeps_infinity_and_nan_through_the_json():
    text = cli_trace_bytes("gradient-flow-overflow")
    assert b'"Infinity"' in text and b'"NaN"' in text
    trace = ops.load_trace(text)  # refuses bare NaN / Infinity tokens
    assert trace["steps"] == [] and trace["tensors"] == [] and trace["loss"] is None
    first, second = trace["history"]
    norms = ops.tensor_array(first["tensors"]["grad_norm_h"])
    assert norms.shape == (1000,)
    assert np.isfinite(norms[-1]) and norms[-1] > 0
    assert np.isposinf(norms).any() and np.isnan(norms).any()
    last_infinite = int(np.flatnonzero(np.isposinf(norms))[-1])
    assert np.isfinite(norms[last_infinite + 1:]).all(), "finite between the overflow and t = T"
    assert np.isnan(norms[:last_infinite]).any(), "NaN further back (∞ · 0, ∞ − ∞)"
    assert math.isnan(ops.decode_number(second["loss"])), "the NaN update makes the next loss NaN"
    assert np.isnan(ops.tensor_array(first["tensors"]["W_1"])).all()


# The generator as docs/trace-format.md describes it reproduces the demos' random draws.


def test_documented_generator_reproduces_the_neuron_demo_draws():
    tensors = {t["name"]: t["data"] for t in cli_trace("neuron-sigmoid")["tensors"] if t["role"] in ("input", "parameter") and "version" not in t}
    generator, n = SeededGenerator(1), 3  # the defaults: seed 1, 3 inputs
    bound = 1 / math.sqrt(n)
    assert tensors["x"] == generator.tensor(n, 1.0)
    assert tensors["w"] == generator.tensor(n, bound)
    assert tensors["b"] == generator.tensor(1, bound)


def test_documented_generator_reproduces_the_mlp_demo_initial_parameters():
    trace = cli_trace("mlp-default")  # layers 2,3,1, fan-in initializer, seed 1
    generator, drawn = SeededGenerator(1), []
    for fan_in, fan_out in ((2, 3), (3, 1)):
        drawn.append(generator.tensor(fan_in * fan_out, 1 / math.sqrt(fan_in)))
        drawn.append(generator.tensor(fan_out, 1 / math.sqrt(fan_in)))
    assert [t["data"] for t in trace["tensors"][:4]] == drawn


def test_word2vec_notes_example_figures_through_the_cli():
    trace = cli_trace("cbow-example-three")
    by_name = {t["name"]: t for t in trace["tensors"] if t["role"] != "gradient" and t.get("version") is None}
    assert np.allclose(by_name["h"]["data"], [55 / 3, 58 / 3, 61 / 3, 64 / 3], rtol=0, atol=1e-12)
    e, y = np.array(by_name["e_sample"]["data"]), np.array(by_name["y"]["data"])
    assert np.array_equal(e, y - np.eye(10)[3])
    pairs = next(t for t in cli_trace("skipgram-example")["tensors"] if t["name"] == "training_pairs")
    assert pairs["labels"][0][4] == "corpus → sample, using"


@pytest.mark.parametrize("case", ["cbow-train", "skipgram-train"])
def test_word2vec_history_has_a_loss_and_a_pca_projection_per_epoch(case):
    trace = cli_trace(case)
    vocabulary = trace["config"]["vocabulary"]
    assert [h["iteration"] for h in trace["history"]] == [1, 2, 3]
    for entry in trace["history"]:
        assert not entry["traced"]
        assert entry["tensors"]["W_in_pca"]["shape"] == [vocabulary, 2]
    neighbours = [t for t in trace["tensors"] if t["name"].startswith("neighbours_")]
    assert neighbours and all(t["shape"] == [1, 5] and len(t["labels"][1]) == 5 for t in neighbours)


def _first(trace: dict, name: str) -> dict:
    return next(t for t in trace["tensors"] if t["name"] == name and t["role"] != "gradient" and t.get("version", 0) == 0)


def test_self_attention_one_token_at_a_time_matches_the_causal_trace_through_the_cli():
    full, incremental = cli_trace("self-attention-causal"), cli_trace("self-attention-incremental")
    for name in ("A", "Z"):
        a, b = np.array(_first(full, name)["data"]), np.array(_first(incremental, name)["data"])
        assert np.allclose(a, b, rtol=0, atol=1e-14), name
    A = np.array(_first(incremental, "A")["data"]).reshape(_first(incremental, "A")["shape"])
    assert np.all(A[np.triu_indices(A.shape[0], 1)] == 0) and np.allclose(A.sum(axis=1), 1, rtol=0, atol=1e-14)
    assert _first(incremental, "X")["labels"][0] == ["cat", "sat", "on", "the", "soft", "mat"]
    scopes = [s["name"] for s in incremental["scopes"]]
    assert [n for n in scopes if n.startswith("t = ")][:6] == ["t = 1: cat", "t = 2: sat", "t = 3: on", "t = 4: the", "t = 5: soft", "t = 6: mat"]


def test_attention_vs_tdl_weights_reproduce_the_attention_output_as_a_delay_line_sum():
    trace = cli_trace("attention-vs-tdl-default")
    A = np.array(_first(trace, "A")["data"]).reshape(_first(trace, "A")["shape"])
    X = np.array(_first(trace, "X")["data"]).reshape(_first(trace, "X")["shape"])
    Z = np.array(_first(trace, "Z")["data"]).reshape(_first(trace, "Z")["shape"])
    for t in range(A.shape[0]):  # z_t = sum_i a_i(t) x_{t-i}, a_i(t) = A[t, t-i]
        assert np.allclose(Z[t], sum(A[t, t - i] * X[t - i] for i in range(t + 1)), rtol=0, atol=1e-14)


def test_documented_generator_reproduces_the_encoder_decoder_draws():
    """EncoderDecoder.swift: the source vocabulary's embedding rows, then the target vocabulary's
    (<s>, </s>, then the words), then the encoder's W_Q; the decoder reads <s> and the words."""
    trace = cli_trace("encoder-decoder-default")
    by_name = {t["name"]: t for t in trace["tensors"] if t["role"] != "gradient" and t.get("version") is None}
    generator = SeededGenerator(1)
    assert by_name["E^enc"]["data"] == generator.tensor(3 * 4, 1.0)
    table = generator.tensor(6 * 4, 1.0)
    assert by_name["E^dec"]["data"] == [v for k in (0, 2, 3, 4, 5) for v in table[4 * k:4 * k + 4]]
    assert by_name["W_Q^enc"]["data"] == generator.tensor(4 * 4, 0.5)
    assert by_name["E^dec"]["labels"][0] == ["<s>", "i", "am", "a", "student"]
    assert by_name["Y"]["labels"][1] == ["<s>", "</s>", "i", "am", "a", "student"]
    masked = by_name["A_1^dec"]["data"]
    assert all(masked[5 * i + j] == 0 for i in range(5) for j in range(i + 1, 5))
