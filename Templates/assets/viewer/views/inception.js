/* Unrolled viewer, special view: the Inception module's branches side by side (view inception).
   Shares U.viewKit (views/kit.js, loaded first). Hooks tests rely on (inside [data-view=inception]):
   .uv-inc-variant[data-variant][data-parameters][data-multiplications] (the totals),
   .uv-inc-branch[data-branch][data-parameters][data-multiplications] (as the scope declares them),
   button.uv-inc-layer[data-layer][data-step] (0-based step it jumps to) with .uv-inc-shape texts,
   .uv-inc-segment[data-branch][data-from][data-to] (1-based output channels of the concatenation),
   .uv-inc-ratio[data-multiplications][data-parameters] (naive / reduced). */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, traceIndex, prepare, caption, equationLine, setText, suggests, hasScope } = U.viewKit;
  var views = (U.views = U.views || []);

  /* Declared: root scopes of kind `variant` (naive, reduced), inside them scopes of kind `branch`
     whose attributes give the branch's name, parameters and multiplications, inside those scopes
     of kind `layer`. A layer's shapes are read from its forward steps (conv2d: input, kernel,
     output; max_pool2d: input, window, output); the concatenation is the forward `concat` step
     of the variant whose inputs are made in the branches, in order. */

  views.push({
    id: 'inception',
    title: 'Inception',
    applies: function (model) { return suggests(model, 'inception') && hasScope(model, 'branch'); },
    create: createInception
  });

  var BRANCH_LABEL = { '1x1': '1×1', '3x3': '3×3', '5x5': '5×5', pool: 'pool' };
  var VARIANT_LABEL = { naive: 'Naive module (no 1×1 reductions)', reduced: 'Module with 1×1 reductions' };

  function count(n) { return typeof n === 'number' ? n.toLocaleString('en-US') : '?'; }
  function chw(shape) { return shape.length === 4 ? shape[1] + '×' + shape[2] + '×' + shape[3] : shape.join('×'); }

  // The variants, branches and layers of the trace, with each layer's first forward step and shapes.
  function structure(index) {
    var variants = [], byScope = {};
    index.scopes.forEach(function (scope) {
      var up = scope.parent == null ? null : byScope[scope.parent];
      var a = scope.attributes || {};
      if (scope.kind === 'variant') {
        byScope[scope.id] = { variant: { name: a.variant, branches: [], concat: null, scope: scope.id } };
        variants.push(byScope[scope.id].variant);
      } else if (scope.kind === 'branch' && up && up.variant && !up.branch) {
        var branch = { name: a.branch, parameters: a.parameters, multiplications: a.multiplications, layers: [], scope: scope.id };
        up.variant.branches.push(branch);
        byScope[scope.id] = { variant: up.variant, branch: branch };
      } else if (scope.kind === 'layer' && up && up.branch) {
        var layer = { number: a.layer, first: -1, text: '', shapes: '', scope: scope.id };
        up.branch.layers.push(layer);
        byScope[scope.id] = { variant: up.variant, branch: up.branch, layer: layer };
      } else if (up) {
        byScope[scope.id] = up;
      }
    });
    var branchOfTensor = {};
    index.steps.forEach(function (step, s) {
      var at = step.scope == null ? null : byScope[step.scope];
      if (!at || step.phase !== 'forward') return;
      if (at.branch) branchOfTensor[step.output] = at.branch;
      if (at.layer) {
        var layer = at.layer, t = index.tensors;
        if (layer.first < 0) layer.first = s;
        if (step.op === 'conv2d') {
          var w = t[step.inputs[1]].shape;
          layer.text = w[2] + '×' + w[3] + ' convolution, ' + w[1] + ' → ' + w[0] + (w[0] === 1 ? ' channel' : ' channels') + ', ReLU';
          layer.shapes = chw(t[step.inputs[0]].shape) + ' → ' + chw(t[step.output].shape);
        } else if (step.op === 'max_pool2d') {
          var k = step.attrs.kernel || [], st = step.attrs.stride || [], pad = step.attrs.padding || [];
          layer.text = k.join('×') + ' max-pool, stride ' + st[0] + ', padding ' + pad[0];
          layer.shapes = chw(t[step.inputs[0]].shape) + ' → ' + chw(t[step.output].shape);
        }
      } else if (!at.branch && step.op === 'concat' && !at.variant.concat) {
        at.variant.concat = { step: s, parts: step.inputs.map(function (id) {
          return { branch: branchOfTensor[id], channels: index.tensors[id].shape[1] };
        }), shape: index.tensors[step.output].shape };
      }
    });
    variants.forEach(function (v) {
      v.parameters = v.branches.reduce(function (sum, b) { return sum + (b.parameters || 0); }, 0);
      v.multiplications = v.branches.reduce(function (sum, b) { return sum + (b.multiplications || 0); }, 0);
    });
    return { variants: variants, byScope: byScope };
  }

  function createInception(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-inception');
    var found = structure(index);
    var layerButtons = [], branchBoxes = [];

    found.variants.forEach(function (v) {
      var section = html('section', { class: 'uv-inc-variant', 'data-variant': v.name, 'data-parameters': v.parameters,
                                      'data-multiplications': v.multiplications,
                                      'aria-label': 'Inception: ' + (VARIANT_LABEL[v.name] || v.name) }, host);
      html('h4', { class: 'uv-inc-title' }, section, VARIANT_LABEL[v.name] || 'Module ' + v.name);
      var row = html('div', { class: 'uv-inc-branches' }, section);
      v.branches.forEach(function (b) {
        var box = html('div', { class: 'uv-inc-branch', 'data-branch': b.name, 'data-parameters': b.parameters,
                                'data-multiplications': b.multiplications, role: 'group',
                                'aria-label': (BRANCH_LABEL[b.name] || b.name) + ' branch' }, row);
        branchBoxes.push({ node: box, scope: b.scope });
        html('div', { class: 'uv-inc-branchname' }, box, (BRANCH_LABEL[b.name] || b.name) + ' branch');
        b.layers.forEach(function (layer) {
          var button = html('button', { type: 'button', class: 'uv-inc-layer', 'data-layer': layer.number,
                                        'data-step': layer.first,
                                        'aria-label': 'Go to layer ' + layer.number + ' of the ' + (BRANCH_LABEL[b.name] || b.name) +
                                        ' branch (' + v.name + '): ' + layer.text + ', ' + layer.shapes }, box);
          html('span', { class: 'uv-inc-op' }, button, layer.text);
          html('span', { class: 'uv-inc-shape' }, button, layer.shapes);
          if (layer.first >= 0) button.addEventListener('click', function () { api.goTo(layer.first); });
          else button.disabled = true;
          layerButtons.push({ node: button, scope: layer.scope });
        });
        var cost = html('dl', { class: 'uv-inc-cost' }, box);
        html('dt', null, cost, 'parameters');
        html('dd', null, cost, count(b.parameters));
        html('dt', null, cost, 'multiplications');
        html('dd', null, cost, count(b.multiplications));
      });
      if (v.concat) drawConcat(section, v);
      html('p', { class: 'uv-inc-total' }, section, 'Module total: ' + count(v.parameters) + ' parameters, ' +
           count(v.multiplications) + ' multiplications' + (v.concat ? ', output ' + chw(v.concat.shape) : '') + '.');
    });

    var naive = found.variants.filter(function (v) { return v.name === 'naive'; })[0];
    var reduced = found.variants.filter(function (v) { return v.name === 'reduced'; })[0];
    if (naive && reduced && reduced.multiplications > 0 && reduced.parameters > 0) {
      var m = naive.multiplications / reduced.multiplications, p = naive.parameters / reduced.parameters;
      html('p', { class: 'uv-inc-ratio', 'data-multiplications': m, 'data-parameters': p }, host,
           'Naive / reduced: ' + m.toFixed(2) + ' times the multiplications, ' + p.toFixed(2) + ' times the parameters.');
    }
    drawBars(found.variants);
    var note = caption(host);
    var equation = equationLine(host, index, api);

    // Every branch's multiplications on one scale, the variants one above the other: where the
    // cost is, and what the reductions take away.
    function drawBars(variants) {
      var rows = [];
      variants.forEach(function (v) { v.branches.forEach(function (b) { rows.push({ v: v, b: b }); }); });
      var most = Math.max.apply(null, rows.map(function (r) { return r.b.multiplications || 0; }).concat([1]));
      var W = 400, left = 100, right = 64, rowH = 18, top = 20;
      var figure = svg('svg', { class: 'uv-svg uv-inc-bars', viewBox: '0 0 ' + W + ' ' + (top + rows.length * rowH + 6), role: 'img',
                                'aria-label': 'Multiplications per branch: ' + rows.map(function (r) {
                                  return r.v.name + ' ' + (BRANCH_LABEL[r.b.name] || r.b.name) + ' ' + count(r.b.multiplications);
                                }).join(', ') }, host);
      svg('text', { x: 0, y: 14, class: 'uv-inc-barhead' }, figure, 'Multiplications per branch');
      rows.forEach(function (r, k) {
        var y = top + k * rowH, n = r.b.multiplications || 0;
        var g = svg('g', { class: 'uv-inc-bar', 'data-variant': r.v.name, 'data-branch': r.b.name, 'data-multiplications': n,
                              'data-value': n }, figure);
        svg('text', { x: left - 8, y: y + 13, 'text-anchor': 'end' }, g, r.v.name + ', ' + (BRANCH_LABEL[r.b.name] || r.b.name));
        svg('rect', { class: 'uv-inc-barrect uv-inc-' + r.v.name, x: left, y: y + 3, height: rowH - 6,
                      width: Math.max(n > 0 ? 1 : 0, (W - left - right) * n / most) }, g);
        svg('text', { x: left + (W - left - right) * n / most + 6, y: y + 13 }, g, count(n));
        titled(g, r.v.name + ' module, ' + (BRANCH_LABEL[r.b.name] || r.b.name) + ' branch: ' + count(n) + ' multiplications');
      });
    }

    function drawConcat(section, v) {
      var total = v.concat.parts.reduce(function (sum, part) { return sum + part.channels; }, 0);
      html('div', { class: 'uv-inc-concatname' }, section, 'Concatenated along the channels (' + total + '):');
      var bar = html('div', { class: 'uv-inc-concat', role: 'list' }, section);
      var from = 1;
      v.concat.parts.forEach(function (part) {
        var name = part.branch ? part.branch.name : '?';
        var to = from + part.channels - 1;
        var segment = html('div', { class: 'uv-inc-segment', role: 'listitem', 'data-branch': name, 'data-from': from, 'data-to': to,
                                    title: 'channels ' + from + '–' + to + ' from the ' + (BRANCH_LABEL[name] || name) + ' branch' }, bar);
        segment.style.flexGrow = String(part.channels);
        html('span', null, segment, (BRANCH_LABEL[name] || name) + ': ' + (from === to ? from : from + '–' + to));
        from = to + 1;
      });
    }

    function update(s) {
      if (s < 0 || s >= index.steps.length) return;
      var step = index.steps[s];
      toggleClass(host, 'uv-backward', step.phase === 'backward');
      equation(step.scope);
      var inside = {};
      for (var id = step.scope; id != null; id = index.scopes[id].parent) inside[id] = true;
      layerButtons.forEach(function (b) { toggleClass(b.node, 'uv-lit', !!inside[b.scope]); });
      branchBoxes.forEach(function (b) { toggleClass(b.node, 'uv-lit', !!inside[b.scope]); });
      var at = step.scope == null ? null : found.byScope[step.scope];
      setText(note, at && at.branch ? (step.phase === 'backward' ? 'Backward through the ' : 'Now: the ') +
              (BRANCH_LABEL[at.branch.name] || at.branch.name) + ' branch of the ' + at.variant.name + ' module.'
              : step.phase === 'update' ? 'Update: every kernel and bias takes one SGD step.'
              : 'Click a layer to go to its first step.');
    }
    return { update: update, destroy: function () { host.textContent = ''; } };
  }
})(window.Unrolled);
