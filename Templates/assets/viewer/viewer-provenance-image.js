/* Provenance of the image ops (conv2d, conv_transpose2d, conv2d_weight, max/avg pooling and
   their backward ops, nearest upsampling and its backward): which input elements one output
   element reads, from the step's inputs and attrs alone (docs/trace-format.md, "Image ops").
   U.imageWork(model, step, flat) lists them — the terms of the sum, the window of a pool — for
   the convolution view (views/convolution.js) to draw; the EXPLAIN rules below write the same
   terms out for the viewer's provenance panel. Adds its rules to the table of
   viewer-provenance.js (loaded first). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var EXPLAIN = U.provenance.rules, ravel = U.provenance.ravel, at = U.provenance.at;

  function pair(v, fallback) { return Array.isArray(v) && v.length === 2 ? v : [fallback, fallback]; }

  /* A term: a × b (b null for a copied value), `a` and `b` {input, index} into the step's
     inputs; `pad` when the tap falls in the zero padding (its a is 0 and has no index). Each
     keeps its 4-d place `pos` [n, channel, row, column] (of a kernel: [o, c′, u, v]) for drawing. */
  function ref(model, step, k, shape, n, c, h, w) {
    var flat = ravel([n, c, h, w], shape);
    return { input: k, index: flat, v: model.values(step.inputs[k])[flat], pos: [n, c, h, w] };
  }
  // Input 0 (an image x) at (n, c, h, w), or a padding tap when (h, w) is outside it.
  function pixel(model, step, x, n, c, h, w) {
    if (h >= 0 && h < x.shape[2] && w >= 0 && w < x.shape[3]) return ref(model, step, 0, x.shape, n, c, h, w);
    return { input: 0, index: -1, v: 0, pad: true, pos: [n, c, h, w] };
  }
  // stride, padding, dilation [h, w] and groups of a convolution step.
  function geometry(step) {
    var a = step.attrs;
    return { s: pair(a.stride, 1), p: pair(a.padding, 0), d: pair(a.dilation, 1), G: a.groups || 1 };
  }
  function bias(model, step, k) {
    return step.inputs.length > 2 ? { input: 2, index: k, v: model.values(step.inputs[2])[k] } : null;
  }

  var WORK = {};

  // y[n,o,i,j] = b[o] + Σ w[o,c′,u,v] · x[n, g·C_in/G + c′, i·s + u·d − p, j·s + v·d − p]
  WORK.conv2d = function (model, step, idx) {
    var x = model.tensors[step.inputs[0]], w = model.tensors[step.inputs[1]], g = geometry(step);
    var n = idx[0], o = idx[1], i = idx[2], j = idx[3];
    var inPer = w.shape[1], c0 = Math.floor(o / (w.shape[0] / g.G)) * inPer, terms = [];
    for (var c1 = 0; c1 < inPer; c1++) {
      for (var u = 0; u < w.shape[2]; u++) {
        for (var v = 0; v < w.shape[3]; v++) {
          var xr = pixel(model, step, x, n, c0 + c1, i * g.s[0] + u * g.d[0] - g.p[0], j * g.s[1] + v * g.d[1] - g.p[1]);
          var wr = ref(model, step, 1, w.shape, o, c1, u, v);
          terms.push({ a: xr, b: wr, v: xr.v * wr.v });
        }
      }
    }
    return { kind: 'sum', terms: terms, bias: bias(model, step, o), channels: channelsOf(terms) };
  };

  // x[n,c,h,w] = b[c] + Σ over the (o, i, j, u, v) whose tap lands on (h, w) of w[o,c′,u,v] · y[n,o,i,j]
  WORK.conv_transpose2d = function (model, step, idx) {
    var y = model.tensors[step.inputs[0]], w = model.tensors[step.inputs[1]], geo = geometry(step);
    var s = geo.s, p = geo.p, d = geo.d, n = idx[0], c = idx[1], h = idx[2], col = idx[3];
    var xPer = w.shape[1], g = Math.floor(c / xPer), c1 = c - g * xPer, yPer = y.shape[1] / geo.G, terms = [];
    for (var o = g * yPer; o < (g + 1) * yPer; o++) {
      for (var u = 0; u < w.shape[2]; u++) {
        var ri = h + p[0] - u * d[0];
        if (ri < 0 || ri % s[0] !== 0 || ri / s[0] >= y.shape[2]) continue;
        for (var v = 0; v < w.shape[3]; v++) {
          var rj = col + p[1] - v * d[1];
          if (rj < 0 || rj % s[1] !== 0 || rj / s[1] >= y.shape[3]) continue;
          var yr = ref(model, step, 0, y.shape, n, o, ri / s[0], rj / s[1]), wr = ref(model, step, 1, w.shape, o, c1, u, v);
          terms.push({ a: yr, b: wr, v: yr.v * wr.v });
        }
      }
    }
    return { kind: 'sum', terms: terms, bias: bias(model, step, c), channels: channelsOf(terms) };
  };

  // dw[o,c′,u,v] = Σ_n Σ_i Σ_j dy[n,o,i,j] · x[n, g·C_in/G + c′, i·s + u·d − p, j·s + v·d − p]
  WORK.conv2d_weight = function (model, step, idx) {
    var x = model.tensors[step.inputs[0]], dy = model.tensors[step.inputs[1]], g = geometry(step);
    var o = idx[0], u = idx[2], v = idx[3], inPer = x.shape[1] / g.G;
    var c = Math.floor(o / (dy.shape[1] / g.G)) * inPer + idx[1], terms = [];
    for (var n = 0; n < x.shape[0]; n++) {
      for (var i = 0; i < dy.shape[2]; i++) {
        for (var j = 0; j < dy.shape[3]; j++) {
          var xr = pixel(model, step, x, n, c, i * g.s[0] + u * g.d[0] - g.p[0], j * g.s[1] + v * g.d[1] - g.p[1]);
          var gr = ref(model, step, 1, dy.shape, n, o, i, j);
          terms.push({ a: xr, b: gr, v: xr.v * gr.v });
        }
      }
    }
    return { kind: 'sum', terms: terms, bias: null, channels: channelsOf(terms) };
  };

  /* The window of pooled element (n, c, i, j): its positions inside the input (padding is
     skipped by max and counts as 0 in avg's sum and count). */
  function poolWindow(model, step, k, shape, n, c, i, j) {
    var a = step.attrs, kh = pair(a.kernel, 1), s = pair(a.stride, kh[0]), p = pair(a.padding, 0), cells = [];
    for (var u = 0; u < kh[0]; u++) {
      for (var v = 0; v < kh[1]; v++) {
        var h = i * s[0] + u - p[0], col = j * s[1] + v - p[1];
        if (h >= 0 && h < shape[2] && col >= 0 && col < shape[3]) cells.push(ref(model, step, k, shape, n, c, h, col));
      }
    }
    return { cells: cells, count: kh[0] * kh[1], stride: s, padding: p, kernel: kh };
  }

  // The first maximum in row-major window order (the engine's rule for ties).
  function argmax(cells) {
    var best = 0;
    for (var q = 1; q < cells.length; q++) if (cells[q].v > cells[best].v) best = q;
    return best;
  }

  WORK.max_pool2d = function (model, step, idx) {
    var win = poolWindow(model, step, 0, model.tensors[step.inputs[0]].shape, idx[0], idx[1], idx[2], idx[3]);
    var terms = win.cells.map(function (r) { return { a: r, b: null, v: r.v }; });
    return { kind: 'max', terms: terms, chosen: argmax(win.cells), channels: [idx[1]] };
  };

  WORK.avg_pool2d = function (model, step, idx) {
    var win = poolWindow(model, step, 0, model.tensors[step.inputs[0]].shape, idx[0], idx[1], idx[2], idx[3]);
    var terms = win.cells.map(function (r) { return { a: r, b: null, v: r.v }; });
    return { kind: 'mean', terms: terms, divisor: win.count, channels: [idx[1]] };
  };

  /* The pooled outputs (i, j) whose window covers input (h, w), for shape [.., .., Ho, Wo]. */
  function coveringWindows(attrs, outShape, h, w) {
    var kh = pair(attrs.kernel, 1), s = pair(attrs.stride, kh[0]), p = pair(attrs.padding, 0), list = [];
    for (var i = 0; i < outShape[2]; i++) {
      var u = h + p[0] - i * s[0];
      if (u < 0 || u >= kh[0]) continue;
      for (var j = 0; j < outShape[3]; j++) {
        var v = w + p[1] - j * s[1];
        if (v >= 0 && v < kh[1]) list.push([i, j]);
      }
    }
    return list;
  }

  // dx[n,c,h,w] = Σ of dy[n,c,i,j] over the windows whose (first) maximum is at (h, w)
  WORK.max_pool2d_backward = function (model, step, idx) {
    var x = model.tensors[step.inputs[0]], dy = model.tensors[step.inputs[1]], terms = [];
    coveringWindows(step.attrs, dy.shape, idx[2], idx[3]).forEach(function (ij) {
      var win = poolWindow(model, step, 0, x.shape, idx[0], idx[1], ij[0], ij[1]);
      var best = win.cells[argmax(win.cells)].pos;
      if (best[2] === idx[2] && best[3] === idx[3]) {
        var r = ref(model, step, 1, dy.shape, idx[0], idx[1], ij[0], ij[1]);
        terms.push({ a: r, b: null, v: r.v });
      }
    });
    return { kind: 'sum', terms: terms, bias: null, channels: [idx[1]] };
  };

  // dx[n,c,h,w] = Σ over the windows covering (h, w) of dy[n,c,i,j] / (k_h·k_w)
  WORK.avg_pool2d_backward = function (model, step, idx) {
    var dy = model.tensors[step.inputs[0]], kh = pair(step.attrs.kernel, 1), count = kh[0] * kh[1], terms = [];
    coveringWindows(step.attrs, dy.shape, idx[2], idx[3]).forEach(function (ij) {
      var r = ref(model, step, 0, dy.shape, idx[0], idx[1], ij[0], ij[1]);
      terms.push({ a: r, b: null, divisor: count, v: r.v / count });
    });
    return { kind: 'sum', terms: terms, bias: null, channels: [idx[1]] };
  };

  WORK.upsample_nearest2d = function (model, step, idx) {
    var x = model.tensors[step.inputs[0]], f = pair(step.attrs.scale, 1);
    var r = ref(model, step, 0, x.shape, idx[0], idx[1], Math.floor(idx[2] / f[0]), Math.floor(idx[3] / f[1]));
    return { kind: 'copy', terms: [{ a: r, b: null, v: r.v }], channels: [idx[1]] };
  };

  // dx[n,c,h,w] = Σ_{a<f_h, b<f_w} dy[n,c,h·f_h + a, w·f_w + b]
  WORK.upsample_nearest2d_backward = function (model, step, idx) {
    var dy = model.tensors[step.inputs[0]], f = pair(step.attrs.scale, 1), terms = [];
    for (var a = 0; a < f[0]; a++) {
      for (var b = 0; b < f[1]; b++) {
        var r = ref(model, step, 0, dy.shape, idx[0], idx[1], idx[2] * f[0] + a, idx[3] * f[1] + b);
        terms.push({ a: r, b: null, v: r.v });
      }
    }
    return { kind: 'sum', terms: terms, bias: null, channels: [idx[1]] };
  };

  // The input channels the terms read, in order.
  function channelsOf(terms) {
    var seen = [];
    terms.forEach(function (t) { if (seen.indexOf(t.a.pos[1]) < 0) seen.push(t.a.pos[1]); });
    return seen;
  }

  /** What element `flat` of step `stepIndex`'s output reads: {kind: 'sum'|'max'|'mean'|'copy',
      terms [{a, b, v}], bias, chosen (max), divisor (mean), value}, the sum taken in term order
      from +0 (then the bias), or null for an op that is not an image op. */
  U.imageWork = function (model, stepIndex, flat) { return workOf(model, model.steps[stepIndex], flat); };

  function workOf(model, step, flat) {
    var rule = WORK[step.op];
    if (!rule) return null;
    var work = rule(model, step, U.unravel(flat, model.tensors[step.output].shape));
    var total = 0, value = work.bias ? work.bias.v : 0;   // the engine starts y's sum from b
    work.terms.forEach(function (t) { total += t.v; value += t.v; });
    work.sum = total;
    if (work.kind === 'max') work.value = work.terms.length ? work.terms[work.chosen].v : -Infinity;
    else if (work.kind === 'mean') work.value = total / work.divisor;
    else work.value = value;
    return work;
  }
  U.imageOps = Object.keys(WORK);

  // ---------------------------------------------------------------- the provenance panel

  function token(e, r, kind) {
    return r.pad ? e.num(0, 'term', 'padding (' + (r.pos[2] + 1) + ',' + (r.pos[3] + 1) + ')') : e.input(r.input, r.index, kind);
  }

  var FORMULAS = {
    conv2d: ' = b[o] + Σ over the kernel taps of W[o,c,u,v] × X at (i·s + u·d − p, j·s + v·d − p); taps in the zero padding read 0',
    conv_transpose2d: ' = Σ over the outputs (o, i, j) and kernel taps (u, v) with i·s + u·d − p = h, j·s + v·d − p = w of Y[o,i,j] × W[o,c,u,v] (+ b[c])',
    conv2d_weight: ' = Σ over the output positions (n, i, j) of X at (i·s + u·d − p, j·s + v·d − p) × dY[n,o,i,j]: the correlation of the input with the output gradient',
    max_pool2d: ' = the largest value in its window (the first one, in row order, on a tie)',
    avg_pool2d: ' = the mean of its window, zero padding counted as 0',
    max_pool2d_backward: ' = Σ of dY over the windows whose (first) maximum is this position; 0 when it is no window\'s maximum',
    avg_pool2d_backward: ' = Σ over the windows that cover this position of dY / (window size)',
    upsample_nearest2d: ' = a copy of the nearest input element',
    upsample_nearest2d_backward: ' = Σ of dY over the block of outputs this element was copied to'
  };

  function explainImage(e) {
    var work = workOf(e.model, e.step, e.flat);
    e.formula = e.outLabel() + FORMULAS[e.step.op];
    var acc = 0;
    if (work.kind === 'copy') {
      e.value = work.value;
      e.line(token(e, work.terms[0].a, 'x'), ' → ', e.num(e.value, 'result', e.outLabel()));
      return;
    }
    if (work.kind === 'max') {
      work.terms.forEach(function (t, q) { e.line(token(e, t.a, 'x'), q === work.chosen ? '  ← the maximum' : ''); });
      e.value = work.value;
      e.line('max of the ' + work.terms.length + ' values = ', e.num(e.value, 'result', e.outLabel()));
      return;
    }
    e.sumTerms(work.terms, function (t, q) {
      acc += t.v;
      var head = q === 0 ? [] : ['+ '];
      if (t.b) return head.concat([token(e, t.a, 'a'), ' × ', token(e, t.b, 'b'), ' = ', e.num(t.v, 'term'), '   running sum ', e.num(acc, 'sum')]);
      if (t.divisor) return head.concat([token(e, t.a, 'dy'), ' / ' + t.divisor + ' = ', e.num(t.v, 'term')]);
      return head.concat([token(e, t.a, 'x')]);
    });
    if (!work.terms.length) e.notes.push('No term reaches this element: it is 0.');
    if (work.kind === 'mean') {
      e.value = work.value;
      e.line('sum = ', e.num(work.sum, 'sum'), ' / ' + work.divisor + ' = ', e.num(e.value, 'result', e.outLabel()));
      return;
    }
    e.value = work.value;
    if (work.bias) e.line('sum of the products ', e.num(work.sum, 'sum'), ' + ', e.input(work.bias.input, work.bias.index, 'bias'), ' = ', e.num(e.value, 'result', e.outLabel()));
    else e.line('sum = ', e.num(e.value, 'result', e.outLabel()));
  }
  Object.keys(WORK).forEach(function (op) { EXPLAIN[op] = explainImage; });
})(window.Unrolled);
