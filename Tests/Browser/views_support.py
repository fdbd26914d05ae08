"""What the tests of the viewer's special views share (test_viewer_views*.py): the traces they
drive, made by the `unrolled` binary, a page of viewers and ways to drive it, and readers of
what the views show. Every expected number is read from the trace JSON here, in Python (numpy
for the norms), never from the views' own output."""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from browsing import file_url, open_page, select_all
from viewer_harness import Figure, make_trace, run_wide, unrolled_binary, write_page

OUTPUT = Path(__file__).resolve().parent / "output"
# The sizes the student tried: a desktop and a phone.
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}

# Traces beyond the demos' defaults, by key: longer, trained longer, or with an option set.
SPECIAL = {
    "rnn-long": ("rnn", "--steps", "8", "--train", "40"),
    "self-causal": ("self-attention", "--causal", "true"),
    "self-incremental": ("self-attention", "--causal", "true", "--incremental", "true"),
    "cbow-epochs": ("cbow", "--train", "12"),
    "flow-history": ("gradient-flow", "--record", "history", "--steps", "300", "--train", "3"),
    "flow-lstm": ("gradient-flow", "--network", "lstm", "--steps", "12", "--hidden", "3"),
    "flow-train": ("gradient-flow", "--steps", "10", "--train", "5"),
    "rnn-wide": ("rnn", "--train", "300", "--lr", "0.5"),
    "mlp-diverging": ("mlp", "--train", "400", "--lr", "1"),
    "dropout-p0": ("dropout", "--p", "0", "--patience", "0"),
    "cnn-epochs": ("cnn", "--train", "4", "--samples", "16"),
    # A recurrence written as equations, its states tagged hidden_state: the Unrolled view of your own network.
    "equations-recurrence": ("equations", "--equations-file",
                             str(Path(__file__).resolve().parents[1] / "Fixtures" / "equations" / "recurrence.txt"), "--train", "2"),
    "transfer-short": ("transfer", "--samples-a", "8", "--pretrain-epochs", "3", "--samples-b", "4", "--batch", "4",
                       "--test-b", "8", "--head-epochs", "3", "--fine-tune-epochs", "2"),
}


@functools.cache
def every_demo() -> list[str]:
    """Every demo, as the library lists them (`unrolled demos --json`), so a new demo is checked too."""
    return [demo["name"] for demo in json.loads(subprocess.run(
        [str(unrolled_binary()), "demos", "--json"], check=True, capture_output=True, text=True).stdout)]


# Traces whose views differ from a demo's defaults: history only, a cell inside gradient-flow,
# word2vec epochs with an embedding scatter, an incremental attention map, a recurrence written as
# equations with its states tagged.
MORE = ["flow-history", "flow-lstm", "cbow-epochs", "self-incremental", "equations-recurrence"]


