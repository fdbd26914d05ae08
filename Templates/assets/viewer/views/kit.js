/* Unrolled viewer: what the special views share beyond the viewer's kit (viewer-kit.js, whose
   DOM, SVG and number helpers they take from the same U.viewKit): a per-trace index of
   scopes, producers and gradients, added to U.viewKit. The views, "views that teach where a generic
   matrix view does not", are a file each beside this one: cell.js, unrolled.js, attention.js,
   word2vec.js, training.js. Each view is a spec pushed onto Unrolled.views (see the viewer contract):
   applies(model), create(host, model, api) → {update(stepIndex), destroy()}.
   Every view builds its indexes once in create() so that update() only looks things up:
   it must stay under 5 ms on a 20,000-step trace. Classic script, no dependencies.

   Hooks that tests and other scripts may rely on (inside the panel [data-view="<id>"]):
   - lstm-cell, gru-cell: .uv-wire[data-wire][data-tensor="f_2"][data-tensor-id] (the id of
     the tensor or gradient shown, empty when not computed yet; its <title> has the exact
     values), .uv-node[data-node].uv-lit; the panel has .uv-backward during backward.
   - unrolled: .uv-unit[data-t][data-dir] (click: first step of that cell),
     .uv-bar[data-t][data-dir][data-norm] (data-norm absent while not computed).
   - attention: .uv-heatcell[data-row][data-col][data-value], .uv-rowtoken, .uv-coltoken,
     .uv-rowlit[visibility], rects .uv-masked and .uv-pending; a <select> of heads.
   - word2vec: .uv-stage[data-stage="<tensor name>"].uv-lit, .uv-w2vcell[data-value], and
     for stages with a gradient .uv-w2vgrad[data-value] (empty until computed).
   - training: .uv-curve (one point per finite history loss), .uv-traced circles,
     .uv-hover-text; .uv-word[data-word] and .uv-point with a range input per epoch. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html } = U.viewKit;

  // Largest index i with list[i].step <= step, or -1. Lists are in step order.
  function lastAtOrBefore(list, step) {
    var lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid].step <= step) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  // ---------------------------------------------------------------- the shared trace index

  /* What several views need to know about a trace, computed once per model in O(scopes +
     steps + tensors): per scope the time step t, the direction and the iteration (root
     scope); per step the same, carried over from the previous step for scope-less update
     steps; per tensor its producing step and the gradients of it in step order; and per
     iteration a name → tensor id table, since names repeat across traced iterations. */
  var indexes = typeof WeakMap === 'function' ? new WeakMap() : null;

  function traceIndex(model) {
    var cached = indexes && indexes.get(model);
    if (cached) return cached;
    var trace = model.trace;
    var scopes = trace.scopes || [], steps = trace.steps || [], tensors = trace.tensors || [];

    var scopeT = new Int32Array(scopes.length), scopeDir = new Array(scopes.length);
    var scopeRoot = new Int32Array(scopes.length);
    for (var i = 0; i < scopes.length; i++) {
      var scope = scopes[i], parent = scope.parent;
      var match = /^t = (\d+)/.exec(scope.name);
      scopeT[i] = match ? +match[1] : (parent == null ? 0 : scopeT[parent]);
      scopeDir[i] = scope.name === 'forward direction' ? 'f'
        : scope.name === 'backward direction' ? 'b' : (parent == null ? '' : scopeDir[parent]);
      scopeRoot[i] = parent == null ? i : scopeRoot[parent];
    }

    var producer = new Int32Array(tensors.length).fill(-1);
    var stepRoot = new Int32Array(steps.length);
    var gradientsOf = {};
    var names = {};          // root scope id → {name: tensor id}
    var root = -1;
    for (var s = 0; s < steps.length; s++) {
      var step = steps[s];
      if (step.scope != null) root = scopeRoot[step.scope];
      stepRoot[s] = root;
      producer[step.output] = s;
      var table = names[root] || (names[root] = {});
      for (var k = 0; k < step.inputs.length; k++) {
        var input = tensors[step.inputs[k]];
        if (input.role !== 'gradient' && !(input.name in table)) table[input.name] = input.id;
      }
      var output = tensors[step.output];
      if (output.role === 'gradient') {
        (gradientsOf[output.of] || (gradientsOf[output.of] = [])).push({ step: s, id: output.id });
      } else if (!(output.name in table)) {
        table[output.name] = output.id;
      }
    }
    // The seed ∂L/∂L is made by no step; it counts from the first backward step.
    var index = {
      trace: trace, scopes: scopes, steps: steps, tensors: tensors,
      scopeT: scopeT, scopeDir: scopeDir, scopeRoot: scopeRoot, stepRoot: stepRoot,
      producer: producer, gradientsOf: gradientsOf, names: names,
      lookup: function (rootId, name) {
        var t = names[rootId];
        return t && name in t ? t[name] : -1;
      },
      // The latest gradient of tensor `id` made at or before step s (accumulated so far).
      gradientAt: function (id, s) {
        var list = gradientsOf[id];
        if (!list) return -1;
        var at = lastAtOrBefore(list, s);
        return at < 0 ? -1 : list[at].id;
      },
      roots: function () {
        var list = [];
        for (var r = 0; r < scopes.length; r++) if (scopes[r].parent == null) list.push(r);
        return list;
      }
    };
    if (indexes) indexes.set(model, index);
    return index;
  }

  function values(model, id) {
    return id < 0 ? null : model.values(id);
  }

  function phaseOf(index, s) {
    return s >= 0 && s < index.steps.length ? index.steps[s].phase : null;
  }

  function lossName(index, gradientId) {
    var match = /^d(.+?)\//.exec(index.tensors[gradientId].name);
    return match ? match[1] : 'L';
  }

  /* The equation of the current step's scope (or of the nearest enclosing scope that has
     one), rendered with the viewer's api.tex, and only re-rendered when it changes. */
  function equationLine(parent, index, api) {
    // Above the graphic, where the reader looks first.
    var node = parent.insertBefore(html('div', { class: 'uv-equation' }), parent.firstChild);
    var shown = null, rendered = {};   // TeX source → rendered element, copied on reuse
    return function (scopeId) {
      while (scopeId != null && !index.scopes[scopeId].equation) scopeId = index.scopes[scopeId].parent;
      var tex = scopeId == null ? '' : index.scopes[scopeId].equation;
      if (tex === shown) return;
      shown = tex;
      node.textContent = '';
      if (!tex) return;
      if (!rendered[tex]) {
        rendered[tex] = document.createElement('div');
        api.tex(rendered[tex], tex, true);
      }
      node.appendChild(rendered[tex].cloneNode(true));
    };
  }

  Object.assign(U.viewKit, {
    lastAtOrBefore: lastAtOrBefore,
    traceIndex: traceIndex,
    values: values,
    phaseOf: phaseOf,
    lossName: lossName,
    equationLine: equationLine
  });
})(window.Unrolled);
