"""The declared structure of a trace (docs/trace-format.md, "Declared structure"), checked
independently of the Swift code: the vocabulary and types, that every declaration agrees with
where the trace records the tensor (a tensor tagged t = 3 is made inside the time step t = 3),
and that the tags name what they say, by recomputing the cells' equations in numpy from the
tagged tensors alone."""

from __future__ import annotations

import json

import numpy as np

import numpy_ops as ops

# Scope kinds and their attributes: name → (type, allowed values or None); required unless marked "?".
SCOPE_KINDS = {
    "iteration": {"iteration": (int, None)},
    "time_step": {"t": (int, None), "direction?": (str, {"forward", "backward"})},
    "direction": {"direction": (str, {"forward", "backward"})},
    "cell": {"cell": (str, {"rnn", "lstm", "gru"}), "peephole?": (bool, {True})},
    "cell_part": {"part": (str, {"forget_gate", "input_gate", "output_gate", "update_gate", "reset_gate",
                                 "candidate", "cell_state", "hidden_state"})},
    "layer": {"layer": (int, None), "skip?": (bool, {True})},
    "variant": {"variant": (str, {"naive", "reduced", "plain", "residual", "transfer", "scratch"})},
    "branch": {"branch": (str, {"1x1", "3x3", "5x5", "pool"}), "parameters": (int, None), "multiplications": (int, None)},
    "head": {"head": (int, None)},
    "block": {"block": (str, {"encoder", "decoder"})},
    "attention": {"attention": (str, {"self", "masked_self", "cross"}), "block?": (str, {"encoder", "decoder"})},
    "stage": {"stage": (str, {"hidden_layer", "output_layer", "scores", "error", "true_word", "negatives"})},
    "delay_line": {},
    "loss": {},
    "normalization": {"mode": (str, {"batch", "layer", "instance", "group"}), "groups?": (int, None),
                      "phase?": (str, {"train", "eval"})},
    "training_stage": {"training_stage": (str, {"head", "fine_tune"})},
}
QUANTITIES = {
    "input", "target", "output", "hidden_state", "cell_state", "gate", "candidate", "stacked_input",
    "delay_line_output", "attention_scores", "attention_weights", "embedding", "output_embedding", "one_hot",
    "context_embeddings", "hidden_layer", "output_vectors", "scores", "probabilities", "error",
    "true_word_probability", "negative_probabilities", "loss",
    "image", "feature_map", "kernel",
    "mean", "variance", "normalized", "scale", "shift", "running_mean", "running_variance",
    "dropout_mask",
}
CONTEXT = {"t": int, "direction": str, "gate": str, "head": int, "block": str, "attention": str, "word": str,
           "position": int, "layer": int, "branch": str, "variant": str, "stage": str}
SERIES_QUANTITIES = {"loss", "parameter", "gradient_norm", "embedding_projection", "accuracy", "feature_map",
                     "validation_loss", "validation_accuracy", "training_stage", "nearest_neighbours", "activation"}
VIEWS = {"lstm-cell", "gru-cell", "unrolled", "attention", "word2vec", "training", "convolution", "feature-maps",
         "inception", "residual", "normalization", "neighbours"}
# The part of a cell a tagged tensor made inside one must be made in.
PART_OF = {("gate", "forget"): "forget_gate", ("gate", "input"): "input_gate", ("gate", "output"): "output_gate",
           ("gate", "update"): "update_gate", ("gate", "reset"): "reset_gate", ("candidate", None): "candidate",
           ("cell_state", None): "cell_state", ("hidden_state", None): "hidden_state"}


def enclosing(trace: dict, scope: int | None, kind: str) -> dict | None:
    """The attributes of the innermost scope of `kind` at or around `scope`."""
    while scope is not None:
        if trace["scopes"][scope].get("kind") == kind:
            return trace["scopes"][scope].get("attributes", {})
        scope = trace["scopes"][scope]["parent"]
    return None


def check_flat(values: dict, spec: dict, where: str) -> None:
    for key, value in values.items():
        assert type(value) in (int, str, bool), f"{where}: {key} = {value!r} is not an integer, string or boolean"
    for name, (kind, allowed) in spec.items():
        key, optional = name.rstrip("?"), name.endswith("?")
        if key not in values:
            assert optional, f"{where}: no {key}"
            continue
        assert type(values[key]) is kind, f"{where}: {key} = {values[key]!r}"
        assert allowed is None or values[key] in allowed, f"{where}: {key} = {values[key]!r}"