def declared_views(trace: dict) -> list[str]:
    """The views the trace declares: its demo's suggestion."""
    return trace.get("views", [])


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the trace at `source`, changed by `change(trace)`, written to `target`."""
    trace = read_trace(source)
    change(trace)
    target.write_text(json.dumps(trace), encoding="utf-8")
    return target


def make_traces(tmp_path_factory, keys: list[str]) -> dict[str, Path]:
    """The trace file of each key: a demo with its defaults, or one of SPECIAL. Each is made once
    per run, whichever module or worker asks first (the views' modules ask for the same ones), so
    the files are shared: read them, and write changed copies elsewhere."""
    made = {}
    with run_wide(tmp_path_factory, "view-traces") as folder:
        for key in keys:
            demo, *params = SPECIAL.get(key, (key,))
            sub = folder / key
            if not sub.is_dir():
                # Made aside and renamed into place, so no reader meets a half-written trace.
                partial = folder / f"{key}.partial"
                shutil.rmtree(partial, ignore_errors=True)
                partial.mkdir()
                make_trace(partial, demo, *params)
                partial.rename(sub)
            made[key] = sub / f"{demo}.json"
    return made


def read_trace(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), parse_int=lambda s: -0.0 if s == "-0" else int(s))


def values(tensor: dict) -> np.ndarray:
    return np.array([float(x) for x in tensor["data"]], dtype=float)


def by_name(trace: dict, name: str) -> dict:
    """The first tensor called `name` (the forward one; gradients have other names)."""
    return next(t for t in trace["tensors"] if t["name"] == name)


def producer(trace: dict, tensor_id: int) -> int:
    return next(s["index"] for s in trace["steps"] if s["output"] == tensor_id)


def final_gradient(trace: dict, tensor_id: int) -> dict:
    """The last gradient of the tensor the trace makes: the fully accumulated one."""
    made = [t for t in trace["tensors"] if t["role"] == "gradient" and t.get("of") == tensor_id]
    return max(made, key=lambda t: t["id"])


class Viewer:
    """A page of <unrolled-trace> elements, one per trace, and ways to drive them."""

    def __init__(self, context, folder: Path, traces: dict[str, Path], scheme: str = "light", body_before: str = ""):
        self.traces = {key: read_trace(path) for key, path in traces.items()}
        figures = [Figure(path.read_text(encoding="utf-8"), key) for key, path in traces.items()]
        page_path = write_page(folder, figures, body_before=body_before)
        self.page, self.visit = open_page(context, file_url(page_path), wait_for="unrolled-trace")
        self.page.emulate_media(color_scheme=scheme)
        # Every viewer ready, in one round trip (a page may hold a hundred).
        self.page.evaluate("keys => Promise.all(keys.map(key => document.getElementById(key).ready)).then(() => true)",
                           list(traces))

    def tabs(self, key: str) -> list[str]:
        return select_all(self.page,
            f"#{key} .ut-tab", "bs => bs.map(b => b.getAttribute('data-view'))")

    def show(self, key: str, view: str):
        self.page.click(f"#{key} .ut-tab[data-view='{view}']")
        return self.page.locator(f"#{key} .ut-panel[data-view='{view}']")

    def go(self, key: str, step_index0: int):
        self.page.evaluate(f"document.getElementById({json.dumps(key)}).goTo({step_index0 + 1})")

    def step0(self, key: str) -> int:
        return self.page.evaluate(f"document.getElementById({json.dumps(key)}).step") - 1

    def shot(self, key: str, name: str):
        OUTPUT.mkdir(exist_ok=True)
        self.page.locator(f"#{key}").screenshot(path=str(OUTPUT / f"views-{name}.png"))

    def assert_clean(self):
        assert self.visit.problems() == []
        assert self.visit.external_requests() == []


def declared(trace: dict, scope: int | None, kind: str, attribute: str):
    """The attribute of the innermost scope of `kind` around `scope` (or that scope), or None."""
    while scope is not None:
        if trace["scopes"][scope].get("kind") == kind:
            return trace["scopes"][scope]["attributes"][attribute]
        scope = trace["scopes"][scope]["parent"]
    return None


def wire_state(viewer: Viewer, key: str, view: str = "lstm-cell") -> dict[str, dict]:
    """Per wire with values: the tensor it names, the id it shows, its title and its label: the
    values written on it, or in the narrow drawing (a phone) its symbol and the values its row of
    the list under the drawing shows (`row`: that row's tensor, id and title)."""
    return {w["wire"]: w for w in select_all(viewer.page,
        f"#{key} .ut-panel[data-view='{view}'] .uv-wire[data-tensor]",
        """ws => ws.map(w => {
             const label = (w.querySelector('.uv-values') || {}).textContent || '';
             const row = w.closest('.ut-panel').querySelector(`.uv-cell-value[data-wire="${w.getAttribute('data-wire')}"]`);
             return {wire: w.getAttribute('data-wire'), tensor: w.getAttribute('data-tensor'),
                     id: w.getAttribute('data-tensor-id'),
                     title: (w.querySelector(':scope > title') || {}).textContent || '',
                     label: row ? label + ' ' + row.querySelector('.uv-cell-numbers').textContent : label,
                     row: row && {tensor: row.getAttribute('data-tensor'), id: row.getAttribute('data-tensor-id'), title: row.title}};
           })""")}


def numbers_in(text: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?", text)]


def assert_wire_shows(wire: dict, expected: np.ndarray):
    exact = numbers_in(wire["title"].split("=", 1)[1])
    assert np.allclose(exact, expected, rtol=0, atol=1e-15), wire
    shown = numbers_in(wire["label"].split(" ", 1)[1])
    n = min(len(shown), 4)
    assert np.allclose(shown[:n], expected[:n], rtol=5e-3, atol=5e-4), wire


def bar_norms(viewer: Viewer, key: str) -> dict[tuple[str, int], float | None]:
    bars = select_all(viewer.page,
        f"#{key} .ut-panel[data-view='unrolled'] .uv-bar",
        "bs => bs.map(b => [b.getAttribute('data-dir') || '', +b.getAttribute('data-t'), b.getAttribute('data-norm')])")
    return {(d, t): (None if n is None else float(n)) for d, t, n in bars}


def expected_norms(trace: dict, state_names: dict[tuple[str, int], str], step: int) -> dict:
    """numpy norms of the latest gradient of each h_t made at or before `step`."""
    out = {}
    for key, name in state_names.items():
        h = by_name(trace, name)
        made = [t for t in trace["tensors"] if t["role"] == "gradient" and t.get("of") == h["id"]
                and producer(trace, t["id"]) <= step]
        out[key] = float(np.linalg.norm(values(max(made, key=lambda t: t["id"])))) if made else None
    return out


def heat_cells(viewer: Viewer, key: str) -> list[dict]:
    return select_all(viewer.page,
        f"#{key} .ut-panel[data-view='attention'] .uv-heatcell",
        """cs => cs.map(c => ({row: +c.getAttribute('data-row'), col: +c.getAttribute('data-col'),
                              value: +c.getAttribute('data-value'),
                              masked: c.querySelector('rect').classList.contains('uv-masked'),
                              text: (c.querySelector('text') || {}).textContent || ''}))""")


def heat_labels(viewer: Viewer, key: str, kind: str) -> list[str]:
    return select_all(viewer.page,
        f"#{key} .ut-panel[data-view='attention'] .uv-{kind}token", "ts => ts.map(t => t.textContent)")


def curve_points(viewer: Viewer, key: str) -> list[list[tuple[float, float]]]:
    return select_all(viewer.page,
        f"#{key} .uv-curve",
        "ps => ps.map(p => p.getAttribute('points').trim().split(/\\s+/).map(xy => xy.split(',').map(Number)))")
