"""The trace viewer (<unrolled-trace>) in Debian's Chromium over file://: stepping with keys
and buttons, the numbers on screen against the trace's own, provenance against independent
recomputation (Python here, numpy_ops for every op), the live region, deep links, several
viewers on one page, a 24,000-step trace with a small DOM, and screenshots in light, dark
and narrow layouts written to Tests/Browser/output/."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from browsing import file_url, open_page
from viewer_harness import Figure, SAMPLES, make_trace, sample_trace, unrolled_binary, write_page

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
sys.path.insert(0, str(ROOT / "Tests" / "Python"))
import numpy_ops  # noqa: E402  (the independent numpy version of every op)


# --------------------------------------------------------------------------- helpers

def load(text: str) -> dict:
    return numpy_ops.load_trace(text)


def values(trace: dict, tensor_id: int) -> np.ndarray:
    return numpy_ops.tensor_array(trace["tensors"][tensor_id])


def same(a: float, b: float) -> bool:
    """NaN with NaN, infinities by sign, finite values to 1e-12 relative (exp/log/tanh may
    differ by an ulp between math libraries)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def first_step(trace: dict, op: str, phase: str | None = None, at_least: int = 1) -> int:
    """0-based index of the first step with `op` (and `phase`) whose output has ≥ at_least values."""
    for step in trace["steps"]:
        out = trace["tensors"][step["output"]]
        if step["op"] == op and (phase is None or step["phase"] == phase) and len(out["data"]) >= at_least:
            return step["index"]
    raise AssertionError(f"no {op} step in the trace")


def viewer(page, trace_id: str):
    return page.locator(f'unrolled-trace[trace-id="{trace_id}"]')


def step_of(page, trace_id: str) -> int:
    return page.evaluate(f'document.querySelector(\'unrolled-trace[trace-id="{trace_id}"]\').step')


def go(page, trace_id: str, k: int):
    page.evaluate(f'document.querySelector(\'unrolled-trace[trace-id="{trace_id}"]\').goTo({k})')


def wait_ready(page):
    page.evaluate("Promise.all([...document.querySelectorAll('unrolled-trace')].map(e => e.ready))")


def no_problems(visit):
    assert visit.problems() == [], visit.problems()
    assert visit.external_requests() == [], visit.external_requests()
    assert all(u.startswith(("file://", "data:", "about:")) for u in visit.requests), visit.requests


def prov_lines(page, trace_id: str) -> list[list[tuple[str, float]]]:
    """The provenance panel's lines, each as [(kind, exact value)…] read from the DOM."""
    return page.evaluate("""(id) => [...document.querySelectorAll(`unrolled-trace[trace-id="${id}"] .ut-prov-line`)]
        .map(line => [...line.querySelectorAll('.ut-num')].map(s => [s.dataset.kind, s.dataset.v]))""", trace_id)


def num(text: str) -> float:
    return float(text)  # JavaScript's "NaN", "Infinity", "-Infinity" and "-0" all parse


def shot(page, name: str):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000


def open_viewers(context, folder: Path, figures: list[Figure], fragment: str = ""):
    page_path = write_page(folder, figures)
    page, visit = open_page(context, file_url(page_path) + fragment, wait_for="unrolled-trace .ut-root")
    wait_ready(page)
    return page, visit


@pytest.fixture
def lstm_text(tmp_path) -> str:
    return sample_trace("lstm", tmp_path)


# --------------------------------------------------------------------------- stepping

