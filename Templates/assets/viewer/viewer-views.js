/* Unrolled viewer: the special views (issue 7), "views that teach where a generic matrix
   view does not". Each view is a spec pushed onto Unrolled.views (see the viewer contract):
   applies(model), create(host, model, api) → {update(stepIndex), destroy()}.
   Every view builds its indexes once in create() so that update() only looks things up:
   it must stay under 5 ms on a 20,000-step trace. Classic script, no dependencies.

   Hooks that tests and other scripts may rely on (inside the panel [data-view="<id>"]):
   - lstm-cell, gru-cell: .uv-wire[data-wire][data-tensor="f_2"][data-tensor-id] (the id of
     the tensor or gradient shown, empty when not computed yet; its <title> has the exact
     values), .uv-node[data-node].uv-lit; the panel has .uv-backward during backward.
   - unrolled: .uv-unit[data-t][data-dir] (click: first step of that cell),
     .uv-bar[data-t][data-dir][data-norm] (data-norm absent while not computed).
   - attention: .uv-heatcell[data-row][data-col][data-value], .uv-rowtoken, .uv-coltoken,
     .uv-rowlit[visibility], rects .uv-masked and .uv-pending; a <select> of heads.
   - word2vec: .uv-stage[data-stage="<tensor name>"].uv-lit, .uv-w2vcell[data-value], and
     for stages with a gradient .uv-w2vgrad[data-value] (empty until computed).
   - training: .uv-curve (one point per finite history loss), .uv-traced circles,
     .uv-hover-text; .uv-word[data-word] and .uv-point with a range input per epoch. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  var views = (U.views = U.views || []);
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var uniqueIds = 0;   // ids inside SVGs (patterns) must differ between viewers on a page

  // ---------------------------------------------------------------- DOM helpers

  function html(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function svg(tag, attrs, parent, text) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (var key in attrs) {
      if (attrs[key] != null && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    }
  }

  // A <title> child is what SVG offers as an accessible name and a hover text at once.
  function titled(node, text) {
    var title = node.querySelector(':scope > title') || svg('title', null, node);
    if (title.textContent !== text) title.textContent = text;
    return node;
  }

  function toggleClass(node, name, on) {
    if (node.classList.contains(name) !== !!on) node.classList.toggle(name, !!on);
  }

  // ---------------------------------------------------------------- numbers

  function toNumber(x) {
    if (typeof x === 'number') return x;
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    return Number(x);
  }

  function norm(values) {
    var sum = 0;
    for (var i = 0; i < values.length; i++) sum += values[i] * values[i];
    return Math.sqrt(sum);
  }

  // Exact decimal text for hover titles: the shortest string that reads back to the double.
  function exact(x) {
    if (x !== x) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '−∞';
    return String(x);
  }

  // At most `limit` entries and about `budget` characters, so labels on a diagram stay
  // clear of each other; the hover title has them all.
  function vectorText(api, values, limit, budget) {
    var parts = [], length = 0;
    for (var i = 0; i < values.length && i < limit; i++) {
      var text = api.format(values[i]);
      if (i > 0 && length + text.length > (budget || Infinity)) break;
      parts.push(text);
      length += text.length + 2;
    }
    if (values.length > parts.length) parts.push('…');
    return '[' + parts.join(', ') + ']';
  }

  function exactVector(values) {
    var parts = [];
    for (var i = 0; i < values.length; i++) parts.push(exact(values[i]));
    return '[' + parts.join(', ') + ']';
  }

  // Largest index i with list[i].step <= step, or -1. Lists are in step order.
  function lastAtOrBefore(list, step) {
    var lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid].step <= step) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  // ---------------------------------------------------------------- the shared trace index

  /* What several views need to know about a trace, computed once per model in O(scopes +
     steps + tensors): per scope the time step t, the direction and the iteration (root
     scope); per step the same, carried over from the previous step for scope-less update
     steps; per tensor its producing step and the gradients of it in step order; and per
     iteration a name → tensor id table, since names repeat across traced iterations. */
  var indexes = typeof WeakMap === 'function' ? new WeakMap() : null;

  function traceIndex(model) {
    var cached = indexes && indexes.get(model);
    if (cached) return cached;
    var trace = model.trace;
    var scopes = trace.scopes || [], steps = trace.steps || [], tensors = trace.tensors || [];

    var scopeT = new Int32Array(scopes.length), scopeDir = new Array(scopes.length);
    var scopeRoot = new Int32Array(scopes.length);
    for (var i = 0; i < scopes.length; i++) {
      var scope = scopes[i], parent = scope.parent;
      var match = /^t = (\d+)/.exec(scope.name);
      scopeT[i] = match ? +match[1] : (parent == null ? 0 : scopeT[parent]);
      scopeDir[i] = scope.name === 'forward direction' ? 'f'
        : scope.name === 'backward direction' ? 'b' : (parent == null ? '' : scopeDir[parent]);
      scopeRoot[i] = parent == null ? i : scopeRoot[parent];
    }

    var producer = new Int32Array(tensors.length).fill(-1);
    var stepRoot = new Int32Array(steps.length);
    var gradientsOf = {};
    var names = {};          // root scope id → {name: tensor id}
    var root = -1;
    for (var s = 0; s < steps.length; s++) {
      var step = steps[s];
      if (step.scope != null) root = scopeRoot[step.scope];
      stepRoot[s] = root;
      producer[step.output] = s;
      var table = names[root] || (names[root] = {});
      for (var k = 0; k < step.inputs.length; k++) {
        var input = tensors[step.inputs[k]];
        if (input.role !== 'gradient' && !(input.name in table)) table[input.name] = input.id;
      }
      var output = tensors[step.output];
      if (output.role === 'gradient') {
        (gradientsOf[output.of] || (gradientsOf[output.of] = [])).push({ step: s, id: output.id });
      } else if (!(output.name in table)) {
        table[output.name] = output.id;
      }
    }
    // The seed ∂L/∂L is made by no step; it counts from the first backward step.
    var index = {
      trace: trace, scopes: scopes, steps: steps, tensors: tensors,
      scopeT: scopeT, scopeDir: scopeDir, scopeRoot: scopeRoot, stepRoot: stepRoot,
      producer: producer, gradientsOf: gradientsOf, names: names,
      lookup: function (rootId, name) {
        var t = names[rootId];
        return t && name in t ? t[name] : -1;
      },
      // The latest gradient of tensor `id` made at or before step s (accumulated so far).
      gradientAt: function (id, s) {
        var list = gradientsOf[id];
        if (!list) return -1;
        var at = lastAtOrBefore(list, s);
        return at < 0 ? -1 : list[at].id;
      },
      roots: function () {
        var list = [];
        for (var r = 0; r < scopes.length; r++) if (scopes[r].parent == null) list.push(r);
        return list;
      }
    };
    if (indexes) indexes.set(model, index);
    return index;
  }

  function values(model, id) {
    return id < 0 ? null : model.values(id);
  }

  function phaseOf(index, s) {
    return s >= 0 && s < index.steps.length ? index.steps[s].phase : null;
  }

  function lossName(index, gradientId) {
    var match = /^d(.+?)\//.exec(index.tensors[gradientId].name);
    return match ? match[1] : 'L';
  }

  // Every view's host: the class that scopes the styles, and no transitions when the
  // reader asked for reduced motion (the media query covers the rest in the CSS).
  function prepare(host, api) {
    if (api && api.reducedMotion) host.classList.add('uv-reduced-motion');
  }

  // A caption line under a view's graphic, updated in place.
  function caption(parent) {
    return html('p', { class: 'uv-caption' }, parent);
  }

  /* The equation of the current step's scope (or of the nearest enclosing scope that has
     one), rendered with the viewer's api.tex, and only re-rendered when it changes. */
  function equationLine(parent, index, api) {
    // Above the graphic, where the reader looks first.
    var node = parent.insertBefore(html('div', { class: 'uv-equation' }), parent.firstChild);
    var shown = null, rendered = {};   // TeX source → rendered element, copied on reuse
    return function (scopeId) {
      while (scopeId != null && !index.scopes[scopeId].equation) scopeId = index.scopes[scopeId].parent;
      var tex = scopeId == null ? '' : index.scopes[scopeId].equation;
      if (tex === shown) return;
      shown = tex;
      node.textContent = '';
      if (!tex) return;
      if (!rendered[tex]) {
        rendered[tex] = document.createElement('div');
        api.tex(rendered[tex], tex, true);
      }
      node.appendChild(rendered[tex].cloneNode(true));
    };
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  // ================================================================ cell diagrams

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

    var titleId = 'uv-' + viewId + '-title-' + (++uniqueIds);
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

  // ================================================================ the unrolled network

  /* The recurrent network as a row of cells t = 1…T (two rows for a bidirectional one),
     the current cell lit, and under it one bar per time step with ‖∂L/∂h_t‖ as far as the
     backward pass has computed it: the latest (accumulated) gradient of h_t made at or
     before the current step. Fixed scales over the whole pass, so bars do not jump.
     gradient-flow traces recorded as history only (no steps) show the norms each training
     iteration kept (history[i].tensors.grad_norm_h), with a slider over iterations. */

  var UNROLLED_MODELS = ['rnn', 'lstm', 'peephole-lstm', 'gru', 'birnn', 'bilstm', 'bigru',
                         'tdl', 'gradient-flow'];

  views.push({
    id: 'unrolled',
    title: 'Unrolled',
    applies: function (model) { return UNROLLED_MODELS.indexOf(model.trace.model) >= 0; },
    create: createUnrolled
  });

  function createUnrolled(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-unrolled');
    var bidirectional = /^bi/.test(model.trace.model);
    var dirs = bidirectional ? ['f', 'b'] : [''];
    var history = (model.trace.history || []).filter(function (e) {
      return e.tensors && e.tensors.grad_norm_h;
    });
    var historyMode = index.steps.length === 0 && history.length > 0;

    var T = 0;
    for (var k = 0; k < index.scopes.length; k++) T = Math.max(T, index.scopeT[k]);
    if (historyMode) T = history[0].tensors.grad_norm_h.shape.reduce(function (a, b) { return a * b; }, 1);

    // Per iteration (root scope): the state tensor of each (direction, t), the first step
    // of each cell, and which step makes which cell current.
    var roots = {}, stateLetter = 'h', lossLetter = null;
    index.roots().forEach(function (root) {
      var entry = { state: {}, first: {} };
      dirs.forEach(function (d) {
        entry.state[d] = new Int32Array(T + 1).fill(-1);
        entry.first[d] = new Int32Array(T + 1).fill(-1);
        for (var t = 1; t <= T; t++) {
          var id = index.lookup(root, 'h' + d + '_' + t);
          if (id < 0) { id = index.lookup(root, 'zhat_' + t); if (id >= 0) stateLetter = 'ẑ'; }
          entry.state[d][t] = id;
        }
      });
      roots[root] = entry;
    });
    var stepCell = new Int32Array(index.steps.length);   // t of the step's cell, 0 for none
    for (var s = 0; s < index.steps.length; s++) {
      var scopeId = index.steps[s].scope;
      var t = scopeId == null ? 0 : index.scopeT[scopeId];
      var d = scopeId == null ? '' : index.scopeDir[scopeId];
      var entry = roots[index.stepRoot[s]];
      // Only cells of a direction row count (a bidirectional loss scope "t = 2" has none).
      if (t > 0 && entry && entry.first[d]) {
        stepCell[s] = t;
        if (entry.first[d][t] < 0) entry.first[d][t] = s;
      }
    }

    // Norms, cached per gradient tensor; the scale covers every gradient of every state.
    var normCache = {}, maxNorm = 0, minPositive = Infinity;
    function gradientNorm(id) {
      if (!(id in normCache)) normCache[id] = norm(model.values(id));
      return normCache[id];
    }
    function consider(n) {
      if (n === n && n !== Infinity) {
        if (n > maxNorm) maxNorm = n;
        if (n > 0 && n < minPositive) minPositive = n;
      }
    }
    Object.keys(roots).forEach(function (root) {
      dirs.forEach(function (d) {
        for (var t = 1; t <= T; t++) {
          var list = index.gradientsOf[roots[root].state[d][t]] || [];
          list.forEach(function (g) {
            consider(gradientNorm(g.id));
            if (lossLetter == null) lossLetter = lossName(index, g.id);
          });
        }
      });
    });
    history.forEach(function (e) {
      e.tensors.grad_norm_h.data.forEach(function (x) { consider(toNumber(x)); });
    });
    if (lossLetter == null) lossLetter = historyMode ? 'Q' : 'L';
    var quantity = '‖∂' + lossLetter + '/∂' + stateLetter + '_t‖';

    // ---- controls
    var controls = html('div', { class: 'uv-controls' }, host);
    var logLabel = html('label', null, controls);
    var logBox = html('input', { type: 'checkbox' }, logLabel);
    html('span', null, logLabel, 'log scale');
    logBox.checked = minPositive < Infinity && maxNorm / minPositive > 100;
    // Iterations kept in history (gradient-flow): 1…n show that iteration's norms; 0, when
    // the trace has steps, shows the norms as far as the current step has computed them.
    var slider = null, sliderText = null;
    var historyT = history.length ? history[0].tensors.grad_norm_h.data.length : 0;
    if (history.length && !bidirectional && historyT === T) {
      var sliderLabel = html('label', null, controls);
      html('span', null, sliderLabel, 'norms of');
      slider = html('input', { type: 'range', min: historyMode ? 1 : 0, max: history.length,
                               value: historyMode ? history.length : 0, 'aria-label': 'training iteration of the norms (0: the current step)' }, sliderLabel);
      sliderText = html('output', null, sliderLabel);
    }

    // ---- geometry
    var W = 900, left = 86, right = 16, cellH = 34, rowGap = 10, top = 8;
    var cellW = (W - left - right) / Math.max(T, 1);
    var rowsBottom = top + dirs.length * (cellH + rowGap);
    var barTop = rowsBottom + 34, barH = 150, barBottom = barTop + barH;
    var H = barBottom + 34;
    // A group, not an image: its cells are buttons a keyboard can reach.
    var figure = svg('svg', { class: 'uv-svg', viewBox: '0 0 ' + W + ' ' + H, role: 'group',
                               'aria-label': 'The network unrolled over t = 1…' + T + ', with ' +
                               quantity + ' per time step' }, host);
    var dense = cellW < 22;
    var units = {}, bars = {};
    dirs.forEach(function (d, row) {
      var y = top + row * (cellH + rowGap);
      svg('text', { class: 'uv-rowlabel', x: 4, y: y + cellH / 2 + 4 }, figure,
          d === 'f' ? 'forward →' : d === 'b' ? '← backward' : (stateLetter === 'h' ? 'cells' : 'taps'));
      if (!dense) {
        for (var t = 1; t < T; t++) {
          var ax = left + (d === 'b' ? t : t - 1) * cellW + cellW - 3;
          svg('line', { class: 'uv-arrow', x1: ax - 3, y1: y + cellH / 2, x2: ax + 3 + 0.001, y2: y + cellH / 2 }, figure);
        }
      }
      units[d] = [];
      for (var t2 = 1; t2 <= T; t2++) {
        var g = svg('g', { class: 'uv-unit', 'data-t': t2, 'data-dir': d || null }, figure);
        var rect = svg('rect', { x: left + (t2 - 1) * cellW + (dense ? 0 : 3), y: y,
                                 width: Math.max(cellW - (dense ? 0 : 6), 0.5), height: cellH, rx: dense ? 0 : 5 }, g);
        if (!dense) svg('text', { x: left + (t2 - 0.5) * cellW, y: y + cellH / 2 + 4 }, g, String(t2));
        if (!historyMode) {
          if (T <= 40) { g.setAttribute('tabindex', '0'); g.setAttribute('role', 'button'); }
          g.addEventListener('click', goToCell.bind(null, d, t2));
          g.addEventListener('keydown', function (dd, tt, event) {
            if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); goToCell(dd, tt); }
          }.bind(null, d, t2));
        }
        titled(g, (d === 'f' ? 'forward direction, ' : d === 'b' ? 'backward direction, ' : '') +
               't = ' + t2 + (historyMode ? '' : ': click to go to this cell'));
        units[d][t2] = { group: g, rect: rect, lit: false, done: false };
      }
    });
    // Time-step ticks under the bars, every k-th for long sequences.
    var tickEvery = T <= 30 ? 1 : Math.ceil(T / 20 / 5) * 5;
    var axis = svg('g', { class: 'uv-axis' }, figure);
    svg('line', { x1: left, y1: barBottom, x2: W - right, y2: barBottom }, axis);
    for (var t3 = 1; t3 <= T; t3++) {
      if (t3 === 1 || t3 % tickEvery === 0) {
        svg('text', { x: left + (t3 - 0.5) * cellW, y: barBottom + 14, 'text-anchor': 'middle' }, axis, String(t3));
      }
    }
    svg('text', { x: left + (W - left - right) / 2, y: barBottom + 30, 'text-anchor': 'middle' }, axis, 't');
    var yAxis = svg('g', { class: 'uv-axis' }, figure);
    svg('text', { class: 'uv-rowlabel', x: 4, y: barTop - 14 }, figure, quantity);
    dirs.forEach(function (d, row) {
      bars[d] = [];
      var share = (cellW - (dense ? 0 : 6)) / dirs.length;
      for (var t = 1; t <= T; t++) {
        var bar = svg('rect', { class: 'uv-bar' + (d === 'b' ? ' uv-row-b' : ''), 'data-t': t, 'data-dir': d || null,
                                x: left + (t - 1) * cellW + (dense ? 0 : 3) + row * share, width: Math.max(share, 0.5),
                                y: barBottom, height: 0 }, figure);
        bars[d][t] = { rect: bar, shown: -2, norm: null };
      }
    });
    var note = caption(host);

    function goToCell(d, t) {
      var entry = roots[currentRoot];
      if (entry && entry.first[d][t] >= 0) api.goTo(entry.first[d][t]);
    }

    function scaleY(n) {
      if (!(n > 0)) return 0;
      if (logBox.checked) {
        var lo = Math.log10(minPositive), hi = Math.log10(maxNorm);
        if (hi - lo < 1e-9) return barH;
        return Math.max(2, barH * (Math.log10(n) - lo) / (hi - lo) * 0.95 + barH * 0.05);
      }
      return maxNorm > 0 ? barH * Math.min(n, maxNorm) / maxNorm : 0;
    }

    function drawAxis() {
      yAxis.textContent = '';
      var ticks = [];
      if (!(maxNorm > 0)) return;
      if (logBox.checked) {
        for (var e = Math.floor(Math.log10(minPositive)); e <= Math.ceil(Math.log10(maxNorm)); e++) {
          var v = Math.pow(10, e);
          if (v >= minPositive / 1.0001 && v <= maxNorm * 1.0001) ticks.push(v);
        }
        if (ticks.length < 2) ticks = [minPositive, maxNorm];
        var step = Math.ceil(ticks.length / 6);
        ticks = ticks.filter(function (_, i) { return i % step === 0; });
      } else {
        ticks = niceTicks(0, maxNorm, 4);
      }
      var spacing = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
      var decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(spacing))));
      ticks.forEach(function (v) {
        var y = barBottom - scaleY(v);
        svg('line', { x1: left - 4, y1: y, x2: left, y2: y }, yAxis);
        var text = logBox.checked || v === 0 || v < 1e-4 || v >= 1e5 ? api.format(v) : v.toFixed(decimals);
        svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, yAxis, text);
      });
      svg('line', { x1: left, y1: barTop, x2: left, y2: barBottom }, yAxis);
    }

    function setBar(d, t, gradientId, n, fresh) {
      var bar = bars[d][t];
      var key = gradientId + (logBox.checked ? 'l' : 'n') + (fresh ? 'f' : '');
      if (bar.shown === key) return;
      bar.shown = key;
      var h = n == null ? 0 : scaleY(n);
      bar.rect.setAttribute('y', barBottom - h);
      bar.rect.setAttribute('height', h);
      toggleClass(bar.rect, 'uv-fresh', fresh);
      bar.norm = n;
      if (n == null) bar.rect.removeAttribute('data-norm');
      else bar.rect.setAttribute('data-norm', String(n));
    }

    // A bar's hover text is written when the pointer reaches it, not on every step: a jump
    // across the trace can change hundreds of bars at once.
    figure.addEventListener('mouseover', function (event) {
      var rect = event.target.closest && event.target.closest('.uv-bar');
      if (!rect) return;
      var d = rect.getAttribute('data-dir') || '', t = +rect.getAttribute('data-t'), n = bars[d][t].norm;
      titled(rect, quantity.replace('_t', '_' + t) + (d === 'f' ? ' (forward)' : d === 'b' ? ' (backward)' : '') +
             (n == null ? ': not computed yet' : ' = ' + api.format(n) + ' (' + exact(n) + ')'));
    });

    var currentRoot = -1, lastStep = -1;

    function update(s) {
      lastStep = s;
      if (historyMode) { showHistory(+slider.value - 1); return; }
      if (s < 0 || s >= index.steps.length) return;
      currentRoot = index.stepRoot[s];
      var entry = roots[currentRoot];
      if (!entry) return;
      var phase = index.steps[s].phase;
      toggleClass(host, 'uv-backward', phase === 'backward');
      var scopeId = index.steps[s].scope;
      var litT = stepCell[s], litD = scopeId == null ? '' : index.scopeDir[scopeId];
      var computed = [], fromHistory = slider && +slider.value > 0;
      if (slider && !fromHistory) setText(sliderText, 'this step');
      dirs.forEach(function (d) {
        for (var t = 1; t <= T; t++) {
          // Touch the DOM only where a state changed: a long sequence has hundreds of cells.
          var unit = units[d][t];
          var lit = litT === t && litD === d, done = entry.first[d][t] >= 0 && entry.first[d][t] <= s;
          if (unit.lit !== lit) { unit.lit = lit; unit.group.classList.toggle('uv-lit', lit); }
          if (unit.done !== done) { unit.done = done; unit.group.classList.toggle('uv-done', done); }
          if (fromHistory) continue;
          var id = entry.state[d][t];
          var g = id < 0 ? -1 : index.gradientAt(id, s);
          var n = g < 0 ? null : gradientNorm(g);
          setBar(d, t, g, n, g >= 0 && index.producer[g] === s);
          if (n != null) computed.push(n);
        }
      });
      if (fromHistory) {
        showHistory(+slider.value - 1);
      } else if (computed.length === 0) {
        setText(note, phase === 'forward'
          ? 'Forward pass: the cells run from t = 1 to ' + T + '. Bars of ' + quantity + ' appear during the backward pass.'
          : 'No gradient of the hidden states at this step.');
      } else {
        var lo = Math.min.apply(null, computed), hi = Math.max.apply(null, computed);
        setText(note, quantity + ' computed for ' + computed.length + ' of ' + T * dirs.length +
          ' time steps so far; smallest ' + api.format(lo) + ', largest ' + api.format(hi) +
          (lo > 0 ? ' (ratio ' + api.format(hi / lo) + ')' : '') + '. Click a cell to go to it.');
      }
    }

    function showHistory(i) {
      var e = history[i];
      var data = e.tensors.grad_norm_h.data.map(toNumber);
      var zeros = data.filter(function (x) { return x === 0; }).length;
      for (var t = 1; t <= T; t++) setBar('', t, 'h' + i + '_' + t, data[t - 1], false);
      setText(sliderText, 'iteration ' + e.iteration);
      setText(note, quantity + ' of training iteration ' + e.iteration + ' of ' + history[history.length - 1].iteration +
        ' (loss ' + api.format(toNumber(e.loss)) + '); ' + quantity.replace('_t', '_1') + ' / ' +
        quantity.replace('_t', '_' + T) + ' = ' + api.format(data[0] / data[T - 1]) +
        (zeros ? '; ' + zeros + ' time step' + (zeros === 1 ? ' has' : 's have') + ' a gradient of exactly 0' : '') + '.');
    }

    logBox.addEventListener('change', function () { drawAxis(); update(lastStep); });
    if (slider) slider.addEventListener('input', function () { update(lastStep); });
    drawAxis();
    if (historyMode) showHistory(history.length - 1);
    return { update: update, destroy: function () { host.textContent = ''; } };
  }

  // ================================================================ attention

  /* The attention weights A = softmax(S) as a heatmap: query tokens down, key tokens
     across (from the tensor's labels), one map per head (A_1, A_2, and for the
     encoder–decoder A_k^enc, A_k^dec, A_k^cross) with a selector that follows the step.
     Masked entries (a `where` before the softmax, or keys an incremental step has not
     cached yet) are hatched; rows not computed yet are blank; the rows the current step
     computes are lit. */

  var ATTENTION_MODELS = ['attention', 'self-attention', 'attention-vs-tdl', 'multi-head-attention',
                          'transformer-encoder', 'encoder-decoder'];

  views.push({
    id: 'attention',
    title: 'Attention',
    applies: function (model) { return ATTENTION_MODELS.indexOf(model.trace.model) >= 0; },
    create: createAttention
  });

  function mapTitle(name) {
    var m = /^A(?:_(\d+))?(?:\^(\w+))?$/.exec(name);
    if (!m) return name;
    var part = { enc: 'encoder self-attention', dec: 'decoder masked self-attention', cross: 'cross-attention' }[m[2]] || '';
    return (part ? part + ', ' : '') + (m[1] ? 'head ' + m[1] : 'weights') + ' (' + name + ')';
  }

  function attentionMaps(index) {
    var maps = [], byName = {};
    index.steps.forEach(function (step, s) {
      if (step.phase !== 'forward') return;
      var out = index.tensors[step.output];
      var full = step.op === 'softmax' && /^A(_\d+)?(\^\w+)?$/.test(out.name) && out.shape.length === 2;
      var assembled = step.op === 'concat' && out.name === 'A' && out.shape.length === 2;
      if (!full && !assembled) return;
      if (byName[out.name]) return;   // a later traced iteration: found per root at update
      var map = { name: out.name, step: s, incremental: assembled, rowSteps: null, rowWidths: null,
                  scope: step.scope == null ? -1 : index.scopes[step.scope].parent };
      if (assembled) {
        // Row t is the softmax a_t of step t; its width is the number of keys cached then.
        map.rowSteps = []; map.rowWidths = [];
        for (var t = 1; t <= out.shape[0]; t++) {
          var a = index.lookup(index.stepRoot[s], 'a_' + t);
          map.rowSteps.push(a >= 0 ? index.producer[a] : s);
          map.rowWidths.push(a >= 0 ? index.tensors[a].shape[1] : out.shape[1]);
        }
        map.scope = -1;
      }
      byName[out.name] = map;
      maps.push(map);
    });
    return maps;
  }

  function createAttention(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-attention');
    var maps = attentionMaps(index);
    if (!maps.length) { html('p', { class: 'uv-caption' }, host, 'This trace has no attention weights.'); return { update: function () {}, destroy: function () {} }; }

    // Which map a scope belongs to (its head's scope or below), for following the step.
    var scopeMap = new Int32Array(index.scopes.length).fill(-1);
    maps.forEach(function (m, i) { if (m.scope >= 0) scopeMap[m.scope] = i; });
    for (var k = 0; k < index.scopes.length; k++) {
      var parent = index.scopes[k].parent;
      if (scopeMap[k] < 0 && parent != null) scopeMap[k] = scopeMap[parent];
    }

    var controls = html('div', { class: 'uv-controls' }, host);
    var select = null;
    if (maps.length > 1) {
      var label = html('label', null, controls);
      html('span', null, label, 'attention map');
      select = html('select', { 'aria-label': 'attention map (head)' }, label);
      maps.forEach(function (m, i) { html('option', { value: i }, select, mapTitle(m.name)); });
      select.addEventListener('change', function () { pinned = true; current = +select.value; build(); update(lastStep); });
    }
    var follow = html('span', { class: 'uv-caption' }, controls);
    var holder = html('div', null, host);
    var note = caption(host);

    var current = 0, pinned = false, lastStep = -1, shownRoot = null, grid = null;

    function tensorFor(map, root) {
      var id = index.lookup(root, map.name);
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
      var labels = tensor.labels || [null, null];
      var rowLabels = labels[0] || range(rows), colLabels = labels[1] || range(cols);
      var cell = Math.max(22, Math.min(56, Math.floor(560 / Math.max(rows, cols))));
      var left = 12 + 7 * Math.max.apply(null, rowLabels.map(function (l) { return String(l).length; }));
      var top = 12 + 7 * Math.max.apply(null, colLabels.map(function (l) { return String(l).length; }));
      top = Math.min(top, 110);
      var W = left + cols * cell + 10, H = top + rows * cell + 10;
      var figure = svg('svg', { class: 'uv-svg uv-heat', viewBox: '0 0 ' + W + ' ' + H,
                                style: 'max-width:' + Math.max(W, 200) + 'px', role: 'img',
                                'aria-label': 'Attention weights ' + tensor.name + ': ' + rows + ' queries by ' + cols + ' keys' }, holder);
      var defs = svg('defs', null, figure);
      var hatchId = 'uv-hatch-' + (++uniqueIds);
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
      var v = model.values(id), mask = map.incremental ? null : maskFor(id);
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
          titled(g, tensor.name + '[' + rowLabels[i] + ', ' + colLabels[j] + '] = ' +
                 (masked ? 'masked (−∞ before the softmax, 0 after)' : api.format(x) + ' (' + exact(x) + ')'));
          cells.push({ group: g, rect: r, text: text, value: x, masked: masked, row: i, state: null });
        }
      }
      var rowLit = [];
      for (var i2 = 0; i2 < rows; i2++) {
        rowLit.push(svg('rect', { class: 'uv-rowlit', x: left - 1, y: top + i2 * cell - 1, width: cols * cell + 2,
                                  height: cell + 2, visibility: 'hidden' }, figure));
      }
      grid = { map: map, id: id, rows: rows, cells: cells, rowLit: rowLit, rowLabels: rowLabels, mask: !!mask };
      dataTable(holder, tensor.name, rowLabels, colLabels, cells, cols);
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
        (backThroughA ? 'This step computes ' + out.name + ', the gradient of every weight. '
          : lit.length ? 'This step computes the row' + (lit.length > 1 ? 's' : '') + ' of ' + lit.join(', ') + '. ' : '') +
        'Each row is one query’s weights over the keys; it sums to 1.' + (grid.mask || map.incremental ? ' Hatched: masked (a token cannot attend to later ones).' : ''));
    }

    return { update: update, destroy: function () { host.textContent = ''; } };
  }

  // ================================================================ word2vec

  /* The CBOW / skip-gram pipeline as a column of stages, each a strip of values with the
     vocabulary as column labels: one-hot x → h = x W_in → u = h W_out → y = softmax(u) →
     e = y − target; for negative sampling h → scores u_j = h·w_j → σ(u_o) and σ(−u_n) →
     Q. The stage the current step belongs to (by its scope) is lit; during backward a band
     under each stage fills with ∂Q/∂(stage), so ∂Q/∂u = y − target can be seen. */

  var W2V_STAGES = [
    { match: /^x$/, scopes: ['hidden layer'], text: 'one-hot input x (context words)' },
    { match: /^H$/, scopes: ['hidden layer'], text: 'H = x W_in: the context words’ rows of W_in' },
    { match: /^h$/, scopes: ['hidden layer'], text: 'h = x W_in (hidden layer)' },
    { match: /^w$/, scopes: ['scores'], text: 'w: W_out’s columns of the true word and the negatives' },
    { match: /^u$/, scopes: ['output layer', 'scores'], text: 'u = h W_out (scores)' },
    { match: /^y$/, scopes: ['output layer'], text: 'y = softmax(u)' },
    { match: /^target_/, scopes: ['error', 'errors'], text: 'target (one-hot)' },
    { match: /^e_/, scopes: ['error', 'errors'], text: 'error e = y − target' },
    { match: /^sigma_o$/, scopes: ['true context word'], text: 'σ(u_o): the true context word' },
    { match: /^sigma_n$/, scopes: ['negatives'], text: 'σ(−u_n): the negative samples' },
    { match: /^Q$/, scopes: ['loss'], text: 'loss Q' }
  ];

  views.push({
    id: 'word2vec',
    title: 'Pipeline',
    applies: function (model) { return ['cbow', 'skipgram', 'skipgram-ns'].indexOf(model.trace.model) >= 0; },
    create: createWord2Vec
  });

  function createWord2Vec(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-word2vec');
    var root = index.roots()[0];
    var table = index.names[root] || {};
    var names = Object.keys(table);
    var stages = [];
    W2V_STAGES.forEach(function (spec) {
      names.filter(function (n) { return spec.match.test(n); }).forEach(function (n) {
        stages.push({ spec: spec, name: n, id: table[n] });
      });
    });
    var MAX_COLS = 24, cell = 60, left = 150, rowH = 22;
    var W = left + Math.min(MAX_COLS, Math.max.apply(null, stages.map(function (st) {
      var sh = index.tensors[st.id].shape; return sh.length ? sh[sh.length - 1] : 1; }))) * cell + 20;
    var y = 6, parts = [];
    var figure = svg('svg', { class: 'uv-svg', role: 'img', 'aria-label': 'The ' + model.trace.model + ' pipeline, stage by stage' }, host);
    var defs = svg('defs', null, figure);
    var arrowId = 'uv-arrowhead-' + (++uniqueIds);
    var marker = svg('marker', { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' }, defs);
    svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: 'currentColor' }, marker);
    stages.forEach(function (stage, k) {
      var tensor = index.tensors[stage.id];
      var shape = tensor.shape.length ? tensor.shape : [1, 1];
      var rows = shape.length > 1 ? shape[0] : 1, cols = shape[shape.length - 1];
      var shownCols = Math.min(cols, MAX_COLS);
      var labels = tensor.labels || [];
      var colLabels = labels[labels.length - 1], rowLabels = labels.length > 1 ? labels[0] : null;
      if (k > 0) svg('line', { class: 'uv-flow', x1: 60, y1: y - 2, x2: 60, y2: y + 12, 'marker-end': 'url(#' + arrowId + ')' }, figure);
      y += 14;
      var g = svg('g', { class: 'uv-stage', 'data-stage': stage.name, 'data-tensor-id': stage.id }, figure);
      var gradients = index.gradientsOf[stage.id];
      var height = 22 + (colLabels ? 16 : 0) + rows * rowH * (gradients ? 2 : 1) + (gradients ? 4 : 0) + 6;
      svg('rect', { class: 'uv-frame', x: 2, y: y, width: W - 4, height: height, rx: 6 }, g);
      svg('text', { class: 'uv-stagename', x: 10, y: y + 16 }, g, stage.spec.text + '  ' + tensor.name + ' (' + shape.join('×') + ')');
      var cy = y + 22;
      if (colLabels) {
        for (var j = 0; j < shownCols; j++) {
          svg('text', { x: left + j * cell + cell / 2, y: cy + 11, 'text-anchor': 'middle' }, g, String(colLabels[j]).slice(0, 8));
        }
        cy += 16;
      }
      var v = model.values(stage.id), maxAbs = 0;
      for (var q = 0; q < v.length; q++) if (isFinite(v[q])) maxAbs = Math.max(maxAbs, Math.abs(v[q]));
      for (var i = 0; i < rows; i++) {
        if (rowLabels) svg('text', { x: left - 6, y: cy + i * rowH + 15, 'text-anchor': 'end' }, g, String(rowLabels[i]));
        for (var j2 = 0; j2 < shownCols; j2++) {
          var x = v[i * cols + j2];
          var c = svg('g', { class: 'uv-w2vcell', 'data-value': String(x) }, g);
          svg('rect', { class: 'uv-cellrect', x: left + j2 * cell, y: cy + i * rowH, width: cell, height: rowH,
                        fill: api.colour(x, maxAbs || 1) }, c);
          svg('text', { x: left + j2 * cell + cell / 2, y: cy + i * rowH + 15, 'text-anchor': 'middle' }, c, api.format(x));
          titled(c, tensor.name + '[' + (rowLabels ? rowLabels[i] + ', ' : '') + (colLabels ? colLabels[j2] : j2 + 1) + '] = ' + exact(x));
        }
        if (cols > shownCols) svg('text', { x: left + shownCols * cell + 4, y: cy + i * rowH + 15 }, g, '… ' + (cols - shownCols) + ' more');
      }
      // The backward pass fills a second band with ∂Q/∂(this stage), as far as computed.
      var gradientCells = [];
      if (gradients) {
        var gy = cy + rows * rowH + 4;
        svg('text', { class: 'uv-gradlabel', x: left - 6, y: gy + 15, 'text-anchor': 'end' }, g,
            '∂' + lossName(index, gradients[0].id) + '/∂' + tensor.name);
        for (var i3 = 0; i3 < rows; i3++) {
          for (var j3 = 0; j3 < shownCols; j3++) {
            var gc = svg('g', { class: 'uv-w2vgrad' }, g);
            gradientCells.push({
              group: gc, index: i3 * cols + j3,
              rect: svg('rect', { class: 'uv-cellrect uv-pending', x: left + j3 * cell, y: gy + i3 * rowH, width: cell, height: rowH }, gc),
              text: svg('text', { x: left + j3 * cell + cell / 2, y: gy + i3 * rowH + 15, 'text-anchor': 'middle' }, gc, '·')
            });
          }
        }
      }
      y += height + 4;
      parts.push({ stage: stage, group: g, gradientCells: gradientCells, shownGradient: -2 });
    });
    figure.setAttribute('viewBox', '0 0 ' + W + ' ' + (y + 4));
    figure.style.maxWidth = W + 'px';
    var note = caption(host);
    var equation = equationLine(host, index, api);

    function update(s) {
      if (s < 0 || s >= index.steps.length) return;
      var step = index.steps[s];
      var leaf = step.scope == null ? null : index.scopes[step.scope].name;
      toggleClass(host, 'uv-backward', step.phase === 'backward');
      equation(step.scope);
      parts.forEach(function (p) {
        var made = index.producer[p.stage.id];
        var lit = step.phase !== 'update' && (made === s || (leaf != null && p.stage.spec.scopes.indexOf(leaf) >= 0));
        toggleClass(p.group, 'uv-lit', lit);
        if (!p.gradientCells.length) return;
        var gid = index.gradientAt(p.stage.id, s);
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
      setText(note, step.phase === 'update' ? 'Update: W_in and W_out take one SGD step.'
        : (leaf ? (step.phase === 'backward' ? 'Backward through: ' : 'Now: ') + leaf + '.' : ''));
    }
    return { update: update, destroy: function () { host.textContent = ''; } };
  }

  // ================================================================ training

  /* The loss per training iteration from `history` as a line chart (log scale offered
     when the losses span more than two decades), the traced iterations marked, the one
     the viewer is in ringed, hover for the numbers; for word2vec the 2-D PCA of W_in per
     epoch (history[i].tensors.W_in_pca) with a slider. */

  views.push({
    id: 'training',
    title: 'Training',
    applies: function (model) { return (model.trace.history || []).length > 0; },
    create: createTraining
  });

  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    var raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var stepSize = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (x) { return x >= raw; })[0];
    var ticks = [];
    for (var v = Math.ceil(lo / stepSize) * stepSize; v <= hi + stepSize * 1e-9; v += stepSize) ticks.push(+v.toPrecision(12));
    return ticks;
  }

  function createTraining(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-training');
    var history = model.trace.history;
    var points = history.map(function (e) { return { iteration: e.iteration, loss: toNumber(e.loss), traced: e.traced }; });
    var finite = points.filter(function (p) { return isFinite(p.loss); });
    var positive = finite.filter(function (p) { return p.loss > 0; });
    var lo = Math.min.apply(null, finite.map(function (p) { return p.loss; }));
    var hi = Math.max.apply(null, finite.map(function (p) { return p.loss; }));
    var pmin = positive.length ? Math.min.apply(null, positive.map(function (p) { return p.loss; })) : 0;
    var wide = positive.length === finite.length && pmin > 0 && hi / pmin > 100;

    var controls = html('div', { class: 'uv-controls' }, host);
    var logBox = null;
    if (wide) {
      var label = html('label', null, controls);
      logBox = html('input', { type: 'checkbox' }, label);
      logBox.checked = true;
      html('span', null, label, 'log scale');
    }
    var unit = history.some(function (e) { return e.tensors && e.tensors.W_in_pca; }) ? 'epoch' : 'iteration';
    var missing = points.length - finite.length;
    html('span', { class: 'uv-caption' }, controls, points.length + ' ' + unit + (points.length === 1 ? '' : 's') +
      ', ' + points.filter(function (p) { return p.traced; }).length + ' traced step by step (marked)' +
      (missing ? '; ' + missing + ' with a loss of NaN or ±∞, not drawn' : ''));

    var W = 900, H = 300, left = 70, right = 20, top = 14, bottom = 40;
    var figure = svg('svg', { class: 'uv-svg uv-loss', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
                              'aria-label': 'Training loss over ' + points.length + ' iterations, from ' +
                              api.format(finite.length ? finite[0].loss : NaN) + ' to ' +
                              api.format(finite.length ? finite[finite.length - 1].loss : NaN) }, host);
    var plot = svg('g', null, figure);
    var hover = svg('g', { visibility: 'hidden', 'pointer-events': 'none' }, figure);
    var hoverLine = svg('line', { class: 'uv-hover-line', y1: top, y2: H - bottom }, hover);
    var hoverDot = svg('circle', { class: 'uv-hover-dot', r: 4 }, hover);
    var hoverBg = svg('rect', { class: 'uv-hover-bg', height: 20, rx: 3 }, hover);
    var hoverText = svg('text', { class: 'uv-hover-text' }, hover);
    var overlay = svg('rect', { x: left, y: top, width: W - left - right, height: H - top - bottom, fill: 'transparent' }, figure);
    var ring = null, xOf, yOf;
    var first = points.length ? points[0].iteration : 1, last = points.length ? points[points.length - 1].iteration : 1;

    function draw() {
      plot.textContent = '';
      if (!finite.length) {
        svg('text', { x: left, y: H / 2 }, plot, 'No iteration has a finite loss: nothing to draw.');
        return;
      }
      var log = logBox && logBox.checked;
      var ylo = log ? Math.log10(pmin) : lo, yhi = log ? Math.log10(hi) : hi;
      if (!(yhi > ylo)) { ylo -= 0.5; yhi += 0.5; }
      var margin = (yhi - ylo) * 0.06;   // the curve's own range, so small improvements show
      ylo -= margin; yhi += margin;
      var inner = 10;   // keeps the first point off the axis
      xOf = function (it) { return left + inner + (last > first ? (it - first) / (last - first) : 0.5) * (W - left - right - inner); };
      yOf = function (loss) {
        var v = log ? Math.log10(loss) : loss;
        return H - bottom - (v - ylo) / (yhi - ylo) * (H - top - bottom);
      };
      var axis = svg('g', { class: 'uv-axis' }, plot);
      svg('line', { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }, axis);
      svg('line', { x1: left, y1: top, x2: left, y2: H - bottom }, axis);
      niceTicks(first, last, 8).filter(function (t) { return Math.round(t) === t; }).forEach(function (t) {
        svg('line', { x1: xOf(t), y1: H - bottom, x2: xOf(t), y2: H - bottom + 4 }, axis);
        svg('text', { x: xOf(t), y: H - bottom + 16, 'text-anchor': 'middle' }, axis, String(t));
      });
      svg('text', { x: (left + W - right) / 2, y: H - 6, 'text-anchor': 'middle' }, axis, unit);
      var yTicks = log ? niceTicks(Math.ceil(ylo), Math.floor(yhi), 6).filter(function (e) { return Math.round(e) === e; })
                          .map(function (e) { return Math.pow(10, e); })
                       : niceTicks(ylo, yhi, 5);
      // Tick labels carry as many decimals as the tick spacing needs, so neighbours differ.
      var spacing = yTicks.length > 1 ? Math.abs(yTicks[1] - yTicks[0]) : 1;
      var decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(spacing))));
      yTicks.forEach(function (v) {
        svg('line', { x1: left - 4, y1: yOf(v), x2: left, y2: yOf(v) }, axis);
        var text = log || v === 0 || Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4 ? api.format(v) : v.toFixed(decimals).replace('-', '−');
        svg('text', { x: left - 6, y: yOf(v) + 4, 'text-anchor': 'end' }, axis, text);
      });
      svg('text', { x: 8, y: top + 4 }, axis, 'loss');
      // One polyline per run of finite losses: a NaN or ∞ breaks the curve instead of
      // being bridged by a straight line (a log scale drops losses ≤ 0 the same way).
      var runs = [[]];
      points.forEach(function (p) {
        if (isFinite(p.loss) && (!log || p.loss > 0)) runs[runs.length - 1].push(xOf(p.iteration).toFixed(2) + ',' + yOf(p.loss).toFixed(2));
        else if (runs[runs.length - 1].length) runs.push([]);
      });
      runs.forEach(function (coords) {
        if (coords.length) svg('polyline', { class: 'uv-curve', points: coords.join(' '), 'data-count': coords.length }, plot);
        // A run of one loss (a single iteration, or one between two NaNs) is a point, not a line.
        if (coords.length === 1) {
          var xy = coords[0].split(',');
          svg('circle', { class: 'uv-curve-point', cx: xy[0], cy: xy[1], r: 3.5 }, plot);
        }
      });
      points.forEach(function (p) {
        if (p.traced && isFinite(p.loss)) {
          titled(svg('circle', { class: 'uv-traced', cx: xOf(p.iteration), cy: yOf(p.loss), r: 4,
                                 'data-iteration': p.iteration }, plot), 'iteration ' + p.iteration + ' (traced): loss ' + exact(p.loss));
        }
      });
      ring = svg('circle', { class: 'uv-current-iteration', r: 8, visibility: 'hidden' }, plot);
      update(lastStep);
    }

    overlay.addEventListener('mousemove', function (event) {
      var box = figure.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width * W;
      var it = first + Math.round((x - left) / (W - left - right) * (last - first));
      var best = null;
      for (var i = 0; i < finite.length; i++) {
        if (!best || Math.abs(finite[i].iteration - it) < Math.abs(best.iteration - it)) best = finite[i];
      }
      if (!best) return;
      var px = xOf(best.iteration), py = yOf(best.loss);
      hoverLine.setAttribute('x1', px); hoverLine.setAttribute('x2', px);
      hoverDot.setAttribute('cx', px); hoverDot.setAttribute('cy', py);
      hoverText.textContent = unit + ' ' + best.iteration + ': loss ' + api.format(best.loss);
      var tx = px + 8 > W - 220 ? px - 220 : px + 8;
      hoverText.setAttribute('x', tx + 5); hoverText.setAttribute('y', top + 16);
      hoverBg.setAttribute('x', tx); hoverBg.setAttribute('y', top + 2);
      hoverBg.setAttribute('width', hoverText.getComputedTextLength() + 10);
      hover.setAttribute('visibility', 'visible');
    });
    overlay.addEventListener('mouseleave', function () { hover.setAttribute('visibility', 'hidden'); });
    if (logBox) logBox.addEventListener('change', draw);

    // The iteration the viewer is in, from the root scope "iteration k".
    var rootIteration = {};
    index.roots().forEach(function (r) {
      var m = /^iteration (\d+)$/.exec(index.scopes[r].name);
      if (m) rootIteration[r] = +m[1];
    });
    var lastStep = -1;
    function update(s) {
      lastStep = s;
      if (!ring) return;
      var it = s >= 0 && s < index.steps.length ? rootIteration[index.stepRoot[s]] : undefined;
      var p = it == null ? null : points.filter(function (q) { return q.iteration === it; })[0];
      if (p && isFinite(p.loss)) {
        ring.setAttribute('cx', xOf(p.iteration)); ring.setAttribute('cy', yOf(p.loss));
        ring.setAttribute('visibility', 'visible');
        titled(ring, 'the viewer is in iteration ' + it);
      } else {
        ring.setAttribute('visibility', 'hidden');
      }
    }
    draw();
    var scatter = embeddingScatter(host, model, api, history);
    return { update: update, destroy: function () { host.textContent = ''; if (scatter) scatter.destroy(); } };
  }

  function embeddingScatter(host, model, api, history) {
    var epochs = history.filter(function (e) { return e.tensors && e.tensors.W_in_pca; });
    if (!epochs.length) return null;
    var wIn = (model.trace.tensors || []).filter(function (t) { return t.name === 'W_in'; })[0];
    var words = wIn && wIn.labels && wIn.labels[0];
    var section = html('div', { class: 'uv-scatter' }, host);
    html('h3', null, section, 'Word embeddings: the rows of W_in projected to 2-D (PCA), per epoch');
    var controls = html('div', { class: 'uv-controls' }, section);
    var label = html('label', null, controls);
    html('span', null, label, 'epoch');
    var slider = html('input', { type: 'range', min: 0, max: epochs.length - 1, value: epochs.length - 1,
                                 'aria-label': 'epoch' }, label);
    var out = html('output', null, label);
    var S = 460, pad = 40;
    var figure = svg('svg', { class: 'uv-svg uv-embedding', viewBox: '0 0 ' + S + ' ' + S, role: 'img',
                              style: 'max-width:' + S + 'px', 'aria-label': 'Embeddings scatter' }, section);
    svg('rect', { class: 'uv-scatter-frame', x: 1, y: 1, width: S - 2, height: S - 2, rx: 6 }, figure);
    var layer = svg('g', null, figure);
    var dots = [];
    var n = epochs[0].tensors.W_in_pca.shape[0];
    for (var i = 0; i < n; i++) {
      var g = svg('g', { class: 'uv-word', 'data-word': words ? words[i] : String(i + 1) }, layer);
      dots.push({ group: g, circle: svg('circle', { class: 'uv-point', r: 4 }, g),
                  text: svg('text', { class: 'uv-point-label' }, g, words ? words[i] : String(i + 1)) });
    }
    function show(k) {
      var e = epochs[k], data = e.tensors.W_in_pca.data.map(toNumber);
      var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
      for (var i = 0; i < data.length; i++) {
        if (isFinite(data[i])) { lo[i % 2] = Math.min(lo[i % 2], data[i]); hi[i % 2] = Math.max(hi[i % 2], data[i]); }
      }
      // Each epoch fills the frame with one scale for both axes: PCA axes are recomputed per
      // epoch, so shapes compare across epochs, sizes do not.
      var span = Math.max(hi[0] - lo[0], hi[1] - lo[1]) || 1;
      var scale = (S - 2 * pad) / span, mx = (lo[0] + hi[0]) / 2, my = (lo[1] + hi[1]) / 2;
      dots.forEach(function (d, i) {
        var x = S / 2 + (data[2 * i] - mx) * scale, y = S / 2 - (data[2 * i + 1] - my) * scale;
        d.circle.setAttribute('cx', x); d.circle.setAttribute('cy', y);
        d.text.setAttribute('x', x + 6); d.text.setAttribute('y', y - 5);
        titled(d.group, d.group.getAttribute('data-word') + ': (' + api.format(data[2 * i]) + ', ' + api.format(data[2 * i + 1]) + ')');
      });
      out.textContent = e.iteration + ' of ' + epochs[epochs.length - 1].iteration + ' (loss ' + api.format(toNumber(e.loss)) + ')';
      figure.setAttribute('aria-label', 'Embeddings after epoch ' + e.iteration + ', projected to 2-D');
    }
    slider.addEventListener('input', function () { show(+slider.value); });
    show(epochs.length - 1);
    return { destroy: function () {} };
  }
})(window.Unrolled);
