"""What the reference scripts in Tests/Fixtures share: the fixture records and their JSON layout,
the folders they are written to, the snapshot schedule, and the sequence task (the tokenizer,
the draws, the documented sequence and its per-step loss).

Imported by the reference_*.py scripts (they put this folder on sys.path); not run by itself.
"""

import json
import pathlib

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


# ---------------------------------------------------------------------------------------------
# Fixture records and files


def entry(name, value, version=None, gradient_of=None):
    value = np.asarray(value, dtype=np.float64)
    record = {"name": name}
    if version is not None:
        record["version"] = version
    if gradient_of is not None:
        record["gradientOf"] = gradient_of
    record["shape"] = list(value.shape)
    record["data"] = [float(v) for v in value.reshape(-1)]
    return record


def snapshot(value):
    value = np.asarray(value, dtype=np.float64)
    return {"shape": list(value.shape), "data": [float(v) for v in value.reshape(-1)]}


def schedule(iterations):
    """The iterations after which the parameters are snapshotted: the first, the last, and 1, 2 and 5
    times a power of ten in between (1, 2, 5, 10, 20, 50, 100, 200, 300 of 300)."""
    marks = {m * 10 ** e for e in range(len(str(iterations))) for m in (1, 2, 5)}
    return {i for i in range(1, iterations + 1) if i == 1 or i == iterations or i in marks}


def dump(fixture):
    """JSON with one tensor (or contribution) per line, numbers in shortest round-trip form."""
    def compact(value):
        return json.dumps(value, separators=(", ", ": "), ensure_ascii=False)

    lines = ["{"]
    keys = list(fixture)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = fixture[key]
        if key == "tensors":
            lines.append('  "tensors": [')
            lines += [f"    {compact(t)}" + ("," if j < len(value) - 1 else "") for j, t in enumerate(value)]
            lines.append(f"  ]{comma}")
        elif key == "history":
            lines.append('  "history": {')
            lines.append(f'    "losses": {compact(value["losses"])},')
            lines.append('    "snapshots": {')
            iters = list(value["snapshots"])
            for j, it in enumerate(iters):
                lines.append(f'      "{it}": {compact(value["snapshots"][it])}' + ("," if j < len(iters) - 1 else ""))
            lines.append("    }")
            lines.append(f"  }}{comma}")
        elif key == "bptt":
            lines.append('  "bptt": {')
            lines.append(f'    "parameter": {compact(value["parameter"])},')
            lines.append('    "contributions": [')
            cs = value["contributions"]
            lines += [f"      {compact(c)}" + ("," if j < len(cs) - 1 else "") for j, c in enumerate(cs)]
            lines.append("    ]")
            lines.append(f"  }}{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {compact(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def fixture_folder(name, *stale):
    """Tests/Fixtures/<name>, created if need be, with the files matching the `stale` patterns
    deleted first, so that a case dropped from a script leaves no file behind."""
    out = HERE / name
    out.mkdir(parents=True, exist_ok=True)
    for pattern in stale:
        for old in out.glob(pattern):
            old.unlink()
    return out


def write(out, name, fixture):
    (out / f"{name}.json").write_text(dump(fixture))
    print(f"wrote {out.name}/{name}.json ({len(fixture['tensors'])} tensors)")


# ---------------------------------------------------------------------------------------------
# The sequence task


def words_of(text):
    """Lower-cased words, punctuation stripped except an apostrophe or hyphen inside a word
    (don't, well-known)."""
    words = ["".join(c for c in word if c.isalnum() or c in "'-").strip("'-") for word in text.lower().split()]
    return [w for w in words if w]


def tokens_of(text):
    """Characters, or (when the text has white space) its words."""
    if not any(c.isspace() for c in text):
        return list(text)
    return words_of(text)


def vocabulary_of(tokens):
    vocabulary = []
    for token in tokens:
        if token not in vocabulary:
            vocabulary.append(token)
    return vocabulary


def one_hot(index, count):
    v = np.zeros((count, 1))
    v[index, 0] = 1.0
    return v


def draw(gen, count, bound):
    """`count` values uniform in [-bound, bound), in order."""
    return [gen.uniform(-bound, bound) for _ in range(count)]


def uniform(gen, shape, bound):
    """A `shape` array of values uniform in [-bound, bound), row-major (Tensor.uniform)."""
    return np.array(gen.tensor(int(np.prod(shape)), bound)).reshape(shape)


def sequence(p, gen):
    """(xs, targets, vocabulary, loss): each x_t I x 1, each target_t O x 1."""
    if "text" in p:
        tokens = tokens_of(p["text"])
        vocabulary = vocabulary_of(tokens)
        index = {token: i for i, token in enumerate(vocabulary)}
        xs = [one_hot(index[token], len(vocabulary)) for token in tokens[:-1]]
        targets = [one_hot(index[token], len(vocabulary)) for token in tokens[1:]]
        return xs, targets, vocabulary, "cross-entropy"
    loss = p.get("loss", "mse")
    if "inputs" in p:
        xs = [np.array(row, dtype=np.float64).reshape(-1, 1) for row in p["inputs"]]
    else:
        steps = len(p["targets"]) if "targets" in p else p["steps"]
        xs = [np.array(draw(gen, p["input"], 1.0)).reshape(-1, 1) for _ in range(steps)]
    if "targets" in p:
        targets = [np.array(row, dtype=np.float64).reshape(-1, 1) for row in p["targets"]]
    elif loss == "cross-entropy":
        targets = [one_hot(gen.next_int(p["output-size"]), p["output-size"]) for _ in xs]
    else:
        targets = [np.array(draw(gen, p["output-size"], 1.0)).reshape(-1, 1) for _ in xs]
    return xs, targets, None, loss


def log_softmax(y):
    shifted = y - y.max()
    return shifted - np.log(np.exp(shifted).sum())


def step_loss(y, target, loss):
    """(Q_t, dQ_t/dy): 1/2 |y - target|^2 (mse) or -sum target * log softmax(y) (cross-entropy)."""
    if loss == "mse":
        return 0.5 * np.sum((y - target) ** 2), y - target
    ls = log_softmax(y)
    return -np.sum(target * ls), np.exp(ls) * target.sum() - target
