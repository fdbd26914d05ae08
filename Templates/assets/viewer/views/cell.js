/* Unrolled viewer, special view: The LSTM and GRU cell diagrams (views lstm-cell, gru-cell).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { svg, titled, toggleClass, vectorText, exactVector, traceIndex, values, phaseOf, prepare,
          caption, equationLine, setText, uniqueId, suggests, hasScope, historyOf, historyControl, toNumber } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The LSTM and GRU cells as diagrams, for traces with a scope of kind `cell` ({cell: "lstm"}
     or "gru"). A "wire" carries one tensor of time step t, found by its tags (`query` plus t
     and, in a bidirectional trace, the direction): LSTM gates f, i, o, candidate c̃, cell state
     c, hidden state h; GRU gates z, r, candidate h̃, h; and the inputs x_t, h_{t−1}, c_{t−1}
     (the backward direction reads t+1). A "node" is a gate or an operation, lit when the
     current step's innermost scope is the `cell_part` it belongs to. When the trace describes
     activation series of the wires' quantities (recomputed after recorded iterations), a slider
     shows the cell of the current t as the trained weights compute it, following the viewer's
     history position; a step of the trace returns it to the traced values. */

  var LSTM_LAYOUT = {
    width: 780, height: 400,
    box: [110, 40, 560, 300],
    nodes: [
      { id: 'forget', text: 'forget gate', part: 'forget_gate', kind: 'gate', label: 'σ', sub: 'f', x: 240, y: 220 },
      { id: 'input', text: 'input gate', part: 'input_gate', kind: 'gate', label: 'σ', sub: 'i', x: 320, y: 220 },
      { id: 'candidate', text: 'candidate', part: 'candidate', kind: 'gate', label: 'tanh', sub: 'c̃', x: 460, y: 220 },
      { id: 'output', text: 'output gate', part: 'output_gate', kind: 'gate', label: 'σ', sub: 'o', x: 540, y: 220 },
      { id: 'mulF', text: 'cell state', part: 'cell_state', kind: 'op', label: '⊙', x: 240, y: 90 },
      { id: 'mulI', text: 'cell state', part: 'cell_state', kind: 'op', label: '⊙', x: 460, y: 150 },
      { id: 'add', text: 'cell state', part: 'cell_state', kind: 'op', label: '+', x: 460, y: 90 },
      { id: 'tanhC', text: 'hidden state', part: 'hidden_state', kind: 'op', label: 'tanh', x: 610, y: 150 },
      { id: 'mulO', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 610, y: 220 }
    ],
    // Wire paths as point lists; `label` is where its values are written, `budget` how
    // many characters of values fit there.
    wires: [
      { id: 'cprev', query: { quantity: 'cell_state' }, prev: true, name: 'c', points: [[30, 90], [228, 90]], label: [40, 78], anchor: 'start', budget: 22 },
      { id: 'cmid', query: null, points: [[252, 90], [448, 90]] },
      { id: 'c', query: { quantity: 'cell_state' }, name: 'c', points: [[472, 90], [750, 90]], label: [745, 78], anchor: 'end', budget: 26 },
      { id: 'hprev', query: { quantity: 'hidden_state' }, prev: true, name: 'h', points: [[30, 340], [170, 340]], label: [40, 358], anchor: 'start', budget: 16 },
      { id: 'x', query: { quantity: 'input' }, plain: true, name: 'x', points: [[170, 395], [170, 340]], label: [178, 390], anchor: 'start', budget: 30 },
      { id: 'hx', query: { quantity: 'stacked_input' }, name: '[h;x]', points: [[170, 340], [540, 340]], label: [290, 358], anchor: 'start', budget: 40 },
      { id: 'busF', query: null, points: [[240, 340], [240, 240]] },
      { id: 'busI', query: null, points: [[320, 340], [320, 240]] },
      { id: 'busC', query: null, points: [[460, 340], [460, 240]] },
      { id: 'busO', query: null, points: [[540, 340], [540, 240]] },
      { id: 'f', query: { quantity: 'gate', gate: 'forget' }, name: 'f', points: [[240, 200], [240, 102]], label: [234, 165], anchor: 'end', budget: 18 },
      { id: 'i', query: { quantity: 'gate', gate: 'input' }, name: 'i', points: [[320, 200], [320, 150], [448, 150]], label: [326, 185], anchor: 'start', budget: 16 },
      { id: 'ctilde', query: { quantity: 'candidate' }, name: 'c̃', points: [[460, 200], [460, 162]], label: [466, 185], anchor: 'start', budget: 16 },
      { id: 'ic', query: null, points: [[460, 138], [460, 102]] },
      { id: 'cdown', query: null, points: [[610, 90], [610, 133]] },
      { id: 'o', query: { quantity: 'gate', gate: 'output' }, name: 'o', points: [[566, 220], [598, 220]], label: [548, 262], anchor: 'start', budget: 22 },
      { id: 'tanhc', query: null, points: [[610, 167], [610, 208]] },
      { id: 'h', query: { quantity: 'hidden_state' }, name: 'h', points: [[610, 232], [610, 300], [750, 300]], label: [745, 318], anchor: 'end', budget: 22 }
    ],
    // Peephole connections: c_{t−1} into the forget and input gates, c_t into the output gate.
    peepholes: [
      { id: 'peepF', text: 'forget gate', part: 'forget_gate', points: [[200, 90], [200, 220], [214, 220]] },
      { id: 'peepI', text: 'input gate', part: 'input_gate', points: [[200, 220], [200, 262], [302, 262], [302, 240]] },
      { id: 'peepO', text: 'output gate', part: 'output_gate', points: [[580, 90], [580, 205], [566, 205]] }
    ]
  };

  var GRU_LAYOUT = {
    width: 780, height: 400,
    box: [110, 40, 560, 300],
    nodes: [
      { id: 'reset', text: 'reset gate', part: 'reset_gate', kind: 'gate', label: 'σ', sub: 'r', x: 210, y: 250 },
      { id: 'update', text: 'update gate', part: 'update_gate', kind: 'gate', label: 'σ', sub: 'z', x: 350, y: 250 },
      { id: 'candidate', text: 'candidate', part: 'candidate', kind: 'gate', label: 'tanh', sub: 'h̃', x: 560, y: 250 },
      { id: 'mulR', text: 'candidate', part: 'candidate', kind: 'op', label: '⊙', x: 210, y: 160 },
      { id: 'mulZ', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 350, y: 90 },
      { id: 'oneMinus', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '1−', x: 450, y: 160 },
      { id: 'mulH', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '⊙', x: 560, y: 160 },
      { id: 'add', text: 'hidden state', part: 'hidden_state', kind: 'op', label: '+', x: 560, y: 90 }
    ],
    wires: [
      { id: 'hprev', query: { quantity: 'hidden_state' }, prev: true, name: 'h', points: [[30, 90], [338, 90]], label: [40, 78], anchor: 'start', budget: 22 },
      { id: 'hdrop', query: null, points: [[150, 90], [150, 350], [170, 350]] },
      { id: 'rdrop', query: null, points: [[210, 90], [210, 148]] },
      { id: 'x', query: { quantity: 'input' }, plain: true, name: 'x', points: [[170, 395], [170, 350]], label: [178, 390], anchor: 'start', budget: 30 },
      { id: 'hx', query: { quantity: 'stacked_input' }, name: '[h;x]', points: [[170, 350], [600, 350], [600, 270], [586, 270]], label: [250, 368], anchor: 'start', budget: 40 },
      { id: 'busR', query: null, points: [[210, 350], [210, 272]] },
      { id: 'busZ', query: null, points: [[350, 350], [350, 272]] },
      { id: 'r', query: { quantity: 'gate', gate: 'reset' }, name: 'r', points: [[210, 228], [210, 172]], label: [216, 200], anchor: 'start', budget: 12 },
      { id: 'rh', query: null, points: [[222, 160], [270, 160], [270, 300], [540, 300], [540, 272]] },
      { id: 'z', query: { quantity: 'gate', gate: 'update' }, name: 'z', points: [[350, 228], [350, 102]], label: [356, 200], anchor: 'start', budget: 16 },
      { id: 'zbranch', query: null, points: [[350, 160], [436, 160]] },
      { id: 'omz', query: null, points: [[464, 160], [548, 160]] },
      { id: 'htilde', query: { quantity: 'candidate' }, name: 'h̃', points: [[560, 228], [560, 172]], label: [566, 205], anchor: 'start', budget: 22 },
      { id: 'hmid', query: null, points: [[362, 90], [548, 90]] },
      { id: 'up', query: null, points: [[560, 148], [560, 102]] },
      { id: 'h', query: { quantity: 'hidden_state' }, name: 'h', points: [[572, 90], [750, 90]], label: [745, 78], anchor: 'end', budget: 22 }
    ],
    peepholes: []
  };

  function cellView(id, title, cellType, layout, cellScope) {
    return {
      id: id,
      title: title,
      applies: function (model) {
        return suggests(model, id) && (model.trace.steps || []).length > 0 && hasScope(model, 'cell', { cell: cellType });
      },
      create: function (host, model, api) {
        return createCell(host, model, api, layout, cellScope, id);
      }
    };
  }

  function createCell(host, model, api, layout, cellScope, viewId) {
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
    var titleId = 'uv-' + viewId + '-title-' + uniqueId();
    var figure = svg('svg', {
      class: 'uv-svg', viewBox: '0 0 ' + layout.width + ' ' + layout.height,
      role: 'img', 'aria-labelledby': titleId
    }, host);
    var figureTitle = svg('title', { id: titleId }, figure,
      title(viewId) + ' of one time step');
    var b = layout.box;
    svg('rect', { class: 'uv-cellbox', x: b[0], y: b[1], width: b[2], height: b[3], rx: 14 }, figure);
    var heading = svg('text', { class: 'uv-cellname', x: b[0] + 12, y: b[1] + 22 }, figure);

    var wireNodes = {};
    layout.wires.forEach(function (wire) {
      var group = svg('g', { class: 'uv-wire', 'data-wire': wire.id }, figure);
      svg('polyline', { points: wire.points.map(String).join(' '), class: 'uv-line' }, group);
      var label = null;
      if (wire.label) {
        label = svg('text', { class: 'uv-values', x: wire.label[0], y: wire.label[1],
                              'text-anchor': wire.anchor }, group);
      }
      wireNodes[wire.id] = { spec: wire, group: group, label: label };
    });
    var peepholes = [];
    if (peephole) {
      layout.peepholes.forEach(function (p) {
        var group = svg('g', { class: 'uv-wire uv-peephole', 'data-wire': p.id }, figure);
        svg('polyline', { points: p.points.map(String).join(' '), class: 'uv-line' }, group);
        titled(group, 'peephole connection: the cell state enters the ' + p.text + ' (p ⊙ c)');
        peepholes.push({ spec: p, group: group });
      });
    }
    var nodeEls = {};
    layout.nodes.forEach(function (node) {
      var group = svg('g', { class: 'uv-node uv-' + node.kind, 'data-node': node.id,
                              transform: 'translate(' + node.x + ',' + node.y + ')' }, figure);
      if (node.kind === 'gate') {
        svg('rect', { x: -26, y: -20, width: 52, height: 40, rx: 6 }, group);
        svg('text', { class: 'uv-nodelabel', y: node.sub ? -2 : 5 }, group, node.label);
        if (node.sub) svg('text', { class: 'uv-nodesub', y: 14 }, group, node.sub);
      } else {
        var wide = node.label.length > 2;
        svg('circle', { r: wide ? 17 : 12 }, group);
        svg('text', { class: 'uv-nodelabel' + (wide ? ' uv-small' : ''), y: wide ? 4 : 5 }, group, node.label);
      }
      titled(group, node.text + (node.kind === 'gate' ? '' : ': ' + node.label));
      nodeEls[node.id] = { spec: node, group: group };
    });

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
      if (!cell) {
        setText(heading, cellScope);
        setText(note, 'No time step yet: the diagram fills in when the first cell runs.');
        return;
      }
      equation(cell.leaf ? cell.scope : null);
      var direction = cell.dir === 'f' ? ' (forward direction)' : cell.dir === 'b' ? ' (backward direction)' : '';
      setText(heading, cellScope + ', t = ' + cell.t + (T ? ' of ' + T : '') + direction);
      figureTitle.textContent = cellScope + ' at t = ' + cell.t + direction +
        (entry ? ', after iteration ' + entry.iteration : backward ? ', gradients flowing back' : ', forward values');
      for (var n in nodeEls) {
        toggleClass(nodeEls[n].group, 'uv-lit', cell.part != null && cell.part === nodeEls[n].spec.part);
      }
      peepholes.forEach(function (p) { toggleClass(p.group, 'uv-lit', cell.part != null && cell.part === p.spec.part); });
      for (var w in wireNodes) {
        var item = wireNodes[w], spec = item.spec;
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
        if (!known) {
          setText(item.label, display + '·');
          titled(item.group, (backward ? 'the gradient of ' : '') + name + ': not computed yet at this step');
        } else {
          var v = later ? later.values : model.values(shownId);
          setText(item.label, display + vectorText(api, v, 4, spec.budget || 22));
          titled(item.group, index.tensors[shownId].name + (later ? ' after iteration ' + entry.iteration : '') + ' = ' + exactVector(v));
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

    function title(vid) { return vid === 'gru-cell' ? 'The GRU cell' : 'The LSTM cell'; }

    return { update: update, destroy: function () { if (control) control.destroy(); host.textContent = ''; } };
  }

  views.push(cellView('lstm-cell', 'LSTM cell', 'lstm', LSTM_LAYOUT, 'LSTM cell'));
  views.push(cellView('gru-cell', 'GRU cell', 'gru', GRU_LAYOUT, 'GRU cell'));
})(window.Unrolled);
