/* Unrolled.TraceModel: a read-only view of one trace (docs/trace-format.md) with the
   indexes the viewer needs to stay fast on 20,000+ steps (phases, producers, the outline
   tree) and the sentence the live region reads. How one result element was computed
   (provenance) is viewer-provenance.js.
   Classic script; needs viewer-kit.js (trace numbers). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  const { number } = U.viewerKit;
  var PHASES = ['forward', 'backward', 'update'];

  function shapeText(shape) {
    return shape.length === 0 ? 'scalar' : shape.join('×');
  }

  function size(shape) {
    var n = 1;
    for (var i = 0; i < shape.length; i++) n *= shape[i];
    return n;
  }

  /** Throws an Error naming the first thing in the trace the viewer cannot stand on: an id that
      names nothing, a shape its data does not fill, a scope tree with a cycle. `unrolled build` and
      `unrolled embed` check traces fully (TraceCheck), but a page may hold a trace from anywhere. */
  function checkTrace(trace) {
    function fail(message) { throw new Error(message); }
    function list(key) {
      if (trace[key] === undefined) return [];
      if (!Array.isArray(trace[key])) fail('"' + key + '" is not an array');
      return trace[key];
    }
    var tensors = list('tensors'), scopes = list('scopes'), steps = list('steps');
    function id(v, n) { return Number.isInteger(v) && v >= 0 && v < n; }
    function tensorRef(v, what) { if (!id(v, tensors.length)) fail(what + ' tensor ' + v + ', which the trace does not have'); }
    tensors.forEach(function (t, i) {
      if (!t || typeof t !== 'object') fail('tensor ' + i + ' is not an object');
      if (!Array.isArray(t.shape) || !t.shape.every(function (d) { return Number.isInteger(d) && d >= 0; })) fail('tensor ' + i + ' has no valid shape');
      if (!Array.isArray(t.data) || t.data.length !== size(t.shape)) fail('tensor ' + i + ' does not hold the ' + size(t.shape) + ' values of its shape ' + shapeText(t.shape));
      if (t.of !== undefined) tensorRef(t.of, 'tensor ' + i + ' is of');
    });
    scopes.forEach(function (s, i) {
      if (!s || typeof s !== 'object') fail('scope ' + i + ' is not an object');
      if (s.parent !== null && s.parent !== undefined && !id(s.parent, scopes.length)) fail('the parent of scope ' + i + ' is scope ' + s.parent + ', which the trace does not have');
    });
    // Following parents from every scope must reach the top: each scope is walked once.
    var reachesTop = new Uint8Array(scopes.length);
    scopes.forEach(function (s, start) {
      var walk = [], at = start;
      while (at !== null && at !== undefined && !reachesTop[at]) {
        if (walk.indexOf(at) >= 0) fail('the parents of scope ' + at + ' form a cycle');
        walk.push(at);
        at = scopes[at].parent;
      }
      walk.forEach(function (k) { reachesTop[k] = 1; });
    });
    steps.forEach(function (step, i) {
      if (!step || typeof step !== 'object' || !Array.isArray(step.inputs)) fail('step ' + i + ' has no list of inputs');
      step.inputs.forEach(function (input) { tensorRef(input, 'step ' + i + ' reads'); });
      tensorRef(step.output, 'step ' + i + ' makes');
      if (step.scope !== null && step.scope !== undefined && !id(step.scope, scopes.length)) fail('step ' + i + ' is in scope ' + step.scope + ', which the trace does not have');
    });
    if (trace.loss !== null && trace.loss !== undefined) tensorRef(trace.loss, 'the loss is');
  }

  function TraceModel(trace) {
    if (!trace || trace.format !== 'unrolled-trace') {
      throw new Error('not an Unrolled trace: the JSON has no "format": "unrolled-trace"');
    }
    if (trace.version !== 1) {
      throw new Error('trace format version ' + trace.version + ' is not supported (this viewer reads version 1)');
    }
    checkTrace(trace);
    this.trace = trace;
    this.steps = trace.steps || [];
    this.tensors = trace.tensors || [];
    this.scopes = trace.scopes || [];
    this.stepCount = this.steps.length;
    this._values = new Array(this.tensors.length);
    this._maxAbs = new Float64Array(this.tensors.length).fill(-1);
    this._paths = new Array(this.scopes.length);

    var n = this.stepCount;
    this.phaseCodes = new Uint8Array(n);
    this._phaseStart = [-1, -1, -1];
    // Per tensor, the 0-based index of the step that makes it, or -1 (views/structure.js shares it).
    this.producers = new Int32Array(this.tensors.length).fill(-1);
    this._firstUse = new Int32Array(this.tensors.length).fill(-1);
    for (var i = 0; i < n; i++) {
      var step = this.steps[i];
      var code = PHASES.indexOf(step.phase);
      this.phaseCodes[i] = code < 0 ? 0 : code;
      if (code >= 0 && this._phaseStart[code] < 0) this._phaseStart[code] = i;
      this.producers[step.output] = i;
      for (var k = 0; k < step.inputs.length; k++) {
        if (this._firstUse[step.inputs[k]] < 0) this._firstUse[step.inputs[k]] = i;
      }
    }
    this.outline = buildOutline(this);
  }

  TraceModel.PHASES = PHASES;

  TraceModel.prototype.tensor = function (id) { return this.tensors[id]; };

  /** The tensor's values as a Float64Array (NaN/±Infinity strings converted), cached. */
  TraceModel.prototype.values = function (id) {
    var cached = this._values[id];
    if (cached) return cached;
    var data = this.tensors[id].data;
    var out = new Float64Array(data.length);
    for (var i = 0; i < data.length; i++) out[i] = number(data[i]);
    this._values[id] = out;
    return out;
  };

  /** The largest finite |value| of a tensor (0 when none): the matrices' colour scale. */
  TraceModel.prototype.maxAbs = function (id) {
    if (this._maxAbs[id] >= 0) return this._maxAbs[id];
    var v = this.values(id), m = 0;
    for (var i = 0; i < v.length; i++) {
      var a = Math.abs(v[i]);
      if (a > m && a !== Infinity) m = a;
    }
    this._maxAbs[id] = m;
    return m;
  };

  /** Scope records from the root to `scopeId` (empty for null). */
  TraceModel.prototype.scopePath = function (scopeId) {
    if (scopeId === null || scopeId === undefined) return [];
    var cached = this._paths[scopeId];
    if (cached) return cached;
    var scope = this.scopes[scopeId];
    var path = this.scopePath(scope.parent).concat([scope]);
    this._paths[scopeId] = path;
    return path;
  };

  /** The innermost scope on the step's path that carries an equation, or null. */
  TraceModel.prototype.equationScope = function (stepIndex) {
    var path = this.scopePath(this.steps[stepIndex].scope);
    for (var i = path.length - 1; i >= 0; i--) if (path[i].equation) return path[i];
    return null;
  };

  TraceModel.prototype.phaseStart = function (phase) {
    var code = PHASES.indexOf(phase);
    return code < 0 ? -1 : this._phaseStart[code];
  };

  TraceModel.prototype.producer = function (tensorId) {
    var p = this.producers[tensorId];
    return p === undefined ? -1 : p;
  };

  /** 0-based index of the first step that reads the tensor, or -1. */
  TraceModel.prototype.firstUse = function (tensorId) {
    var u = this._firstUse[tensorId];
    return u === undefined ? -1 : u;
  };

  /** The loss value of the trace (the top-level `loss` tensor), or null. */
  TraceModel.prototype.lossValue = function () {
    var id = this.trace.loss;
    if (id === null || id === undefined || !this.tensors[id]) return null;
    return this.values(id)[0];
  };

  /** First step of the next scope segment (the next outline group), clamped to the end. */
  TraceModel.prototype.nextScopeStart = function (stepIndex) {
    var o = this.outline, group = o.parent[o.stepNode[stepIndex]];
    return Math.min(this.stepCount - 1, o.last[group] + 1);
  };

  /** First step of this scope segment, or of the previous one when already there. */
  TraceModel.prototype.previousScopeStart = function (stepIndex) {
    var o = this.outline, group = o.parent[o.stepNode[stepIndex]];
    if (stepIndex > o.first[group]) return o.first[group];
    if (stepIndex === 0) return 0;
    return o.first[o.parent[o.stepNode[stepIndex - 1]]];
  };

  /** What a backward step's output is the gradient of:
      {of: tensor, final: bool, sums: bool (an add of two contributions to the same tensor)}
      or null when the output is not a gradient. */
  TraceModel.prototype.gradientInfo = function (stepIndex) {
    var step = this.steps[stepIndex], out = this.tensors[step.output];
    if (out.role !== 'gradient' || out.of === undefined) return null;
    var self = this;
    var sums = step.op === 'add' && step.inputs.length === 2 && step.inputs.every(function (id) {
      var t = self.tensors[id];
      return t.role === 'gradient' && t.of === out.of;
    });
    var finalId = this.trace.gradients ? this.trace.gradients[String(out.of)] : undefined;
    return { of: this.tensors[out.of], sums: sums, final: finalId === out.id };
  };

  /** A tensor's name for sentences: the plain text of its TeX ("f_2 ⊙ c_1") and its shape. */
  TraceModel.prototype.label = function (id) {
    var t = this.tensors[id];
    return U.viewerKit.nameText(t) + ' (' + shapeText(t.shape) + ')';
  };

  var BINARY_WORDS = { add: 'plus', sub: 'minus', mul: 'times', div: 'divided by', matmul: 'times' };

  /** The sentence the live region reads, e.g. "step 17 of 240, forward, forget gate:
      matmul W_f (2×4) times [h_0; x_1] (4×1) gives W_f [h_0; x_1] (2×1)". */
  TraceModel.prototype.describe = function (stepIndex) {
    if (this.stepCount === 0) return 'this trace records no steps';
    var step = this.steps[stepIndex], self = this;
    var path = this.scopePath(step.scope);
    var where = path.length ? path[path.length - 1].name : 'top level';
    var ins = step.inputs.map(function (id) { return self.label(id); });
    var what;
    if (BINARY_WORDS[step.op] && ins.length === 2) what = step.op + ' ' + ins[0] + ' ' + BINARY_WORDS[step.op] + ' ' + ins[1];
    else what = step.op + ' of ' + ins.join(' and ');
    var sentence = 'step ' + (stepIndex + 1) + ' of ' + this.stepCount + ', ' + step.phase + ', ' + where + ': ' + what + ' gives ' + this.label(step.output);
    var grad = this.gradientInfo(stepIndex);
    if (grad && grad.sums) sentence += ', summing two contributions to the gradient of ' + U.viewerKit.nameText(grad.of);
    return sentence;
  };

  /* The outline: a preorder tree in step order. A phase node opens whenever the phase
     changes; under it, scope nodes follow each step's scope path (a backward step carries
     its forward scope, so the same scope reappears in a later segment); steps are leaves.
     Typed arrays, so a 24,000-step trace costs a few hundred kilobytes. A node's subtree
     is the node range [i, end[i]). */
  function buildOutline(model) {
    var kind = [], ref = [], depth = [], parent = [], first = [], last = [], end = [];
    var stepNode = new Int32Array(model.stepCount);
    var open = []; // node indices: [phase node, scope nodes…]
    var openScopes = [];
    var currentPhase = -1;

    function add(k, r, d, p, s) {
      kind.push(k); ref.push(r); depth.push(d); parent.push(p); first.push(s); last.push(s); end.push(0);
      return kind.length - 1;
    }
    function closeTo(count, step) {
      while (open.length > count) {
        var node = open.pop();
        end[node] = kind.length;
        last[node] = step - 1;
        if (open.length >= 1) openScopes.pop();
      }
    }
    for (var i = 0; i < model.stepCount; i++) {
      var step = model.steps[i], phase = model.phaseCodes[i];
      var path = model.scopePath(step.scope);
      if (phase !== currentPhase) {
        closeTo(0, i);
        openScopes = [];
        open.push(add(0, phase, 0, -1, i));
        currentPhase = phase;
      }
      var common = 0;
      while (common < openScopes.length && common < path.length && openScopes[common] === path[common].id) common++;
      closeTo(common + 1, i);
      for (var j = common; j < path.length; j++) {
        var node = add(1, path[j].id, j + 1, open[open.length - 1], i);
        open.push(node);
        openScopes.push(path[j].id);
      }
      var leaf = add(2, i, path.length + 1, open[open.length - 1], i);
      end[leaf] = leaf + 1;
      stepNode[i] = leaf;
    }
    closeTo(0, model.stepCount);
    return {
      count: kind.length,
      kind: Uint8Array.from(kind), // 0 phase, 1 scope, 2 step
      ref: Int32Array.from(ref),   // phase code, scope id or step index
      depth: Uint16Array.from(depth),
      parent: Int32Array.from(parent),
      first: Int32Array.from(first),
      last: Int32Array.from(last),
      end: Int32Array.from(end),
      stepNode: stepNode
    };
  }

  U.TraceModel = TraceModel;
  U.shapeText = shapeText;
  U.size = size;
})(window.Unrolled);
