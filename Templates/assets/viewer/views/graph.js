/* Unrolled viewer, special view: the computation graph of any trace (view graph), drawn as
   micrograd's draw_dot draws it — tensors as nodes, each step an arrow from its inputs to its
   output — but scoped: every scope starts folded into one box (its name and how many steps it
   holds), and a box opens on a click, so a 24,000-step trace shows a few dozen boxes. It needs no
   declared structure: steps, their inputs and outputs, and scopes are in every trace.
   Shares U.viewKit (views/kit.js, loaded first).

   Hooks tests rely on (inside [data-view=graph]):
   .uv-graph-node[data-unit] — data-unit "t<id>" for a tensor, "s<id>" for a folded scope — with
   data-steps (how many shown steps it stands for) and .uv-graph-current on the one holding the
   current step; path.uv-graph-edge[data-from][data-to] (units), .uv-graph-current on the edges
   into the current step's node; select.uv-graph-phase; button.uv-graph-fold[data-scope] per open
   scope (folds it again), button.uv-graph-fold-all; .uv-graph-note when only the steps around
   the current one are drawn. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, toggleClass, setText, prepare, caption, nameHtml, nameText, typesetLate } = U.viewKit;
  var views = (U.views = U.views || []);

  views.push({
    id: 'graph',
    title: 'Graph',
    // Every trace has a graph: no declaration needed, and nothing to suggest.
    applies: function (model) { return model.stepCount > 0; },
    create: createGraph
  });

  var MAX_UNITS = 240;     // more nodes than a reader can follow: draw the steps around the current one
  var WINDOW = 60;         // steps on each side of the current one, then
  var COLUMN = 150, ROW = 54, NODE_W = 124, NODE_H = 38, PAD = 12;

  function createGraph(host, model, api) {
    prepare(host, api);
    host.classList.add('uv-view', 'uv-graph');
    var steps = model.trace.steps, scopes = model.trace.scopes || [];
    // Each step's scopes from the outermost in, computed once: folding is a walk down this path.
    var scopePath = steps.map(function (step) {
      return model.scopePath(step.scope == null ? null : step.scope).map(function (scope) { return scope.id; });
    });
    var open = new Set();          // the open scopes: the reader's, and those alone at their level
    var phase = 'follow';          // which steps to draw: those of the current step's phase, or a chosen one
    var drawn = null;              // what is on screen: {key, unitOfStep, nodes, edges}
    var current = -1;

    var bar = html('div', { class: 'uv-graph-bar' }, host);
    var label = html('label', null, bar, 'Steps ');
    var select = html('select', { class: 'uv-graph-phase', 'aria-label': 'Which steps the graph shows' }, label);
    [['follow', 'of the current phase'], ['forward', 'forward'], ['backward', 'backward'], ['update', 'update'], ['all', 'all']]
      .forEach(function (o) { html('option', { value: o[0] }, select, o[1]); });
    var foldAll = html('button', { type: 'button', class: 'uv-graph-fold-all' }, bar, 'Fold every scope');
    var crumbs = html('span', { class: 'uv-graph-open' }, bar);
    var note = html('p', { class: 'uv-graph-note', hidden: true }, host);
    var frame = html('div', { class: 'uv-graph-frame' }, host);
    var canvas = html('div', { class: 'uv-graph-canvas' }, frame);
    var wires = svg('svg', { class: 'uv-graph-wires', 'aria-hidden': 'true' }, canvas);
    var text = caption(host);

    /* A scope alone at its level (`iteration 1` around a whole run, a lone `LSTM cell`) would
       fold the graph into one box: it starts open, down to the first level with two or more. */
    function openLoneScopes() {
      var children = {};
      scopes.forEach(function (scope) { var key = scope.parent == null ? 'root' : scope.parent; (children[key] = children[key] || []).push(scope.id); });
      var level = children.root || [];
      while (level.length === 1) {
        open.add(level[0]);
        level = children[level[0]] || [];
      }
    }
    openLoneScopes();

    select.addEventListener('change', function () { phase = select.value; redraw(); });
    foldAll.addEventListener('click', function () { open.clear(); openLoneScopes(); redraw(); });

    function shownPhase() {
      if (phase !== 'follow') return phase;
      return current >= 0 ? steps[current].phase : 'forward';
    }

    // The node a step's output is drawn in: its outermost folded scope, or the tensor itself.
    function unitOfStep(i) {
      var path = scopePath[i];
      for (var k = 0; k < path.length; k++) if (!open.has(path[k])) return 's' + path[k];
      return 't' + steps[i].output;
    }

    // The steps drawn and their layout: those of the phase, all of them when few enough nodes
    // result (inputs from elsewhere count: each is a node), else a window around the current step.
    var tooBig = new Set();   // the keys (phase and open scopes) whose whole graph is too big: known once
    function chooseSteps(wanted, key) {
      var chosen = [];
      for (var i = 0; i < steps.length; i++) if (wanted === 'all' || steps[i].phase === wanted) chosen.push(i);
      if (!tooBig.has(key)) {
        var whole = layout(chosen);
        if (whole.nodes.size <= MAX_UNITS) return { graph: whole, windowed: false };
        tooBig.add(key);
      }
      var at = Math.max(0, current);
      return { graph: layout(chosen.filter(function (i) { return Math.abs(i - at) <= WINDOW; })), windowed: true };
    }

    function layout(list) {
      var inList = new Set(list), unitOf = {}, nodes = new Map(), edges = new Map();
      function node(unit, first) {
        var n = nodes.get(unit);
        if (!n) { n = { unit: unit, first: first, column: 0, steps: 0 }; nodes.set(unit, n); }
        return n;
      }
      list.forEach(function (i) {
        var to = unitOfStep(i);
        unitOf[i] = to;
        var target = node(to, i);
        target.steps++;
        steps[i].inputs.forEach(function (input) {
          var made = model.producer(input);
          // An input made by a step not drawn is a source of its own.
          var from = made >= 0 && inList.has(made) ? unitOf[made] : 't' + input;
          if (from === to) return;
          var source = node(from, made >= 0 && inList.has(made) ? made : i);
          // Columns left to right in step order; an arrow back to an earlier node (a folded
          // scope both feeding and fed) does not push its target further right.
          if (source.first <= target.first) target.column = Math.max(target.column, source.column + 1);
          edges.set(from + '>' + to, { from: from, to: to, steps: (edges.get(from + '>' + to) || { steps: [] }).steps.concat(i) });
        });
      });
      var rows = [];
      Array.from(nodes.values()).sort(function (a, b) { return a.first - b.first; }).forEach(function (n) {
        n.row = rows[n.column] = (rows[n.column] || 0) + 1;
        n.row -= 1;
      });
      return { unitOf: unitOf, nodes: nodes, edges: edges, rows: Math.max.apply(null, rows.concat(1)) };
    }

    function labelOf(unit) {
      var id = Number(unit.slice(1));
      if (unit[0] === 's') return { html: '', text: scopes[id].name };
      var tensor = model.tensor(id);
      // Typeset after the frame (up to 240 boxes): the drawing is laid out with plain names first.
      return { html: nameHtml(tensor, '', true, true), text: nameText(tensor) };
    }

    function redraw() {
      var wanted = shownPhase();
      // What decides the drawing; a step change within it only moves the highlight.
      var key = wanted + '|' + Array.from(open).join(',');
      if (drawn && drawn.key === key && (!drawn.windowed || Math.abs(current - drawn.at) <= WINDOW / 2)) return highlight();
      var chosen = chooseSteps(wanted, key);
      var g = chosen.graph;
      canvas.querySelectorAll('.uv-graph-node').forEach(function (n) { n.remove(); });
      wires.textContent = '';
      var width = 0, height = g.rows * ROW + 2 * PAD;
      g.nodes.forEach(function (n) {
        n.x = PAD + n.column * COLUMN;
        n.y = PAD + n.row * ROW;
        width = Math.max(width, n.x + NODE_W + PAD);
        var l = labelOf(n.unit), folded = n.unit[0] === 's';
        var button = html('button', {
          type: 'button', class: 'uv-graph-node' + (folded ? ' uv-graph-scope' : ''), 'data-unit': n.unit, 'data-steps': n.steps,
          style: 'left:' + n.x + 'px;top:' + n.y + 'px;width:' + NODE_W + 'px;height:' + NODE_H + 'px',
          'aria-label': folded ? l.text + ', ' + n.steps + ' steps folded: open' : l.text
        }, canvas);
        if (folded) {
          html('span', { class: 'uv-graph-scope-name' }, button, l.text);
          html('span', { class: 'uv-graph-count' }, button, n.steps + (n.steps === 1 ? ' step' : ' steps'));
        } else {
          button.innerHTML = l.html;
        }
        n.element = button;
      });
      typesetLate(canvas);
      g.edges.forEach(function (e) {
        var a = g.nodes.get(e.from), b = g.nodes.get(e.to);
        var x1 = a.x + NODE_W, y1 = a.y + NODE_H / 2, x2 = b.x, y2 = b.y + NODE_H / 2;
        var bend = Math.max(30, Math.abs(x2 - x1) / 2);
        e.element = svg('path', {
          class: 'uv-graph-edge', 'data-from': e.from, 'data-to': e.to,
          d: 'M' + x1 + ' ' + y1 + ' C' + (x1 + bend) + ' ' + y1 + ' ' + (x2 - bend) + ' ' + y2 + ' ' + x2 + ' ' + y2
        }, wires);
      });
      canvas.style.width = width + 'px';
      canvas.style.height = height + 'px';
      wires.setAttribute('width', width);
      wires.setAttribute('height', height);
      note.hidden = !chosen.windowed;
      if (chosen.windowed) {
        setText(note, 'More nodes than fit: the steps within ' + WINDOW + ' of the current one are drawn. Fold scopes, or choose a phase, to see the whole.');
      }
      drawCrumbs();
      drawn = { key: key, graph: g, windowed: chosen.windowed, at: Math.max(0, current) };
      highlight();
    }

    // The open scopes, each a button that folds it again.
    function drawCrumbs() {
      crumbs.textContent = '';
      open.forEach(function (id) {
        var b = html('button', { type: 'button', class: 'uv-graph-fold', 'data-scope': id }, crumbs, '▾ ' + scopes[id].name);
        b.setAttribute('aria-label', 'Fold ' + scopes[id].name);
      });
    }

    function highlight() {
      var g = drawn.graph, unit = current >= 0 ? g.unitOf[current] : null;
      g.nodes.forEach(function (n) { toggleClass(n.element, 'uv-graph-current', n.unit === unit); });
      g.edges.forEach(function (e) { toggleClass(e.element, 'uv-graph-current', e.to === unit && e.steps.indexOf(current) >= 0); });
      var node = unit && g.nodes.get(unit);
      if (node) {   // keep the current node in sight
        var left = node.x - frame.clientWidth / 2 + NODE_W / 2, top = node.y - frame.clientHeight / 2;
        if (node.x < frame.scrollLeft || node.x + NODE_W > frame.scrollLeft + frame.clientWidth) frame.scrollLeft = Math.max(0, left);
        if (node.y < frame.scrollTop || node.y + NODE_H > frame.scrollTop + frame.clientHeight) frame.scrollTop = Math.max(0, top);
      }
      var step = steps[current];
      setText(text, !step ? '' : step.phase + ' step ' + (current + 1) + ': ' + step.op + (unit && unit[0] === 's'
        ? ', inside the folded scope ' + scopes[Number(unit.slice(1))].name + ' (click it to open it)'
        : ''));
    }

    canvas.addEventListener('click', function (event) {
      var button = event.target.closest('.uv-graph-node');
      if (!button) return;
      var unit = button.getAttribute('data-unit'), id = Number(unit.slice(1));
      if (unit[0] === 's') {
        // Opening a scope opens the scopes around it too (they are folded into it otherwise).
        var scope = scopes[id];
        for (; scope; scope = scope.parent == null ? null : scopes[scope.parent]) open.add(scope.id);
        redraw();
      } else {
        var made = model.producer(id);
        if (made >= 0) api.goTo(made);
      }
    });
    crumbs.addEventListener('click', function (event) {
      var button = event.target.closest('.uv-graph-fold');
      if (!button) return;
      var id = Number(button.getAttribute('data-scope'));
      // Folding a scope folds the scopes inside it.
      open.forEach(function (other) { if (model.scopePath(other).some(function (s) { return s.id === id; })) open.delete(other); });
      redraw();
    });

    return {
      update: function (stepIndex) {
        current = stepIndex;
        redraw();
      },
      destroy: function () {}
    };
  }
})(window.Unrolled);