def test_keys_and_buttons_step_through_the_trace(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    n = len(trace["steps"])
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "lstm-1")])
    el = viewer(page, "lstm-1")
    assert step_of(page, "lstm-1") == 1
    assert el.locator(".unrolled-fallback").is_hidden()

    # Tab reaches the viewer, which shows a focus ring.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('trace-id')") == "lstm-1"
    assert el.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert step_of(page, "lstm-1") == 3
    page.keyboard.press("ArrowLeft")
    assert step_of(page, "lstm-1") == 2

    # Shift+→: the first step of the next run of steps with another (phase, scope).
    i = 1
    here = (trace["steps"][i]["phase"], trace["steps"][i]["scope"])
    expected = next(j for j in range(i + 1, n) if (trace["steps"][j]["phase"], trace["steps"][j]["scope"]) != here)
    page.keyboard.press("Shift+ArrowRight")
    assert step_of(page, "lstm-1") == expected + 1
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    assert step_of(page, "lstm-1") < expected + 1

    page.keyboard.press("End")
    assert step_of(page, "lstm-1") == n
    page.keyboard.press("Home")
    assert step_of(page, "lstm-1") == 1

    el.locator('button[data-act="next"]').click()
    assert step_of(page, "lstm-1") == 2
    el.locator('button[data-act="last"]').click()
    assert step_of(page, "lstm-1") == n
    assert el.locator('button[data-act="next"]').is_disabled()
    el.locator('button[data-act="prev"]').click()
    assert step_of(page, "lstm-1") == n - 1
    el.locator('button[data-act="first"]').click()
    assert step_of(page, "lstm-1") == 1
    for phase in ("backward", "update", "forward"):
        first = next(s["index"] for s in trace["steps"] if s["phase"] == phase)
        el.locator(f'button[data-phase="{phase}"]').click()
        assert step_of(page, "lstm-1") == first + 1, phase
        assert el.locator(".ut-step-panel .ut-badge").inner_text().lower() == phase

    # "from step k" on an operand goes to the step that computed it; "used in step j" on
    # the result goes to the first step that reads it.
    i = first_step(trace, "sigmoid")
    operand = trace["steps"][i]["inputs"][0]
    made = next(s["index"] for s in trace["steps"] if s["output"] == operand)
    used = next(s["index"] for s in trace["steps"] if trace["steps"][i]["output"] in s["inputs"])
    go(page, "lstm-1", i + 1)
    el.locator('.ut-card[data-slot="in0"] .ut-flow').click()
    assert step_of(page, "lstm-1") == made + 1
    go(page, "lstm-1", i + 1)
    el.locator('.ut-card[data-slot="out"] .ut-flow').click()
    assert step_of(page, "lstm-1") == used + 1

    # Space plays and pauses (the viewer itself has focus, not a button).
    el.focus()
    page.keyboard.press("Space")
    assert el.locator('button[data-act="play"]').get_attribute("aria-pressed") == "true"
    page.wait_for_function("document.querySelector('unrolled-trace').step > 1")
    page.keyboard.press("Space")
    assert el.locator('button[data-act="play"]').get_attribute("aria-pressed") == "false"

    # The scrubber seeks: a click near its right end goes near the end.
    box = el.locator(".ut-scrubber").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.999, box["y"] + box["height"] / 2)
    assert step_of(page, "lstm-1") >= n - 2
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
    assert step_of(page, "lstm-1") == 1
    no_problems(visit)


def test_the_live_region_announces_each_step_in_words(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "lstm-1")])
    live = viewer(page, "lstm-1").locator('[aria-live="polite"]')
    assert live.count() == 1
    k = first_step(trace, "matmul") + 1
    go(page, "lstm-1", k)
    text = live.inner_text()
    step = trace["steps"][k - 1]
    a, b = (trace["tensors"][i] for i in step["inputs"])
    assert text.startswith(f"step {k} of {len(trace['steps'])}, forward, "), text
    assert f"matmul {a['name']} ({a['shape'][0]}×{a['shape'][1]}) times {b['name']}" in text, text
    go(page, "lstm-1", k + 1)
    assert live.inner_text() != text
    assert live.inner_text().startswith(f"step {k + 1} of ")
    no_problems(visit)


# --------------------------------------------------------------------------- numbers

def visible_cells(page, trace_id: str) -> list[dict]:
    return page.evaluate("""(id) => [...document.querySelectorAll(`unrolled-trace[trace-id="${id}"] .ut-step-panel .ut-card`)]
        .map(card => ({tensor: +card.dataset.tensor, slot: card.dataset.slot,
                       cells: [...card.querySelectorAll('td[data-i]')].map(td => [+td.dataset.i, td.title, td.textContent]),
                       cols: [...card.querySelectorAll('thead th[scope=col]')].map(th => th.textContent)}))""", trace_id)


