/* Unrolled viewer, special view: The attention weights as a heatmap with token labels (view attention).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, exact, traceIndex, values, prepare, caption, setText, nameText,
          uniqueId, suggests, hasTag, tagKey, historyOf, historyControl, toNumber } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The attention weights A = softmax(S) as a heatmap: query tokens down, key tokens
     across (from the tensor's labels), one map per tensor tagged attention_weights without a
     t (one per head, with its block and kind of attention) and a selector that follows the
     step. A map assembled by `concat` from rows (incremental decoding) takes row t from the
     attention_weights of time step t. Masked entries (a `where` before the softmax, or keys
     an incremental step has not cached yet) are hatched; rows not computed yet are blank;
     the rows the current step computes are lit. When the trace describes activation series of
     attention_weights (the maps recomputed after recorded iterations), a slider shows a map as
     the trained model computes it, following the viewer's history position. */

  views.push({
    id: 'attention',
    title: 'Attention',
    applies: function (model) {
      return suggests(model, 'attention') && hasTag(model, 'attention_weights', isMap);
    },
    create: createAttention
  });

  // A whole map: weights of every query at once (a row of time step t has a t).
  function isMap(tensor) {
    return !('t' in tensor.tags) && tensor.shape.length === 2;
  }

  var ATTENTION_KINDS = { self: 'self-attention', masked_self: 'masked self-attention', cross: 'cross-attention' };

  // "decoder masked self-attention, head 2 (A_2^dec)": block and kind only where there are blocks.
  function mapTitle(tensor) {
    var tags = tensor.tags;
    var kind = ATTENTION_KINDS[tags.attention] || 'attention';
    var part = !tags.block ? '' : tags.attention === 'cross' ? kind : tags.block + ' ' + kind;
    return (part ? part + ', ' : '') + (tags.head != null ? 'head ' + tags.head : 'weights') + ' (' + nameText(tensor) + ')';
  }

  function attentionMaps(index) {
    var maps = [], byKey = {};
    index.steps.forEach(function (step, s) {
      if (step.phase !== 'forward') return;
      var out = index.tensors[step.output];
      if (!out.tags || out.tags.quantity !== 'attention_weights' || !isMap(out)) return;
      var full = step.op === 'softmax', assembled = step.op === 'concat';
      if (!full && !assembled) return;
      var key = tagKey(out.tags);
      if (byKey[key]) return;   // a later traced iteration: found per root at update
      var map = { tags: out.tags, title: mapTitle(out), step: s, incremental: assembled, rowSteps: null, rowWidths: null,
                  scope: mapScope(index, step.scope) };
      if (assembled) {
        // Row t is the softmax a_t of step t; its width is the number of keys cached then.
        map.rowSteps = []; map.rowWidths = [];
        for (var t = 1; t <= out.shape[0]; t++) {
          var a = index.find(index.stepRoot[s], rowTags(out.tags, t));
          map.rowSteps.push(a >= 0 ? index.producer[a] : s);
          map.rowWidths.push(a >= 0 ? index.tensors[a].shape[1] : out.shape[1]);
        }
        map.scope = -1;
      }
      byKey[key] = map;
      maps.push(map);
    });
    return maps;
  }

  /* The scope whose steps belong to a map: the declared `head` (or else `attention`) scope
     around its softmax, else the softmax's parent scope. Not simply the parent: a head whose
     softmax sits directly in it would give every head the attention scope, and the picker would
     follow the last head on steps of the shared projections. */
  function mapScope(index, scopeId) {
    if (scopeId == null) return -1;
    var kinds = ['head', 'attention'];
    for (var k = 0; k < kinds.length; k++) {
      for (var id = scopeId; id != null; id = index.scopes[id].parent) if (index.scopes[id].kind === kinds[k]) return id;
    }
    var parent = index.scopes[scopeId].parent;
    return parent == null ? -1 : parent;
  }

  // The tags of row t of an assembled map: the map's, with the time step.
  function rowTags(tags, t) {
    var row = { t: t };
    for (var key in tags) row[key] = tags[key];
    return row;
  }

  function createAttention(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-attention');
    var maps = attentionMaps(index);
    if (!maps.length) { html('p', { class: 'uv-caption' }, host, 'This trace has no attention weights.'); return { update: function () {}, destroy: function () {} }; }

    // Which map a scope belongs to (its head's scope or below), for following the step.
    // A scope two maps claim (heads without scopes of their own) follows neither.
    var scopeMap = new Int32Array(index.scopes.length).fill(-1);
    maps.forEach(function (m, i) { if (m.scope >= 0) scopeMap[m.scope] = scopeMap[m.scope] === -1 ? i : -2; });
    for (var k = 0; k < index.scopes.length; k++) {
      var parent = index.scopes[k].parent;
      if (scopeMap[k] === -1 && parent != null) scopeMap[k] = scopeMap[parent];
    }
    for (var k2 = 0; k2 < index.scopes.length; k2++) if (scopeMap[k2] < 0) scopeMap[k2] = -1;

    var controls = html('div', { class: 'uv-controls' }, host);
    var select = null;
    if (maps.length > 1) {
      var label = html('label', null, controls);
      html('span', null, label, 'attention map');
      select = html('select', { 'aria-label': 'attention map (head)' }, label);
      maps.forEach(function (m, i) { html('option', { value: i }, select, m.title); });
      select.addEventListener('change', function () { pinned = true; current = +select.value; build(); update(lastStep); });
    }
    var follow = html('span', { class: 'uv-caption' }, controls);
    // The maps after recorded iterations, when the trace keeps them: the shared history position.
    var recorded = historyOf(model, ['attention_weights']);
    var control = recorded.entries.length ? historyControl(host, api, recorded, function () { grid = null; update(lastStep); }) : null;
    var holder = html('div', null, host);
    var note = caption(host);

    var current = 0, pinned = false, lastStep = -1, shownRoot = null, grid = null;

    function tensorFor(map, root) {
      var id = index.find(root, map.tags);
      return id >= 0 ? id : index.steps[map.step].output;
    }

    function maskFor(aId) {
      // The softmax's input made by `where(mask, S)`: the mask's zeros are the masked keys.
      var s = index.producer[aId];
      if (s < 0 || index.steps[s].op !== 'softmax') return null;
      var input = index.steps[s].inputs[0];
      var ps = index.producer[input];
      if (ps < 0 || index.steps[ps].op !== 'where') return null;
      return model.values(index.steps[ps].inputs[0]);
    }

    function build() {
      holder.textContent = '';
      var map = maps[current];
      var root = shownRoot == null ? index.stepRoot[map.step] : shownRoot;
      var id = tensorFor(map, root);
      var tensor = index.tensors[id];
      var rows = tensor.shape[0], cols = tensor.shape[1];
      // After a recorded iteration: the same map (by its tags) recomputed with that iteration's weights.
      var at = control ? control.at() : null;
      var snapshot = at == null ? null : recorded.snapshot(at, map.tags);
      if (snapshot && (snapshot.shape[0] !== rows || snapshot.shape[1] !== cols)) snapshot = null;
      var labels = tensor.labels || [null, null];
      var rowLabels = labels[0] || range(rows), colLabels = labels[1] || range(cols);
      var cell = Math.max(22, Math.min(56, Math.floor(560 / Math.max(rows, cols))));
      var left = 12 + 7 * Math.max.apply(null, rowLabels.map(function (l) { return String(l).length; }));
      var top = 12 + 7 * Math.max.apply(null, colLabels.map(function (l) { return String(l).length; }));
      top = Math.min(top, 110);
      var W = left + cols * cell + 10, H = top + rows * cell + 10;
      var figure = svg('svg', { class: 'uv-svg uv-heat', viewBox: '0 0 ' + W + ' ' + H,
                                style: 'max-width:' + Math.max(W, 200) + 'px', role: 'img',
                                'data-iteration': snapshot ? control.entry().iteration : null,
                                'aria-label': 'Attention weights ' + nameText(tensor) + (snapshot ? ' after iteration ' + control.entry().iteration : '') +
                                  ': ' + rows + ' queries by ' + cols + ' keys' }, holder);
      var defs = svg('defs', null, figure);
      var hatchId = 'uv-hatch-' + uniqueId();
      var hatch = svg('pattern', { id: hatchId, width: 6, height: 6, patternUnits: 'userSpaceOnUse',
                                    patternTransform: 'rotate(45)' }, defs);
      svg('rect', { class: 'uv-hatch-bg', width: 6, height: 6 }, hatch);
      svg('line', { class: 'uv-hatch-line', x1: 0, y1: 0, x2: 0, y2: 6 }, hatch);
      rowLabels.forEach(function (l, i) {
        svg('text', { class: 'uv-token uv-rowtoken', x: left - 6, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end' }, figure, String(l));
      });
      colLabels.forEach(function (l, j) {
        var x = left + j * cell + cell / 2 + 4, y = top - 6;
        svg('text', { class: 'uv-token uv-coltoken', x: x, y: y, transform: 'rotate(-60 ' + x + ' ' + y + ')' }, figure, String(l));
      });
      var v = snapshot ? snapshot.values : model.values(id), mask = map.incremental ? null : maskFor(id);
      var cells = [];
      for (var i = 0; i < rows; i++) {
        for (var j = 0; j < cols; j++) {
          var g = svg('g', { class: 'uv-heatcell', 'data-row': i, 'data-col': j }, figure);
          var masked = mask ? mask[i * cols + j] === 0 : (map.incremental && j >= map.rowWidths[i]);
          var r = svg('rect', { class: 'uv-cellrect' + (masked ? ' uv-masked' : ''), x: left + j * cell, y: top + i * cell,
                                width: cell, height: cell, fill: masked ? 'url(#' + hatchId + ')' : null }, g);
          var x = v[i * cols + j];
          g.setAttribute('data-value', String(x));
          var text = cell >= 34 && !masked ? svg('text', { class: 'uv-cellvalue', x: left + j * cell + cell / 2, y: top + i * cell + cell / 2 + 4 }, g) : null;
          titled(g, nameText(tensor, '[' + rowLabels[i] + ', ' + colLabels[j] + ']') + ' = ' +
                 (masked ? 'masked (−∞ before the softmax, 0 after)' : api.format(x) + ' (' + exact(x) + ')'));
          cells.push({ group: g, rect: r, text: text, value: x, masked: masked, row: i, state: null });
        }
      }
      var rowLit = [];
      for (var i2 = 0; i2 < rows; i2++) {
        rowLit.push(svg('rect', { class: 'uv-rowlit', x: left - 1, y: top + i2 * cell - 1, width: cols * cell + 2,
                                  height: cell + 2, visibility: 'hidden' }, figure));
      }
      grid = { map: map, id: id, rows: rows, cells: cells, rowLit: rowLit, rowLabels: rowLabels, mask: !!mask,
               entry: snapshot ? control.entry() : null };
      dataTable(holder, nameText(tensor), rowLabels, colLabels, cells, cols);
    }

    // The same numbers as a table for screen readers (the heatmap is an image to them).
    function dataTable(parent, name, rowLabels, colLabels, cells, cols) {
      var table = html('table', { class: 'uv-sr-only' }, parent);
      html('caption', null, table, 'Attention weights ' + name + ': rows are queries, columns keys');
      var head = html('tr', null, html('thead', null, table));
      html('th', { scope: 'col' }, head, 'query');
      colLabels.forEach(function (l) { html('th', { scope: 'col' }, head, String(l)); });
      var body = html('tbody', null, table);
      rowLabels.forEach(function (l, i) {
        var tr = html('tr', null, body);
        html('th', { scope: 'row' }, tr, String(l));
        for (var j = 0; j < cols; j++) {
          var c = cells[i * cols + j];
          html('td', null, tr, c.masked ? 'masked' : api.format(c.value));
        }
      });
    }

    function range(n) { var a = []; for (var i = 1; i <= n; i++) a.push(String(i)); return a; }

    function update(s) {
      lastStep = s;
      if (s < 0 || s >= index.steps.length) return;
      var scopeId = index.steps[s].scope;
      var wanted = scopeId == null ? -1 : scopeMap[scopeId];
      if (!pinned && wanted >= 0 && wanted !== current) { current = wanted; if (select) select.value = String(wanted); grid = null; }
      if (shownRoot !== index.stepRoot[s]) { shownRoot = index.stepRoot[s]; grid = null; }
      if (!grid) build();
      toggleClass(host, 'uv-backward', index.steps[s].phase === 'backward');
      var map = grid.map, madeAt = index.producer[grid.id];
      if (grid.entry) { showRecorded(); return; }
      // Lit: the rows this step computes, or, during backward, all rows when this step makes
      // a gradient of A (∂L/∂A flows back through every weight).
      var litRows = {}, out = index.tensors[index.steps[s].output];
      var backThroughA = out.role === 'gradient' && out.of === grid.id;
      for (var i = 0; i < grid.rows; i++) {
        var rowStep = map.incremental ? map.rowSteps[i] : madeAt;
        if (rowStep === s || backThroughA) litRows[i] = true;
      }
      if (map.incremental && scopeId != null) {
        var t = index.scopeT[scopeId];
        if (t > 0 && t <= grid.rows) litRows[t - 1] = true;
      }
      var done = 0;
      grid.cells.forEach(function (c) {
        var rowStep = map.incremental ? map.rowSteps[c.row] : madeAt;
        var state = rowStep <= s ? 'done' : 'pending';
        if (state === 'done' && !c.masked) done++;
        if (c.state === state) return;
        c.state = state;
        if (c.masked) return;
        c.rect.setAttribute('fill', state === 'done' ? api.colour(c.value, 1) : 'none');
        toggleClass(c.rect, 'uv-pending', state !== 'done');
        if (c.text) c.text.textContent = state === 'done' ? api.format(c.value) : '';
      });
      grid.rowLit.forEach(function (r, i) { r.setAttribute('visibility', litRows[i] ? 'visible' : 'hidden'); });
      var lit = Object.keys(litRows).map(function (i) { return grid.rowLabels[i]; });
      setText(follow, pinned ? '' : (maps.length > 1 ? 'follows the step' : ''));
      setText(note, (done === 0 ? 'Not computed yet at this step. ' : '') +
        (backThroughA ? 'This step computes ' + nameText(out) + ', the gradient of every weight. '
          : lit.length ? 'This step computes the row' + (lit.length > 1 ? 's' : '') + ' of ' + lit.join(', ') + '. ' : '') +
        'Each row is one query’s weights over the keys; it sums to 1.' + (grid.mask || map.incremental ? ' Hatched: masked (a token cannot attend to later ones).' : ''));
    }

    // A recorded iteration's map: every row computed, none lit (no step computes it).
    function showRecorded() {
      grid.cells.forEach(function (c) {
        if (c.state === 'recorded') return;
        c.state = 'recorded';
        if (c.masked) return;
        c.rect.setAttribute('fill', api.colour(c.value, 1));
        toggleClass(c.rect, 'uv-pending', false);
        if (c.text) c.text.textContent = api.format(c.value);
      });
      grid.rowLit.forEach(function (r) { r.setAttribute('visibility', 'hidden'); });
      setText(follow, maps.length > 1 && !pinned ? 'follows the step' : '');
      setText(note, 'After iteration ' + grid.entry.iteration + ' of ' + control.last + ' (loss ' + api.format(toNumber(grid.entry.loss)) +
        ' before its update): the weights the trained model computes on the traced input. Step the trace to see the traced iteration again. ' +
        'Each row is one query’s weights over the keys; it sums to 1.' + (grid.mask || grid.map.incremental ? ' Hatched: masked.' : ''));
    }

    return { update: update, destroy: function () { if (control) control.destroy(); host.textContent = ''; } };
  }
})(window.Unrolled);
