/* The outline part of <unrolled-trace>: the trace's scope tree (iteration › t = 2 › LSTM cell ›
   forget gate › ops) beside the step, collapsible, with the current step's row highlighted
   and kept in view. Virtualized: only the rows on screen exist in the DOM, so a 20,000-step
   trace stays as cheap to step through as a small one, and a row keeps its element while it
   stays on screen, so stepping and scrolling build only the rows that come into view. A component over the viewer's state
   (viewer.js); which groups are collapsed is its own. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var ROW_HEIGHT = 26;      // px, one outline row (CSS .ut-row uses the same)
  // Rows built beyond each edge of the outline's box: a wheel's first notch shows built rows,
  // and each costs a typeset name on a jump, so few.
  var OVERSCAN = 2;

  (U.viewerParts = U.viewerParts || {}).outline = function (context) {
    var root = context.root, m = context.model, o = m.outline, state = context.state;
    var escapeHtml = context.kit.escapeHtml, nameHtml = context.kit.nameHtml, PHASE_TITLES = context.kit.PHASE_TITLES;
    var outline = root.querySelector('.ut-outline');
    var rows = root.querySelector('.ut-outline-rows');
    var spacer = root.querySelector('.ut-outline-spacer');
    var tools = root.querySelector('.ut-outline-tools');
    var collapsed = new Set(), visible = null, rowOf = null, rendered = null, observer = null;
    var shown = new Map();    // outline node → its row element, for the rows in the DOM
    var outlineHeight = outline.clientHeight || 480, scrollTop = 0;

    function computeVisible() {
      var list = new Int32Array(o.count), count = 0;
      for (var node = 0; node < o.count;) {
        list[count++] = node;
        node = collapsed.has(node) ? o.end[node] : node + 1;
      }
      visible = list.subarray(0, count);
      rowOf = new Int32Array(o.count).fill(-1);
      for (var r = 0; r < count; r++) rowOf[visible[r]] = r;
      spacer.style.height = (count * ROW_HEIGHT) + 'px';
      renderRows();
    }

    function toggle(node) {
      if (collapsed.has(node)) collapsed.delete(node); else collapsed.add(node);
      computeVisible();
    }

    /** Collapses every scope group, or expands all. A scope that is its parent's only child
        (an `iteration 1` around everything) stays open, so collapsing shows the time steps,
        layers or gates that the pass is made of. */
    function fold(collapse) {
      var node;
      collapsed = new Set();
      if (collapse) {
        var children = new Int32Array(o.count);
        for (node = 0; node < o.count; node++) if (o.parent[node] >= 0) children[o.parent[node]]++;
        for (node = 0; node < o.count; node++) {
          if (o.kind[node] === 1 && children[o.parent[node]] > 1) collapsed.add(node);
        }
      }
      computeVisible();
      revealCurrent();
    }

    /** The visible row that stands for the current step: its own, or its nearest visible ancestor's. */
    function currentRow() {
      if (!m.stepCount) return -1;
      var node = o.stepNode[state.step];
      while (node >= 0 && rowOf[node] < 0) node = o.parent[node];
      return node < 0 ? -1 : rowOf[node];
    }

    /** Keeps the current row in view. Geometry comes from caches (the scroll handler and
        the resize observer), so a step change forces no extra layout. */
    function revealCurrent() {
      var row = currentRow();
      if (row >= 0) {
        var top = row * ROW_HEIGHT, h = outlineHeight;
        if (top < scrollTop || top + ROW_HEIGHT > scrollTop + h) {
          scrollTop = Math.max(0, top - h / 2 + ROW_HEIGHT / 2);
          outline.scrollTop = scrollTop;
        }
      }
      renderRows();
    }

    function renderRows() {
      if (!visible) return;
      var h = outlineHeight, top = scrollTop;
      var from = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
      var to = Math.min(visible.length, Math.ceil((top + h) / ROW_HEIGHT) + OVERSCAN);
      var current = currentRow();
      if (rendered && rendered.from === from && rendered.to === to && rendered.visible === visible) {
        // Same rows on screen (the usual case when stepping): move the highlight only.
        if (rendered.current !== current) {
          markRow(rendered.current, false);
          markRow(current, true);
          rendered.current = current;
        }
        return;
      }
      // A row keeps its element (and its typeset name) while it stays on screen: scrolling by a
      // few rows builds, styles, lays out and typesets only the rows coming into view. Folding
      // moves every row, so it starts afresh.
      if (!rendered || rendered.visible !== visible) shown = new Map();
      var kept = new Map(), fresh = [];
      for (var r = from; r < to; r++) {
        var node = visible[r], row = shown.get(node);
        if (row) { kept.set(node, row); shown.delete(node); } else fresh.push(rowHtml(r, node, current));
      }
      // A jump keeps no row: all go at once.
      if (!kept.size) rows.textContent = '';
      else shown.forEach(function (gone) { gone.remove(); });
      if (rendered && rendered.current !== current) {
        markRow(rendered.current, false);
        markRow(current, true);
      }
      if (fresh.length) {
        var made = document.createElement('div');
        made.innerHTML = fresh.join('');
        // In row order in the DOM too: a screen reader reads the list in that order.
        var after = null;
        for (r = from; r < to; r++) {
          node = visible[r];
          row = kept.get(node);
          if (!row) {
            row = made.firstElementChild;
            rows.insertBefore(row, after ? after.nextSibling : rows.firstChild);
            kept.set(node, row);
          }
          after = row;
        }
        context.kit.typesetLate(rows);
      }
      shown = kept;
      rendered = { from: from, to: to, visible: visible, current: current };
    }

    function rowHtml(r, node, current) {
      var kind = o.kind[node], depth = o.depth[node];
      var phase = m.steps[o.first[node]].phase;
      var cls = 'ut-row ut-k' + kind + ' ut-ph-' + escapeHtml(phase) + (r === current ? ' ut-current' : '');
      var label, caret = '';
      if (kind === 2) {
        var s = m.steps[o.ref[node]], out = m.tensors[s.output];
        // The result typeset from its TeX, fractions slashed to keep the row one line high;
        // late: plain text in the frame of a step change, KaTeX's boxes after it.
        label = '<span class="ut-row-n">' + (o.ref[node] + 1) + '</span><span class="ut-row-op">' + escapeHtml(s.op) + '</span><span class="ut-row-out">→ ' + nameHtml(out, '', true, true) + '</span>';
      } else {
        var open = !collapsed.has(node);
        caret = '<span class="ut-caret" role="button" aria-label="' + (open ? 'Collapse' : 'Expand') + '" aria-expanded="' + open + '">' + (open ? '▾' : '▸') + '</span>';
        var name = kind === 0 ? PHASE_TITLES[phase] : m.scopes[o.ref[node]].name;
        label = '<span class="ut-row-name">' + escapeHtml(name) + '</span><span class="ut-row-range">' +
          (o.first[node] + 1) + (o.last[node] > o.first[node] ? '–' + (o.last[node] + 1) : '') + '</span>';
      }
      return '<div class="' + cls + '" role="listitem" data-row="' + r + '" data-node="' + node + '" style="top:' + (r * ROW_HEIGHT) + 'px;padding-left:' + (0.4 + depth * 0.85) + 'rem"' +
        (r === current ? ' aria-current="step"' : '') + '>' + caret + label + '</div>';
    }

    function markRow(r, on) {
      if (r < 0) return;
      var row = rows.querySelector('[data-row="' + r + '"]');
      if (!row) return;
      row.classList.toggle('ut-current', on);
      if (on) row.setAttribute('aria-current', 'step'); else row.removeAttribute('aria-current');
    }

    function onResize() {
      outlineHeight = outline.clientHeight || outlineHeight;
      revealCurrent();
    }

    tools.addEventListener('click', function (e) {
      var b = e.target.closest('button[data-fold]');
      if (b) fold(b.getAttribute('data-fold') === 'collapse');
    });
    outline.addEventListener('scroll', function () {
      scrollTop = outline.scrollTop;
      renderRows();
    }, { passive: true });
    // Click a step to go there, a caret to collapse.
    rows.addEventListener('click', function (e) {
      var row = e.target.closest('.ut-row');
      if (!row) return;
      var node = Number(row.getAttribute('data-node'));
      if (e.target.closest('.ut-caret')) { toggle(node); return; }
      state.userGo(o.first[node]);
    });
    computeVisible();

    return {
      update: function (changed) { if (changed.step) revealCurrent(); },
      connect: function () {
        if (!observer && window.ResizeObserver) observer = new ResizeObserver(onResize);
        if (observer) observer.observe(outline);
      },
      disconnect: function () { if (observer) observer.disconnect(); },
      // A scroll event already queued then draws nothing.
      destroy: function () { visible = null; if (observer) observer.disconnect(); }
    };
  };
})(window.Unrolled);