@pytest.mark.parametrize("demo", ["lstm", "cbow", "transformer-encoder"])
def test_the_numbers_on_screen_are_the_traces(browser_context, tmp_path, demo):
    text = sample_trace(demo, tmp_path)
    trace = load(text)
    page, visit = open_viewers(browser_context, tmp_path, [Figure(text, "t")])
    n = len(trace["steps"])
    checked = 0
    for k in sorted({1, 2, n // 3, n // 2, n - 1, n}):
        go(page, "t", k)
        step = trace["steps"][k - 1]
        cards = visible_cells(page, "t")
        assert [c["tensor"] for c in cards] == step["inputs"] + [step["output"]]
        for card in cards:
            record = trace["tensors"][card["tensor"]]
            want = values(trace, card["tensor"]).reshape(-1)
            assert card["cells"], card
            for flat, title, shown in card["cells"]:
                got = num(title)
                assert same(got, want[flat]) and math.copysign(1, got) == math.copysign(1, want[flat]) or math.isnan(want[flat]), (k, card["tensor"], flat, title, want[flat])
                if math.isnan(want[flat]):
                    assert shown == "NaN"
                checked += 1
            labels = record.get("labels")
            if labels and labels[-1] and len(record["shape"]) >= 1 and record["shape"][-1] > 1:
                assert card["cols"] == labels[-1][: len(card["cols"])], card["cols"]
    assert checked > 20
    no_problems(visit)


def synthetic_trace() -> str:
    """A trace made here, with numpy_ops computing every output: the ops no demo records
    (reshape, clip_norm), a rank-3 transpose with perm, NaN and ±∞ from log, sqrt, div by 0
    and a −∞ mask."""
    tensors, steps = [], []

    def encode(x: float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x

    def tensor(array, name, role="input"):
        array = np.asarray(array, dtype=np.float64)
        tensors.append({"id": len(tensors), "name": name, "tex": name.replace("_", "\\_"), "role": role,
                        "shape": list(array.shape), "data": [encode(v) for v in array.reshape(-1)]})
        return len(tensors) - 1

    def step(op, inputs, attrs=None, phase="forward"):
        attrs = attrs or {}
        arrays = [values({"tensors": tensors}, i) for i in inputs]
        out = numpy_ops.replay(op, arrays, attrs)
        oid = tensor(out, f"{op}_{len(tensors)}", "activation")
        steps.append({"index": len(steps), "phase": phase, "op": op, "inputs": inputs, "output": oid,
                      "attrs": attrs, "scope": 0})
        return oid

    x = tensor([[1.5, -2.0, 0.25], [3.0, -0.5, 4.0]], "x")
    m = tensor([[1.0, 0.0, 1.0]], "mask", "constant")
    cube = tensor(np.arange(24, dtype=float).reshape(2, 3, 4) / 7 - 1.2, "cube")
    p = tensor([[0.5, -0.25, 1.0], [2.0, 0.0, -1.0]], "p", "parameter")
    r = step("reshape", [x], {"shape": [3, 2]})
    step("transpose", [cube], {"perm": [2, 0, 1]})
    step("transpose", [r])
    step("matmul", [x, r])
    step("sum", [x], {"axis": 1, "keepdims": True})
    step("sum", [cube], {"axis": 1})
    step("mean", [x])
    w = step("where", [m, x], {"value": "-Infinity"})
    s = step("softmax", [w], {"axis": 1})
    step("log_softmax", [x], {"axis": 0})
    step("softmax_backward", [s, x], {"axis": 1})
    step("log", [x])
    step("sqrt", [x])
    step("div", [x, m])
    step("pad", [x], {"axis": 1, "before": 1, "after": 2})
    rw = step("rows", [x], {"indices": [1, 0, 1]})
    step("rows_backward", [rw], {"indices": [1, 0, 1], "count": 2})
    step("concat", [x, p, x], {"axis": 0})
    step("slice", [x], {"axis": 1, "start": 1, "end": 3})
    step("sum_to", [x], {"shape": [1, 3]})
    step("broadcast_to", [m], {"shape": [2, 3]})
    for op in ("neg", "exp", "square", "tanh", "relu"):
        step(op, [x])
    sg = step("sigmoid", [x])
    step("scale", [x], {"factor": 2.5})
    step("add", [x, m])
    step("sub", [m, x])
    step("mul", [x, p])
    step("sigmoid_backward", [sg, x])
    step("tanh_backward", [sg, x])
    step("relu_backward", [x, p])
    step("clip_norm", [x], {"max_norm": 1}, phase="update")
    step("sgd", [p, x], {"lr": 0.1}, phase="update")
    return json.dumps({"format": "unrolled-trace", "version": 1, "title": "every op, edge cases", "model": "synthetic",
                       "config": {}, "scopes": [{"id": 0, "name": "ops", "parent": None, "equation": "y = f(x)"}],
                       "tensors": tensors, "steps": steps, "loss": None, "gradients": {}})


def op_table_names() -> list[str]:
    """The op names of docs/trace-format.md's op table (its first column)."""
    text = (ROOT / "docs" / "trace-format.md").read_text(encoding="utf-8")
    table = text.split("### The op table", 1)[1].split("**Ops tied to a phase.**", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)


def test_every_op_of_the_format_explains_itself_with_the_recorded_numbers(browser_context, tmp_path):
    """Unrolled.explain recomputes element after element of every step of every sample trace
    and of a synthetic trace with the ops no demo records: the recomputation must equal the
    value the engine recorded, and every operand it shows must be the input's value."""
    ops = op_table_names()
    assert len(ops) == 34, ops
    page, visit = open_viewers(browser_context, tmp_path, [Figure(synthetic_trace(), "synthetic")])
    assert sorted(page.evaluate("Unrolled.explainedOps")) == sorted(ops)
    texts = {"synthetic": synthetic_trace()}
    for path in sorted(SAMPLES.glob("*.json")):
        texts[path.stem] = path.read_text(encoding="utf-8")
    seen = set()
    for name, text in texts.items():
        result = page.evaluate("""(text) => {
            const m = new Unrolled.TraceModel(JSON.parse(text)), bad = [], ops = new Set();
            for (let i = 0; i < m.stepCount; i++) {
              const s = m.steps[i], n = m.values(s.output).length;
              const picks = n <= 64 ? [...Array(n).keys()] : [0, 1, n >> 1, n - 2, n - 1];
              for (const k of picks) {
                const e = Unrolled.explain(m, i, k);
                ops.add(s.op);
                if (!e.agrees) bad.push([i, s.op, k, String(e.value), String(e.recorded)]);
                for (const line of e.lines) for (const t of line) {
                  if (t && t.ref && !Object.is(t.v, m.values(s.inputs[t.ref.input])[t.ref.index]))
                    bad.push([i, s.op, k, 'operand', t.label]);
                }
              }
            }
            return {bad: bad.slice(0, 10), ops: [...ops]};
          }""", text)
        assert result["bad"] == [], (name, result["bad"])
        seen.update(result["ops"])
    assert sorted(seen) == sorted(ops), set(ops) - seen
    no_problems(visit)


def pick(page, trace_id: str, flat: int):
    """Clicks the result cell with flat index `flat` (paging to it first through the selection API)."""
    cell = page.locator(f'unrolled-trace[trace-id="{trace_id}"] .ut-card[data-slot="out"] td[data-i="{flat}"]')
    cell.click()
    assert "ut-selected" in cell.get_attribute("class")


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


def test_nan_and_infinity_are_marked(browser_context, tmp_path):
    text = synthetic_trace()
    trace = load(text)
    log_step = next(s for s in trace["steps"] if s["op"] == "log")
    div_step = next(s for s in trace["steps"] if s["op"] == "div")
    page, visit = open_viewers(browser_context, tmp_path, [Figure(text, "n")])
    go(page, "n", log_step["index"] + 1)
    nan_cells = viewer(page, "n").locator('.ut-card[data-slot="out"] td.ut-nan')
    assert nan_cells.count() == int(np.isnan(values(trace, log_step["output"])).sum()) > 0
    assert nan_cells.first.inner_text() == "NaN" and nan_cells.first.get_attribute("title") == "NaN"
    go(page, "n", div_step["index"] + 1)
    inf = viewer(page, "n").locator('.ut-card[data-slot="out"] td.ut-inf')
    assert inf.count() == int(np.isinf(values(trace, div_step["output"])).sum()) > 0
    assert {c.inner_text() for c in inf.all()} <= {"∞", "−∞"}
    no_problems(visit)


# --------------------------------------------------------------------------- links, pages

def test_a_deep_link_opens_its_viewer_at_its_step_and_follows_the_reader(browser_context, tmp_path, lstm_text):
    cbow = sample_trace("cbow", tmp_path)
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "a-1"), Figure(cbow, "b-2")], "#b-2:7")
    assert step_of(page, "b-2") == 7
    assert step_of(page, "a-1") == 1
    assert viewer(page, "b-2").locator(".ut-step-panel .ut-step-n").inner_text() == "step 7"
    viewer(page, "b-2").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.hash === '#b-2:8'")
    viewer(page, "a-1").focus()
    page.keyboard.press("End")
    page.wait_for_function(f"location.hash === '#a-1:{len(load(lstm_text)['steps'])}'")
    assert step_of(page, "b-2") == 8
    # A malformed hash is ignored quietly.
    page.evaluate("location.hash = '#b-2%E0%A4%A:5'")
    assert step_of(page, "b-2") == 8
    # A hash change moves the named viewer only.
    page.evaluate("location.hash = '#b-2:3'")
    page.wait_for_function("document.querySelector('[trace-id=\"b-2\"]').step === 3")
    # The copy-link button does not throw on file:// (clipboard or its fallback).
    viewer(page, "b-2").locator('button[data-act="copy"]').click()
    page.wait_for_function("document.querySelector('[trace-id=\"b-2\"] .ut-copied').textContent.length > 0")
    status = viewer(page, "b-2").locator(".ut-copied").inner_text()
    assert status == "link copied" or status.endswith("#b-2:3"), status
    # Playing fast writes the hash at most every 250 ms, and the last step lands.
    viewer(page, "b-2").locator(".ut-speed-select").select_option("60")
    viewer(page, "b-2").focus()
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[trace-id=\"b-2\"]').step > 10")
    page.keyboard.press("Space")
    stopped = step_of(page, "b-2")
    page.wait_for_function(f"location.hash === '#b-2:{stopped}'")
    no_problems(visit)


