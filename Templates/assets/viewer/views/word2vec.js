/* Unrolled viewer, special view: The word2vec pipeline, stage by stage (view word2vec).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { svg, titled, toggleClass, exact, traceIndex, values, prepare, caption,
          equationLine, setText, uniqueId, html, suggests, hasScope, historyOf, historyControl, toNumber, narrowPanel } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The CBOW / skip-gram pipeline as a column of stages, each a strip of values with the
     vocabulary as column labels: one-hot x → h = x W_in → u = h W_out → y = softmax(u) →
     e = y − target; for negative sampling h → scores u_j = h·w_j → σ(u_o) and σ(−u_n) →
     Q. Declared: the stages are the tensors tagged with each quantity below, in a trace whose
     scopes have the kind `stage`; a stage is lit while the current step's innermost scope is
     one of its `stages` (a `stage` scope's attribute, or `loss`); during backward a band under
     each stage fills with ∂Q/∂(stage), so ∂Q/∂u = y − target can be seen. When the trace describes
     activation series of the stages (the traced example recomputed after recorded epochs), a
     slider shows them as the trained weights compute them, following the viewer's history
     position; a step of the trace returns the traced values. */

  var W2V_STAGES = [
    { quantity: 'one_hot', stages: ['hidden_layer'], text: 'one-hot input x (context words)' },
    { quantity: 'context_embeddings', stages: ['hidden_layer'], text: 'H = x W_in: the context words’ rows of W_in' },
    { quantity: 'hidden_layer', stages: ['hidden_layer'], text: 'h = x W_in (hidden layer)' },
    { quantity: 'output_vectors', stages: ['scores'], text: 'w: W_out’s columns of the true word and the negatives' },
    { quantity: 'scores', stages: ['output_layer', 'scores'], text: 'u = h W_out (scores)' },
    { quantity: 'probabilities', stages: ['output_layer'], text: 'y = softmax(u)' },
    { quantity: 'target', stages: ['error'], text: 'target (one-hot)' },
    { quantity: 'error', stages: ['error'], text: 'error e = y − target' },
    { quantity: 'true_word_probability', stages: ['true_word'], text: 'σ(u_o): the true context word' },
    { quantity: 'negative_probabilities', stages: ['negatives'], text: 'σ(−u_n): the negative samples' },
    { quantity: 'loss', stages: ['loss'], text: 'loss Q' }
  ];

  views.push({
    id: 'word2vec',
    title: 'Pipeline',
    applies: function (model) {
      if (!suggests(model, 'word2vec') || !hasScope(model, 'stage')) return false;
      var index = traceIndex(model), root = index.roots()[0];
      return W2V_STAGES.some(function (spec) { return index.withQuantity(root, spec.quantity).length > 0; });
    },
    create: createWord2Vec
  });

  // The stage of a step's innermost scope: a `stage` scope's attribute, or `loss`.
  function stageOf(index, scopeId) {
    if (scopeId == null) return null;
    return index.scopes[scopeId].kind === 'loss' ? 'loss' : index.attribute(scopeId, 'stage', 'stage') || null;
  }

  function createWord2Vec(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-word2vec');
    var root = index.roots()[0];
    var stages = [];
    W2V_STAGES.forEach(function (spec) {
      index.withQuantity(root, spec.quantity).forEach(function (id) {
        stages.push({ spec: spec, name: index.tensors[id].name, id: id });
      });
    });
    // The stages after recorded epochs, when the trace keeps them (the shared history position).
    var lastStep = -1;
    var recorded = historyOf(model, W2V_STAGES.map(function (spec) { return spec.quantity; }));
    var control = recorded.entries.length ? historyControl(host, api, recorded, function () { if (lastStep >= 0) update(lastStep); }) : null;
    var MAX_COLS = 24, rowH = 22;
    var widest = Math.min(MAX_COLS, Math.max.apply(null, stages.map(function (st) {
      var sh = index.tensors[st.id].shape; return sh.length ? sh[sh.length - 1] : 1; })));
    var hasRowLabels = stages.some(function (st) { var l = index.tensors[st.id].labels || []; return l.length > 1 && l[0]; });
    // Wide: one strip per stage, the vocabulary across. Narrow (a phone): 340 units, so the texts
    // (13 units and more) are 11 px and more down to a 308 px panel; each strip wraps onto lines of
    // `perLine` columns, each line under its own labels, and the stage's name wraps above it.
    var LAYOUTS = {
      wide: { narrow: false, left: 150, cell: 60, width: 150 + widest * 60 + 20, perLine: MAX_COLS },
      narrow: { narrow: true, left: hasRowLabels ? 72 : 8, cell: 64, width: 340,
                perLine: Math.floor((340 - (hasRowLabels ? 72 : 8) - 4) / 64) }
    };
    var holder = html('div', { class: 'uv-w2v-drawing' }, host);
    var parts = [], drawnLayout = null;

    function draw(layout) {
      holder.textContent = '';
      parts = [];
      drawnLayout = layout;
      var W = layout.width, left = layout.left, cell = layout.cell, y = 6;
      var figure = svg('svg', { class: 'uv-svg' + (layout.narrow ? ' uv-narrow' : ''), role: 'img',
                                'aria-label': 'The ' + model.trace.model + ' pipeline, stage by stage' }, holder);
      var defs = svg('defs', null, figure);
      var arrowId = 'uv-arrowhead-' + uniqueId();
      var marker = svg('marker', { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' }, defs);
      svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: 'currentColor' }, marker);
      var arrowX = layout.narrow ? 24 : 60;
      stages.forEach(function (stage, k) {
        var tensor = index.tensors[stage.id];
        var shape = tensor.shape.length ? tensor.shape : [1, 1];
        var rows = shape.length > 1 ? shape[0] : 1, cols = shape[shape.length - 1];
        var shownCols = Math.min(cols, MAX_COLS);
        var labels = tensor.labels || [];
        var colLabels = labels[labels.length - 1], rowLabels = labels.length > 1 ? labels[0] : null;
        var gradients = index.gradientsOf[stage.id];
        var gradientName = '∂' + (index.lossName || 'L') + '/∂' + tensor.name;
        if (k > 0) svg('line', { class: 'uv-flow', x1: arrowX, y1: y - 2, x2: arrowX, y2: y + 12, 'marker-end': 'url(#' + arrowId + ')' }, figure);
        y += 14;
        var g = svg('g', { class: 'uv-stage', 'data-stage': stage.name, 'data-tensor-id': stage.id }, figure);
        var frame = svg('rect', { class: 'uv-frame', x: 2, y: y, width: W - 4, rx: 6 }, g);
        var heading = stage.spec.text + '  ' + tensor.name + ' (' + shape.join('×') + ')';
        var lines = layout.narrow ? wrap(stage.spec.text, 36).concat([tensor.name + ' (' + shape.join('×') + ')']) : [heading];
        var nameText = svg('text', { class: 'uv-stagename', x: 10, y: y + 16 }, g, lines.length === 1 ? heading : null);
        if (lines.length > 1) lines.forEach(function (line, n) { svg('tspan', { x: 10, dy: n ? 17 : 0 }, nameText, line); });
        var cy = y + 22 + (lines.length - 1) * 17;
        // Narrow, the gradient band's name is a line of its own: there is no room left of it.
        if (gradients && layout.narrow) {
          svg('text', { class: 'uv-gradlabel', x: 10, y: cy + 11 }, g, 'under the values: ' + gradientName);
          cy += 17;
        }
        // Each line of columns: its top, its column labels, its row labels and gradient band's name.
        var band = gradients ? rows * rowH + 4 : 0, tops = [];
        for (var from = 0; from < shownCols; from += layout.perLine) {
          if (colLabels) {
            for (var j = from; j < Math.min(shownCols, from + layout.perLine); j++) {
              svg('text', { x: left + (j - from) * cell + cell / 2, y: cy + 11, 'text-anchor': 'middle' }, g, String(colLabels[j]).slice(0, 8));
            }
            cy += 16;
          }
          tops.push(cy);
          for (var r = 0; rowLabels && r < rows; r++) svg('text', { x: left - 6, y: cy + r * rowH + 15, 'text-anchor': 'end' }, g, String(rowLabels[r]));
          if (gradients && !layout.narrow) svg('text', { class: 'uv-gradlabel', x: left - 6, y: cy + rows * rowH + 19, 'text-anchor': 'end' }, g, gradientName);
          cy += rows * rowH + band + (from + layout.perLine < shownCols ? 8 : 0);
        }
        // The cells in row-major order, wherever their line puts them.
        var valueCells = [], gradientCells = [];
        for (var i = 0; i < rows; i++) {
          for (var j2 = 0; j2 < shownCols; j2++) {
            var x = left + (j2 % layout.perLine) * cell, top = tops[Math.floor(j2 / layout.perLine)] + i * rowH;
            var c = svg('g', { class: 'uv-w2vcell' }, g);
            valueCells.push({
              group: c, index: i * cols + j2,
              where: '[' + (rowLabels ? rowLabels[i] + ', ' : '') + (colLabels ? colLabels[j2] : j2 + 1) + ']',
              rect: svg('rect', { class: 'uv-cellrect', x: x, y: top, width: cell, height: rowH }, c),
              text: svg('text', { x: x + cell / 2, y: top + 15, 'text-anchor': 'middle' }, c)
            });
          }
          if (cols > shownCols && !layout.narrow) svg('text', { x: left + shownCols * cell + 4, y: tops[0] + i * rowH + 15 }, g, '… ' + (cols - shownCols) + ' more');
        }
        // The backward pass fills a band under the values with ∂Q/∂(this stage), as far as computed.
        for (var i3 = 0; gradients && i3 < rows; i3++) {
          for (var j3 = 0; j3 < shownCols; j3++) {
            var gx = left + (j3 % layout.perLine) * cell, gy = tops[Math.floor(j3 / layout.perLine)] + rows * rowH + 4 + i3 * rowH;
            var gc = svg('g', { class: 'uv-w2vgrad' }, g);
            gradientCells.push({
              group: gc, index: i3 * cols + j3,
              rect: svg('rect', { class: 'uv-cellrect uv-pending', x: gx, y: gy, width: cell, height: rowH }, gc),
              text: svg('text', { x: gx + cell / 2, y: gy + 15, 'text-anchor': 'middle' }, gc, '·')
            });
          }
        }
        if (cols > shownCols && layout.narrow) {
          svg('text', { x: left, y: cy + 15 }, g, '… ' + (cols - shownCols) + ' more');
          cy += 20;
        }
        var height = cy + 6 - y;
        frame.setAttribute('height', height);
        y += height + 4;
        parts.push({ stage: stage, group: g, valueCells: valueCells, shownValues: null, gradientCells: gradientCells, shownGradient: -2 });
      });
      figure.setAttribute('viewBox', '0 0 ' + W + ' ' + (y + 4));
      figure.style.maxWidth = W + 'px';
    }

    // A line of words at most `max` characters long, as many lines as it takes.
    function wrap(text, max) {
      var lines = [], line = '';
      text.split(' ').forEach(function (word) {
        if (line && (line + ' ' + word).length > max) { lines.push(line); line = word; } else line = line ? line + ' ' + word : word;
      });
      return lines.concat(line ? [line] : []);
    }

    draw(narrowPanel(host) ? LAYOUTS.narrow : LAYOUTS.wide);
    // A phone turned sideways, a window made narrow: the other layout, at the same step.
    var resize = typeof ResizeObserver === 'function' ? new ResizeObserver(function () {
      if (narrowPanel(host) === drawnLayout.narrow) return;
      draw(narrowPanel(host) ? LAYOUTS.narrow : LAYOUTS.wide);
      if (lastStep >= 0) update(lastStep);
    }) : null;
    if (resize) resize.observe(host);
    var note = caption(host);
    var equation = equationLine(host, index, api);

    // Values, their colours (scaled to the largest magnitude shown) and exact titles into cells.
    function paint(cells, v, name, after) {
      var maxAbs = 0;
      for (var q = 0; q < v.length; q++) if (isFinite(v[q])) maxAbs = Math.max(maxAbs, Math.abs(v[q]));
      cells.forEach(function (c) {
        var x = v[c.index];
        c.group.setAttribute('data-value', String(x));
        c.rect.setAttribute('fill', api.colour(x, maxAbs || 1));
        c.text.textContent = api.format(x);
        titled(c.group, name + c.where + (after || '') + ' = ' + exact(x));
      });
    }

    function update(s) {
      lastStep = s;
      if (s < 0 || s >= index.steps.length) return;
      var step = index.steps[s];
      var leaf = step.scope == null ? null : index.scopes[step.scope].name, stage = stageOf(index, step.scope);
      var entry = control ? control.entry() : null;
      toggleClass(host, 'uv-backward', step.phase === 'backward' && !entry);
      equation(step.scope);
      parts.forEach(function (p) {
        var made = index.producer[p.stage.id];
        var lit = step.phase !== 'update' && (made === s || (stage != null && p.stage.spec.stages.indexOf(stage) >= 0));
        toggleClass(p.group, 'uv-lit', lit);
        // After a recorded epoch, the stage as the trained weights compute it (the one-hot input
        // and the targets are data: the same at every epoch).
        var tensor = index.tensors[p.stage.id];
        var later = entry ? recorded.snapshot(control.at(), tensor.tags) : null;
        var shown = later ? 'epoch' + control.at() : 'traced';
        if (p.shownValues !== shown) {
          p.shownValues = shown;
          paint(p.valueCells, later ? later.values : model.values(p.stage.id), tensor.name,
                later ? ' after ' + recorded.unit + ' ' + entry.iteration : '');
          p.group.setAttribute('data-iteration', later ? String(entry.iteration) : '');
        }
        if (!p.gradientCells.length) return;
        // Gradients are the traced example's: none is kept after an epoch.
        var gid = entry ? -1 : index.gradientAt(p.stage.id, s);
        if (gid === p.shownGradient) return;
        p.shownGradient = gid;
        p.group.setAttribute('data-gradient-id', gid < 0 ? '' : String(gid));
        var gv = gid < 0 ? null : model.values(gid), maxAbs = 0;
        if (gv) for (var q = 0; q < gv.length; q++) if (isFinite(gv[q])) maxAbs = Math.max(maxAbs, Math.abs(gv[q]));
        p.gradientCells.forEach(function (c) {
          var x = gv ? gv[c.index] : null;
          c.rect.setAttribute('fill', gv ? api.colour(x, maxAbs || 1) : 'none');
          toggleClass(c.rect, 'uv-pending', !gv);
          c.text.textContent = gv ? api.format(x) : '·';
          c.group.setAttribute('data-value', gv ? String(x) : '');
          titled(c.group, gv ? index.tensors[gid].name + ' = ' + exact(x) : 'not computed yet at this step');
        });
      });
      if (entry) {
        setText(note, 'After ' + recorded.unit + ' ' + entry.iteration + ' of ' + control.last + ' (mean loss ' + api.format(toNumber(entry.loss)) +
          '): each stage shows what the trained weights compute on the traced example. Step the trace to see the traced values again.');
        return;
      }
      setText(note, step.phase === 'update' ? 'Update: W_in and W_out take one SGD step.'
        : (leaf ? (step.phase === 'backward' ? 'Backward through: ' : 'Now: ') + leaf + '.' : ''));
    }
    return { update: update, destroy: function () { if (resize) resize.disconnect(); if (control) control.destroy(); host.textContent = ''; } };
  }
})(window.Unrolled);