def check_declarations(trace: dict) -> None:
    """Vocabulary, types, and agreement of every declaration with the recorded structure."""
    for scope in trace["scopes"]:
        if "kind" in scope:
            assert scope["kind"] in SCOPE_KINDS, f"scope {scope['id']}: unknown kind {scope['kind']}"
            check_flat(scope.get("attributes", {}), SCOPE_KINDS[scope["kind"]], f"scope {scope['id']}")
            assert set(scope.get("attributes", {})) <= {k.rstrip("?") for k in SCOPE_KINDS[scope["kind"]]}
        else:
            assert "attributes" not in scope
    made_in = {step["output"]: step for step in trace["steps"]}
    for tensor in trace["tensors"]:
        tags = tensor.get("tags")
        if tags is None:
            continue
        where = f"tensor {tensor['id']} ({tensor['name']})"
        assert tags.get("quantity") in QUANTITIES, f"{where}: quantity {tags.get('quantity')!r}"
        check_flat({k: v for k, v in tags.items() if k != "quantity"},
                   {f"{k}?": (kind, None) for k, kind in CONTEXT.items()}, where)
        assert set(tags) <= set(CONTEXT) | {"quantity"}, where
        assert tags["quantity"] != "image" or tags.get("stage", "augmented") == "augmented", f"{where}: image stage"
        step = made_in.get(tensor["id"])
        if step is None or step["phase"] != "forward":
            continue
        # Made inside a time step: the same t and direction.
        time_step = enclosing(trace, step["scope"], "time_step")
        if time_step is not None and "t" in tags:
            assert tags["t"] == time_step["t"], where
            direction = time_step.get("direction") or (enclosing(trace, step["scope"], "direction") or {}).get("direction")
            assert tags.get("direction") == direction, where
        # Made inside an LSTM or GRU cell: in the part of the cell it is.
        if enclosing(trace, step["scope"], "cell") is not None and (tags["quantity"], tags.get("gate")) in PART_OF:
            part = enclosing(trace, step["scope"], "cell_part")
            if part is not None:
                assert part["part"] == PART_OF[(tags["quantity"], tags.get("gate"))], where
    check_unique_tags(trace)
    check_series_and_views(trace)


def check_unique_tags(trace: dict) -> None:
    """No two tensors of one traced iteration carry the same tags: a reader finds each by them."""
    root_of = {}
    for scope in trace["scopes"]:
        root_of[scope["id"]] = scope["id"] if scope["parent"] is None else root_of[scope["parent"]]
    seen, root = {}, None
    for step in trace["steps"]:
        if step["scope"] is not None:
            root = root_of[step["scope"]]
        for tid in [*step["inputs"], step["output"]]:
            tensor = trace["tensors"][tid]
            if "tags" not in tensor:
                continue
            key = (root, json.dumps(tensor["tags"], sort_keys=True))
            assert seen.setdefault(key, tid) == tid or tensor["role"] == "parameter" or tensor.get("version"), \
                f"tensors {seen[key]} and {tid} share the tags {key[1]} in one iteration"


def check_series_and_views(trace: dict) -> None:
    history = trace.get("history") or []
    series = trace.get("series")
    if series is not None:
        keys = [s["key"] for s in series]
        assert len(keys) == len(set(keys)), keys
        snapshot_keys = {k for entry in history for k in (entry.get("tensors") or {})}
        assert set(keys) == snapshot_keys | {"loss"}, "every history key is described, and only those"
        for s in series:
            assert s["quantity"] in SERIES_QUANTITIES and s["per"] in ("iteration", "epoch"), s
            assert s.get("variant", "plain") in SCOPE_KINDS["variant"]["variant"][1], s
            if s["quantity"] == "activation":
                check_activation_series(trace, s)
            elif "tags" in s:   # a gradient_norm series over time_step: the tags its states share but t
                assert s["quantity"] == "gradient_norm" and s["axis"] == "time_step" and "t" not in s["tags"], s
                assert s["tags"].get("quantity") == s["of"] and any(
                    all(t.get("tags", {}).get(k) == v for k, v in s["tags"].items()) for t in trace["tensors"]) == bool(trace["steps"]), s
            assert "item" not in s or s["quantity"] == "activation", s
            # Marks name entries of the history by their number.
            entries = {entry["iteration"] for entry in history}
            for name, at in (s.get("marks") or {}).items():
                assert type(name) is str and type(at) is int and at in entries, (s["key"], name, at)
    views = trace.get("views")
    if views is not None:
        assert len(views) == len(set(views)) and set(views) <= VIEWS, views
        assert ("training" in views) == bool(history)


