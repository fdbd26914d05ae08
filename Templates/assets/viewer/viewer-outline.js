/* The outline beside the step: the trace's scope tree (iteration › t = 2 › LSTM cell ›
   forget gate › ops), collapsible, with the current step's row highlighted and kept in
   view. Virtualized: only the rows on screen exist in the DOM, so a 20,000-step trace
   stays as cheap to step through as a small one. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  const { escapeHtml, PHASE_TITLES } = U.viewerKit;
  var ROW_HEIGHT = 26;      // px, one outline row (CSS .ut-row uses the same)

  /* Methods of <unrolled-trace> (viewer.js puts them on its prototype). */
  (U.viewerParts = U.viewerParts || {}).outline = {
    _computeVisible() {
      var o = this._model.outline, list = new Int32Array(o.count), count = 0, collapsed = this._collapsed;
      for (var node = 0; node < o.count;) {
        list[count++] = node;
        node = collapsed.has(node) ? o.end[node] : node + 1;
      }
      this._visible = list.subarray(0, count);
      this._rowOf = new Int32Array(o.count).fill(-1);
      for (var r = 0; r < count; r++) this._rowOf[this._visible[r]] = r;
      this._spacer.style.height = (count * ROW_HEIGHT) + 'px';
      this._renderRows();
    },

    _toggle(node) {
      if (this._collapsed.has(node)) this._collapsed.delete(node); else this._collapsed.add(node);
      this._computeVisible();
    },

    /** Collapses every scope group, or expands all. A scope that is its parent's only child
        (an `iteration 1` around everything) stays open, so collapsing shows the time steps,
        layers or gates that the pass is made of. */
    _fold(collapse) {
      var o = this._model.outline, node;
      this._collapsed = new Set();
      if (collapse) {
        var children = new Int32Array(o.count);
        for (node = 0; node < o.count; node++) if (o.parent[node] >= 0) children[o.parent[node]]++;
        for (node = 0; node < o.count; node++) {
          if (o.kind[node] === 1 && children[o.parent[node]] > 1) this._collapsed.add(node);
        }
      }
      this._computeVisible();
      this._revealCurrent();
    },

    /** The visible row that stands for the current step: its own, or its nearest visible ancestor's. */
    _currentRow() {
      var o = this._model.outline;
      if (!this._model.stepCount) return -1;
      var node = o.stepNode[this._index];
      while (node >= 0 && this._rowOf[node] < 0) node = o.parent[node];
      return node < 0 ? -1 : this._rowOf[node];
    },

    /** Keeps the current row in view. Geometry comes from caches (the scroll handler and
        the resize observer), so a step change forces no extra layout. */
    _revealCurrent() {
      var row = this._currentRow();
      if (row >= 0) {
        var top = row * ROW_HEIGHT, h = this._outlineHeight;
        if (top < this._scrollTop || top + ROW_HEIGHT > this._scrollTop + h) {
          this._scrollTop = Math.max(0, top - h / 2 + ROW_HEIGHT / 2);
          this._outline.scrollTop = this._scrollTop;
        }
      }
      this._renderRows();
    },

    _renderRows() {
      if (!this._visible) return;
      var m = this._model, o = m.outline;
      var h = this._outlineHeight, top = this._scrollTop;
      var from = Math.max(0, Math.floor(top / ROW_HEIGHT) - 4);
      var to = Math.min(this._visible.length, Math.ceil((top + h) / ROW_HEIGHT) + 4);
      var current = this._currentRow();
      var rendered = this._rendered;
      if (rendered && rendered.from === from && rendered.to === to && rendered.visible === this._visible) {
        // Same rows on screen (the usual case when stepping): move the highlight only.
        if (rendered.current !== current) {
          this._markRow(rendered.current, false);
          this._markRow(current, true);
          rendered.current = current;
        }
        return;
      }
      var html = [];
      for (var r = from; r < to; r++) {
        var node = this._visible[r], kind = o.kind[node], depth = o.depth[node];
        var phase = m.steps[o.first[node]].phase;
        var cls = 'ut-row ut-k' + kind + ' ut-ph-' + escapeHtml(phase) + (r === current ? ' ut-current' : '');
        var label, caret = '';
        if (kind === 2) {
          var s = m.steps[o.ref[node]], out = m.tensors[s.output];
          label = '<span class="ut-row-n">' + (o.ref[node] + 1) + '</span><span class="ut-row-op">' + escapeHtml(s.op) + '</span><span class="ut-row-out">→ ' + escapeHtml(out.name) + '</span>';
        } else {
          var open = !this._collapsed.has(node);
          caret = '<span class="ut-caret" role="button" aria-label="' + (open ? 'Collapse' : 'Expand') + '" aria-expanded="' + open + '">' + (open ? '▾' : '▸') + '</span>';
          var name = kind === 0 ? PHASE_TITLES[phase] : m.scopes[o.ref[node]].name;
          label = '<span class="ut-row-name">' + escapeHtml(name) + '</span><span class="ut-row-range">' +
            (o.first[node] + 1) + (o.last[node] > o.first[node] ? '–' + (o.last[node] + 1) : '') + '</span>';
        }
        html.push('<div class="' + cls + '" role="listitem" data-row="' + r + '" data-node="' + node + '" style="top:' + (r * ROW_HEIGHT) + 'px;padding-left:' + (0.4 + depth * 0.85) + 'rem"' +
          (r === current ? ' aria-current="step"' : '') + '>' + caret + label + '</div>');
      }
      this._rows.innerHTML = html.join('');
      this._rendered = { from: from, to: to, visible: this._visible, current: current };
    },

    _markRow(r, on) {
      if (r < 0) return;
      var row = this._rows.querySelector('[data-row="' + r + '"]');
      if (!row) return;
      row.classList.toggle('ut-current', on);
      if (on) row.setAttribute('aria-current', 'step'); else row.removeAttribute('aria-current');
    }
  };
})(window.Unrolled);
