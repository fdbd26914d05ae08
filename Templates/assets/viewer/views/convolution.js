/* Unrolled viewer, special view: one output element of an image op worked out on grids (view
   convolution). Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests
   rely on; what an element reads comes from U.imageWork (viewer-provenance-image.js), the same
   terms the provenance panel writes out. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, exact, traceIndex, prepare, caption, setText, hasTag, nameText, narrowPanel,
          historyControl, convolutionHistory } = U.viewKit;
  var views = (U.views = U.views || []);

  /* For the step the viewer is at when it is an image op (conv2d, conv2d_weight,
     conv_transpose2d, pooling …), else the last conv2d before it: the input plane the selected
     output element reads, with its zero padding as a ring of dashed cells and the window's taps
     lit (the kernel value written in each: stride and dilation show as which cells are lit),
     the kernel (or the other operand) with the taps used lit, the output plane with the
     element selected, and every product and the running sum written out, + b = the element;
     after a conv2d, its ReLU and the pool window it falls in. Click an output cell or use the
     arrow keys to select; Play slides the window. With the history slider at a recorded epoch,
     the same work on that epoch's kernel, bias and maps (views/convolution-epoch.js): a forward
     op only, since the history keeps no gradients. */

  views.push({
    id: 'convolution',
    title: 'Convolution',
    // A conv2d step, and a declaration: the trace lists this view, or tags a kernel (a trace
    // without declarations gets no special view).
    applies: function (model) {
      var views = model.trace.views;
      var declared = Array.isArray(views) ? views.indexOf('convolution') >= 0 : hasTag(model, 'kernel');
      return declared && (model.trace.steps || []).some(function (s) { return s.op === 'conv2d'; });
    },
    create: createConvolution
  });

  var OP_TEXT = {
    conv2d: 'convolution', conv_transpose2d: 'transposed convolution (∂X)', conv2d_weight: 'kernel gradient (∂W)',
    max_pool2d: 'max pool', avg_pool2d: 'average pool', max_pool2d_backward: 'max pool, backward',
    avg_pool2d_backward: 'average pool, backward', upsample_nearest2d: 'nearest upsampling',
    upsample_nearest2d_backward: 'nearest upsampling, backward'
  };
  // What the three grids are, per op (the data-role hooks stay input, kernel, output).
  var ROLES = {
    conv2d: ['input', 'kernel', 'output'], conv_transpose2d: ['output gradient', 'kernel', 'input gradient'],
    conv2d_weight: ['input', 'output gradient', 'kernel gradient'], max_pool2d_backward: ['output gradient', '', 'input gradient'],
    avg_pool2d_backward: ['output gradient', '', 'input gradient'], upsample_nearest2d_backward: ['output gradient', '', 'input gradient']
  };
  var PADDED = { conv2d: true, conv2d_weight: true, max_pool2d: true, avg_pool2d: true };
  var MAX_LINES = 200;

  function createConvolution(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-convolution');
    var imageSteps = [];
    index.steps.forEach(function (step, s) { if (U.imageOps.indexOf(step.op) >= 0) imageSteps.push(s); });

    var controls = html('div', { class: 'uv-controls' }, host);
    var stepLabel = html('label', null, controls);
    html('span', null, stepLabel, 'step');
    var stepSelect = html('select', { class: 'uv-conv-step', 'aria-label': 'image step to work out' }, stepLabel);
    imageSteps.forEach(function (s) {
      var step = index.steps[s];
      html('option', { value: s }, stepSelect, (s + 1) + ': ' + (OP_TEXT[step.op] || step.op) + ' → ' + nameText(index.tensors[step.output]));
    });
    var planeLabel = html('label', null, controls);
    html('span', null, planeLabel, 'input channel');
    var planeSelect = html('select', { class: 'uv-conv-plane', 'aria-label': 'input channel shown' }, planeLabel);
    var outLabel = html('label', null, controls);
    html('span', null, outLabel, 'output channel');
    var outSelect = html('select', { class: 'uv-conv-outchannel', 'aria-label': 'output channel' }, outLabel);
    var play = html('button', { type: 'button', class: 'uv-conv-play' }, controls, api.reducedMotion ? 'Next position' : 'Play');
    // The model after a recorded epoch, when the history keeps what a convolution reads.
    var past = convolutionHistory(model), sources = new Map();
    var control = past.entries.length ? historyControl(host, api, past, function () { if (current) show(shown, true); }) : null;
    var equation = html('p', { class: 'uv-conv-where' }, host);
    var figure = html('div', { class: 'uv-conv-grids' }, host);
    var work = html('div', { class: 'uv-conv-work' }, host);
    var note = caption(host);
    note.setAttribute('aria-live', 'polite');   // says the selected element and its value as the window moves

    var shown = -1, flat = 0, plane = 0, pinned = false, timer = null, current = null, narrow = false;
    // A phone turned sideways, a window made narrow: the grids drawn again for the new width.
    var resize = typeof ResizeObserver === 'function' ? new ResizeObserver(function () {
      if (current && narrow !== narrowPanel(host)) draw(planes(current.work)[plane]);
    }) : null;
    if (resize) resize.observe(host);

    function stepFor(s) {
      if (!pinned && imageSteps.indexOf(s) >= 0) return s;
      if (pinned) return shown;
      var best = -1;
      imageSteps.forEach(function (k) { if (index.steps[k].op === 'conv2d' && (k <= s || best < 0)) best = k; });
      return best;
    }

    function planes(w) {
      var list = [];
      w.terms.forEach(function (t) { var key = t.a.pos[0] + ',' + t.a.pos[1]; if (list.indexOf(key) < 0) list.push(key); });
      return list;
    }

    /* Step `s` (the one asked for), drawn from the traced values or, at a recorded epoch, from the
       epoch's: its forward op when `s` is a gradient's, and the traced step when the entry lacks
       what the op reads (`epoch` says why). */
    function show(s, keepPlace) {
      var entry = control && control.entry(), src = model, d = s, epoch = null;
      if (entry) {
        if (!sources.has(entry)) sources.set(entry, past.source(entry));
        d = past.forwardOf(s);
        epoch = { entry: entry, why: d !== s ? 'gradient' : '' };
        if (past.holds(sources.get(entry), d)) src = sources.get(entry);
        else { d = s; epoch.why = 'lacks'; }
      }
      var out = index.tensors[index.steps[d].output];
      shown = s;
      if (!current || d !== current.step) {
        var old = current ? U.unravel(flat, current.out.shape) : null;
        flat = 0;
        if (keepPlace && old && old.length === out.shape.length && old.every(function (v, k) { return v < out.shape[k]; })) {
          flat = U.provenance.ravel(old, out.shape);
        }
        stepSelect.value = String(d);
        outSelect.textContent = '';
        for (var c = 0; c < out.shape[1]; c++) html('option', { value: c }, outSelect, String(c + 1));
      }
      if (src !== model && past.item) {   // the history keeps one image of the batch
        var at = U.unravel(flat, out.shape);
        at[0] = past.item - 1;
        flat = U.provenance.ravel(at, out.shape);
      }
      current = { step: d, op: index.steps[d].op, out: out, src: src, epoch: epoch, work: U.imageWork(src, d, flat) };
      var list = planes(current.work);
      if (plane >= list.length) plane = 0;
      planeSelect.textContent = '';
      list.forEach(function (key, k) {
        var pos = key.split(',').map(Number);
        html('option', { value: k }, planeSelect, String(pos[1] + 1) + (pos[0] ? ' (sample ' + (pos[0] + 1) + ')' : ''));
      });
      planeSelect.value = String(plane);
      planeLabel.style.display = list.length < 2 ? 'none' : '';
      outLabel.style.display = out.shape[1] < 2 ? 'none' : '';
      outSelect.value = String(U.unravel(flat, out.shape)[1]);
      draw(list[plane]);
    }

    function draw(planeKey) {
      var step = index.steps[current.step], w = current.work, idx = U.unravel(flat, current.out.shape);
      figure.textContent = '';
      narrow = narrowPanel(host);
      host.setAttribute('data-step', String(current.step));
      host.setAttribute('data-element', idx.join(','));
      host.setAttribute('data-iteration', current.src !== model ? String(current.epoch.entry.iteration) : '');
      toggleClass(host, 'uv-backward', step.phase === 'backward');
      var inPlane = w.terms.filter(function (t) { return t.a.pos[0] + ',' + t.a.pos[1] === planeKey; });
      var aTensor = index.tensors[step.inputs[w.terms.length ? w.terms[0].a.input : 0]];
      var pad = PADDED[step.op] ? (step.attrs.padding || [0, 0]) : [0, 0];
      var aPos = planeKey ? planeKey.split(',').map(Number) : [idx[0], 0];
      var lit = {};
      inPlane.forEach(function (t) { lit[t.a.pos[2] + ',' + t.a.pos[3]] = t; });
      grid('input', aTensor, aPos, pad, lit, function (t) { return t.b ? t.b.v : null; });
      var withB = inPlane.filter(function (t) { return t.b; });
      if (withB.length) {
        var bTensor = index.tensors[step.inputs[withB[0].b.input]], bLit = {};
        withB.forEach(function (t) { bLit[t.b.pos[2] + ',' + t.b.pos[3]] = t; });
        grid('kernel', bTensor, withB[0].b.pos.slice(0, 2), [0, 0], bLit, null);
      }
      var outLit = {};
      outLit[idx[2] + ',' + idx[3]] = true;
      grid('output', current.out, idx.slice(0, 2), [0, 0], outLit, null, true);
      writeWork(step, w, idx);
    }

    /* One plane of a 4-d tensor as a grid of cells (value, colour), with a ring of `pad`
       padding cells; `lit` cells are outlined, and `overlay(term)` writes a small number in them. */
    function grid(role, tensor, at, pad, lit, overlay, clickable) {
      var H = tensor.shape[2], W = tensor.shape[3], values = current.src.values(tensor.id);
      var rows = H + 2 * pad[0], cols = W + 2 * pad[1];
      // Cells of 60 px, wide enough for "−0.00308" in 11.5 px and a tap ("×−0.0724") in 11.2 px. On a
      // phone (a panel under 600 px) a grid wider than the panel scrolls in its own box; wider, a grid
      // wider than its panel shrinks to fit it (docs/viewer.md).
      var fit = !narrow, cell = 60, font = '11.5', tapFont = '11.2';
      var box = html('figure', { class: 'uv-conv-box' }, figure);
      // A grid that scrolls is a stop for the keyboard, so that the arrow keys scroll it.
      if (!fit && !clickable && (cols * cell + 2) > host.clientWidth) box.tabIndex = 0;
      var name = nameText(tensor, '[' + (at[0] + 1) + ',' + (at[1] + 1) + ']');
      var roles = ROLES[current.op] || ['input', 'kernel', 'output'];
      html('figcaption', null, box, roles[['input', 'kernel', 'output'].indexOf(role)] + ' ' + name + (pad[0] || pad[1] ? ', zero padding ' + pad.join('×') : ''));
      var maxAbs = 0;
      for (var q = 0; q < values.length; q++) if (isFinite(values[q])) maxAbs = Math.max(maxAbs, Math.abs(values[q]));
      var sv = svg('svg', { class: 'uv-svg uv-conv-grid', 'data-role': role, 'data-tensor-id': tensor.id,
                            viewBox: '0 0 ' + (cols * cell + 2) + ' ' + (rows * cell + 2), style: 'width:' + (cols * cell + 2) + 'px' + (fit ? '; max-width: 100%' : ''),
                            role: 'img', 'aria-label': role + ' ' + name + ', ' + H + ' by ' + W }, box);
      for (var r = -pad[0]; r < H + pad[0]; r++) {
        for (var c = -pad[1]; c < W + pad[1]; c++) {
          var inside = r >= 0 && r < H && c >= 0 && c < W;
          var v = inside ? values[U.provenance.ravel([at[0], at[1], r, c], tensor.shape)] : 0;
          var key = r + ',' + c, term = lit[key];
          var g = svg('g', { class: 'uv-conv-cell' + (inside ? '' : ' uv-conv-pad') + (term ? ' uv-conv-window' : ''),
                             'data-row': r, 'data-col': c, 'data-value': exact(v) }, sv);
          var x = (c + pad[1]) * cell + 1, y = (r + pad[0]) * cell + 1;
          svg('rect', { class: 'uv-conv-rect', x: x, y: y, width: cell, height: cell, fill: inside ? api.colour(v, maxAbs) : 'none' }, g);
          var k = term && overlay ? overlay(term) : null;
          // With a kernel value to overlay, the cell's own value moves up and the tap goes under it.
          svg('text', { class: 'uv-conv-value', x: x + cell / 2, y: y + (k != null ? cell * 0.42 : cell / 2 + cell * 0.1), 'font-size': font }, g, api.format(v));
          if (k != null) {
            g.setAttribute('data-kernel', exact(k));
            svg('text', { class: 'uv-conv-overlay', x: x + cell / 2, y: y + cell * 0.84, 'font-size': tapFont }, g, '×' + api.format(k));
          }
          titled(g, (inside ? nameText(tensor, '[' + (at[0] + 1) + ',' + (at[1] + 1) + ',' + (r + 1) + ',' + (c + 1) + ']') + ' = ' + exact(v) : 'zero padding') +
                 (k != null ? ', times ' + exact(k) : ''));
          if (clickable) {
            g.addEventListener('click', select.bind(null, r, c));
          }
        }
      }
      if (clickable) {
        sv.setAttribute('tabindex', '0');
        sv.setAttribute('role', 'group');   // focusable and operated by keys: not a plain image
        sv.setAttribute('aria-label', 'output ' + name + ': arrow keys move the selected element (row, column)');
        sv.addEventListener('keydown', keys);
      }
    }

    function select(r, c) {
      var idx = U.unravel(flat, current.out.shape);
      idx[2] = r; idx[3] = c;
      flat = U.provenance.ravel(idx, current.out.shape);
      show(shown);
      var focus = figure.querySelector('.uv-conv-grid[data-role="output"]');
      if (focus) focus.focus();
    }

    function keys(e) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }, m = moves[e.key];
      if (!m) return;
      e.preventDefault();
      e.stopPropagation();
      var idx = U.unravel(flat, current.out.shape);
      var r = Math.min(current.out.shape[2] - 1, Math.max(0, idx[2] + m[0])), c = Math.min(current.out.shape[3] - 1, Math.max(0, idx[3] + m[1]));
      select(r, c);
    }

    // "x × k + … = s", "+ b = y", then the stages a conv2d's element goes on to.
    function writeWork(step, w, idx) {
      work.textContent = '';
      var out = current.out, label = nameText(out, '[' + idx.map(function (i) { return i + 1; }).join(',') + ']');
      var list = html('ol', { class: 'uv-conv-terms', 'aria-label': 'the terms of ' + label }, work);
      var running = 0;
      w.terms.forEach(function (t, q) {
        running += t.v;
        if (q >= MAX_LINES) return;
        var li = html('li', { class: 'uv-conv-term', 'data-a': exact(t.a.v), 'data-product': exact(t.v), 'data-sum': exact(running) }, list);
        if (t.b) li.setAttribute('data-b', exact(t.b.v));
        var text = (t.a.pad ? '0 (padding)' : api.format(t.a.v)) + (t.b ? ' × ' + api.format(t.b.v) : t.divisor ? ' / ' + t.divisor : '');
        if (w.kind === 'max') text += q === w.chosen ? '   ← the maximum' : '';
        else text += (t.b || t.divisor ? ' = ' + api.format(t.v) : '') + '   Σ = ' + api.format(running);
        toggleClass(li, 'uv-conv-chosen', w.kind === 'max' && q === w.chosen);
        li.textContent = text;
      });
      if (w.terms.length > MAX_LINES) html('p', null, work, '… and ' + (w.terms.length - MAX_LINES) + ' more terms (all of them are in the sum).');
      var total = html('p', { class: 'uv-conv-total' }, work);
      if (w.kind === 'max') {
        total.textContent = 'max of the ' + w.terms.length + ' values = ' + api.format(w.value);
      } else if (w.kind === 'mean') {
        total.textContent = 'sum ' + api.format(w.sum) + ' / ' + w.divisor + ' = ' + api.format(w.value);
      } else {
        html('span', { class: 'uv-conv-sum', 'data-value': exact(w.sum) }, total, w.terms.map(function (t) { return signed(t.v); }).slice(0, 12).join(' + ') +
             (w.terms.length > 12 ? ' + …' : '') + ' = ' + api.format(w.sum));
        if (w.bias) {
          html('br', null, total);
          html('span', { class: 'uv-conv-bias', 'data-value': exact(w.bias.v) }, total, 'then + b: ' + api.format(w.sum) + ' + ' + signed(w.bias.v));
        }
      }
      var y = current.src.values(out.id)[flat];
      html('span', { class: 'uv-conv-result', 'data-value': exact(y) }, total, ' = ' + api.format(y) + ' = ' + label);
      if (step.op === 'conv2d') after(out, idx);
      var g = step.attrs;
      setText(equation, (OP_TEXT[step.op] || step.op) + (g.stride ? ': stride ' + g.stride.join('×') + ', padding ' + (g.padding || [0, 0]).join('×') +
              (g.dilation ? ', dilation ' + g.dilation.join('×') : '') + (g.groups ? ', groups ' + g.groups : '') : g.kernel ? ': window ' + g.kernel.join('×') : ''));
      setText(note, epochText() + label + ' = ' + api.format(y) + ', from ' + w.terms.length + ' terms. ' +
              'Click an output cell or use the arrow keys on the output grid. Dashed cells are the zero padding; outlined cells are the ones this element reads' +
              (w.terms.some(function (t) { return t.b; }) ? ', with the number they are multiplied by.' : '.'));
    }

    // At an epoch, what the numbers are (and why the step shown is not the one asked for).
    function epochText() {
      var e = current.epoch;
      if (!e) return '';
      var when = past.unit + ' ' + e.entry.iteration;
      if (e.why === 'lacks') return 'The history keeps no values after ' + when + ' for this step: the traced values. ';
      return 'After ' + when + (past.item ? ', image ' + past.item + ' of the batch' : '') + ': ' +
        (e.why === 'gradient' ? 'the history keeps no gradients, so this is the forward step of the gradient asked for (step ' + (shown + 1) + '). ' : '');
    }

    /* After a conv2d: the ReLU of the element and the pool window it falls in (found as the
       steps that read the conv2d's output, then the ReLU's), when the values shown hold them. */
    function after(out, idx) {
      var src = current.src, next = consumer(out.id, ['relu']), value = src.values(out.id)[flat], from = out;
      if (next >= 0 && src.values(index.steps[next].output)) {
        var a = index.tensors[index.steps[next].output], av = src.values(a.id)[flat];
        html('span', { class: 'uv-conv-after', 'data-stage': 'relu', 'data-value': exact(av) }, html('p', { class: 'uv-conv-after-line' }, work),
             'then ReLU: max(0, ' + api.format(value) + ') = ' + api.format(av) + ' = ' + nameText(a, '[' + idx.map(function (i) { return i + 1; }).join(',') + ']'));
        from = a;
      }
      var line = html('p', { class: 'uv-conv-after-line' }, work);
      var pool = consumer(from.id, ['max_pool2d', 'avg_pool2d']);
      if (pool < 0 || (src !== model && !past.holds(src, pool))) return;
      var P = index.tensors[index.steps[pool].output], attrs = index.steps[pool].attrs, k = attrs.kernel, s = attrs.stride || k;
      var i = Math.floor(idx[2] / s[0]), j = Math.floor(idx[3] / s[1]);
      if (i >= P.shape[2] || j >= P.shape[3] || idx[2] - i * s[0] >= k[0] || idx[3] - j * s[1] >= k[1]) {
        html('span', null, line, 'outside every pool window (the pooled map drops it)');
        return;
      }
      var pflat = U.provenance.ravel([idx[0], idx[1], i, j], P.shape), pw = U.imageWork(src, pool, pflat);
      html('span', { class: 'uv-conv-after', 'data-stage': 'pool', 'data-value': exact(pw.value) }, line,
           'then ' + (index.steps[pool].op === 'max_pool2d' ? 'max' : 'mean') + ' of its pool window (' + pw.terms.map(function (t) { return api.format(t.v); }).join(', ') +
           ') = ' + api.format(pw.value) + ' = ' + nameText(P, '[' + [idx[0] + 1, idx[1] + 1, i + 1, j + 1].join(',') + ']'));
    }

    // A negative number in parentheses, so that "+ −0.3" reads "+ (−0.3)".
    function signed(x) { return x < 0 ? '(' + api.format(x) + ')' : api.format(x); }

    function consumer(id, ops) {
      for (var s = 0; s < index.steps.length; s++) {
        var st = index.steps[s];
        if (st.phase === 'forward' && ops.indexOf(st.op) >= 0 && st.inputs[0] === id) return s;
      }
      return -1;
    }

    stepSelect.addEventListener('change', function () { pinned = true; show(+stepSelect.value, true); });
    planeSelect.addEventListener('change', function () { plane = +planeSelect.value; show(shown); });
    outSelect.addEventListener('change', function () {
      var idx = U.unravel(flat, current.out.shape);
      idx[1] = +outSelect.value;
      flat = U.provenance.ravel(idx, current.out.shape);
      show(shown);
    });
    function advance() {
      var idx = U.unravel(flat, current.out.shape), per = current.out.shape[2] * current.out.shape[3];
      var at = idx[2] * current.out.shape[3] + idx[3] + 1;
      select(Math.floor((at % per) / current.out.shape[3]), at % current.out.shape[3]);
    }
    play.addEventListener('click', function () {
      if (api.reducedMotion) { advance(); return; }
      if (timer) { clearInterval(timer); timer = null; setText(play, 'Play'); return; }
      timer = setInterval(advance, 900);
      setText(play, 'Pause');
    });

    function update(s) {
      if (s < 0 || !imageSteps.length) return;
      if (imageSteps.indexOf(s) >= 0) pinned = false;   // the reader went to an image step: follow it again
      var target = stepFor(s);
      if (target >= 0 && target !== shown) show(target, true);
    }

    return { update: update, destroy: function () {
      if (resize) resize.disconnect();
      if (timer) clearInterval(timer);
      if (control) control.destroy();
      host.textContent = '';
    } };
  }
})(window.Unrolled);
