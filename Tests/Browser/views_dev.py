"""Builds a page that shows the special views (Templates/assets/viewer/viewer-views.js) of
one trace without the core viewer: a small stand-in of Unrolled.TraceModel and of the
viewer's `api`, written here and never in the shared files, hosts every view whose
`applies` is true, one panel each (data-view="<id>"). The page exposes
`window.viewsHarness` for tests: goTo(stepIndex0), step, panels.

    python3 Tests/Browser/views_dev.py TRACE.json OUT_DIR   # writes OUT_DIR/index.html
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "Templates" / "assets" / "viewer"

STAND_IN = r"""
window.Unrolled = window.Unrolled || {};
(function () {
  function num(x) {
    return x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : +x;
  }
  function Model(trace) {
    this.trace = trace;
    this.stepCount = trace.steps.length;
    this._values = {};
    this._producer = null;
  }
  Model.prototype.tensor = function (id) { return this.trace.tensors[id]; };
  Model.prototype.values = function (id) {
    if (!this._values[id]) this._values[id] = Float64Array.from(this.trace.tensors[id].data, num);
    return this._values[id];
  };
  Model.prototype.scopePath = function (id) {
    var path = [];
    while (id != null) { path.unshift(this.trace.scopes[id]); id = this.trace.scopes[id].parent; }
    return path;
  };
  Model.prototype.producer = function (id) {
    if (!this._producer) {
      this._producer = {};
      for (var s of this.trace.steps) this._producer[s.output] = s.index;
    }
    return id in this._producer ? this._producer[id] : -1;
  };
  function format(x) {
    if (x !== x) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '−∞';
    var a = Math.abs(x);
    var s = a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(2) : x.toFixed(3);
    return s.replace('-', '−');
  }
  function colour(x, maxAbs) {
    if (x !== x) return '#999';
    var v = Math.max(-1, Math.min(1, maxAbs > 0 ? x / maxAbs : 0));
    return v >= 0 ? 'rgba(198,80,40,' + v.toFixed(3) + ')' : 'rgba(40,90,200,' + (-v).toFixed(3) + ')';
  }
  window.viewsHarness = {
    mount: function (trace, container) {
      var model = new Model(trace), harness = this;
      harness.model = model;
      harness.step = 0;
      harness.panels = {};
      var api = {
        goTo: function (s) { harness.goTo(s); },
        tex: function (el, src) { var c = document.createElement('code'); c.textContent = src; el.appendChild(c); },
        format: format, colour: colour,
        reducedMotion: matchMedia('(prefers-reduced-motion: reduce)').matches
      };
      (Unrolled.views || []).forEach(function (spec) {
        if (!spec.applies(model)) return;
        var section = document.createElement('section');
        section.className = 'panel';
        var h = document.createElement('h2');
        h.textContent = spec.title;
        var host = document.createElement('div');
        host.setAttribute('data-view', spec.id);
        section.append(h, host);
        container.appendChild(section);
        harness.panels[spec.id] = spec.create(host, model, api);
      });
      harness.goTo(0);
    },
    goTo: function (s) {
      this.step = Math.max(0, Math.min(this.model.stepCount - 1, s));
      for (var id in this.panels) this.panels[id].update(this.step);
      var label = document.getElementById('step');
      if (label) label.textContent = 'step ' + (this.step + 1) + ' of ' + this.model.stepCount +
        ' (' + ((this.model.trace.steps[this.step] || {}).phase || 'none') + ')';
    }
  };
})();
"""

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>views: {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="viewer-views.css">
<style>
  body {{ font-family: system-ui, sans-serif; margin: 1rem; max-width: 64rem; }}
  @media (prefers-color-scheme: dark) {{ body {{ background: #15171b; color: #e3e5e8; }} }}
  .panel {{ border: 1px solid #8886; border-radius: 6px; padding: 0.5rem 1rem; margin: 1rem 0; }}
</style>
<script>{stand_in}</script>
<script src="viewer-views.js"></script>
<script type="application/json" id="trace">{trace}</script>
</head><body>
<p id="step"></p>
<div id="views"></div>
<script>
  viewsHarness.mount(JSON.parse(document.getElementById('trace').textContent),
                     document.getElementById('views'));
</script>
</body></html>
"""


def build(trace_path: Path, out_dir: Path) -> Path:
    """Writes out_dir/index.html (with copies of the views' script and styles) showing
    every applicable view of the trace; returns the page's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ("viewer-views.js", "viewer-views.css"):
        shutil.copyfile(ASSETS / name, out_dir / name)
    trace_text = trace_path.read_text(encoding="utf-8")
    title = json.loads(trace_text).get("title", trace_path.stem)
    page = out_dir / "index.html"
    page.write_text(PAGE.format(title=title, stand_in=STAND_IN,
                                trace=trace_text.replace("<", "\\u003c")), encoding="utf-8")
    return page


if __name__ == "__main__":
    print(build(Path(sys.argv[1]), Path(sys.argv[2])))
