/* Unrolled.explain: how one element of a step's output was computed from the step's inputs,
   with the actual numbers, one rule per op of the trace format's op table (matmul: the
   row·column products and their sum; element-wise ops: the operands and the formula;
   softmax: the exponentials and their sum). The ops that only move values (transpose,
   concat, slice, …) say where the element came from, and their adjoints (sum_to,
   rows_backward) what they sum: viewer-provenance-moves.js.
   Uses Unrolled.TraceModel (viewer-model.js, loaded first). Classic script, no dependencies. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var number = U.number;
  var shapeText = U.shapeText;
  var size = U.size;

  function unravel(flat, shape) {
    var idx = new Array(shape.length);
    for (var i = shape.length - 1; i >= 0; i--) {
      idx[i] = flat % shape[i];
      flat = Math.floor(flat / shape[i]);
    }
    return idx;
  }

  function ravel(idx, shape) {
    var flat = 0;
    for (var i = 0; i < shape.length; i++) flat = flat * shape[i] + idx[i];
    return flat;
  }

  /** The flat index of `shape`'s element that numpy broadcasting uses for output index `outIdx`. */
  function broadcastSource(outIdx, shape) {
    var lead = outIdx.length - shape.length, idx = new Array(shape.length);
    for (var i = 0; i < shape.length; i++) idx[i] = shape[i] === 1 ? 0 : outIdx[lead + i];
    return ravel(idx, shape);
  }

  /* A tensor named in an explanation's text is a mark, not a string: OPEN id ':' flat CLOSE
     (flat −1 for the tensor itself). U.explain reads the marks as plain text for its strings
     ("W_f[1,3]", the name from the tensor's TeX) and keeps the marked strings for the step
     panel, which typesets each name (Unrolled.provenanceHtml). */
  var OPEN = '\uE000', CLOSE = '\uE001', MARK = /\uE000(\d+):(-?\d+)\uE001/g;

  /** Element `flat` of `tensor` ("W_f[1,3]": 1-based, as readers count; a scalar is its name), marked. */
  function at(tensor, flat) { return OPEN + tensor.id + ':' + (tensor.shape.length === 0 ? -1 : flat) + CLOSE; }
  /** `tensor` itself, marked. */
  function named(tensor) { return OPEN + tensor.id + ':-1' + CLOSE; }

  /** The index a mark reads as: "[1,3]", or nothing for the tensor itself. */
  function indexText(tensor, flat) {
    return flat < 0 ? '' : '[' + unravel(flat, tensor.shape).map(function (i) { return i + 1; }).join(',') + ']';
  }

  /** A marked string as plain text: each name as the plain text of its TeX, with its index. */
  function plain(model, text) {
    var nameText = U.viewerKit.nameText;
    return String(text).replace(MARK, function (_, id, flat) {
      var t = model.tensors[Number(id)];
      return nameText(t, indexText(t, Number(flat)));
    });
  }

  /** A marked string as HTML: the text escaped, each name typeset from its TeX with its index
      (`inline`: fractions slashed; `late`: typeset after the frame, see the kit's typesetLate). */
  U.provenanceHtml = function (model, text, inline, late) {
    var kit = U.viewerKit, html = '', last = 0, match;
    text = String(text);
    MARK.lastIndex = 0;
    while ((match = MARK.exec(text))) {
      var t = model.tensors[Number(match[1])];
      html += kit.escapeHtml(text.slice(last, match.index)) + kit.nameHtml(t, indexText(t, Number(match[2])), inline, late);
      last = MARK.lastIndex;
    }
    return html + kit.escapeHtml(text.slice(last));
  };

  function sigmoid(x) {
    if (x >= 0) return 1 / (1 + Math.exp(-x));
    var e = Math.exp(x);
    return e / (1 + e);
  }

  var UNARY = {
    neg: { formula: '−x', f: function (x) { return -x; } },
    exp: { formula: 'eˣ', f: Math.exp },
    log: { formula: 'ln x', f: Math.log },
    sqrt: { formula: '√x', f: Math.sqrt },
    square: { formula: 'x · x', f: function (x) { return x * x; } },
    tanh: { formula: 'tanh x', f: Math.tanh },
    sigmoid: { formula: 'σ(x) = 1 / (1 + e⁻ˣ)', f: sigmoid },
    relu: { formula: 'max(0, x): x where x > 0, else 0', f: function (x) { return x > 0 || x !== x ? x : 0; } },
    step: { formula: 'step(x): 1 where x ≥ 0, else 0 (the perceptron fires)', f: function (x) { return x >= 0 ? 1 : x !== x ? x : 0; } }
  };
  var BINARY = {
    add: { symbol: '+', f: function (a, b) { return a + b; } },
    sub: { symbol: '−', f: function (a, b) { return a - b; } },
    mul: { symbol: '×', f: function (a, b) { return a * b; } },
    div: { symbol: '÷', f: function (a, b) { return a / b; } }
  };
  var MAX_TERMS = 64;

  /** An explanation under construction: lines of tokens (strings and numbers with a kind
      and, for operand values, a reference {input, index} to the input they come from). */
  function Explanation(model, stepIndex, flat) {
    var step = model.steps[stepIndex];
    this.model = model;
    this.step = step;
    this.ins = step.inputs.map(function (id) { return model.tensors[id]; });
    // Names are not unique (every contribution to ∂L/∂W reads ∂L/∂W): tell such operands
    // apart by the step that made them.
    var ins = this.ins;
    this.suffix = ins.map(function (t) {
      var clash = ins.some(function (u) { return u !== t && u.tex === t.tex; });
      var made = model.producer(t.id);
      return clash && made >= 0 ? ' (step ' + (made + 1) + ')' : '';
    });
    this.out = model.tensors[step.output];
    this.flat = flat;
    this.idx = unravel(flat, this.out.shape);
    this.formula = '';
    this.notes = [];
    this.lines = [];
    this.value = NaN;
  }
  Explanation.prototype.input = function (k, flat, kind) {
    return { v: this.model.values(this.ins[k].id)[flat], kind: kind || 'operand', ref: { input: k, index: flat }, label: at(this.ins[k], flat) + this.suffix[k] };
  };
  Explanation.prototype.num = function (v, kind, label) { return { v: v, kind: kind, label: label }; };
  Explanation.prototype.line = function () { this.lines.push(Array.prototype.slice.call(arguments)); };
  Explanation.prototype.outLabel = function () { return at(this.out, this.flat); };
  /** Lists terms (at most MAX_TERMS lines), sums them in index order from +0 as the engine does. */
  Explanation.prototype.sumTerms = function (terms, lineOf) {
    var acc = 0;
    for (var i = 0; i < terms.length; i++) {
      acc += terms[i].v;
      if (i < MAX_TERMS) this.lines.push(lineOf(terms[i], i));
    }
    if (terms.length > MAX_TERMS) this.lines.push(['… and ' + (terms.length - MAX_TERMS) + ' more terms (all of them are in the sum)']);
    return acc;
  };

  var EXPLAIN = {};

  EXPLAIN.matmul = function (e) {
    var A = e.ins[0], B = e.ins[1], k = A.shape[1], n = B.shape[1], i = e.idx[0], j = e.idx[1];
    e.formula = e.outLabel() + ' = row ' + (i + 1) + ' of ' + named(A) + ' · column ' + (j + 1) + ' of ' + named(B) + ' = Σₚ ' + named(A) + '[' + (i + 1) + ',p] · ' + named(B) + '[p,' + (j + 1) + ']';
    var terms = [];
    for (var p = 0; p < k; p++) {
      var a = e.input(0, i * k + p, 'a'), b = e.input(1, p * n + j, 'b');
      terms.push({ a: a, b: b, v: a.v * b.v });
    }
    e.value = e.sumTerms(terms, function (t) { return [t.a, ' × ', t.b, ' = ', e.num(t.v, 'term')]; });
    if (k === 0) e.notes.push('The inner dimension is empty: the sum of no terms is 0.');
    e.line('sum of the ' + (k === 1 ? 'one product' : k + ' products') + ' = ', e.num(e.value, 'result', e.outLabel()));
  };

  function explainBinary(e) {
    var op = BINARY[e.step.op], outShape = e.out.shape;
    var ia = broadcastSource(e.idx, e.ins[0].shape), ib = broadcastSource(e.idx, e.ins[1].shape);
    var a = e.input(0, ia), b = e.input(1, ib);
    e.formula = e.outLabel() + ' = ' + a.label + ' ' + op.symbol + ' ' + b.label;
    e.value = op.f(a.v, b.v);
    e.line(a, ' ' + op.symbol + ' ', b, ' = ', e.num(e.value, 'result', e.outLabel()));
    [0, 1].forEach(function (k) {
      var s = e.ins[k].shape;
      if (s.join(',') !== outShape.join(',')) {
        e.notes.push(named(e.ins[k]) + ' (' + shapeText(s) + ') is broadcast to ' + shapeText(outShape) + ': its element ' + (k ? b.label : a.label) + ' is reused along the stretched axes.');
      }
    });
  }
  ['add', 'sub', 'mul', 'div'].forEach(function (op) { EXPLAIN[op] = explainBinary; });

  function explainUnary(e) {
    var op = UNARY[e.step.op], x = e.input(0, e.flat, 'x');
    e.formula = e.outLabel() + ' = ' + op.formula.replace(/x/g, x.label).replace('e⁻' + x.label, 'e^(−' + x.label + ')');
    e.value = op.f(x.v);
    if (e.step.op === 'sigmoid') {
      var ex = Math.exp(x.v >= 0 ? -x.v : x.v);
      e.line(x.v >= 0 ? 'e^(−x) = ' : 'e^x = ', e.num(ex, 'term'), ' for x = ', x);
      e.line(x.v >= 0 ? '1 / (1 + ' : 'eˣ / (1 + eˣ) with eˣ = ', e.num(ex, 'term'), x.v >= 0 ? ') = ' : ' gives ', e.num(e.value, 'result', e.outLabel()));
      return;
    }
    e.line(e.step.op + '(', x, ') = ', e.num(e.value, 'result', e.outLabel()));
  }
  Object.keys(UNARY).forEach(function (op) { EXPLAIN[op] = explainUnary; });

  EXPLAIN.scale = function (e) {
    var factor = number(e.step.attrs.factor), x = e.input(0, e.flat, 'x');
    e.formula = e.outLabel() + ' = factor · ' + x.label;
    e.value = factor * x.v;
    e.line(e.num(factor, 'attr', 'factor'), ' × ', x, ' = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.where = function (e) {
    var value = number(e.step.attrs.value);
    var m = e.input(0, broadcastSource(e.idx, e.ins[0].shape), 'mask'), a = e.input(1, e.flat, 'a');
    var keep = m.v !== 0; // NaN counts as non-zero, −0 as zero
    e.formula = e.outLabel() + ' = ' + a.label + ' where the mask ' + m.label + ' ≠ 0, else ' + String(value);
    e.value = keep ? a.v : value;
    e.line('mask ', m, keep ? ' ≠ 0, so keep ' : ' = 0, so use the value ', keep ? a : e.num(value, 'attr', 'value'), ' = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.sigmoid_backward = function (e) {
    var s = e.input(0, e.flat, 's'), dy = e.input(1, e.flat, 'dy');
    e.formula = e.outLabel() + ' = dy · s · (1 − s), the sigmoid\'s slope s(1 − s) times the incoming gradient';
    e.value = dy.v * s.v * (1 - s.v);
    e.line(dy, ' × ', s, ' × (1 − ', e.num(s.v, 'operand', s.label), ') = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.tanh_backward = function (e) {
    var t = e.input(0, e.flat, 't'), dy = e.input(1, e.flat, 'dy');
    e.formula = e.outLabel() + ' = dy · (1 − t²), tanh\'s slope 1 − t² times the incoming gradient';
    e.value = dy.v * (1 - t.v * t.v);
    e.line(dy, ' × (1 − ', t, '²) = ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.relu_backward = function (e) {
    var x = e.input(0, e.flat, 'x'), dy = e.input(1, e.flat, 'dy');
    e.formula = e.outLabel() + ' = dy where x > 0, else 0';
    e.value = x.v > 0 ? dy.v : 0;
    e.line('x = ', x, x.v > 0 ? ' > 0, so pass dy = ' : ' ≤ 0 (or NaN), so block: ', x.v > 0 ? dy : e.num(0, 'term'), ' → ', e.num(e.value, 'result', e.outLabel()));
  };

  EXPLAIN.step_backward = function (e) {
    var x = e.input(0, e.flat, 'x'), dy = e.input(1, e.flat, 'dy');
    e.formula = e.outLabel() + ' = dy · step′(x) = 0: the step is flat wherever it has a slope (x ≠ 0); at x = 0 it jumps and has none, and 0 is recorded';
    e.value = 0;
    e.line('x = ', x, x.v === 0 ? ': the jump, recorded as 0; ' : ': flat, slope 0; ', dy, ' × 0 → ', e.num(0, 'result', e.outLabel()));
  };

  /** The flat indices of x along `axis` through the position `idx` (same rank as x). */
  function along(shape, idx, axis) {
    var out = [], pos = idx.slice();
    for (var k = 0; k < shape[axis]; k++) { pos[axis] = k; out.push(ravel(pos, shape)); }
    return out;
  }

  function explainSoftmax(e) {
    var axis = e.step.attrs.axis, x = e.ins[0], vals = e.model.values(x.id);
    var row = along(x.shape, e.idx, axis), me = e.idx[axis];
    var m = -Infinity;
    row.forEach(function (f) { if (vals[f] > m) m = vals[f]; });
    if (m === Infinity || m === -Infinity) m = 0;
    var log = e.step.op === 'log_softmax';
    e.formula = log ? e.outLabel() + ' = (x − m) − ln Σₖ e^(xₖ − m)' : e.outLabel() + ' = e^(x − m) / Σₖ e^(xₖ − m)';
    e.notes.push('Along axis ' + (axis + 1) + ' (' + row.length + ' values). m is the largest of them; subtracting it keeps every exponential from overflowing and does not change the result.');
    var mine = 0;
    var terms = row.map(function (f, k) {
      var ex = Math.exp(vals[f] - m);
      if (k === me) mine = ex;
      return { f: f, v: ex };
    });
    var total = e.sumTerms(terms, function (t) {
      return ['e^(', e.input(0, t.f, 'x'), ' − ', e.num(m, 'max', 'm'), ') = ', e.num(t.v, 'term')];
    });
    e.line('sum of the exponentials = ', e.num(total, 'sum'));
    if (log) {
      e.value = (vals[row[me]] - m) - Math.log(total);
      e.line('(', e.input(0, row[me], 'x'), ' − ', e.num(m, 'max', 'm'), ') − ln ', e.num(total, 'sum'), ' = ', e.num(e.value, 'result', e.outLabel()));
    } else {
      e.value = mine / total;
      e.line(e.num(mine, 'term'), ' / ', e.num(total, 'sum'), ' = ', e.num(e.value, 'result', e.outLabel()));
    }
  }
  EXPLAIN.softmax = explainSoftmax;
  EXPLAIN.log_softmax = explainSoftmax;

  EXPLAIN.softmax_backward = function (e) {
    var axis = e.step.attrs.axis, s = e.ins[0], row = along(s.shape, e.idx, axis);
    var sv = e.model.values(s.id), dv = e.model.values(e.ins[1].id);
    e.formula = e.outLabel() + ' = s · (dy − Σₖ dyₖ sₖ)';
    var dot = e.sumTerms(row.map(function (f) { return { f: f, v: dv[f] * sv[f] }; }), function (t) {
      return [e.input(1, t.f, 'dy'), ' × ', e.input(0, t.f, 's'), ' = ', e.num(t.v, 'term')];
    });
    e.line('Σₖ dyₖ sₖ = ', e.num(dot, 'sum'));
    e.value = sv[e.flat] * (dv[e.flat] - dot);
    e.line(e.input(0, e.flat, 's'), ' × (', e.input(1, e.flat, 'dy'), ' − ', e.num(dot, 'sum'), ') = ', e.num(e.value, 'result', e.outLabel()));
  };

  /** The flat indices of x that a reduction over `axes` adds into the output element whose
      index in x's rank (reduced axes at 0) is `idx`, in x's row-major order. */
  function over(shape, idx, axes) {
    var out = [], pos = idx.slice();
    (function walk(k) {
      if (k === axes.length) { out.push(ravel(pos, shape)); return; }
      for (var i = 0; i < shape[axes[k]]; i++) { pos[axes[k]] = i; walk(k + 1); }
    })(0);
    return out;
  }

  function explainReduce(e) {
    var x = e.ins[0], attrs = e.step.attrs, sources, what = e.step.op === 'mean' ? 'the mean' : 'the sum';
    var axes = attrs.axes || (attrs.axis === undefined || attrs.axis === null ? null : [attrs.axis]);
    if (!axes) {
      sources = [];
      for (var f = 0; f < size(x.shape); f++) sources.push(f);
      e.formula = e.outLabel() + ' = ' + what + ' of every element of ' + named(x);
    } else {
      var idx = [];
      for (var a = 0, k = 0; a < x.shape.length; a++) {
        if (axes.indexOf(a) >= 0) { idx.push(0); if (attrs.keepdims) k++; } else idx.push(e.idx[k++]);
      }
      sources = over(x.shape, idx, axes);
      e.formula = e.outLabel() + ' = ' + what + (axes.length === 1 ? ' along axis ' + (axes[0] + 1)
        : ' over axes ' + axes.map(function (a) { return a + 1; }).join(', ')) + ' of ' + named(x);
    }
    var total = e.sumTerms(sources.map(function (f) { return { f: f, v: 0 }; }).map(function (t) { t.v = e.model.values(x.id)[t.f]; return t; }), function (t, i) {
      return [i === 0 ? '' : '+ ', e.input(0, t.f, 'x')];
    });
    if (e.step.op === 'mean') {
      e.line('sum = ', e.num(total, 'sum'));
      e.value = total / sources.length;
      e.line(e.num(total, 'sum'), ' / ' + sources.length + ' = ', e.num(e.value, 'result', e.outLabel()));
    } else {
      e.value = total;
      e.line('sum of the ' + sources.length + ' elements = ', e.num(e.value, 'result', e.outLabel()));
    }
  }
  EXPLAIN.sum = explainReduce;
  EXPLAIN.mean = explainReduce;

  /** The ops Unrolled.explain knows (every op of the trace format's op table, once
      viewer-provenance-moves.js and viewer-provenance-updates.js have added theirs). */
  Object.defineProperty(U, 'explainedOps', { get: function () { return Object.keys(EXPLAIN).sort(); } });

  /** How element `flat` (row-major) of step `stepIndex`'s output was computed:
      {formula, notes[], lines[][], value (recomputed), recorded, agrees, sources[{input, index}],
      label, marked: {formula, notes[], label}}. Lines hold strings and numbers {v, kind, label,
      marked, ref?}. The strings are plain text; `marked` and a number's `marked` name tensors
      by marks that Unrolled.provenanceHtml typesets. */
  U.explain = function (model, stepIndex, flat) {
    var e = new Explanation(model, stepIndex, flat);
    var rule = EXPLAIN[e.step.op];
    if (rule) {
      rule(e);
    } else {
      e.formula = e.outLabel() + ' = ' + e.step.op + '(' + e.ins.map(named).join(', ') + ')';
      e.notes.push('This viewer has no worked explanation for the op "' + e.step.op + '"; here are its inputs.');
      e.ins.forEach(function (t, k) {
        if (size(t.shape) === size(e.out.shape)) e.line('input ' + (k + 1) + ': ', e.input(k, flat));
        else e.line('input ' + (k + 1) + ': ' + named(t) + ' (' + shapeText(t.shape) + ')');
      });
      e.value = model.values(e.out.id)[flat];
    }
    e.recorded = model.values(e.out.id)[flat];
    e.agrees = same(e.value, e.recorded);
    var sources = [];
    e.lines.forEach(function (line) {
      line.forEach(function (token) { if (token && token.ref) sources.push(token.ref); });
    });
    e.sources = sources;
    // Strings in plain text for any reader; the marked ones for the step panel to typeset.
    var marked = { formula: e.formula, notes: e.notes, label: e.outLabel() };
    e.lines.forEach(function (line) {
      line.forEach(function (token) { if (token && token.label) { token.marked = token.label; token.label = plain(model, token.label); } });
    });
    return { formula: plain(model, e.formula), notes: e.notes.map(function (n) { return plain(model, n); }), lines: e.lines,
             value: e.value, recorded: e.recorded, agrees: e.agrees, sources: sources, label: plain(model, e.outLabel()), marked: marked };
  };

  /** Equal as the trace's replay checks them: NaN with NaN, infinities by sign, finite to 1e-12 relative. */
  function same(a, b) {
    if (a !== a || b !== b) return a !== a && b !== b;
    if (a === b) return true;
    if (!isFinite(a) || !isFinite(b)) return false;
    return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-300;
  }

  U.unravel = unravel;
  U.sameValue = same;
  /** For viewer-provenance-moves.js and -updates.js: the rule table and the index helpers it needs. */
  U.provenance = { rules: EXPLAIN, ravel: ravel, at: at, named: named, broadcastSource: broadcastSource, number: number };
})(window.Unrolled);