def check_activation_series(trace: dict, s: dict) -> None:
    """An activation series follows a traced tensor: its tags are a tensor's (the first traced
    iteration has one with exactly those), `of` is their quantity, and every snapshot has its shape
    (with `item`, the shape of that item of its batch: the traced shape without its first axis)."""
    tags = s.get("tags")
    assert isinstance(tags, dict) and tags.get("quantity") in QUANTITIES and s.get("of") == tags["quantity"], s
    traced = [t for t in trace["tensors"] if t.get("tags") == tags]
    if trace["steps"]:
        assert traced, f"no traced tensor has the tags of series {s['key']}"
    for entry in trace.get("history") or []:
        snapshot = (entry.get("tensors") or {}).get(s["key"])
        if snapshot is not None and traced:
            shape = traced[0]["shape"]
            if "item" in s:
                assert type(s["item"]) is int and 1 <= s["item"] <= shape[0], s
                shape = shape[1:]
            assert snapshot["shape"] == shape, (s["key"], entry["iteration"])


def recomputed(trace: dict, entry: dict) -> dict:
    """The trace as the activation series of `entry` recompute it: its tagged tensors' values
    after the entry's update (tensors no series keeps, such as the inputs, as traced)."""
    kept = {json.dumps(s["tags"], sort_keys=True): s["key"] for s in trace.get("series") or []
            if s["quantity"] == "activation" and "item" not in s}   # one item of a batch replaces no tensor
    tensors = []
    for tensor in trace["tensors"]:
        key = kept.get(json.dumps(tensor.get("tags"), sort_keys=True)) if "tags" in tensor else None
        snapshot = (entry.get("tensors") or {}).get(key) if key else None
        tensors.append({**tensor, **snapshot} if snapshot else tensor)
    return {**trace, "tensors": tensors}


def tagged(trace: dict, **tags) -> np.ndarray | None:
    """The values of the first tensor tagged exactly `tags`, or None."""
    for tensor in trace["tensors"]:
        if tensor.get("tags") == tags:
            return ops.tensor_array(tensor)
    return None


def check_cell_equations(trace: dict) -> int:
    """The LSTM's and GRU's equations hold between the tensors their tags name; returns how many
    time steps were checked."""
    checked = 0
    directions = sorted({s["attributes"]["direction"] for s in trace["scopes"] if s.get("kind") == "direction"}) or [None]
    cells = {s["attributes"]["cell"] for s in trace["scopes"] if s.get("kind") == "cell"}
    if not cells & {"lstm", "gru"}:
        return 0
    for direction in directions:
        context = {"direction": direction} if direction else {}
        step = -1 if direction == "backward" else 1
        t = 1
        while tagged(trace, quantity="stacked_input", t=t, **context) is not None:   # one per cell
            previous = t - step
            h_prev, h = (tagged(trace, quantity="hidden_state", t=k, **context) for k in (previous, t))
            x = tagged(trace, quantity="input", t=t)
            assert np.array_equal(tagged(trace, quantity="stacked_input", t=t, **context), np.concatenate([h_prev, x]))
            if "lstm" in cells:
                f, i, o = (tagged(trace, quantity="gate", gate=g, t=t, **context) for g in ("forget", "input", "output"))
                c_prev, c = (tagged(trace, quantity="cell_state", t=k, **context) for k in (previous, t))
                candidate = tagged(trace, quantity="candidate", t=t, **context)
                assert np.allclose(c, f * c_prev + i * candidate, rtol=1e-12, atol=1e-15)
                assert np.allclose(h, o * np.tanh(c), rtol=1e-12, atol=1e-15)
            else:
                z = tagged(trace, quantity="gate", gate="update", t=t, **context)
                candidate = tagged(trace, quantity="candidate", t=t, **context)
                assert np.allclose(h, z * h_prev + (1 - z) * candidate, rtol=1e-12, atol=1e-15)
            checked += 1
            t += 1
    return checked
