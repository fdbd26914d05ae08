/* Provenance of the ops that move values without computing (broadcast_to, transpose, reshape,
   concat, slice, flip, pad, rows): where in which input the element came from; and of the two
   that add moved values back (sum_to, rows_backward): the elements they sum. Adds its rules to
   the table of viewer-provenance.js (loaded first). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var EXPLAIN = U.provenance.rules, ravel = U.provenance.ravel, at = U.provenance.at, named = U.provenance.named;
  var broadcastSource = U.provenance.broadcastSource, shapeText = U.shapeText, size = U.size, unravel = U.unravel;

  /** Ops that move values: the source element, found by a function of the output index. */
  function explainMove(e, source, how) {
    if (source === null) {
      e.value = 0;
      e.line(how, e.num(0, 'result', e.outLabel()));
      return;
    }
    var x = e.input(source.input, source.index, 'x');
    e.value = x.v;
    e.line(how, x, ' → ', e.num(e.value, 'result', e.outLabel()));
  }

  EXPLAIN.broadcast_to = function (e) {
    var f = broadcastSource(e.idx, e.ins[0].shape);
    e.formula = e.outLabel() + ' = a copy of ' + at(e.ins[0], f) + ' (broadcast from ' + shapeText(e.ins[0].shape) + ' to ' + shapeText(e.out.shape) + ')';
    explainMove(e, { input: 0, index: f }, 'copied from ');
  };

  EXPLAIN.transpose = function (e) {
    var x = e.ins[0], rank = x.shape.length, perm = e.step.attrs.perm;
    if (!perm) { perm = []; for (var i = rank - 1; i >= 0; i--) perm.push(i); }
    var xi = new Array(rank);
    for (var j = 0; j < rank; j++) xi[perm[j]] = e.idx[j];
    var f = ravel(xi, x.shape);
    e.formula = e.outLabel() + ' = ' + at(x, f) + ' (axes permuted by [' + perm.join(', ') + '])';
    explainMove(e, { input: 0, index: f }, 'taken from ');
  };

  EXPLAIN.reshape = function (e) {
    e.formula = e.outLabel() + ' = ' + at(e.ins[0], e.flat) + ': the same values in row-major order, element ' + (e.flat + 1) + ' of ' + size(e.out.shape);
    explainMove(e, { input: 0, index: e.flat }, 'taken from ');
  };

  EXPLAIN.concat = function (e) {
    var axis = e.step.attrs.axis, pos = e.idx[axis], k = 0;
    while (k < e.ins.length - 1 && pos >= e.ins[k].shape[axis]) { pos -= e.ins[k].shape[axis]; k++; }
    var xi = e.idx.slice(); xi[axis] = pos;
    var f = ravel(xi, e.ins[k].shape);
    e.formula = e.outLabel() + ' comes from input ' + (k + 1) + ' of ' + e.ins.length + ', ' + at(e.ins[k], f) + ' (joined along axis ' + (axis + 1) + ')';
    explainMove(e, { input: k, index: f }, 'taken from ');
  };

  EXPLAIN.slice = function (e) {
    var a = e.step.attrs, xi = e.idx.slice(); xi[a.axis] += a.start;
    var f = ravel(xi, e.ins[0].shape);
    e.formula = e.outLabel() + ' = ' + at(e.ins[0], f) + ' (positions ' + (a.start + 1) + '–' + a.end + ' along axis ' + (a.axis + 1) + ')';
    explainMove(e, { input: 0, index: f }, 'taken from ');
  };

  EXPLAIN.flip = function (e) {
    var x = e.ins[0], axes = e.step.attrs.axes, xi = e.idx.slice();
    axes.forEach(function (a) { xi[a] = x.shape[a] - 1 - e.idx[a]; });
    var f = ravel(xi, x.shape);
    e.formula = e.outLabel() + ' = ' + at(x, f) + ' (reversed along axis ' + axes.map(function (a) { return a + 1; }).join(' and ') + ')';
    explainMove(e, { input: 0, index: f }, 'taken from ');
  };

  EXPLAIN.pad = function (e) {
    var a = e.step.attrs, n = e.ins[0].shape[a.axis], p = e.idx[a.axis] - a.before;
    if (p < 0 || p >= n) {
      e.formula = e.outLabel() + ' is padding: ' + a.before + ' zeros before and ' + a.after + ' after along axis ' + (a.axis + 1);
      explainMove(e, null, 'a padding zero: ');
      return;
    }
    var xi = e.idx.slice(); xi[a.axis] = p;
    var f = ravel(xi, e.ins[0].shape);
    e.formula = e.outLabel() + ' = ' + at(e.ins[0], f) + ' (shifted by ' + a.before + ' along axis ' + (a.axis + 1) + ')';
    explainMove(e, { input: 0, index: f }, 'taken from ');
  };

  EXPLAIN.rows = function (e) {
    var x = e.ins[0], r = e.step.attrs.indices[e.idx[0]], xi = e.idx.slice(); xi[0] = r;
    var f = ravel(xi, x.shape);
    e.formula = e.outLabel() + ': row ' + (e.idx[0] + 1) + ' of the result is row indices[' + e.idx[0] + '] = ' + r + ' (0-based), that is row ' + (r + 1) + ' of ' + named(x);
    explainMove(e, { input: 0, index: f }, 'taken from ');
  };

  EXPLAIN.sum_to = function (e) {
    var x = e.ins[0], target = e.out.shape, n = size(x.shape), terms = [];
    for (var f = 0; f < n; f++) {
      if (broadcastSource(unravel(f, x.shape), target) === e.flat) terms.push({ f: f, v: e.model.values(x.id)[f] });
    }
    e.formula = e.outLabel() + ' = the sum of the elements of ' + named(x) + ' (' + shapeText(x.shape) + ') that broadcasting from ' + shapeText(target) + ' would copy here';
    if (terms.length === 1) e.notes.push('Nothing was broadcast here: the sum has one term, so this is a copy (it undoes broadcasting in a gradient).');
    e.value = e.sumTerms(terms, function (t, i) { return [i === 0 ? '' : '+ ', e.input(0, t.f, 'x')]; });
    e.line('sum = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.rows_backward = function (e) {
    var dy = e.ins[0], indices = e.step.attrs.indices, r = e.idx[0], terms = [];
    var rowSize = size(dy.shape.slice(1)), inner = e.flat - r * rowSize;
    for (var k = 0; k < indices.length; k++) {
      if (indices[k] === r) terms.push({ f: k * rowSize + inner, v: e.model.values(dy.id)[k * rowSize + inner] });
    }
    e.formula = e.outLabel() + ' = the sum of the rows k of ' + named(dy) + ' whose index indices[k] is ' + r + ' (0-based)';
    if (terms.length === 0) e.notes.push('No lookup picked row ' + (r + 1) + ', so its gradient is 0.');
    e.value = e.sumTerms(terms, function (t, i) { return [i === 0 ? '' : '+ ', e.input(0, t.f, 'dy')]; });
    e.line('sum = ', e.num(e.value, 'result', e.outLabel()));
  };
})(window.Unrolled);
