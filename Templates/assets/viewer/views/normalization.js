/* Unrolled viewer, special view: which values share a mean and a variance in a normalization
   layer (view normalization). Shares U.viewKit (views/kit.js, loaded first), whose header lists
   the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, toNumber, exact, traceIndex, prepare, caption, setText, colour,
          suggests, hasScope } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The N×C×H×W input as a grid, N rows of samples by C columns of channels, each cell a block
     of its H×W values; one button per statistic (μ, σ²), and the cells that share the selected
     one lit, with μ, σ², and each member's x, x̂ and y beside. Four small N×C diagrams show what
     the same selection would be in each of the four modes. Declared: the scopes of kind
     normalization (mode, groups, phase: train or eval), and in each the tensors tagged input,
     mean, variance (running_mean, running_variance in eval), normalized and output. */

  views.push({
    id: 'normalization',
    title: 'Normalization',
    applies: function (model) { return suggests(model, 'normalization') && hasScope(model, 'normalization'); },
    create: createNormalization
  });

  var MODES = ['batch', 'layer', 'instance', 'group'];
  var SHARE = {
    batch: 'one μ and σ² per channel c, over its N·H·W values in every sample of the batch',
    layer: 'one μ and σ² per sample n, over its C·H·W values: every channel of that sample',
    instance: 'one μ and σ² per sample n and channel c, over that map\'s H·W values',
    group: 'one μ and σ² per sample n and group of C/G channels, over their (C/G)·H·W values'
  };

  // Which statistic element (x, n, c) belongs to, in `mode`: its index in μ's row-major data.
  function statOf(mode, n, c, N, C, G) {
    switch (mode) {
      case 'batch': return c;
      case 'layer': return n;
      case 'instance': return n * C + c;
      default: return n * G + Math.floor(c / (C / G));
    }
  }
  function statLabel(mode, k, N, C, G) {
    switch (mode) {
      case 'batch': return 'channel ' + (k + 1);
      case 'layer': return 'sample ' + (k + 1);
      case 'instance': return 'sample ' + (Math.floor(k / C) + 1) + ', channel ' + (k % C + 1);
      default: return 'sample ' + (Math.floor(k / G) + 1) + ', group ' + (k % G + 1);
    }
  }

  // Per normalization scope that is a root (training, evaluation): its declaration and tensors.
  function readLayers(index) {
    var layers = [];
    index.scopes.forEach(function (scope) {
      if (scope.kind !== 'normalization') return;
      var a = scope.attributes || {}, root = index.scopeRoot[scope.id], eval_ = a.phase === 'eval';
      var find = function (q) { return index.find(root, { quantity: q }); };
      var layer = { scope: scope.id, root: root, mode: a.mode, groups: a.groups || 1, phase: a.phase || null,
                    x: find('input'), mean: find(eval_ ? 'running_mean' : 'mean'),
                    variance: find(eval_ ? 'running_variance' : 'variance'), xhat: find('normalized'), y: find('output') };
      if (layer.x >= 0 && layer.mean >= 0 && layer.variance >= 0 && MODES.indexOf(layer.mode) >= 0) layers.push(layer);
    });
    return layers;
  }

  function createNormalization(host, model, api) {
    var index = traceIndex(model), layers = readLayers(index);
    host.classList.add('uv-view', 'uv-normalization');
    prepare(host, api);
    if (!layers.length) {
      setText(caption(host), 'No normalization layer with its statistics in this trace.');
      return { update: function () {}, destroy: function () {} };
    }
    var shape = index.tensors[layers[0].x].shape, N = shape[0], C = shape[1], H = shape[2] || 1, W = shape[3] || 1;
    var current = layers[0], selected = 0, lastStep = -1;

    var heading = html('p', { class: 'uv-norm-heading' }, host);
    var phases = null;
    if (layers.length > 1) {
      phases = html('div', { class: 'uv-norm-phases', role: 'group', 'aria-label': 'Which pass to show' }, host);
      layers.forEach(function (layer, i) {
        var b = html('button', { type: 'button', class: 'uv-norm-phase', 'data-phase': layer.phase || '' }, phases,
                     layer.phase === 'eval' ? 'evaluation: running statistics' : 'training: batch statistics');
        b.addEventListener('click', function () { show(i); });
      });
    }

    // ---- the grid: N rows × C columns, each cell an H×W block of squares
    var side = Math.max(10, Math.min(40, Math.floor(96 / Math.max(H, W)))), gap = 14, left = 78, top = 24;
    var cellW = W * side, cellH = H * side;
    var gridWidth = left + C * (cellW + gap);
    // Drawn at its natural size, scrolling sideways on a narrow screen rather than shrinking the numbers away.
    var grid = svg('svg', { class: 'uv-svg uv-norm-grid', viewBox: '0 0 ' + gridWidth + ' ' + (top + N * (cellH + gap)),
                            style: 'width:' + gridWidth + 'px', role: 'img' }, html('div', { class: 'uv-norm-scroll' }, host));
    for (var c0 = 0; c0 < C; c0++) svg('text', { class: 'uv-norm-axis', x: left + c0 * (cellW + gap) + cellW / 2, y: 16, 'text-anchor': 'middle' }, grid, 'channel ' + (c0 + 1));
    var squares = [], frames = [];
    var xs = model.values(layers[0].x), maxAbs = 0;
    for (var i = 0; i < xs.length; i++) maxAbs = Math.max(maxAbs, Math.abs(toNumber(xs[i])));
    for (var n = 0; n < N; n++) {
      svg('text', { class: 'uv-norm-axis', x: left - 8, y: top + n * (cellH + gap) + cellH / 2 + 4, 'text-anchor': 'end' }, grid, 'sample ' + (n + 1));
      for (var c = 0; c < C; c++) {
        var x0 = left + c * (cellW + gap), y0 = top + n * (cellH + gap);
        frames.push({ n: n, c: c, node: svg('rect', { class: 'uv-norm-frame', x: x0 - 3, y: y0 - 3, width: cellW + 6, height: cellH + 6, rx: 4 }, grid) });
        for (var h = 0; h < H; h++) for (var w = 0; w < W; w++) {
          var flat = ((n * C + c) * H + h) * W + w, v = toNumber(xs[flat]);
          var g = svg('g', { class: 'uv-norm-cell', 'data-n': n, 'data-c': c, 'data-h': h, 'data-w': w, 'data-value': exact(v) }, grid);
          svg('rect', { x: x0 + w * side, y: y0 + h * side, width: side, height: side, fill: colour(v, maxAbs) }, g);
          if (side >= 30) svg('text', { class: 'uv-norm-num', x: x0 + w * side + side / 2, y: y0 + h * side + side / 2 + 4, 'text-anchor': 'middle' }, g, api.format(v));
          squares.push({ n: n, c: c, flat: flat, node: g, value: v, where: 'x[' + (n + 1) + ', ' + (c + 1) + ', ' + (h + 1) + ', ' + (w + 1) + ']' });
        }
      }
    }

    // ---- the statistics: one button each, arrows move between them
    var statRow = html('div', { class: 'uv-norm-stats', role: 'toolbar', 'aria-label': 'The statistics: choose one to light the values that share it' }, host);
    var selection = html('div', { class: 'uv-norm-selected', 'aria-live': 'polite' }, host);
    var summary = html('p', { class: 'uv-norm-summary' }, selection);
    var members = html('table', { class: 'uv-norm-members' }, selection);
    var modes = html('div', { class: 'uv-norm-modes', role: 'group', 'aria-label': 'The same selection in the four modes' }, host);
    var note = caption(host);
    var details = html('details', { class: 'uv-norm-details' }, host);
    html('summary', null, details, 'Every value as a table');
    var table = html('table', { class: 'uv-norm-table' }, details);
    var buttons = [];

    function computed(id) { var p = index.producer[id]; return id >= 0 && (p == null || p < 0 || lastStep < 0 || p <= lastStep); }
    function number(id, flat) { return id < 0 ? NaN : toNumber(model.values(id)[flat]); }

    function show(which) {
      current = layers[which];
      var G = current.groups, count = { batch: C, layer: N, instance: N * C, group: N * G }[current.mode];
      statRow.textContent = '';
      buttons = [];
      html('span', { class: 'uv-norm-label' }, statRow, current.phase === 'eval' ? 'running μ, σ²: ' : 'μ, σ² of: ');
      for (var k = 0; k < count; k++) {
        var b = html('button', { type: 'button', class: 'uv-norm-stat', 'data-stat': k, 'data-mean': exact(number(current.mean, k)),
                                 'data-variance': exact(number(current.variance, k)), tabindex: '-1' }, statRow,
                     statLabel(current.mode, k, N, C, G));
        b.addEventListener('click', select.bind(null, k));
        b.addEventListener('keydown', onKey);
        buttons.push(b);
      }
      phases && Array.prototype.forEach.call(phases.children, function (b, i) { b.setAttribute('aria-pressed', String(i === which)); });
      host.setAttribute('data-mode', current.mode);
      host.setAttribute('data-phase', current.phase || '');
      heading.textContent = current.mode[0].toUpperCase() + current.mode.slice(1) + ' normalization' +
        (current.mode === 'group' ? ' in G = ' + G + ' groups' : '') + (current.phase === 'eval' ? ' (evaluation)' : current.phase ? ' (training)' : '') +
        ': ' + (current.phase === 'eval' ? 'the running μ and σ², one per channel, stand in for the batch\'s' : SHARE[current.mode]) + '.';
      grid.setAttribute('aria-label', 'The input, ' + N + ' samples by ' + C + ' channels of ' + H + '×' + W + ' values; the lit cells share the selected statistic');
      drawModes();
      fillTable();
      select(Math.min(selected, count - 1));
    }

    function onKey(event) {
      var k = selected + (event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0);
      if (k === selected || k < 0 || k >= buttons.length) return;
      event.preventDefault();
      select(k);
      buttons[k].focus();
    }

    function select(k) {
      selected = k;
      var G = current.groups, mode = current.mode;
      buttons.forEach(function (b, i) { b.setAttribute('aria-pressed', String(i === k)); b.setAttribute('tabindex', i === k ? '0' : '-1'); toggleClass(b, 'uv-lit', i === k); });
      squares.forEach(function (sq) { toggleClass(sq.node, 'uv-norm-lit', statOf(mode, sq.n, sq.c, N, C, G) === k); });
      frames.forEach(function (f) { toggleClass(f.node, 'uv-norm-lit', statOf(mode, f.n, f.c, N, C, G) === k); });
      var mu = number(current.mean, k), v = number(current.variance, k), ready = computed(current.mean) && computed(current.variance);
      var lit = squares.filter(function (sq) { return statOf(mode, sq.n, sq.c, N, C, G) === k; });
      summary.textContent = '';
      html('span', { class: 'uv-norm-mean', 'data-value': exact(mu), title: exact(mu) }, summary, (current.phase === 'eval' ? 'running μ = ' : 'μ = ') + api.format(mu));
      html('span', null, summary, ' · ');
      html('span', { class: 'uv-norm-variance', 'data-value': exact(v), title: exact(v) }, summary, (current.phase === 'eval' ? 'running σ² = ' : 'σ² = ') + api.format(v));
      html('span', null, summary, current.phase === 'eval' ? ' (from the training step\'s update), for ' + statLabel(mode, k, N, C, G) :
        ' over the ' + lit.length + ' lit values of ' + statLabel(mode, k, N, C, G));
      toggleClass(summary, 'uv-pending', !ready);
      members.textContent = '';
      var head = html('tr', null, html('thead', null, members));
      ['position', 'x', 'x̂ = (x − μ)/√(σ² + ε)', 'y = γx̂ + β'].forEach(function (t) { html('th', { scope: 'col' }, head, t); });
      var body = html('tbody', null, members);
      lit.forEach(function (sq) {
        var row = html('tr', { class: 'uv-norm-member', 'data-value': exact(sq.value), 'data-normalized': exact(number(current.xhat, sq.flat)) }, body);
        html('th', { scope: 'row' }, row, sq.where);
        [sq.value, number(current.xhat, sq.flat), number(current.y, sq.flat)].forEach(function (x, j) {
          var td = html('td', { title: exact(x) }, row, api.format(x));
          toggleClass(td, 'uv-pending', j > 0 && !computed(j === 1 ? current.xhat : current.y));
        });
      });
      squares.forEach(function (sq) {
        titled(sq.node, sq.where + ' = ' + exact(sq.value) + '; x̂ = ' + exact(number(current.xhat, sq.flat)) + '; shares the statistic of ' +
          statLabel(mode, statOf(mode, sq.n, sq.c, N, C, G), N, C, G));
      });
      highlightModes();
    }

    // ---- the four selections of the same tensor, as N×C diagrams (each square one H×W map)
    var minis = [];
    function drawModes() {
      modes.textContent = '';
      minis = [];
      var G = current.mode === 'group' ? current.groups : smallestDivisor(C);
      var s = Math.max(8, Math.min(18, Math.floor(120 / Math.max(N, C))));
      MODES.forEach(function (mode) {
        var figure = html('figure', { class: 'uv-norm-mode', 'data-mode': mode }, modes);
        toggleClass(figure, 'uv-lit', mode === current.mode);
        var pic = svg('svg', { class: 'uv-svg', viewBox: '0 0 ' + (C * s + 2) + ' ' + (N * s + 2), width: C * s + 2, height: N * s + 2, role: 'img',
                               'aria-label': mode + ' normalization: ' + SHARE[mode] }, figure);
        var cells = [];
        for (var n = 0; n < N; n++) for (var c = 0; c < C; c++) {
          cells.push({ n: n, c: c, node: svg('rect', { class: 'uv-norm-minicell', 'data-n': n, 'data-c': c, x: 1 + c * s, y: 1 + n * s, width: s - 2, height: s - 2 }, pic) });
        }
        html('figcaption', null, figure, mode + (mode === 'group' ? ' (G = ' + G + ')' : '') + (mode === current.mode ? ' — this trace' : ''));
        minis.push({ mode: mode, G: G, cells: cells });
      });
      setText(note, 'Each small diagram is the same ' + N + '×' + C + ' grid of maps: the lit maps are those the selected value\'s statistic would average in that mode. ' +
        'Batch norm needs the other samples of the batch (and keeps running statistics for evaluation); layer, instance and group norm use one sample only.');
    }
    function highlightModes() {
      // The selection's first member: its sample and channel decide the statistic in every mode.
      var first = squares.filter(function (sq) { return statOf(current.mode, sq.n, sq.c, N, C, current.groups) === selected; })[0];
      minis.forEach(function (mini) {
        var k = statOf(mini.mode, first.n, first.c, N, C, mini.G);
        mini.cells.forEach(function (cell) { toggleClass(cell.node, 'uv-norm-lit', statOf(mini.mode, cell.n, cell.c, N, C, mini.G) === k); });
      });
    }
    function smallestDivisor(c) { for (var d = 2; d <= c; d++) if (c % d === 0) return d; return 1; }

    function fillTable() {
      table.textContent = '';
      var head = html('tr', null, html('thead', null, table));
      ['sample', 'channel', 'row', 'column', 'x', 'statistic', 'x̂', 'y'].forEach(function (t) { html('th', { scope: 'col' }, head, t); });
      var body = html('tbody', null, table);
      squares.forEach(function (sq, i) {
        var row = html('tr', null, body), f = sq.flat;
        [sq.n + 1, sq.c + 1, Math.floor(f / W) % H + 1, f % W + 1].forEach(function (x) { html('td', null, row, String(x)); });
        html('td', { title: exact(sq.value) }, row, api.format(sq.value));
        html('td', null, row, statLabel(current.mode, statOf(current.mode, sq.n, sq.c, N, C, current.groups), N, C, current.groups));
        [number(current.xhat, f), number(current.y, f)].forEach(function (x) { html('td', { title: exact(x) }, row, api.format(x)); });
      });
    }

    function update(s) {
      lastStep = s;
      var root = s >= 0 && s < index.steps.length ? index.stepRoot[s] : -1;
      var which = layers.map(function (l) { return l.root; }).indexOf(root);
      if (which >= 0 && layers[which] !== current) show(which); else select(selected);
    }
    show(0);
    return { update: update, destroy: function () { host.textContent = ''; } };
  }
})(window.Unrolled);
