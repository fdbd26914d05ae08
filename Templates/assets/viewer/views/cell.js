/* Unrolled viewer, special view: The LSTM and GRU cell diagrams (views lstm-cell, gru-cell).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, vectorText, exactVector, traceIndex, phaseOf, prepare,
          caption, equationLine, setText, uniqueId, suggests, hasScope, historyOf, historyControl, toNumber,
          cellLayouts } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The LSTM and GRU cells as diagrams, for traces with a scope of kind `cell` ({cell: "lstm"}
     or "gru"). A "wire" carries one tensor of time step t, found by its tags (`query` plus t
     and, in a bidirectional trace, the direction): LSTM gates f, i, o, candidate c̃, cell state
     c, hidden state h; GRU gates z, r, candidate h̃, h; and the inputs x_t, h_{t−1}, c_{t−1}
     (the backward direction reads t+1). A "node" is a gate or an operation, lit when the
     current step's innermost scope is the `cell_part` it belongs to. When the trace describes
     activation series of the wires' quantities (recomputed after recorded iterations), a slider
     shows the cell of the current t as the trained weights compute it, following the viewer's
     history position; a step of the trace returns it to the traced values.
     Below 600 px of panel (a phone) the narrow drawing of views/cell-layouts.js replaces the wide
     one: symbols on the wires, and under the drawing a list of each wire's values, so that no
     text is drawn below 11 px and nothing scrolls sideways; a resize switches between them. */

  var NARROW_BELOW = 600;   // px of panel: the wide drawing's own minimum width
  // The narrow drawing's list, in the order a reader follows the cell: inputs, gates, outputs.
  var WIRE_TEXT = {
    x: 'input', hprev: 'previous hidden state', cprev: 'previous cell state', hx: 'stacked input',
    f: 'forget gate', i: 'input gate', ctilde: 'candidate', o: 'output gate', r: 'reset gate',
    z: 'update gate', htilde: 'candidate', c: 'cell state', h: 'hidden state'
  };

  function cellView(id, title, cellType, cellScope) {
    return {
      id: id,
      title: title,
      applies: function (model) {
        return suggests(model, id) && (model.trace.steps || []).length > 0 && hasScope(model, 'cell', { cell: cellType });
      },
      create: function (host, model, api) {
        return createCell(host, model, api, cellLayouts[cellType], cellScope, id);
      }
    };
  }

  function createCell(host, model, api, layouts, cellScope, viewId) {
    var index = traceIndex(model);
    var peephole = hasScope(model, 'cell', { peephole: true });
    prepare(host, api);
    host.classList.add('uv-view', 'uv-cell');

    // Per step: which cell (iteration root, direction, t) and which node is active.
    // A step inside the cell scope chooses its cell and part. A step outside it but in a time
    // step (the output layer at t, the loss term of t) shows the cell of that t: the outline
    // names the step's t, and on the backward pass the output layer of t = 2 runs right after
    // cell 3, so keeping the last cell would say "t = 3" where the outline says t = 2. Steps of
    // no time step (the summed loss, the updates) keep the last cell, the one just computed.
    var T = 0;
    for (var k = 0; k < index.scopes.length; k++) T = Math.max(T, index.scopeT[k]);
    var inCell = index.within('cell');
    var stepCell = new Array(index.steps.length);
    var last = null;
    for (var s = 0; s < index.steps.length; s++) {
      var scopeId = index.steps[s].scope;
      var t = scopeId == null ? 0 : index.scopeT[scopeId];
      if (t > 0 && scopeId != null && inCell[scopeId]) {
        last = { root: index.stepRoot[s], dir: index.scopeDir[scopeId], t: t,
                 leaf: index.scopes[scopeId].name, part: index.attribute(scopeId, 'cell_part', 'part'), scope: scopeId };
      } else if (t > 0 && t <= T && scopeId != null) {
        last = { root: index.stepRoot[s], dir: index.scopeDir[scopeId] || (last ? last.dir : ''), t: t,
                 leaf: null, part: undefined, scope: null };
      } else if (last) {
        last = { root: index.stepRoot[s], dir: last.dir, t: last.t, leaf: null, part: undefined, scope: last.scope };
      }
      stepCell[s] = last;
    }
    // The wires after recorded iterations, when the trace keeps them (the shared history position).
    var lastStep = -1;
    var recorded = historyOf(model, ['gate', 'candidate', 'cell_state', 'hidden_state', 'stacked_input']);
    var control = recorded.entries.length ? historyControl(host, api, recorded, function () { if (lastStep >= 0) update(lastStep); }) : null;
    // The drawing, wide or narrow (`draw`): its elements by wire and node id.
    var holder = html('div', { class: 'uv-cell-drawing' }, host);
    var drawn = null;

    function draw(layout) {
      holder.textContent = '';
      var titleId = 'uv-' + viewId + '-title-' + uniqueId();
      var figure = svg('svg', {
        class: 'uv-svg' + (layout.narrow ? ' uv-narrow' : ''), viewBox: '0 0 ' + layout.width + ' ' + layout.height,
        role: 'img', 'aria-labelledby': titleId
      }, holder);
      var d = { layout: layout, wires: {}, nodes: {}, peepholes: [], list: null,
                title: svg('title', { id: titleId }, figure, title(viewId) + ' of one time step') };
      var b = layout.box;
      svg('rect', { class: 'uv-cellbox', x: b[0], y: b[1], width: b[2], height: b[3], rx: 14 }, figure);
      // The narrow drawing's heading goes above its box, where nothing else is drawn.
      d.heading = svg('text', { class: 'uv-cellname', x: layout.narrow ? 4 : b[0] + 12, y: layout.narrow ? 17 : b[1] + 22 }, figure);
      layout.wires.forEach(function (wire) {
        var group = svg('g', { class: 'uv-wire', 'data-wire': wire.id }, figure);
        svg('polyline', { points: wire.points.map(String).join(' '), class: 'uv-line' }, group);
        var label = !wire.label ? null : svg('text', { class: 'uv-values', x: wire.label[0], y: wire.label[1], 'text-anchor': wire.anchor }, group);
        d.wires[wire.id] = { spec: wire, group: group, label: label, row: null };
      });
      if (peephole) {
        layout.peepholes.forEach(function (p) {
          var group = svg('g', { class: 'uv-wire uv-peephole', 'data-wire': p.id }, figure);
          svg('polyline', { points: p.points.map(String).join(' '), class: 'uv-line' }, group);
          titled(group, 'peephole connection: the cell state enters the ' + p.text + ' (p ⊙ c)');
          d.peepholes.push({ spec: p, group: group });
        });
      }
      layout.nodes.forEach(function (node) {
        var group = svg('g', { class: 'uv-node uv-' + node.kind, 'data-node': node.id,
                                transform: 'translate(' + node.x + ',' + node.y + ')' }, figure);
        if (node.kind === 'gate') {
          var size = layout.gate || [52, 40];
          svg('rect', { x: -size[0] / 2, y: -size[1] / 2, width: size[0], height: size[1], rx: 6 }, group);
          svg('text', { class: 'uv-nodelabel', y: node.sub ? -2 : 5 }, group, node.label);
          if (node.sub) svg('text', { class: 'uv-nodesub', y: 14 }, group, node.sub);
        } else {
          var wide = node.label.length > 2;
          svg('circle', { r: wide ? 17 : 12 }, group);
          // The narrow drawing's larger labels fit its circles as one character.
          var small = wide || (layout.narrow && node.label.length > 1);
          svg('text', { class: 'uv-nodelabel' + (small ? ' uv-small' : ''), y: small ? 4 : 5 }, group, node.label);
        }
        titled(group, node.text + (node.kind === 'gate' ? '' : ': ' + node.label));
        d.nodes[node.id] = { spec: node, group: group };
      });
      if (layout.narrow) {
        // Each wire's values, a row per wire under the drawing (.uv-cell-value[data-wire]).
        d.list = html('ul', { class: 'uv-cell-values', 'aria-label': 'the values on the wires' }, holder);
        layout.wires.filter(function (w) { return w.order; }).sort(function (p, q) { return p.order - q.order; }).forEach(function (w) {
          var row = html('li', { class: 'uv-cell-value', 'data-wire': w.id }, d.list);
          d.wires[w.id].row = { item: row, symbol: html('span', { class: 'uv-cell-symbol' }, row),
                                name: html('span', { class: 'uv-cell-name' }, row), numbers: html('span', { class: 'uv-cell-numbers' }, row) };
        });
      }
      drawn = d;
    }

    function narrowWanted() { var w = host.clientWidth; return w > 0 && w < NARROW_BELOW; }
    draw(narrowWanted() ? layouts.narrow : layouts.wide);
    // A phone turned sideways, a window made narrow: the other drawing, at the same step.
    var resize = typeof ResizeObserver === 'function' ? new ResizeObserver(function () {
      if (narrowWanted() === !!drawn.layout.narrow) return;
      draw(narrowWanted() ? layouts.narrow : layouts.wide);
      if (lastStep >= 0) update(lastStep);
    }) : null;
    if (resize) resize.observe(host);

    var note = caption(host);
    var equation = equationLine(host, index, api);
    // The loss's own name (the header's Q), so the diagram writes the gradients as the trace does.
    var lossName = index.lossName || 'L';

    // The tags of the wire's tensor in `cell`: x_t is shared by both directions.
    function tagsOf(wire, cell) {
      var tags = { t: wire.prev ? (cell.dir === 'b' ? cell.t + 1 : cell.t - 1) : cell.t };
      for (var key in wire.query) tags[key] = wire.query[key];
      if (cell.dir && !wire.plain) tags.direction = cell.dir === 'b' ? 'backward' : 'forward';
      return tags;
    }

    function update(s) {
      lastStep = s;
      var cell = s >= 0 ? stepCell[s] : null;
      var phase = phaseOf(index, s);
      var entry = control ? control.entry() : null;
      var backward = phase === 'backward' && !entry;
      toggleClass(host, 'uv-backward', backward);
      var heading = drawn.heading, narrow = !!drawn.layout.narrow;
      if (!cell) {
        setText(heading, cellScope);
        setText(note, 'No time step yet: the diagram fills in when the first cell runs.');
        return;
      }
      equation(cell.leaf ? cell.scope : null);
      var direction = cell.dir === 'f' ? ' (forward direction)' : cell.dir === 'b' ? ' (backward direction)' : '';
      // The narrow heading is one line of a phone's width: the direction in a word.
      setText(heading, cellScope + ', t = ' + cell.t + (T ? ' of ' + T : '') +
              (narrow ? direction.replace(/ \((\w+) direction\)/, ', $1') : direction));
      drawn.title.textContent = cellScope + ' at t = ' + cell.t + direction +
        (entry ? ', after iteration ' + entry.iteration : backward ? ', gradients flowing back' : ', forward values');
      for (var n in drawn.nodes) {
        toggleClass(drawn.nodes[n].group, 'uv-lit', cell.part != null && cell.part === drawn.nodes[n].spec.part);
      }
      drawn.peepholes.forEach(function (p) { toggleClass(p.group, 'uv-lit', cell.part != null && cell.part === p.spec.part); });
      for (var w in drawn.wires) {
        var item = drawn.wires[w], spec = item.spec;
        if (!spec.query) continue;
        var id = index.find(cell.root, tagsOf(spec, cell));
        var name = id >= 0 ? index.tensors[id].name : '';
        var shownId = -1, known = false, later = null;
        if (id >= 0 && entry) {
          // The same tensor (by its tags) recomputed after the recorded iteration; x_t is data.
          later = recorded.snapshot(control.at(), index.tensors[id].tags);
          shownId = id;
          known = true;
        } else if (id >= 0) {
          if (backward) {
            shownId = index.gradientAt(id, s);
            known = shownId >= 0;
          } else {
            shownId = id;
            known = index.producer[id] < 0 || index.producer[id] <= s || phase !== 'forward';
          }
        }
        toggleClass(item.group, 'uv-known', known);
        toggleClass(item.group, 'uv-current', known && !entry && index.producer[shownId] === s);
        item.group.setAttribute('data-tensor', name);
        item.group.setAttribute('data-tensor-id', known ? String(shownId) : '');
        if (!item.label) continue;
        var display = backward ? '∂' + spec.name + ' ' : spec.name + ' ';
        var v = known ? (later ? later.values : model.values(shownId)) : null;
        var exactly = known ? index.tensors[shownId].name + (later ? ' after iteration ' + entry.iteration : '') + ' = ' + exactVector(v)
          : (backward ? 'the gradient of ' : '') + name + ': not computed yet at this step';
        titled(item.group, exactly);
        if (narrow) {
          // The backward direction's previous state is t + 1's.
          var sub = spec.prev && cell.dir === 'b' ? 't+1' : spec.sub;
          symbol(item.label, display.trim(), sub);
          listRow(item, spec.id, display.trim(), sub, known ? index.tensors[shownId].name : name, v, exactly);
        } else {
          setText(item.label, display + (known ? vectorText(api, v, 4, spec.budget || 22) : '·'));
        }
      }
      var leafText = cell.leaf ? 'Now: ' + cell.leaf + '. ' : '';
      if (entry) {
        setText(note, 'After iteration ' + entry.iteration + ' of ' + control.last + ' (loss ' + api.format(toNumber(entry.loss)) +
          ' before its update): each wire shows what the trained weights compute at this time step on the traced input. Step the trace to see the traced values again.');
        return;
      }
      setText(note, leafText + (backward
        ? 'Backward: each wire shows the gradient ∂' + lossName + '/∂(its value) accumulated so far (orange); “·” where it is not computed yet.'
        : 'Forward: each wire shows its values at time step t; “·” where the value is not computed yet.'));
    }

    // A wire's symbol in the narrow drawing, its subscript (t, t−1) a tspan.
    function symbol(label, text, sub) {
      label.textContent = text;
      if (sub) svg('tspan', { class: 'uv-valuesub', dy: 5 }, label, sub);
    }

    // A wire's row in the narrow drawing's list: its symbol, what it is, its tensor and values
    // (up to 8, "·" while not computed; all of them exactly in its title).
    function listRow(item, wire, text, sub, name, v, exactly) {
      var row = item.row;
      toggleClass(row.item, 'uv-known', !!v);
      row.item.setAttribute('data-tensor', name);
      row.item.setAttribute('data-tensor-id', item.group.getAttribute('data-tensor-id'));
      row.item.title = exactly;
      row.symbol.textContent = text;
      if (sub) html('sub', null, row.symbol, sub);
      setText(row.name, WIRE_TEXT[wire] + ' ' + name);
      if (!v) { setText(row.numbers, '·'); return; }
      var shown = [];
      for (var k = 0; k < v.length && k < 8; k++) shown.push(api.format(v[k]));
      setText(row.numbers, shown.join('  ') + (v.length > 8 ? '  … ' + (v.length - 8) + ' more' : ''));
    }

    function title(vid) { return vid === 'gru-cell' ? 'The GRU cell' : 'The LSTM cell'; }

    return { update: update, destroy: function () {
      if (control) control.destroy();
      if (resize) resize.disconnect();
      host.textContent = '';
    } };
  }

  views.push(cellView('lstm-cell', 'LSTM cell', 'lstm', 'LSTM cell'));
  views.push(cellView('gru-cell', 'GRU cell', 'gru', 'GRU cell'));
})(window.Unrolled);
