"""The provenance panel of the trace viewer (how the selected result element was computed), in
Debian's Chromium over file://: matmul, element-wise ops, softmax and sgd recomputed in Python
from the trace's inputs, and what backward steps say about the gradients they make."""

from __future__ import annotations

import math

from viewer_harness import Figure, sample_trace
from viewer_page import first_step, go, load, lstm_text, no_problems, num, numpy_ops, open_viewers, pick, prov_lines, same, values, viewer  # noqa: F401


def test_provenance_of_a_matmul_is_row_times_column(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    i = first_step(trace, "matmul", "backward", at_least=4)
    step = trace["steps"][i]
    A, B = (values(trace, t) for t in step["inputs"])
    out = values(trace, step["output"])
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "m")])
    go(page, "m", i + 1)
    flat = out.size - 1
    pick(page, "m", flat)
    r, c = divmod(flat, out.shape[1])
    lines = prov_lines(page, "m")
    k = A.shape[1]
    assert len(lines) == k + 1
    total = 0.0
    for p, line in enumerate(lines[:k]):
        assert [kind for kind, _ in line] == ["a", "b", "term"]
        a, b, prod = (num(v) for _, v in line)
        assert a == A[r, p] and b == B[p, c] and prod == A[r, p] * B[p, c]
        total += A[r, p] * B[p, c]
    assert lines[-1][0][0] == "result"
    assert num(lines[-1][0][1]) == total
    assert same(total, out[r, c])
    assert viewer(page, "m").locator(".ut-check.ut-ok").count() == 1
    # The operands' cells it used are marked in the input matrices.
    marked = page.evaluate("""() => [...document.querySelectorAll('.ut-card[data-slot="in0"] td.ut-source')].map(td => +td.dataset.i)""")
    assert marked == [r * k + p for p in range(k)]
    no_problems(visit)


def test_provenance_of_an_elementwise_op_shows_its_operands(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    i = first_step(trace, "mul", "forward", at_least=2)
    step = trace["steps"][i]
    a, b = (values(trace, t).reshape(-1) for t in step["inputs"])
    out = values(trace, step["output"]).reshape(-1)
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "e")])
    go(page, "e", i + 1)
    pick(page, "e", 1)
    lines = prov_lines(page, "e")
    assert [kind for kind, _ in lines[0]] == ["operand", "operand", "result"]
    x, y, z = (num(v) for _, v in lines[0])
    assert (x, y) == (a[1], b[1])
    assert z == a[1] * b[1] and same(z, out[1])
    no_problems(visit)


def test_provenance_of_softmax_shows_the_exponentials_and_their_sum(browser_context, tmp_path):
    text = sample_trace("attention", tmp_path)
    trace = load(text)
    i = first_step(trace, "softmax")
    step = trace["steps"][i]
    x = values(trace, step["inputs"][0])
    out = values(trace, step["output"])
    axis = step["attrs"]["axis"]
    assert axis == 1 and x.ndim == 2
    page, visit = open_viewers(browser_context, tmp_path, [Figure(text, "s")])
    go(page, "s", i + 1)
    r, c = 1, 2
    pick(page, "s", r * x.shape[1] + c)
    lines = prov_lines(page, "s")
    row = x[r]
    m = max(row)
    exps = [math.exp(v - m) for v in row]
    total = 0.0
    for e in exps:
        total += e
    n = len(row)
    for k in range(n):
        kinds = [kind for kind, _ in lines[k]]
        assert kinds == ["x", "max", "term"], kinds
        got = [num(v) for _, v in lines[k]]
        assert got[0] == row[k] and got[1] == m and same(got[2], exps[k])
    assert lines[n] == [["sum", lines[n][0][1]]] and same(num(lines[n][0][1]), total)
    assert [kind for kind, _ in lines[n + 1]] == ["term", "sum", "result"]
    assert same(num(lines[n + 1][2][1]), exps[c] / total) and same(exps[c] / total, out[r, c])
    no_problems(visit)


def test_provenance_of_sgd_is_p_minus_lr_times_g(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    i = first_step(trace, "sgd", at_least=2)
    step = trace["steps"][i]
    p, g = (values(trace, t).reshape(-1) for t in step["inputs"])
    lr = numpy_ops.decode_number(step["attrs"]["lr"])
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "u")])
    go(page, "u", i + 1)
    pick(page, "u", 1)
    lines = prov_lines(page, "u")
    assert [kind for kind, _ in lines[0]] == ["attr", "g", "term"]
    assert [kind for kind, _ in lines[1]] == ["p", "term", "result"]
    assert num(lines[0][0][1]) == lr and num(lines[0][1][1]) == g[1]
    assert num(lines[1][0][1]) == p[1]
    assert num(lines[1][2][1]) == p[1] - lr * g[1] == values(trace, step["output"]).reshape(-1)[1]
    no_problems(visit)


def test_backward_steps_say_which_gradient_and_when_contributions_are_summed(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    tensors = trace["tensors"]
    summing = next(s for s in trace["steps"] if s["op"] == "add" and tensors[s["output"]]["role"] == "gradient"
                   and all(tensors[i]["role"] == "gradient" and tensors[i].get("of") == tensors[s["output"]]["of"] for i in s["inputs"]))
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "g")])
    go(page, "g", summing["index"] + 1)
    text = viewer(page, "g").locator(".ut-grad").inner_text()
    of = tensors[tensors[summing["output"]]["of"]]
    assert "sum of two contributions" in text and of["name"] in text, text
    assert "contributions are summed" in text
    plain = next(s for s in trace["steps"] if s["phase"] == "backward" and tensors[s["output"]]["role"] == "gradient" and s["op"] == "matmul")
    go(page, "g", plain["index"] + 1)
    text = viewer(page, "g").locator(".ut-grad").inner_text()
    assert "gradient of" in text and tensors[tensors[plain["output"]]["of"]]["name"] in text, text
    assert viewer(page, "g").locator(".ut-grad .katex").count() >= 2  # ∂Q/∂… and the tensor, typeset
    no_problems(visit)
