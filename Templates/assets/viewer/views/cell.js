/* Unrolled viewer, special view: The LSTM and GRU cell diagrams (views lstm-cell, gru-cell).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { svg, titled, toggleClass, vectorText, exactVector, traceIndex, values, phaseOf, prepare,
          caption, equationLine, setText, uniqueId } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The LSTM and GRU cells as diagrams. A "wire" carries one tensor of time step t, found
     by name: LSTM f_t, i_t, ctilde_t, o_t, c_t, h_t; GRU z_t, r_t, htilde_t, h_t; and the
     inputs x_t, h_{t−1}, c_{t−1}. Bidirectional traces add the direction to the name
     (hf_2, ctildeb_3) and run the backward direction from t+1 to t. A "node" is a gate or
     an operation, lit when the current step's innermost scope names it. */

  var LSTM_LAYOUT = {
    width: 780, height: 400,
    box: [110, 40, 560, 300],
    nodes: [
      { id: 'forget', scope: 'forget gate', kind: 'gate', label: 'σ', sub: 'f', x: 240, y: 220 },
      { id: 'input', scope: 'input gate', kind: 'gate', label: 'σ', sub: 'i', x: 320, y: 220 },
      { id: 'candidate', scope: 'candidate', kind: 'gate', label: 'tanh', sub: 'c̃', x: 460, y: 220 },
      { id: 'output', scope: 'output gate', kind: 'gate', label: 'σ', sub: 'o', x: 540, y: 220 },
      { id: 'mulF', scope: 'cell state', kind: 'op', label: '⊙', x: 240, y: 90 },
      { id: 'mulI', scope: 'cell state', kind: 'op', label: '⊙', x: 460, y: 150 },
      { id: 'add', scope: 'cell state', kind: 'op', label: '+', x: 460, y: 90 },
      { id: 'tanhC', scope: 'hidden state', kind: 'op', label: 'tanh', x: 610, y: 150 },
      { id: 'mulO', scope: 'hidden state', kind: 'op', label: '⊙', x: 610, y: 220 }
    ],
    // Wire paths as point lists; `label` is where its values are written, `budget` how
    // many characters of values fit there.
    wires: [
      { id: 'cprev', tensor: 'c', prev: true, name: 'c', points: [[30, 90], [228, 90]], label: [40, 78], anchor: 'start', budget: 22 },
      { id: 'cmid', tensor: null, points: [[252, 90], [448, 90]] },
      { id: 'c', tensor: 'c', name: 'c', points: [[472, 90], [750, 90]], label: [745, 78], anchor: 'end', budget: 26 },
      { id: 'hprev', tensor: 'h', prev: true, name: 'h', points: [[30, 340], [170, 340]], label: [40, 358], anchor: 'start', budget: 16 },
      { id: 'x', tensor: 'x', plain: true, name: 'x', points: [[170, 395], [170, 340]], label: [178, 390], anchor: 'start', budget: 30 },
      { id: 'hx', tensor: 'hx', name: '[h;x]', points: [[170, 340], [540, 340]], label: [290, 358], anchor: 'start', budget: 40 },
      { id: 'busF', tensor: null, points: [[240, 340], [240, 240]] },
      { id: 'busI', tensor: null, points: [[320, 340], [320, 240]] },
      { id: 'busC', tensor: null, points: [[460, 340], [460, 240]] },
      { id: 'busO', tensor: null, points: [[540, 340], [540, 240]] },
      { id: 'f', tensor: 'f', name: 'f', points: [[240, 200], [240, 102]], label: [234, 165], anchor: 'end', budget: 18 },
      { id: 'i', tensor: 'i', name: 'i', points: [[320, 200], [320, 150], [448, 150]], label: [326, 185], anchor: 'start', budget: 16 },
      { id: 'ctilde', tensor: 'ctilde', name: 'c̃', points: [[460, 200], [460, 162]], label: [466, 185], anchor: 'start', budget: 16 },
      { id: 'ic', tensor: null, points: [[460, 138], [460, 102]] },
      { id: 'cdown', tensor: null, points: [[610, 90], [610, 133]] },
      { id: 'o', tensor: 'o', name: 'o', points: [[566, 220], [598, 220]], label: [548, 262], anchor: 'start', budget: 22 },
      { id: 'tanhc', tensor: null, points: [[610, 167], [610, 208]] },
      { id: 'h', tensor: 'h', name: 'h', points: [[610, 232], [610, 300], [750, 300]], label: [745, 318], anchor: 'end', budget: 22 }
    ],
    // Peephole connections: c_{t−1} into the forget and input gates, c_t into the output gate.
    peepholes: [
      { id: 'peepF', scope: 'forget gate', points: [[200, 90], [200, 220], [214, 220]] },
      { id: 'peepI', scope: 'input gate', points: [[200, 220], [200, 262], [302, 262], [302, 240]] },
      { id: 'peepO', scope: 'output gate', points: [[580, 90], [580, 205], [566, 205]] }
    ]
  };

  var GRU_LAYOUT = {
    width: 780, height: 400,
    box: [110, 40, 560, 300],
    nodes: [
      { id: 'reset', scope: 'reset gate', kind: 'gate', label: 'σ', sub: 'r', x: 210, y: 250 },
      { id: 'update', scope: 'update gate', kind: 'gate', label: 'σ', sub: 'z', x: 350, y: 250 },
      { id: 'candidate', scope: 'candidate', kind: 'gate', label: 'tanh', sub: 'h̃', x: 560, y: 250 },
      { id: 'mulR', scope: 'candidate', kind: 'op', label: '⊙', x: 210, y: 160 },
      { id: 'mulZ', scope: 'hidden state', kind: 'op', label: '⊙', x: 350, y: 90 },
      { id: 'oneMinus', scope: 'hidden state', kind: 'op', label: '1−', x: 450, y: 160 },
      { id: 'mulH', scope: 'hidden state', kind: 'op', label: '⊙', x: 560, y: 160 },
      { id: 'add', scope: 'hidden state', kind: 'op', label: '+', x: 560, y: 90 }
    ],
    wires: [
      { id: 'hprev', tensor: 'h', prev: true, name: 'h', points: [[30, 90], [338, 90]], label: [40, 78], anchor: 'start', budget: 22 },
      { id: 'hdrop', tensor: null, points: [[150, 90], [150, 350], [170, 350]] },
      { id: 'rdrop', tensor: null, points: [[210, 90], [210, 148]] },
      { id: 'x', tensor: 'x', plain: true, name: 'x', points: [[170, 395], [170, 350]], label: [178, 390], anchor: 'start', budget: 30 },
      { id: 'hx', tensor: 'hx', name: '[h;x]', points: [[170, 350], [600, 350], [600, 270], [586, 270]], label: [250, 368], anchor: 'start', budget: 40 },
      { id: 'busR', tensor: null, points: [[210, 350], [210, 272]] },
      { id: 'busZ', tensor: null, points: [[350, 350], [350, 272]] },
      { id: 'r', tensor: 'r', name: 'r', points: [[210, 228], [210, 172]], label: [216, 200], anchor: 'start', budget: 12 },
      { id: 'rh', tensor: null, points: [[222, 160], [270, 160], [270, 300], [540, 300], [540, 272]] },
      { id: 'z', tensor: 'z', name: 'z', points: [[350, 228], [350, 102]], label: [356, 200], anchor: 'start', budget: 16 },
      { id: 'zbranch', tensor: null, points: [[350, 160], [436, 160]] },
      { id: 'omz', tensor: null, points: [[464, 160], [548, 160]] },
      { id: 'htilde', tensor: 'htilde', name: 'h̃', points: [[560, 228], [560, 172]], label: [566, 205], anchor: 'start', budget: 22 },
      { id: 'hmid', tensor: null, points: [[362, 90], [548, 90]] },
      { id: 'up', tensor: null, points: [[560, 148], [560, 102]] },
      { id: 'h', tensor: 'h', name: 'h', points: [[572, 90], [750, 90]], label: [745, 78], anchor: 'end', budget: 22 }
    ],
    peepholes: []
  };

  function cellView(id, title, models, layout, cellScope) {
    return {
      id: id,
      title: title,
      // gradient-flow runs the same cells (same scope and tensor names) when its network is one.
      applies: function (model) {
        var trace = model.trace;
        return models.indexOf(trace.model) >= 0 ||
          (trace.model === 'gradient-flow' && (trace.steps || []).length > 0 && (trace.config || {}).network === models[0]);
      },
      create: function (host, model, api) {
        return createCell(host, model, api, layout, cellScope, id);
      }
    };
  }

  function createCell(host, model, api, layout, cellScope, viewId) {
    var index = traceIndex(model);
    var peephole = model.trace.model === 'peephole-lstm';
    prepare(host, api);
    host.classList.add('uv-view', 'uv-cell');

    // Per step: which cell (iteration root, direction, t) and which node is active.
    // Only steps inside the cell scope choose the cell; the others (output layer, loss,
    // updates) keep the last one, so the diagram stays on the cell just computed.
    var inCell = new Uint8Array(index.scopes.length);
    for (var c = 0; c < index.scopes.length; c++) {
      var up = index.scopes[c].parent;
      inCell[c] = index.scopes[c].name === cellScope || (up != null && inCell[up]) ? 1 : 0;
    }
    var stepCell = new Array(index.steps.length);
    var last = null;
    for (var s = 0; s < index.steps.length; s++) {
      var scopeId = index.steps[s].scope;
      var t = scopeId == null ? 0 : index.scopeT[scopeId];
      if (t > 0 && scopeId != null && inCell[scopeId]) {
        last = { root: index.stepRoot[s], dir: index.scopeDir[scopeId], t: t,
                 leaf: index.scopes[scopeId].name, scope: scopeId };
      } else if (last) {
        last = { root: index.stepRoot[s], dir: last.dir, t: last.t, leaf: null, scope: last.scope };
      }
      stepCell[s] = last;
    }
    var T = 0;
    for (var k = 0; k < index.scopes.length; k++) T = Math.max(T, index.scopeT[k]);

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
        titled(group, 'peephole connection: the cell state enters the ' + p.scope + ' (p ⊙ c)');
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
      titled(group, node.scope + (node.kind === 'gate' ? '' : ': ' + node.label));
      nodeEls[node.id] = { spec: node, group: group };
    });

    var note = caption(host);
    var equation = equationLine(host, index, api);

    function nameOf(wire, cell) {
      var t = wire.prev ? (cell.dir === 'b' ? cell.t + 1 : cell.t - 1) : cell.t;
      return wire.tensor + (wire.plain ? '' : cell.dir) + '_' + t;
    }

    function update(s) {
      var cell = s >= 0 ? stepCell[s] : null;
      var phase = phaseOf(index, s);
      var backward = phase === 'backward';
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
        (backward ? ', gradients flowing back' : ', forward values');
      for (var n in nodeEls) {
        toggleClass(nodeEls[n].group, 'uv-lit', cell.leaf === nodeEls[n].spec.scope);
      }
      peepholes.forEach(function (p) { toggleClass(p.group, 'uv-lit', cell.leaf === p.spec.scope); });
      for (var w in wireNodes) {
        var item = wireNodes[w], spec = item.spec;
        if (!spec.tensor) continue;
        var name = nameOf(spec, cell);
        var id = index.lookup(cell.root, name);
        var shownId = -1, known = false;
        if (id >= 0) {
          if (backward) {
            shownId = index.gradientAt(id, s);
            known = shownId >= 0;
          } else {
            shownId = id;
            known = index.producer[id] < 0 || index.producer[id] <= s || phase !== 'forward';
          }
        }
        toggleClass(item.group, 'uv-known', known);
        toggleClass(item.group, 'uv-current', known && index.producer[shownId] === s);
        item.group.setAttribute('data-tensor', name);
        item.group.setAttribute('data-tensor-id', known ? String(shownId) : '');
        if (!item.label) continue;
        var display = backward ? '∂' + spec.name + ' ' : spec.name + ' ';
        if (!known) {
          setText(item.label, display + '·');
          titled(item.group, (backward ? 'the gradient of ' : '') + name + ': not computed yet at this step');
        } else {
          var v = model.values(shownId);
          setText(item.label, display + vectorText(api, v, 4, spec.budget || 22));
          titled(item.group, index.tensors[shownId].name + ' = ' + exactVector(v));
        }
      }
      var leafText = cell.leaf ? 'Now: ' + cell.leaf + '. ' : '';
      setText(note, leafText + (backward
        ? 'Backward: each wire shows the gradient ∂L/∂(its value) accumulated so far (orange); “·” where it is not computed yet.'
        : 'Forward: each wire shows its values at time step t; “·” where the value is not computed yet.'));
    }

    function title(vid) { return vid === 'gru-cell' ? 'The GRU cell' : 'The LSTM cell'; }

    return { update: update, destroy: function () { host.textContent = ''; } };
  }

  views.push(cellView('lstm-cell', 'LSTM cell', ['lstm', 'peephole-lstm', 'bilstm'], LSTM_LAYOUT, 'LSTM cell'));
  views.push(cellView('gru-cell', 'GRU cell', ['gru', 'bigru'], GRU_LAYOUT, 'GRU cell'));
})(window.Unrolled);