def test_two_viewers_on_one_page_are_independent(browser_context, tmp_path, lstm_text):
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "one", step=5), Figure(lstm_text, "two")])
    assert (step_of(page, "one"), step_of(page, "two")) == (5, 1)
    viewer(page, "two").locator('button[data-act="next"]').click()
    viewer(page, "two").locator('button[data-act="next"]').click()
    assert (step_of(page, "one"), step_of(page, "two")) == (5, 3)
    viewer(page, "one").focus()
    page.keyboard.press("ArrowLeft")
    assert (step_of(page, "one"), step_of(page, "two")) == (4, 3)
    lives = page.locator("unrolled-trace .ut-live").all_inner_texts()
    assert lives[0].startswith("step 4 ") and lives[1].startswith("step 3 ")
    no_problems(visit)


def test_every_sample_trace_renders_without_errors_and_offline(browser_context, tmp_path):
    figures = [Figure(path.read_text(encoding="utf-8"), path.stem) for path in sorted(SAMPLES.glob("*.json"))]
    figures.append(Figure(synthetic_trace(), "synthetic"))
    page, visit = open_viewers(browser_context, tmp_path, figures)
    for figure in figures:
        el = viewer(page, figure.trace_id)
        n = page.evaluate(f"document.querySelector('[trace-id=\"{figure.trace_id}\"]').model.stepCount")
        for k in (n // 2, n):
            go(page, figure.trace_id, k)
        # Every view tab is shown once, at a middle step.
        tabs = el.locator(".ut-tab")
        for t in range(tabs.count()):
            tabs.nth(t).click()
        if tabs.count():
            tabs.nth(0).click()
    assert page.locator(".ut-error").count() == 0
    no_problems(visit)


def test_shared_trace_data_a_trace_without_steps_and_a_broken_trace(browser_context, tmp_path, lstm_text):
    """data-trace names a script elsewhere on the page; a history-only trace (no steps) shows
    its header and views; a trace that is not one says so inside its element, and nothing
    else on the page breaks."""
    history_only = make_trace(tmp_path, "gradient-flow", "--record", "history", binary=unrolled_binary())
    figures = [Figure(lstm_text, "shared", shared_script="lstm-data", step=3),
               Figure(history_only.read_text(encoding="utf-8"), "history"),
               Figure('{"format": "something-else"}', "broken"),
               Figure(lstm_text, "after")]
    page, visit = open_viewers(browser_context, tmp_path, figures)
    assert step_of(page, "shared") == 3
    assert page.evaluate("document.querySelector('[trace-id=\"shared\"]').model.stepCount") == len(load(lstm_text)["steps"])
    assert step_of(page, "history") == 0
    history = viewer(page, "history")
    # No steps to show: the controls give way to the views, the loss curve first.
    assert history.locator(".ut-controls").is_hidden()
    assert history.locator('.ut-tab[aria-selected="true"]').inner_text() == "Training"
    assert "loss in iteration 1" in history.locator(".ut-head").inner_text()
    assert "records no steps" in history.locator(".ut-step-panel").text_content()
    for t in range(history.locator(".ut-tab").count()):
        history.locator(".ut-tab").nth(t).click()
    history.focus()
    page.keyboard.press("ArrowRight")
    assert step_of(page, "history") == 0
    error = viewer(page, "broken").locator(".ut-error")
    assert "not an Unrolled trace" in error.inner_text()
    assert viewer(page, "broken").locator(".unrolled-fallback").is_visible()
    viewer(page, "after").locator('button[data-act="next"]').click()
    assert step_of(page, "after") == 2
    no_problems(visit)


PROBE_VIEWS = """<script>
window.Unrolled = window.Unrolled || {};
window.probe = {created: 0, updates: [], api: null};
(Unrolled.views = Unrolled.views || []).push({
  id: 'probe', title: 'Probe',
  applies(model) { return model.trace.model === 'lstm'; },
  create(host, model, api) {
    probe.created++; probe.api = Object.keys(api).sort(); probe.reducedMotion = api.reducedMotion;
    host.innerHTML = '<p class="probe">probe</p>';
    return { update(i) { probe.updates.push(i); host.firstChild.textContent = 'at ' + i; }, destroy() {} };
  }
});
Unrolled.views.push({
  id: 'broken', title: 'Broken',
  applies() { return true; },
  create() { return { update() { throw new Error('view bug'); } }; }
});
Unrolled.views.push({ id: 'never', title: 'Never', applies() { return false; }, create() { throw new Error('not called'); } });
</script>
"""


def test_views_are_tabs_created_when_shown_and_updated_only_while_visible(chromium, tmp_path, lstm_text):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    try:
        check_views(context, tmp_path, lstm_text)
    finally:
        context.close()


def check_views(browser_context, tmp_path, lstm_text):
    page_path = write_page(tmp_path, [Figure(lstm_text, "v")], body_before=PROBE_VIEWS)
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root")
    wait_ready(page)
    el = viewer(page, "v")
    tabs = [t.get_attribute("data-view") for t in el.locator(".ut-tab").all()]
    assert tabs[0] == "step" and "probe" in tabs and "broken" in tabs and "never" not in tabs
    assert page.evaluate("probe.created") == 0
    go(page, "v", 5)
    el.locator('.ut-tab[data-view="probe"]').click()
    assert page.evaluate("probe.created") == 1
    assert page.evaluate("probe.updates") == [4]
    assert page.evaluate("probe.api") == ["colour", "format", "goTo", "reducedMotion", "state", "tex"]
    assert page.evaluate("probe.reducedMotion") is True  # the context prefers reduced motion
    assert el.locator('.ut-panel[data-view="probe"]').is_visible()
    assert el.locator('.ut-panel[data-view="step"]').is_hidden()
    go(page, "v", 9)
    assert page.evaluate("probe.updates") == [4, 8]
    el.locator('.ut-tab[data-view="step"]').click()
    go(page, "v", 12)
    assert page.evaluate("probe.updates") == [4, 8]
    # A view that throws shows its error in its own panel; stepping goes on.
    el.locator('.ut-tab[data-view="broken"]').click()
    assert "view bug" in el.locator('.ut-panel[data-view="broken"]').inner_text()
    el.locator('button[data-act="next"]').click()
    assert step_of(page, "v") == 13
    el.locator('.ut-tab[data-view="probe"]').click()
    assert page.evaluate("probe.updates") == [4, 8, 12]
    assert page.evaluate("probe.created") == 1
    assert visit.page_errors == [] and visit.external_requests() == []


# --------------------------------------------------------------------------- large traces

@pytest.fixture(scope="module")
def large_trace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    return make_trace(folder, "peephole-lstm", "--steps", "200", "--hidden", "8", binary=unrolled_binary())


def test_a_trace_of_20000_steps_keeps_the_dom_small_and_responds(browser_context, tmp_path, large_trace):
    text = large_trace.read_text(encoding="utf-8")
    n = len(json.loads(text)["steps"])
    assert n >= 20000, n
    page_path = write_page(tmp_path, [Figure(text, "big")])
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root", timeout_ms=60000)
    wait_ready(page)
    el = viewer(page, "big")
    for k in (1, n // 2, 15000, n):
        go(page, "big", k)
        assert step_of(page, "big") == k
        current = el.locator(".ut-row.ut-current")
        assert current.count() == 1 and current.is_visible()
        rows = el.locator(".ut-row").count()
        assert rows < 80, rows
        assert el.locator("td").count() <= 3 * 144 + 10
        assert page.evaluate("document.querySelector('[trace-id=\"big\"]').querySelectorAll('*').length") < 2500
    el.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert step_of(page, "big") == 2
    # Collapse all: one row per top-level scope, the current step's scope highlighted.
    go(page, "big", 15000)
    el.locator('button[data-fold="collapse"]').click()
    current = el.locator(".ut-row.ut-current")
    assert current.count() == 1 and "ut-k1" in current.get_attribute("class")
    first, last = (int(x) for x in current.locator(".ut-row-range").inner_text().split("–"))
    assert first <= 15000 <= last
    el.locator('button[data-fold="expand"]').click()
    assert el.locator(".ut-row.ut-current .ut-row-n").inner_text() == "15000"
    # Scrolling the outline replaces the rows instead of adding them.
    el.locator(".ut-outline").evaluate("o => { o.scrollTop = o.scrollHeight / 2; o.dispatchEvent(new Event('scroll')); }")
    assert el.locator(".ut-row").count() < 80
    no_problems(visit)


def test_a_large_tensor_shows_a_window_that_pages(browser_context, tmp_path):
    text = sample_trace("gradient-flow", tmp_path)
    trace = load(text)
    i = next(s["index"] for s in trace["steps"]
             if len(trace["tensors"][s["output"]]["shape"]) == 2 and trace["tensors"][s["output"]]["shape"][0] > 12
             and trace["tensors"][s["output"]]["shape"][1] > 12)
    rows, cols = trace["tensors"][trace["steps"][i]["output"]]["shape"]
    page, visit = open_viewers(browser_context, tmp_path, [Figure(text, "w")])
    go(page, "w", i + 1)
    card = viewer(page, "w").locator('.ut-card[data-slot="out"]')
    assert card.locator("td").count() == 144
    assert f"rows 1–12 of {rows}" in card.locator(".ut-pager").inner_text()
    card.locator('button[data-page="down"]').click()
    card = viewer(page, "w").locator('.ut-card[data-slot="out"]')
    assert f"rows 13–24 of {rows}" in card.locator(".ut-pager").inner_text()
    first = int(card.locator("td").first.get_attribute("data-i"))
    assert first == 12 * cols
    want = values(trace, trace["steps"][i]["output"]).reshape(-1)
    assert same(num(card.locator("td").first.get_attribute("title")), want[first])
    no_problems(visit)


# --------------------------------------------------------------------------- screenshots

@pytest.mark.parametrize("scheme,width,demo,step", [
    ("light", 1280, "lstm", 180),
    ("dark", 1280, "lstm", 180),
    ("light", 360, "attention", 9),
    ("dark", 360, "cbow", 5),
    ("light", 1280, "transformer-encoder", 40),
])
def test_screenshots(chromium, tmp_path, scheme, width, demo, step):
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, reduced_motion="reduce")
    try:
        text = sample_trace(demo, tmp_path)
        page, visit = open_viewers(context, tmp_path, [Figure(text, demo, step=step)])
        el = viewer(page, demo)
        # Nothing sticks out of a narrow screen: the page does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        assert el.evaluate("e => e.getBoundingClientRect().right") <= width
        shot(page, f"viewer-{demo}-{scheme}-{width}.png")
        no_problems(visit)
    finally:
        context.close()
