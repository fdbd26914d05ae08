/* Unrolled viewer, special view: The gradient norm per layer with and without skip connections (view residual).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, toNumber, norm, exact, traceIndex, prepare, caption, setText,
          suggests, hasScope, narrowPanel } = U.viewKit;
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

  /* The chart's geometry: wide, and narrow for a panel under 600 px (a phone), 350 units whose texts,
     13 units or more, are drawn at 11 px or more down to a 308 px panel; every layer numbered up to
     `everyLayer` layers, else the first and every fifth. */
  var CHART = {
    wide: { W: 900, H: 310, left: 70, right: 130, top: 28, bottom: 42, inner: 18, title: [8, 12], everyLayer: 20 },
    narrow: { W: 350, H: 250, left: 50, right: 72, top: 34, bottom: 40, inner: 12, title: [4, 16], everyLayer: 10 }
  };
  /* The block's: boxes [x, y, width, height], the + at its centre, the paths' outlines and where their
     labels go [x, y, anchor]. Wide, left to right with the identity under the branch; narrow (a phone),
     bottom to top with the identity on the right, its heading on two lines. */
  var BLOCK = {
    wide: { width: 900, height: 190, heading: [10, 18, 0], below: [30, 60, 120, 40], F: [330, 55, 240, 50], out: [790, 60, 100, 40],
            plus: [730, 80], join: 'M750 80 H790', branch: 'M150 80 H330 M570 80 H700', identity: 'M110 100 V160 H730 V100',
            branchLabel: [440, 40, 'middle'], identityLabel: [440, 178, 'middle'], belowNorm: [90, 50, 'middle'], aboveNorm: [840, 50, 'middle'] },
    narrow: { width: 350, height: 342, heading: [4, 18, 18], below: [50, 262, 100, 36], F: [10, 172, 180, 44], out: [50, 52, 100, 36],
              plus: [100, 122], join: 'M100 102 V88', branch: 'M100 262 V216 M100 172 V142', identity: 'M100 298 V314 H320 V122 H120',
              branchLabel: [110, 246, 'start'], identityLabel: [210, 334, 'middle'], belowNorm: [160, 285, 'start'], aboveNorm: [160, 75, 'start'] }
  };

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

    // ---- the chart, wide or narrow (CHART)
    var chartHolder = html('div', { class: 'uv-res-chart-holder' }, host);
    var g = null, band = null, points = [];
    function xOf(k) { return g.left + g.inner + (L > 1 ? (k - 1) / (L - 1) : 0.5) * (g.W - g.left - g.right - g.inner); }
    function yOf(n) { return g.H - g.bottom - (Math.log10(n) - e0) / (e1 - e0) * (g.H - g.top - g.bottom); }
    function drawChart(narrow) {
      g = CHART[narrow ? 'narrow' : 'wide'];
      var W = g.W, H = g.H, left = g.left, right = g.right, top = g.top, bottom = g.bottom;
      chartHolder.textContent = '';
      points = [];
      var chart = svg('svg', { class: 'uv-svg uv-res-chart' + (narrow ? ' uv-narrow' : ''), viewBox: '0 0 ' + W + ' ' + H, role: 'group',
                               'aria-label': 'The gradient norm per layer, log scale, for ' +
                               lines.map(function (l) { return l.label; }).join(' and ') }, chartHolder);
      band = svg('rect', { class: 'uv-res-band', y: top, height: H - top - bottom, width: 0, visibility: 'hidden' }, chart);
      var axis = svg('g', { class: 'uv-axis' }, chart);
      svg('line', { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }, axis);
      svg('line', { x1: left, y1: top, x2: left, y2: H - bottom }, axis);
      var every = Math.ceil((e1 - e0) / 8);
      for (var e = e0; e <= e1; e += every) {
        svg('line', { x1: left - 4, y1: yOf(Math.pow(10, e)), x2: left, y2: yOf(Math.pow(10, e)) }, axis);
        svg('text', { x: left - 6, y: yOf(Math.pow(10, e)) + 4, 'text-anchor': 'end' }, axis, api.format(Math.pow(10, e)));
      }
      for (var k = 1; k <= L; k++) {
        if (L <= g.everyLayer || k === 1 || k % 5 === 0) svg('text', { x: xOf(k), y: H - bottom + 16, 'text-anchor': 'middle' }, axis, String(k));
      }
      svg('text', { x: left + (W - left - right) / 2, y: H - 6, 'text-anchor': 'middle' }, axis, 'layer k');
      svg('text', { x: g.title[0], y: g.title[1] }, axis, '‖∂L/∂y_k‖ (log scale)');
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
    }

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

    // ---- one block, its two paths, wide or narrow (BLOCK)
    var blockHolder = html('div', { class: 'uv-res-block-holder' }, host);
    var block = null, heading = null, paths = null, relabel = null, belowNorm = null, aboveNorm = null, shownLayer = 1;
    function drawBlock(narrow) {
      var b = BLOCK[narrow ? 'narrow' : 'wide'];
      blockHolder.textContent = '';
      block = svg('svg', { class: 'uv-svg uv-res-block' + (narrow ? ' uv-narrow' : ''), viewBox: '0 0 ' + b.width + ' ' + b.height, role: 'img' }, blockHolder);
      heading = svg('text', { class: 'uv-res-heading', x: b.heading[0], y: b.heading[1] }, block);
      heading.lineHeight = b.heading[2];
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
      function node(box) {
        var x = box[0], y = box[1], w = box[2], h = box[3], group = svg('g', { class: 'uv-node' }, block), label = null;
        svg('rect', { x: x, y: y, width: w, height: h, rx: 6 }, group);
        return function (parts) {
          if (label) group.removeChild(label);
          label = rich(group, { class: 'uv-nodelabel', x: x + w / 2, y: y + h / 2 + 5 }, parts);
        };
      }
      function path(name, d, at) {
        var group = svg('g', { class: 'uv-res-path', 'data-path': name }, block);
        svg('path', { class: 'uv-line', d: d }, group);
        var label = svg('text', { class: 'uv-values uv-res-pathnorm', 'data-path': name, x: at[0], y: at[1], 'text-anchor': at[2] }, group);
        return { group: group, label: label };
      }
      paths = { branch: path('branch', b.branch, b.branchLabel), identity: path('identity', b.identity, b.identityLabel) };
      svg('path', { class: 'uv-line', d: b.join }, block);   // + → y_k, where both paths have met
      var labelBelow = node(b.below), labelF = node(b.F), labelY = node(b.out);
      var plus = svg('g', { class: 'uv-node uv-res-plus' }, block);
      svg('circle', { cx: b.plus[0], cy: b.plus[1], r: 20 }, plus);
      svg('text', { class: 'uv-nodelabel', x: b.plus[0], y: b.plus[1] + 6 }, plus, '+');
      relabel = function (k) {
        var input = k === 1 ? ['x'] : ['y', [String(k - 1)]];
        labelBelow(input);
        labelF(['F', [String(k)], ' = φ(w', [String(k)], ' ⋆ '].concat(input, [' + b', [String(k)], ')']));
        labelY(['y', [String(k)]]);
        shownLayer = k;
      };
      relabel(shownLayer);
      belowNorm = svg('text', { class: 'uv-values uv-res-nodenorm', x: b.belowNorm[0], y: b.belowNorm[1], 'text-anchor': b.belowNorm[2] }, block);
      aboveNorm = svg('text', { class: 'uv-values uv-res-nodenorm', x: b.aboveNorm[0], y: b.aboveNorm[1], 'text-anchor': b.aboveNorm[2] }, block);
    }
    // The heading: one line, or on a phone two (the layer; the path and the phase).
    function setHeading(first, second) {
      heading.textContent = '';
      if (!heading.lineHeight) { heading.textContent = first + (second ? ' ' + second : ''); return; }
      svg('tspan', { x: heading.getAttribute('x') }, heading, first);
      if (second) svg('tspan', { x: heading.getAttribute('x'), dy: heading.lineHeight }, heading, second);
    }
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
        if (stack) setHeading('The ' + (stack.variant || 'stack') + ':', 'not inside a layer at this step'); else setHeading('', '');
        ['branch', 'identity'].forEach(function (name) { toggleClass(paths[name].group, 'uv-lit', false); setText(paths[name].label, ''); });
        setText(belowNorm, ''); setText(aboveNorm, '');
        setText(note, 'Go to a step inside a layer, or press a point of the chart, to see the block.');
        return;
      }
      band.setAttribute('x', xOf(layer.k) - 12);
      band.setAttribute('width', 24);
      band.setAttribute('visibility', 'visible');
      var k = layer.k, on = pathOf(index, layer, s);
      if (k !== shownLayer) relabel(k);
      var title = ['Layer ' + k + ' of the ' + (stack.variant || 'stack'), (layer.skip ? '(with the skip)' : '(no skip)') +
        (backward ? ': backward' : ': forward')];
      setHeading(title[0], title[1]);
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
      block.setAttribute('aria-label', title.join(' ') + '. ' + [paths.branch.label.textContent, paths.identity.label.textContent]
        .filter(Boolean).join('; '));
      setText(note, !backward ? 'Forward: y_' + k + ' = ' + (layer.skip ? 'F_' + k + ' + y_' + (k - 1) : 'F_' + k) + '.'
        : on === 'identity' ? 'The skip hands ∂L/∂y_' + k + ' to y_' + (k - 1) + ' unchanged: the I in ∂y_k/∂y_{k−1} = ∂F_k/∂y_{k−1} + I.'
        : on === 'both' ? '∂L/∂y_' + (k - 1) + ' = (through F_' + k + ') + (identity): the two paths add.'
        : layer.skip ? 'The gradient goes back through the branch F_' + k + ' (φ, then the convolution).'
        : 'Without a skip, the only way down is through F_' + k + ': each layer multiplies the gradient by its Jacobian.');
    }
    // Below 600 px of panel (a phone) the narrow chart and block; a resize across it draws the others.
    var narrow = narrowPanel(host);
    drawChart(narrow);
    drawBlock(narrow);
    var resize = typeof ResizeObserver === 'function' ? new ResizeObserver(function () {
      if (host.clientWidth === 0 || narrowPanel(host) === narrow) return;
      narrow = !narrow;
      drawChart(narrow);
      drawBlock(narrow);
      if (lastStep >= 0) update(lastStep);
    }) : null;
    if (resize) resize.observe(host);
    return { update: update, destroy: function () { if (resize) resize.disconnect(); host.textContent = ''; } };
  }
})(window.Unrolled);
