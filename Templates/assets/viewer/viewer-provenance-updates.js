/* Provenance of the update ops (sgd, clip_norm, running_average, perceptron): how a parameter's
   next version (or a clipped gradient, a running statistic) was made. Adds its rules to the table
   of viewer-provenance.js (loaded first). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var EXPLAIN = U.provenance.rules, number = U.provenance.number, unravel = U.unravel;

  EXPLAIN.sgd = function (e) {
    var lr = number(e.step.attrs.lr), p = e.input(0, e.flat, 'p'), g = e.input(1, e.flat, 'g');
    e.formula = e.outLabel() + ' = p − lr · g: one step of gradient descent, against the gradient';
    var step = lr * g.v;
    e.value = p.v - step;
    e.line(e.num(lr, 'attr', 'lr'), ' × ', g, ' = ', e.num(step, 'term'));
    e.line(p, ' − ', e.num(step, 'term'), ' = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.clip_norm = function (e) {
    var max = number(e.step.attrs.max_norm), g = e.model.values(e.ins[0].id), sq = 0;
    for (var i = 0; i < g.length; i++) sq += g[i] * g[i];
    var norm = Math.sqrt(sq), x = e.input(0, e.flat, 'g');
    e.formula = e.outLabel() + ' = g · min(1, max_norm / ‖g‖)';
    e.line('‖g‖ = √(Σ g²) = ', e.num(norm, 'sum', '‖g‖'), ' over all ' + g.length + ' elements; max_norm = ', e.num(max, 'attr', 'max_norm'));
    if (norm > max) {
      var factor = max / norm;
      e.value = x.v * factor;
      e.line('‖g‖ > max_norm, so scale by ', e.num(factor, 'term', 'factor'), ': ', x, ' × ', e.num(factor, 'term'), ' = ', e.num(e.value, 'result', e.outLabel()));
    } else {
      e.value = x.v;
      e.line('‖g‖ ≤ max_norm (or NaN), so unchanged: ', x, ' → ', e.num(e.value, 'result', e.outLabel()));
    }
  };

  EXPLAIN.running_average = function (e) {
    var m = number(e.step.attrs.momentum), r = e.input(0, e.flat, 'r'), st = e.input(1, e.flat, 's');
    e.formula = e.outLabel() + ' = (1 − momentum) · r + momentum · s: the running value moves a fraction momentum of the way to this batch\'s statistic';
    var kept = (1 - m) * r.v, moved = m * st.v;
    e.value = kept + moved;
    e.line('(1 − ', e.num(m, 'attr', 'momentum'), ') × ', r, ' = ', e.num(kept, 'term'));
    e.line(e.num(m, 'attr', 'momentum'), ' × ', st, ' = ', e.num(moved, 'term'));
    e.line(e.num(kept, 'term'), ' + ', e.num(moved, 'term'), ' = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.perceptron = function (e) {
    var lr = number(e.step.attrs.lr), cols = e.ins[0].shape[1], pos = unravel(e.flat, e.ins[0].shape);
    var p = e.input(0, e.flat, 'p'), a = e.input(1, pos[1], 'x'), t = e.input(2, pos[0], 't'), y = e.input(3, pos[0], 'y');
    e.formula = e.outLabel() + ' = p + lr · (t − y) · x: Rosenblatt\'s rule; a right output (t = y) changes nothing, a wrong one adds or subtracts lr · x' +
      (cols === 1 && e.ins[1].shape[0] === 1 ? ' (for a bias x is the constant 1)' : '');
    var miss = t.v - y.v, change = lr * miss * a.v;
    e.value = p.v + change;
    e.line(t, ' − ', y, ' = ', e.num(miss, 'term', 't − y'), miss === 0 ? ': right, no change' : ': wrong');
    e.line(e.num(lr, 'attr', 'lr'), ' × ', e.num(miss, 'term'), ' × ', a, ' = ', e.num(change, 'term'));
    e.line(p, ' + ', e.num(change, 'term'), ' = ', e.num(e.value, 'result', e.outLabel()));
  };
})(window.Unrolled);
