/* Unrolled viewer, special view: The unrolled network with the gradient norm per time step (view unrolled).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, toNumber, norm, exact, traceIndex, prepare, caption, setText, niceTicks,
          suggests, hasScope, hasTag, narrowPanel, unrolledLayouts, drawUnrolled } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The recurrent network as a row of cells t = 1…T (two rows for a bidirectional one),
     the current cell lit, and under it one bar per time step with ‖∂L/∂h_t‖ as far as the
     backward pass has computed it: the latest (accumulated) gradient of h_t made at or
     before the current step. The scale fits what is shown: the traced iteration's norms (all of
     its pass, so bars do not jump while stepping) or the history entry's; "same scale for every
     iteration" fixes it to every norm of the trace, so iterations compare.
     All of it declared: time_step scopes, the states tagged hidden_state (or a delay line's
     delay_line_output) with t and direction, and the history series of the states' gradient
     norms (one per direction, its tags naming it), which a slider shows per training iteration
     (traces recorded as history only, with no steps, show nothing else).
     Below 600 px of panel (a phone) the narrow drawing of views/unrolled-drawing.js replaces the wide
     one: the time steps stacked, both directions side by side, the bars lying; a legend says in words
     which bar is which direction's. */

  // What the state of a time step may be: its tag, its letter and the name of a row of them.
  var STATES = [{ quantity: 'hidden_state', letter: 'h', row: 'cells' },
                { quantity: 'delay_line_output', letter: 'ẑ', row: 'taps' }];

  views.push({
    id: 'unrolled',
    title: 'Unrolled',
    applies: function (model) {
      if (!suggests(model, 'unrolled')) return false;
      var stepwise = hasScope(model, 'time_step') && STATES.some(function (state) { return hasTag(model, state.quantity); });
      return stepwise || !!normSeries(model);
    },
    create: createUnrolled
  });

  // The history series of ‖∂L/∂h_t‖ (or ∂ẑ_t) per time step, by row ('' for a one-way network,
  // 'f' and 'b' for the directions their tags name), or null when the trace describes none.
  function normSeries(model) {
    var found = null;
    (Array.isArray(model.trace.series) ? model.trace.series : []).forEach(function (s) {
      if (!s || s.quantity !== 'gradient_norm' || s.axis !== 'time_step' || typeof s.key !== 'string') return;
      if (!STATES.some(function (state) { return state.quantity === s.of; })) return;
      var direction = s.tags && s.tags.direction;
      var row = direction === 'forward' ? 'f' : direction === 'backward' ? 'b' : '';
      found = found || {};
      if (!(row in found)) found[row] = s.key;
    });
    return found;
  }

  function createUnrolled(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-unrolled');
    var bidirectional = hasScope(model, 'direction');
    var dirs = bidirectional ? ['f', 'b'] : [''];
    // The series' key of each row; the entries that hold every row's norms.
    var series = normSeries(model) || {};
    var keys = {};
    dirs.forEach(function (d) { keys[d] = series[d]; });
    var history = (model.trace.history || []).filter(function (e) {
      return e.tensors && dirs.every(function (d) { return keys[d] && e.tensors[keys[d]]; });
    });
    var historyMode = index.steps.length === 0 && history.length > 0;

    var T = 0;
    for (var k = 0; k < index.scopes.length; k++) T = Math.max(T, index.scopeT[k]);
    if (historyMode) T = history[0].tensors[keys[dirs[0]]].shape.reduce(function (a, b) { return a * b; }, 1);

    // Per iteration (root scope): the state tensor of each (direction, t), the first step
    // of each cell, and which step makes which cell current.
    var roots = {}, kind = STATES[0], lossLetter = null;
    index.roots().forEach(function (root) {
      var entry = { state: {}, first: {} };
      dirs.forEach(function (d) {
        entry.state[d] = new Int32Array(T + 1).fill(-1);
        entry.first[d] = new Int32Array(T + 1).fill(-1);
        for (var t = 1; t <= T; t++) {
          var id = -1;
          for (var k = 0; k < STATES.length && id < 0; k++) {
            var tags = { quantity: STATES[k].quantity, t: t };
            if (d) tags.direction = d === 'f' ? 'forward' : 'backward';
            id = index.find(root, tags);
            if (id >= 0 && k > 0) kind = STATES[k];
          }
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

    // Norms, cached per gradient tensor. A range is the largest norm and the smallest positive
    // one of a set: every gradient of every state (`all`), those of one traced iteration
    // (`roots[r].range`), those of one history entry (`entryRange`).
    var normCache = {};
    function gradientNorm(id) {
      if (!(id in normCache)) normCache[id] = norm(model.values(id));
      return normCache[id];
    }
    function newRange() { return { max: 0, minPositive: Infinity }; }
    function consider(range, n) {
      if (n === n && n !== Infinity) {
        if (n > range.max) range.max = n;
        if (n > 0 && n < range.minPositive) range.minPositive = n;
      }
    }
    var all = newRange();
    Object.keys(roots).forEach(function (root) {
      var range = roots[root].range = newRange();
      dirs.forEach(function (d) {
        for (var t = 1; t <= T; t++) {
          var list = index.gradientsOf[roots[root].state[d][t]] || [];
          list.forEach(function (g) {
            consider(range, gradientNorm(g.id));
            consider(all, gradientNorm(g.id));
            if (lossLetter == null) lossLetter = index.lossName;
          });
        }
      });
    });
    var entryRanges = history.map(function (e) {
      var range = newRange();
      dirs.forEach(function (d) {
        e.tensors[keys[d]].data.forEach(function (x) { consider(range, toNumber(x)); consider(all, toNumber(x)); });
      });
      return range;
    });
    var maxNorm = all.max, minPositive = all.minPositive;   // the shown scale; `fitTo` changes it
    if (lossLetter == null) lossLetter = historyMode ? 'Q' : 'L';
    var quantity = '‖∂' + lossLetter + '/∂' + kind.letter + '_t‖';

    // ---- controls
    var controls = html('div', { class: 'uv-controls' }, host);
    var logLabel = html('label', null, controls);
    var logBox = html('input', { type: 'checkbox' }, logLabel);
    html('span', null, logLabel, 'log scale');
    logBox.checked = minPositive < Infinity && maxNorm / minPositive > 100;
    var fixedLabel = html('label', null, controls);
    var fixedBox = html('input', { type: 'checkbox', class: 'uv-fixed-scale' }, fixedLabel);
    html('span', null, fixedLabel, 'same scale for every iteration');
    // Iterations kept in history (gradient-flow): 1…n show that iteration's norms; 0, when
    // the trace has steps, shows the norms as far as the current step has computed them.
    var slider = null, sliderText = null;
    var fits = history.length && dirs.every(function (d) { return history[0].tensors[keys[d]].data.length === T; });
    if (fits) {
      var sliderLabel = html('label', null, controls);
      html('span', null, sliderLabel, 'norms of');
      slider = html('input', { type: 'range', min: historyMode ? 1 : 0, max: history.length,
                               value: historyMode ? history.length : 0, 'aria-label': 'training iteration of the norms (0: the current step)' }, sliderLabel);
      sliderText = html('output', null, sliderLabel);
    }

    // ---- the legend of the two directions' bars: their colours, and in words where each stands
    var legend = null;
    if (dirs.length > 1) {
      legend = html('ul', { class: 'uv-bar-legend', 'aria-label': "the bars' directions" }, host);
      dirs.forEach(function (d) {
        var item = html('li', { class: 'uv-bar-key', 'data-dir': d }, legend);
        var swatch = svg('svg', { class: 'uv-bar-swatch', viewBox: '0 0 12 12', 'aria-hidden': 'true' }, item);
        svg('rect', { class: 'uv-key-bar' + (d === 'b' ? ' uv-row-b' : ''), x: 1, y: 1, width: 10, height: 10 }, swatch);
        html('span', null, item);
      });
    }

    // ---- the drawing, wide or narrow
    var holder = html('div', { class: 'uv-unrolled-drawing' }, host);
    var layout = null, yAxis = null, units = {}, bars = {};
    var note = caption(host);

    // Draws the layout wanted (views/unrolled-drawing.js) and shows in it what was shown.
    function draw(wanted) {
      layout = wanted;
      var drawn = drawUnrolled(holder, layout, { T: T, dirs: dirs, quantity: quantity, inert: historyMode, go: goToCell });
      yAxis = drawn.yAxis; units = drawn.units; bars = drawn.bars;
      if (legend) {
        dirs.forEach(function (d, row) {
          legend.children[row].lastChild.textContent = (d === 'f' ? 'forward' : 'backward') + ' direction: the ' +
            layout.position[row] + ' bar of each t';
        });
      }
      drawn.figure.addEventListener('mouseover', hover);
      drawAxis();
    }

    function goToCell(d, t) {
      var entry = roots[currentRoot];
      if (entry && entry.first[d][t] >= 0) api.goTo(entry.first[d][t]);
    }

    // A bar's length in units, 0 to the layout's barLength, on the shown scale.
    function scaleY(n) {
      var full = layout.barLength;
      if (!(n > 0)) return 0;
      if (logBox.checked) {
        var lo = Math.log10(minPositive), hi = Math.log10(maxNorm);
        if (hi - lo < 1e-9) return full;
        return Math.max(2, full * (Math.log10(n) - lo) / (hi - lo) * 0.95 + full * 0.05);
      }
      return maxNorm > 0 ? full * Math.min(n, maxNorm) / maxNorm : 0;
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
        var step = Math.ceil(ticks.length / layout.logTicks);
        ticks = ticks.filter(function (_, i) { return i % step === 0; });
      } else {
        ticks = niceTicks(0, maxNorm, layout.linearTicks);
      }
      var spacing = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
      var decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(spacing))));
      ticks.forEach(function (v) {
        var tick = layout.valueTick(scaleY(v));
        svg('line', tick.line, yAxis);
        var text = logBox.checked || v === 0 || v < 1e-4 || v >= 1e5 ? api.format(v) : v.toFixed(decimals);
        svg('text', { x: tick.text.x, y: tick.text.y, 'text-anchor': tick.text.anchor }, yAxis, text);
      });
      svg('line', layout.valueAxis, yAxis);
    }

    // The scale of the shown norms (`range`), or of all of them when the reader fixed it; a
    // change redraws the axis, and the bars as they are next set.
    var scaleVersion = 0;
    function fitTo(range) {
      var wanted = fixedBox.checked || !range ? all : range;
      if (wanted.max === maxNorm && wanted.minPositive === minPositive) return;
      maxNorm = wanted.max; minPositive = wanted.minPositive;
      scaleVersion++;
      drawAxis();
    }

    function setBar(d, t, gradientId, n, fresh) {
      var bar = bars[d][t];
      var key = gradientId + (logBox.checked ? 'l' : 'n') + (fresh ? 'f' : '') + scaleVersion;
      if (bar.shown === key) return;
      bar.shown = key;
      var place = layout.bar(bar.row, t, n == null ? 0 : scaleY(n));
      for (var attribute in place) bar.rect.setAttribute(attribute, place[attribute]);
      toggleClass(bar.rect, 'uv-fresh', fresh);
      bar.norm = n;
      if (n == null) bar.rect.removeAttribute('data-norm');
      else bar.rect.setAttribute('data-norm', String(n));
    }

    // A bar's hover text is written when the pointer reaches it, not on every step: a jump
    // across the trace can change hundreds of bars at once.
    function hover(event) {
      var rect = event.target.closest && event.target.closest('.uv-bar');
      if (!rect) return;
      var d = rect.getAttribute('data-dir') || '', t = +rect.getAttribute('data-t'), n = bars[d][t].norm;
      titled(rect, quantity.replace('_t', '_' + t) + (d === 'f' ? ' (forward)' : d === 'b' ? ' (backward)' : '') +
             (n == null ? ': not computed yet' : ' = ' + api.format(n) + ' (' + exact(n) + ')'));
    }

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
      if (!fromHistory) fitTo(entry.range);
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
      var e = history[i], zeros = 0, ratios = [];
      fitTo(entryRanges[i]);
      dirs.forEach(function (d) {
        var data = e.tensors[keys[d]].data.map(toNumber);
        zeros += data.filter(function (x) { return x === 0; }).length;
        for (var t = 1; t <= T; t++) setBar(d, t, 'h' + i + d + '_' + t, data[t - 1], false);
        // The ratio along the way the gradient travels: from the last state a direction computes
        // back to its first (t = T to 1 forward, t = 1 to T backward).
        var first = d === 'b' ? T : 1, last = d === 'b' ? 1 : T;
        ratios.push(quantity.replace('_t', '_' + first) + ' / ' + quantity.replace('_t', '_' + last) + ' = ' +
          api.format(data[first - 1] / data[last - 1]) + (d === 'f' ? ' forward' : d === 'b' ? ' backward' : ''));
      });
      setText(sliderText, 'iteration ' + e.iteration);
      setText(note, quantity + ' of training iteration ' + e.iteration + ' of ' + history[history.length - 1].iteration +
        ' (loss ' + api.format(toNumber(e.loss)) + '); ' + ratios.join(', ') +
        (zeros ? '; ' + zeros + ' time step' + (zeros === 1 ? ' has' : 's have') + ' a gradient of exactly 0' : '') + '.');
    }

    // The slider is the viewer's history position (api.state.history, an index into
    // trace.history), shared with the other views: it shows the last iteration with norms at
    // or before that entry; none set, the current step (or, without steps, the last iteration).
    var entries = model.trace.history || [];
    function sliderAt(position) {
      if (position == null) return historyMode ? history.length : 0;
      var j = historyMode ? 1 : 0;
      while (j < history.length && entries.indexOf(history[j]) <= position) j++;
      return j;
    }
    var unsubscribe = function () {};
    if (slider) {
      slider.addEventListener('input', function () {
        var j = +slider.value;
        api.state.set({ history: j === 0 ? null : entries.indexOf(history[j - 1]) });
      });
      unsubscribe = api.state.subscribe(function (changed) {
        if (!changed.history) return;
        slider.value = sliderAt(api.state.history);
        update(lastStep);
      });
      slider.value = sliderAt(api.state.history);
    }
    logBox.addEventListener('change', function () { drawAxis(); update(lastStep); });
    fixedBox.addEventListener('change', function () { update(lastStep); });
    // Below 600 px of panel (a phone) the narrow drawing; a resize across it draws the other one,
    // showing the same step or iteration. A hidden panel (no width) keeps its drawing.
    function wanted() { return (narrowPanel(host) ? unrolledLayouts.narrow : unrolledLayouts.wide)(T, dirs, { row: kind.row, quantity: quantity }); }
    draw(wanted());
    var resize = typeof ResizeObserver === 'function' ? new ResizeObserver(function () {
      if (host.clientWidth === 0 || narrowPanel(host) === layout.narrow) return;
      draw(wanted());
      update(lastStep);
    }) : null;
    if (resize) resize.observe(host);
    if (historyMode) showHistory(+slider.value - 1);
    return { update: update, destroy: function () { unsubscribe(); if (resize) resize.disconnect(); host.textContent = ''; } };
  }
})(window.Unrolled);
