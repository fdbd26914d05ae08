/* The step panel part of <unrolled-trace>: the current step's op, the equation of its scope,
   its operands and result as matrices (a window of at most WINDOW × WINDOW cells, paged), what
   a backward step's gradient is for, and the provenance of the selected result element
   (Unrolled.explain); and the live part, which says the step in words to screen readers.
   Components over the viewer's state (viewer.js); the matrices' windows are the panel's own. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var WINDOW = 12;          // matrix cells shown per axis

  (U.viewerParts = U.viewerParts || {}).step = function (context) {
    var m = context.model, state = context.state, kit = context.kit;
    var escapeHtml = kit.escapeHtml, texHtml = kit.texHtml, nameHtml = kit.nameHtml, nameText = kit.nameText, format = kit.format,
        exact = kit.exact, colour = kit.colour, numberClass = kit.numberClass, OP_SYMBOL = kit.OP_SYMBOL;
    var panel = context.root.querySelector('.ut-step-panel');
    var parts = null, windows = {};

    function renderStep() {
      if (!m.stepCount) {
        panel.innerHTML = '<p class="ut-note">This trace records no steps' + ((m.trace.history || []).length ? '; its training history is in the other views.' : '.') + '</p>';
        return;
      }
      if (!parts) {
        // Parts replaced separately: the typeset equation stays while the scope's equation does.
        panel.innerHTML = '<div class="ut-step-head"></div><div class="ut-eq" hidden></div><div class="ut-explain"></div><div class="ut-tensors"></div><div class="ut-prov-box"></div>';
        parts = { head: panel.children[0], eq: panel.children[1], explain: panel.children[2], tensors: panel.children[3], prov: panel.children[4], equation: null };
      }
      var i = state.step, step = m.steps[i], out = m.tensor(step.output);
      var path = m.scopePath(step.scope);
      var eq = m.equationScope(i);
      // Every string of the trace is escaped: a page may hold a trace no build has checked.
      replace(parts.head,
        '<span class="ut-badge ut-ph-' + escapeHtml(step.phase) + '">' + escapeHtml(step.phase) + '</span>' +
        '<span class="ut-step-n">step ' + (i + 1) + '</span>' +
        '<code class="ut-op">' + escapeHtml(step.op) + '</code>' +
        '<span class="ut-path">' + (path.length ? path.map(function (s) { return escapeHtml(s.name); }).join(' <span aria-hidden="true">›</span> ') : 'top level') + '</span>');
      var equation = eq ? eq.equation : null;
      if (equation !== parts.equation) {
        parts.equation = equation;
        parts.eq.hidden = !eq;
        parts.eq.innerHTML = eq ? texHtml(eq.equation, true) : '';
      }
      if (eq && parts.eq.title !== eq.name) parts.eq.title = eq.name;
      replace(parts.explain, explainStepHtml(i));
      var sel = Math.min(state.selected, m.values(out.id).length - 1);
      var explanation = sel >= 0 ? U.explain(m, i, sel) : null;
      var sources = {};
      if (explanation) explanation.sources.forEach(function (s) { (sources['in' + s.input] = sources['in' + s.input] || []).push(s.index); });
      var html = [];
      var symbol = OP_SYMBOL[step.op];
      if (!symbol) html.push('<span class="ut-opname">' + escapeHtml(step.op) + '(</span>');
      // Each symbol stays on the line of the card after it when the row wraps.
      step.inputs.forEach(function (id, k) {
        html.push('<span class="ut-term">' + (k > 0 ? '<span class="ut-sym">' + (symbol || ',') + '</span>' : '') +
          cardHtml(id, 'in' + k, -1, sources['in' + k] || null) + '</span>');
      });
      if (!symbol) html.push('<span class="ut-opname">)</span>');
      html.push('<span class="ut-term"><span class="ut-sym ut-eq-sign">=</span>' + cardHtml(out.id, 'out', sel, null) + '</span>');
      parts.tensors.innerHTML = html.join('');
      parts.prov.innerHTML = explanation ? provenanceHtml(explanation) : '';
      // Its names (up to 128 on a long matmul) are typeset after the frame.
      kit.typesetLate(parts.prov);
      // A matrix wider than its card scrolls sideways: an operand's (no focusable cell) takes the
      // focus itself, so a keyboard can scroll it too; so do the equation and provenance's lines.
      // (The page's stylesheet may make the table the box that scrolls, not its wrapper.)
      // Read once every box is written: one layout for the whole step change.
      var scrolling = Array.prototype.slice.call(parts.tensors.querySelectorAll('.ut-card:not([data-slot="out"]) .ut-mat-wrap, .ut-card:not([data-slot="out"]) table'));
      focusIfScrolling(scrolling.concat(eq ? [parts.eq] : [], Array.prototype.slice.call(parts.prov.querySelectorAll('.ut-prov-lines'))));
    }

    /** Sets a part's HTML when it differs from what the part shows: a part that reads the same
        at the next step (no attributes, the same sentence) is not built, styled and laid out again. */
    function replace(part, html) {
      if (part.shown === html) return;
      part.shown = html;
      part.innerHTML = html;
    }

    /** Boxes that scroll take the focus (a keyboard scrolls them then); the others do not. */
    function focusIfScrolling(boxes) {
      // Every size read first, then the writes, so that the reads share one layout.
      var scrolls = Array.prototype.map.call(boxes, function (box) {
        return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      });
      Array.prototype.forEach.call(boxes, function (box, k) {
        if (scrolls[k]) { if (box.tabIndex !== 0) box.tabIndex = 0; } else if (box.hasAttribute('tabindex')) box.removeAttribute('tabindex');
      });
    }

    /** The teaching line under the equation: attrs, and for gradients what they are of. */
    function explainStepHtml(i) {
      var step = m.steps[i], out = m.tensor(step.output), parts = [];
      var attrs = Object.keys(step.attrs || {});
      if (attrs.length) {
        parts.push('<p class="ut-attrs">' + attrs.map(function (k) {
          var v = step.attrs[k];
          var text = Array.isArray(v) ? '[' + (v.length > 24 ? v.slice(0, 24).join(', ') + ', …' : v.join(', ')) + ']' : String(v);
          return '<span class="ut-chip"><span class="ut-chip-key">' + escapeHtml(k) + '</span> ' + escapeHtml(text) + '</span>';
        }).join('') + '</p>');
      }
      var grad = m.gradientInfo(i);
      if (grad) {
        var text = 'This step produces ' + nameHtml(out) + ', ' +
          (grad.sums ? 'the sum of two contributions to the gradient of ' : (grad.final ? 'the final gradient of ' : 'a contribution to the gradient of ')) +
          nameHtml(grad.of) + ' <span class="ut-muted">(' + escapeHtml(grad.of.name) + ', ' + escapeHtml(grad.of.role) + ')</span>.';
        if (grad.sums) text += ' ' + nameHtml(grad.of) + ' is used in more than one place, so its gradient arrives along several paths and the contributions are summed.';
        else if (grad.final && !grad.sums) text += ' It is the complete gradient.';
        parts.push('<p class="ut-grad' + (grad.sums ? ' ut-sums' : '') + '">' + text + '</p>');
      } else if (step.op === 'sgd') {
        parts.push('<p class="ut-grad">Update: the new version ' + (out.version ? escapeHtml(out.version) : '') + ' of ' + nameHtml(out) + ' is the old one minus the learning rate times its gradient.</p>');
      } else if (step.phase === 'backward') {
        parts.push('<p class="ut-grad ut-muted">An intermediate value of a gradient rule (not a gradient itself).</p>');
      }
      return parts.join('');
    }

    /** One tensor as a matrix: a window of at most WINDOW×WINDOW cells around `selected`
        (a flat index, or -1) or the first of `highlight` (flat indices to mark as sources). */
    function cardHtml(id, slot, selected, highlight) {
      var t = m.tensor(id), values = m.values(id), shape = t.shape;
      var rank = shape.length;
      var cols = rank === 0 ? 1 : shape[rank - 1];
      var rows = cols === 0 ? 0 : values.length / cols;
      var win = windows[slot];
      if (!win) {
        win = { r: 0, c: 0 };
        var focus = selected >= 0 ? selected : (highlight && highlight.length ? highlight[0] : -1);
        if (focus >= 0 && cols > 0) {
          var fr = Math.floor(focus / cols), fc = focus % cols;
          if (fr >= WINDOW) win.r = Math.min(fr - Math.floor(WINDOW / 2), rows - WINDOW);
          if (fc >= WINDOW) win.c = Math.min(fc - Math.floor(WINDOW / 2), cols - WINDOW);
        }
        windows[slot] = win;
      }
      var r1 = Math.min(rows, win.r + WINDOW), c1 = Math.min(cols, win.c + WINDOW);
      var labels = t.labels || [];
      var colLabels = rank >= 1 ? labels[rank - 1] : null;
      var rowLabels = rank === 2 ? labels[0] : null;
      var maxAbs = m.maxAbs(id), hl = highlight ? new Set(highlight) : null;
      var h = [];
      h.push('<figure class="ut-card ut-role-' + escapeHtml(t.role) + '" data-slot="' + slot + '" data-tensor="' + id + '">');
      h.push('<figcaption><span class="ut-name">' + nameHtml(t) + '</span><span class="ut-shape">' + escapeHtml(U.shapeText(shape)) + '</span>' +
        '<span class="ut-role">' + escapeHtml(t.role) + (t.version ? ' v' + escapeHtml(t.version) : '') + '</span>' +
        // A frozen parameter (the trace's `frozen`): training holds it fixed, no gradient, no update.
        (t.frozen === true ? '<span class="ut-frozen" title="frozen: training holds this parameter fixed (no gradient, no update)">frozen</span>' : '') +
        '</figcaption>');
      // Named for screen readers; a result's cells are one tab stop, arrow keys move inside.
      var label = nameText(t) + ', ' + U.shapeText(shape) + (slot === 'out' ? ', the result: arrow keys move between its values, Enter shows how one was computed' : '');
      h.push('<div class="ut-mat-wrap"><table class="ut-mat' + (slot === 'out' ? ' ut-pickable' : '') + '" aria-label="' + escapeHtml(label) + '">');
      // The one cell of the result in the tab order: the selected one when shown, else the first shown.
      var stop = win.r * cols + win.c;
      if (selected >= 0 && cols > 0) {
        var sr = Math.floor(selected / cols), sc = selected % cols;
        if (sr >= win.r && sr < r1 && sc >= win.c && sc < c1) stop = selected;
      }
      if (rank >= 1 && cols > 1) {
        h.push('<thead><tr><th class="ut-corner"></th>');
        for (var c = win.c; c < c1; c++) {
          var cl = colLabels ? colLabels[c] : String(c + 1);
          h.push('<th scope="col"' + (colLabels ? ' class="ut-label" title="' + escapeHtml(cl) + '"' : '') + '>' + escapeHtml(cl) + '</th>');
        }
        h.push('</tr></thead>');
      }
      h.push('<tbody>');
      for (var r = win.r; r < r1; r++) {
        h.push('<tr>');
        if (rank >= 1 && cols > 1 || rank >= 2) {
          var rl = rowLabels ? rowLabels[r] : rank > 2 ? U.unravel(r, shape.slice(0, rank - 1)).map(function (x) { return x + 1; }).join(',') : String(r + 1);
          h.push('<th scope="row"' + (rowLabels ? ' class="ut-label" title="' + escapeHtml(rl) + '"' : '') + '>' + escapeHtml(rl) + '</th>');
        }
        for (var cc = win.c; cc < c1; cc++) {
          var f = r * cols + cc, x = values[f];
          var cls = numberClass(x);
          if (f === selected) cls += ' ut-selected';
          if (hl && hl.has(f)) cls += ' ut-source';
          h.push('<td data-i="' + f + '" title="' + exact(x) + '"' + (cls ? ' class="' + cls.trim() + '"' : '') +
            (slot === 'out' ? ' tabindex="' + (f === stop ? 0 : -1) + '"' : '') +
            ' style="background:' + colour(x, maxAbs) + '">' + format(x) + '</td>');
        }
        h.push('</tr>');
      }
      h.push('</tbody></table></div>');
      if (rows > WINDOW || cols > WINDOW) {
        h.push('<div class="ut-pager">');
        if (rows > WINDOW) {
          h.push('<span>rows ' + (win.r + 1) + '–' + r1 + ' of ' + rows + '</span>' +
            '<button type="button" data-page="up" data-slot="' + slot + '"' + (win.r === 0 ? ' disabled' : '') + ' aria-label="Previous rows">↑</button>' +
            '<button type="button" data-page="down" data-slot="' + slot + '"' + (r1 >= rows ? ' disabled' : '') + ' aria-label="Next rows">↓</button>');
        }
        if (cols > WINDOW) {
          h.push('<span>columns ' + (win.c + 1) + '–' + c1 + ' of ' + cols + '</span>' +
            '<button type="button" data-page="left" data-slot="' + slot + '"' + (win.c === 0 ? ' disabled' : '') + ' aria-label="Previous columns">←</button>' +
            '<button type="button" data-page="right" data-slot="' + slot + '"' + (c1 >= cols ? ' disabled' : '') + ' aria-label="Next columns">→</button>');
        }
        h.push('</div>');
      }
      h.push(flowHtml(id, slot));
      h.push('</figure>');
      return h.join('');
    }

    /** Where an operand was made, and where a result is used first: buttons that follow the data. */
    function flowHtml(id, slot) {
      var here = state.step;
      var made = m.producer(id), used = m.firstUse(id);
      if (slot !== 'out' && made >= 0 && made !== here) {
        return '<button type="button" class="ut-flow" data-goto="' + made + '" title="Go to the step that computed it">from step ' + (made + 1) + '</button>';
      }
      if (slot === 'out' && used > here) {
        return '<button type="button" class="ut-flow" data-goto="' + used + '" title="Go to the first step that uses it">used in step ' + (used + 1) + ' →</button>';
      }
      return '';
    }

    function page(button) {
      var slot = button.getAttribute('data-slot'), dir = button.getAttribute('data-page');
      var win = windows[slot];
      if (!win) return;
      if (dir === 'up') win.r = Math.max(0, win.r - WINDOW);
      if (dir === 'down') win.r += WINDOW;
      if (dir === 'left') win.c = Math.max(0, win.c - WINDOW);
      if (dir === 'right') win.c += WINDOW;
      renderStep();
      var again = panel.querySelector('button[data-slot="' + slot + '"][data-page="' + dir + '"]');
      if (again && !again.disabled) again.focus({ preventScroll: true });
    }

    function provenanceHtml(e) {
      var h = ['<section class="ut-prov" aria-label="How the selected element was computed">'];
      // Tensors are named by marks that provenanceHtml typesets from their TeX (viewer-provenance.js),
      // fractions slashed (the lines are text), after the frame (kit.typesetLate below).
      var named = function (text) { return U.provenanceHtml(m, text, true, true); };
      h.push('<h4>How ' + named(e.marked.label) + ' was computed <span class="ut-muted">(click any result cell)</span></h4>');
      h.push('<p class="ut-formula">' + named(e.marked.formula) + '</p>');
      e.marked.notes.forEach(function (n) { h.push('<p class="ut-note">' + named(n) + '</p>'); });
      // The terms scroll when there are many; the sum and the result below them stay in view.
      var split = e.lines.length;
      function totals(line) { return line.some(function (t) { return t && (t.kind === 'sum' || t.kind === 'result'); }); }
      while (split > 0 && totals(e.lines[split - 1])) split--;
      h.push('<div class="ut-prov-lines">');
      e.lines.forEach(function (line, k) {
        if (k === split && k > 0) h.push('</div><div class="ut-prov-lines ut-prov-totals">');
        h.push('<div class="ut-prov-line">');
        line.forEach(function (tok) {
          if (typeof tok === 'string') { h.push(escapeHtml(tok)); return; }
          h.push('<span class="ut-num ut-k-' + tok.kind + ' ' + numberClass(tok.v) + '" data-kind="' + tok.kind + '" data-v="' + exact(tok.v) + '"' +
            (tok.ref ? ' data-input="' + tok.ref.input + '" data-index="' + tok.ref.index + '"' : '') +
            ' title="' + escapeHtml((tok.label ? tok.label + ' = ' : '') + exact(tok.v)) + '">' +
            (tok.label && tok.kind !== 'result' ? '<span class="ut-num-label">' + named(tok.marked || tok.label) + '</span>' : '') + format(tok.v) + '</span>');
        });
        h.push('</div>');
      });
      h.push('</div>');
      h.push('<p class="ut-check ' + (e.agrees ? 'ut-ok' : 'ut-off') + '">' + (e.agrees ?
        '✓ equals the recorded value ' + '<span class="ut-num" data-kind="recorded" data-v="' + exact(e.recorded) + '" title="' + exact(e.recorded) + '">' + format(e.recorded) + '</span>' :
        'the trace records <span class="ut-num" data-kind="recorded" data-v="' + exact(e.recorded) + '" title="' + exact(e.recorded) + '">' + exact(e.recorded) + '</span> (recomputed here: ' + exact(e.value) + '; exp, log and tanh may differ in the last digit between math libraries)') + '</p>');
      h.push('</section>');
      return h.join('');
    }

    panel.addEventListener('click', function (e) {
      var pager = e.target.closest('button[data-page]');
      if (pager) { page(pager); return; }
      var flow = e.target.closest('button[data-goto]');
      if (flow) { state.userGo(Number(flow.getAttribute('data-goto'))); return; }
      // Result cells: click to see how the element was computed.
      var cell = e.target.closest('td[data-i]');
      if (cell && cell.closest('.ut-card[data-slot="out"]')) state.set({ selected: Number(cell.getAttribute('data-i')) });
    });
    panel.addEventListener('keydown', function (e) {
      var cell = e.target.closest && e.target.closest('td[data-i]');
      if (!cell) return;
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault(); e.stopPropagation();
        var index = cell.getAttribute('data-i');
        cell.click();
        // The panel is drawn again: the focus goes back to the same value.
        var again = panel.querySelector('.ut-card[data-slot="out"] td[data-i="' + index + '"]');
        if (again) again.focus();
        return;
      }
      var next = neighbour(cell, e.key);
      if (next === undefined) return;
      // The arrows are the grid's here, not the viewer's (which step through the trace).
      e.preventDefault(); e.stopPropagation();
      if (!next) return;
      cell.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
    });

    /** The result cell an arrow (or Home, End) goes to from `cell`: null at an edge, undefined for other keys. */
    function neighbour(cell, key) {
      var row = cell.parentElement, cells = Array.prototype.filter.call(row.children, function (c) { return c.hasAttribute('data-i'); });
      var column = cells.indexOf(cell), rows = Array.prototype.slice.call(row.parentElement.children);
      var r = rows.indexOf(row);
      function at(rr, cc) {
        var tr = rows[rr];
        if (!tr) return null;
        var list = Array.prototype.filter.call(tr.children, function (c) { return c.hasAttribute('data-i'); });
        return list[cc] || null;
      }
      switch (key) {
        case 'ArrowLeft': return at(r, column - 1);
        case 'ArrowRight': return at(r, column + 1);
        case 'ArrowUp': return at(r - 1, column);
        case 'ArrowDown': return at(r + 1, column);
        case 'Home': return cells[0];
        case 'End': return cells[cells.length - 1];
        default: return undefined;
      }
    }

    return {
      update: function (changed) {
        if (changed.step) windows = {};
        if (changed.step || changed.selected) renderStep();
      },
      destroy: function () {}
    };
  };

  /* Says the step in words (the model's describe) in the live region; while playing, a
     screen reader would hear every step, so it says the latest one each second. */
  U.viewerParts.live = function (context) {
    var m = context.model, state = context.state;
    var live = context.root.querySelector('.ut-live'), timer = 0, pending = '';
    function announce() {
      var text = m.describe(state.step);
      if (state.playing) {
        pending = text;
        if (!timer) timer = setTimeout(function () { timer = 0; live.textContent = pending; }, 1000);
      } else {
        live.textContent = text;
      }
    }
    return {
      update: function (changed) {
        if (changed.playing && !state.playing) { clearTimeout(timer); timer = 0; announce(); }
        if (changed.step) announce();
      },
      destroy: function () { clearTimeout(timer); }
    };
  };
})(window.Unrolled);
