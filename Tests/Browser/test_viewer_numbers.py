"""The numbers the trace viewer shows, in Debian's Chromium over file://: the cells on screen
against the trace's own, and Unrolled.explain recomputing every element of every op of the
format (every sample trace and a synthetic trace with NaN, ±∞ and the ops no demo records)
against numpy_ops; NaN and infinities marked."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from viewer_harness import Figure, SAMPLES, sample_trace
from viewer_page import ROOT, go, load, no_problems, num, open_viewers, same, synthetic_trace, values, viewer, visible_cells


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


def op_table_names() -> list[str]:
    """The op names of docs/trace-format.md's op table (its first column)."""
    text = (ROOT / "docs" / "trace-format.md").read_text(encoding="utf-8")
    table = text.split("### The op table", 1)[1].split("**Ops tied to a phase.**", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.M)


def test_every_op_of_the_format_explains_itself_with_the_recorded_numbers(browser_context, tmp_path):
    """Unrolled.explain recomputes element after element of every step of every sample trace
    and of a synthetic trace with the ops no demo records: the recomputation must equal the
    value the engine recorded, and every operand it shows must be the input's value."""
    ops = op_table_names()
    assert len(ops) == 48, ops
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
