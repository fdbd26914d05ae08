/* Unrolled viewer, special view: The gradient norm per layer with and without skip connections (view residual).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, toNumber, norm, exact, traceIndex, prepare, caption, setText,
          suggests, hasScope } = U.viewKit;
  var views = (U.views = U.views || []);

  /* ‖∂L/∂y_k‖ per layer k for each variant of a deep stack (plain, residual) on one log-scale
     chart, with the ratio top / bottom per variant and a table of the numbers; under it one
     block, the layer the viewer is in, with its two paths — the branch F_k (convolution, φ) and
     the identity — lit where the gradient flows at the current step. A point of the chart is a
     button: it goes to the step that makes the layer's ∂L/∂y_{k−1} (the backward add that sums
     the two paths, in a residual layer). Declared: the gradient_norm series over `layer` (each
     naming its variant), the root scopes of kind variant, the layer scopes (skip), and the
     feature maps tagged with their layer and variant (the image below layer 1). Without the
     series, the norms are those of the traced final gradients of the feature maps. */

  views.push({
    id: 'residual',
    title: 'Residual',
    applies: function (model) {
      return suggests(model, 'residual') && (normSeries(model).length > 0 || hasScope(model, 'layer', { skip: true }));
    },
    create: createResidual
  });

  function normSeries(model) {
    var list = Array.isArray(model.trace.series) ? model.trace.series : [];
    return list.filter(function (s) {
      return s && s.quantity === 'gradient_norm' && s.axis === 'layer' && typeof s.key === 'string';
    });
  }

  var COLOURS = ['var(--uv-backward)', 'var(--uv-forward)', 'var(--uv-text)', 'var(--uv-muted)'];

  /* Per variant: its root scope and, per layer k, the feature maps y_{k−1} and y_k, the skip's
     branch output F_k, the layer's steps and the step that makes ∂L/∂y_{k−1} last. */
  function readStacks(index) {
    var layerOf = new Int32Array(index.scopes.length), skipOf = new Uint8Array(index.scopes.length);
    index.scopes.forEach(function (scope, i) {
      var k = scope.kind === 'layer' && scope.attributes ? scope.attributes.layer : null;
      layerOf[i] = typeof k === 'number' ? k : (scope.parent == null ? 0 : layerOf[scope.parent]);
      skipOf[i] = scope.kind === 'layer' ? (scope.attributes && scope.attributes.skip ? 1 : 0) : (scope.parent == null ? 0 : skipOf[scope.parent]);
    });
    var stacks = [], byRoot = {};
    index.roots().forEach(function (root) {
      var variant = index.attribute(root, 'variant', 'variant');
      var stack = { root: root, variant: variant == null ? null : variant, layers: [], skip: false };
      byRoot[root] = stack;
      stacks.push(stack);
    });
    index.steps.forEach(function (step, s) {
      var k = step.scope == null ? 0 : layerOf[step.scope], stack = byRoot[index.stepRoot[s]];
      if (!k || !stack) return;
      var layer = stack.layers[k] || (stack.layers[k] = { k: k, steps: [], skip: false });
      layer.steps.push(s);
      if (skipOf[step.scope]) { layer.skip = true; stack.skip = true; }
    });
    stacks.forEach(function (stack) {
      stack.layers.forEach(function (layer, k) {
        if (!layer) return;
        var tags = { quantity: 'feature_map', layer: k };
        if (stack.variant != null) tags.variant = stack.variant;
        layer.y = index.find(stack.root, tags);
        var below = Object.assign({}, tags, { layer: k - 1 });
        layer.below = k === 1 ? index.find(stack.root, { quantity: 'image' }) : index.find(stack.root, below);
        var add = layer.skip && layer.y >= 0 ? index.steps[index.producer[layer.y]] : null;
        layer.F = add ? add.inputs.filter(function (id) { return id !== layer.below; })[0] : -1;
        layer.back = -1;
        layer.steps.forEach(function (s) {
          var out = index.tensors[index.steps[s].output];
          if (out.role === 'gradient' && out.of === layer.below) layer.back = s;
        });
      });
    });
    return stacks.filter(function (stack) { return stack.layers.length > 1; });
  }

  // Which path a step of `layer` is on: 'identity' (the skip's copy of ∂L/∂y_k), 'both' (where
  // the two meet: the forward add, the backward add into ∂L/∂y_{k−1}) or 'branch' (F_k).
  function pathOf(index, layer, s) {
    var step = index.steps[s], out = index.tensors[step.output];
    if (step.phase === 'forward') return index.producer[layer.y] === s && layer.skip ? 'both' : 'branch';
    if (out.role !== 'gradient' || out.of !== layer.below || !layer.skip) return 'branch';
    var fromAbove = step.inputs.some(function (id) { return index.tensors[id].of === layer.y; });
    if (fromAbove) return 'identity';
    return step.op === 'add' ? 'both' : 'branch';
  }

  function createResidual(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-residual');
    var stacks = readStacks(index);
    var history = model.trace.history || [];
    var series = normSeries(model);

    // The lines: one per described series (matched to its stack by the variant it names), or one
    // per stack from its traced gradients.
    var lines = [];
    function stackOf(variant) { return stacks.filter(function (st) { return st.variant === variant; })[0] || null; }
    if (series.length) {
      series.forEach(function (s, i) {
        var entries = history.filter(function (e) { return e.tensors && e.tensors[s.key]; });
        if (!entries.length) return;
        // The iteration whose steps the trace holds (the first, traced), else the last one kept.
        var entry = entries.filter(function (e) { return e.traced; })[0] || entries[entries.length - 1];
        lines.push({ label: s.variant || 'series ' + (i + 1), variant: s.variant, stack: stackOf(s.variant),
                     norms: entry.tensors[s.key].data.map(toNumber), iteration: entry.iteration });
      });
    } else {
      stacks.forEach(function (stack, i) {
        var norms = [];
        for (var k = 1; k < stack.layers.length; k++) {
          var list = stack.layers[k] && index.gradientsOf[stack.layers[k].y];
          norms.push(list && list.length ? norm(model.values(list[list.length - 1].id)) : NaN);
        }
        lines.push({ label: stack.variant || 'stack ' + (i + 1), variant: stack.variant, stack: stack, norms: norms });
      });
    }
    var L = lines.reduce(function (m, line) { return Math.max(m, line.norms.length); }, 0);
    var positive = [];
    lines.forEach(function (line) { line.norms.forEach(function (n) { if (n > 0 && isFinite(n)) positive.push(n); }); });
    var lo = positive.length ? Math.min.apply(null, positive) : 1, hi = positive.length ? Math.max.apply(null, positive) : 10;
    var e0 = Math.floor(Math.log10(lo)), e1 = Math.ceil(Math.log10(hi));
    if (e1 <= e0) e1 = e0 + 1;

    // ---- the chart
    var W = 900, H = 310, left = 70, right = 130, top = 28, bottom = 42;
    var chart = svg('svg', { class: 'uv-svg uv-res-chart', viewBox: '0 0 ' + W + ' ' + H, role: 'group',
                             'aria-label': 'The gradient norm per layer, log scale, for ' +
                             lines.map(function (l) { return l.label; }).join(' and ') }, host);
    var inner = 18;   // keeps the first point and its band off the axis
    function xOf(k) { return left + inner + (L > 1 ? (k - 1) / (L - 1) : 0.5) * (W - left - right - inner); }
    function yOf(n) { return H - bottom - (Math.log10(n) - e0) / (e1 - e0) * (H - top - bottom); }
    var band = svg('rect', { class: 'uv-res-band', y: top, height: H - top - bottom, width: 0, visibility: 'hidden' }, chart);
    var axis = svg('g', { class: 'uv-axis' }, chart);
    svg('line', { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }, axis);
    svg('line', { x1: left, y1: top, x2: left, y2: H - bottom }, axis);
    var every = Math.ceil((e1 - e0) / 8);
    for (var e = e0; e <= e1; e += every) {
      svg('line', { x1: left - 4, y1: yOf(Math.pow(10, e)), x2: left, y2: yOf(Math.pow(10, e)) }, axis);
      svg('text', { x: left - 6, y: yOf(Math.pow(10, e)) + 4, 'text-anchor': 'end' }, axis, api.format(Math.pow(10, e)));
    }
    for (var k = 1; k <= L; k++) {
      if (L <= 20 || k === 1 || k % 5 === 0) svg('text', { x: xOf(k), y: H - bottom + 16, 'text-anchor': 'middle' }, axis, String(k));
    }
    svg('text', { x: left + (W - left - right) / 2, y: H - 6, 'text-anchor': 'middle' }, axis, 'layer k');
    svg('text', { x: 8, y: 12 }, axis, '‖∂L/∂y_k‖ (log scale)');
    var points = [];
    lines.forEach(function (line, i) {
      var colour = COLOURS[i % COLOURS.length];
      var coords = [];
      line.norms.forEach(function (n, j) { if (n > 0 && isFinite(n)) coords.push(xOf(j + 1).toFixed(2) + ',' + yOf(n).toFixed(2)); });
      svg('polyline', { class: 'uv-res-line', points: coords.join(' '), stroke: colour, 'data-variant': line.variant }, chart);
      var last = line.norms[line.norms.length - 1];
      svg('text', { class: 'uv-res-legend', x: W - right + 8, y: (last > 0 ? yOf(last) : top + 14 * i) + 4, fill: colour }, chart, line.label);
      line.norms.forEach(function (n, j) {
        var layer = line.stack && line.stack.layers[j + 1];
        var target = layer && layer.back >= 0 ? layer.back : -1;
        var point = svg('circle', { class: 'uv-res-point', cx: xOf(j + 1), cy: n > 0 && isFinite(n) ? yOf(n) : H - bottom, r: 5,
                                    stroke: colour, 'data-variant': line.variant, 'data-layer': j + 1, 'data-norm': String(n) }, chart);
        var text = line.label + ', layer ' + (j + 1) + ': ‖∂L/∂y_' + (j + 1) + '‖ = ' + api.format(n) + ' (' + exact(n) + ')';
        if (target >= 0) {
          point.setAttribute('tabindex', '0');
          point.setAttribute('role', 'button');
          point.setAttribute('data-step', target);
          point.addEventListener('click', function () { api.goTo(target); });
          point.addEventListener('keydown', function (event) {
            if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); api.goTo(target); }
          });
          text += ': go to the step that makes ∂L/∂y_' + j;
        }
        titled(point, text);
        points.push({ node: point, line: line, layer: j + 1 });
      });
    });

    // ---- ratios and table
    var ratios = html('p', { class: 'uv-res-ratios' }, host);
    lines.forEach(function (line, i) {
      var n = line.norms, ratio = n[n.length - 1] / n[0];
      var span = html('span', { class: 'uv-res-ratio', 'data-variant': line.variant, 'data-ratio': String(ratio),
                                style: 'color:' + COLOURS[i % COLOURS.length] }, ratios,
                      line.label + ': ‖∂L/∂y_' + n.length + '‖ / ‖∂L/∂y_1‖ = ' + api.format(ratio));
      span.title = exact(ratio);
      if (i < lines.length - 1) html('span', null, ratios, ' · ');
    });
    var details = html('details', { class: 'uv-res-details' }, host);
    html('summary', null, details, 'The norms as a table');
    var table = html('table', { class: 'uv-res-table' }, details);
    var head = html('tr', null, html('thead', null, table));
    html('th', { scope: 'col' }, head, 'layer k');
    lines.forEach(function (line) { html('th', { scope: 'col' }, head, '‖∂L/∂y_k‖, ' + line.label); });
    var body = html('tbody', null, table);
    for (var r = 1; r <= L; r++) {
      var row = html('tr', null, body);
      html('th', { scope: 'row' }, row, String(r));
      lines.forEach(function (line) {
        var n = line.norms[r - 1];
        html('td', { 'data-variant': line.variant, 'data-layer': r, title: exact(n) }, row, n == null ? '' : api.format(n));
      });
    }

    // ---- one block, its two paths
    var block = svg('svg', { class: 'uv-svg uv-res-block', viewBox: '0 0 900 190', role: 'img' }, host);
    var heading = svg('text', { class: 'uv-res-heading', x: 10, y: 18 }, block);
    // A label whose parts in [brackets] are subscripts: ['y', ['k−1']] is y with k−1 below.
    function rich(parent, attrs, parts) {
      var text = svg('text', attrs, parent);
      parts.forEach(function (part) {
        if (typeof part === 'string') svg('tspan', null, text, part);
        else svg('tspan', { 'baseline-shift': 'sub', 'font-size': '75%' }, text, part[0]);
      });
      return text;
    }
    // A box whose label `relabel(parts)` rewrites for the layer shown.
    function node(x, y, w, h) {
      var g = svg('g', { class: 'uv-node' }, block), label = null;
      svg('rect', { x: x, y: y, width: w, height: h, rx: 6 }, g);
      return function relabel(parts) {
        if (label) g.removeChild(label);
        label = rich(g, { class: 'uv-nodelabel', x: x + w / 2, y: y + h / 2 + 5 }, parts);
      };
    }
    function path(name, d, labelX, labelY) {
      var g = svg('g', { class: 'uv-res-path', 'data-path': name }, block);
      svg('path', { class: 'uv-line', d: d }, g);
      var label = svg('text', { class: 'uv-values uv-res-pathnorm', 'data-path': name, x: labelX, y: labelY, 'text-anchor': 'middle' }, g);
      return { group: g, label: label };
    }
    var paths = {
      branch: path('branch', 'M150 80 H330 M570 80 H700', 440, 40),
      identity: path('identity', 'M110 100 V160 H730 V100', 440, 178)
    };
    svg('path', { class: 'uv-line', d: 'M750 80 H790' }, block);   // + → y_k, where both paths have met
    var labelBelow = node(30, 60, 120, 40), labelF = node(330, 55, 240, 50), labelY = node(790, 60, 100, 40);
    var plus = svg('g', { class: 'uv-node uv-res-plus' }, block);
    svg('circle', { cx: 730, cy: 80, r: 20 }, plus);
    svg('text', { class: 'uv-nodelabel', x: 730, y: 86 }, plus, '+');
    function relabel(k) {
      var input = k === 1 ? ['x'] : ['y', [String(k - 1)]];
      labelBelow(input);
      labelF(['F', [String(k)], ' = φ(w', [String(k)], ' ⋆ '].concat(input, [' + b', [String(k)], ')']));
      labelY(['y', [String(k)]]);
    }
    relabel(1);
    var shownLayer = 1;
    var belowNorm = svg('text', { class: 'uv-values uv-res-nodenorm', x: 90, y: 50, 'text-anchor': 'middle' }, block);
    var aboveNorm = svg('text', { class: 'uv-values uv-res-nodenorm', x: 840, y: 50, 'text-anchor': 'middle' }, block);
    var note = caption(host);

    var lastStep = -1;
    function gradientNormAt(id, s) {
      var g = id < 0 ? -1 : index.gradientAt(id, s);
      return g < 0 ? null : norm(model.values(g));
    }
    function show(text, n) { return n == null ? '' : text + ' = ' + api.format(n); }

    function update(s) {
      lastStep = s;
      if (s < 0 || s >= index.steps.length) return;
      var step = index.steps[s];
      var stack = stacks.filter(function (st) { return st.root === index.stepRoot[s]; })[0];
      var layer = null;
      if (stack) stack.layers.forEach(function (l) { if (l && l.steps.indexOf(s) >= 0) layer = l; });
      var backward = step.phase === 'backward';
      toggleClass(host, 'uv-backward', backward);
      points.forEach(function (p) {
        toggleClass(p.node, 'uv-lit', !!layer && p.line.stack === stack && p.layer === layer.k);
      });
      if (!layer) {
        band.setAttribute('visibility', 'hidden');
        heading.textContent = stack ? 'The ' + (stack.variant || 'stack') + ': not inside a layer at this step' : '';
        ['branch', 'identity'].forEach(function (name) { toggleClass(paths[name].group, 'uv-lit', false); setText(paths[name].label, ''); });
        setText(belowNorm, ''); setText(aboveNorm, '');
        setText(note, 'Go to a step inside a layer, or press a point of the chart, to see the block.');
        return;
      }
      band.setAttribute('x', xOf(layer.k) - 12);
      band.setAttribute('width', 24);
      band.setAttribute('visibility', 'visible');
      var k = layer.k, on = pathOf(index, layer, s);
      if (k !== shownLayer) { relabel(k); shownLayer = k; }
      heading.textContent = 'Layer ' + k + ' of the ' + (stack.variant || 'stack') + (layer.skip ? ' (with the skip)' : ' (no skip)') +
        (backward ? ': backward' : ': forward');
      toggleClass(block, 'uv-res-noskip', !layer.skip);
      toggleClass(paths.branch.group, 'uv-lit', on === 'branch' || on === 'both');
      toggleClass(paths.identity.group, 'uv-lit', layer.skip && (on === 'identity' || on === 'both'));
      // The two contributions to ∂L/∂y_{k−1}: what came back through F_k, and the skip's copy.
      var branchNorm = null, identityNorm = null;
      if (backward) {
        (index.gradientsOf[layer.below] || []).forEach(function (g) {
          if (g.step > s || layer.steps.indexOf(g.step) < 0) return;
          var via = pathOf(index, layer, g.step);
          if (via === 'branch') branchNorm = norm(model.values(g.id));
          if (via === 'identity') identityNorm = norm(model.values(g.id));
        });
      }
      setText(paths.branch.label, show('through F_' + k + ': ‖·‖', branchNorm));
      setText(paths.identity.label, layer.skip ? show('identity: ‖·‖', identityNorm) || 'identity: the input added unchanged' : 'no skip connection');
      var gBelow = backward ? gradientNormAt(layer.below, s) : null, gAbove = backward ? gradientNormAt(layer.y, s) : null;
      setText(belowNorm, show(k === 1 ? '‖∂L/∂x‖' : '‖∂L/∂y_' + (k - 1) + '‖', gBelow));
      setText(aboveNorm, show('‖∂L/∂y_' + k + '‖', gAbove));
      block.setAttribute('aria-label', heading.textContent + '. ' + [paths.branch.label.textContent, paths.identity.label.textContent]
        .filter(Boolean).join('; '));
      setText(note, !backward ? 'Forward: y_' + k + ' = ' + (layer.skip ? 'F_' + k + ' + y_' + (k - 1) : 'F_' + k) + '.'
        : on === 'identity' ? 'The skip hands ∂L/∂y_' + k + ' to y_' + (k - 1) + ' unchanged: the I in ∂y_k/∂y_{k−1} = ∂F_k/∂y_{k−1} + I.'
        : on === 'both' ? '∂L/∂y_' + (k - 1) + ' = (through F_' + k + ') + (identity): the two paths add.'
        : layer.skip ? 'The gradient goes back through the branch F_' + k + ' (φ, then the convolution).'
        : 'Without a skip, the only way down is through F_' + k + ': each layer multiplies the gradient by its Jacobian.');
    }
    return { update: update, destroy: function () { host.textContent = ''; } };
  }
})(window.Unrolled);
