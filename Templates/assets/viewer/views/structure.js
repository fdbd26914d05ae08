/* Unrolled viewer: what the special views know about a trace, read from its declared structure
   only (docs/trace-format.md, "Declared structure"): scope kinds and attributes (iteration,
   time_step, direction, cell, cell_part, stage …), tensor tags (quantity and context) and the
   described history series. No view reads a model name or matches a scope's or a tensor's
   display name, so names stay free to change; a trace without declarations (made before them)
   gets no special view. Adds traceIndex, suggests, hasScope, hasTag, seriesOf, tagKey to
   U.viewKit (views/kit.js, loaded first). Classic script, no dependencies. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  var kit = U.viewKit || (U.viewKit = {});
  var DIRECTION = { forward: 'f', backward: 'b' };   // the views' short form, also their data-dir hook

  // ---------------------------------------------------------------- applies(): cheap scans

  // Whether the trace lets view `id` appear: a trace that lists its suggested views decides
  // among the views its structure allows; one that lists none leaves it to the structure.
  function suggests(model, id) {
    var views = model.trace.views;
    return !Array.isArray(views) || views.indexOf(id) >= 0;
  }

  // Whether a scope of `kind` exists, with every attribute of `attributes` when given.
  function hasScope(model, kind, attributes) {
    return (model.trace.scopes || []).some(function (scope) {
      return scope.kind === kind && matches(scope.attributes, attributes);
    });
  }

  // Whether a tensor is tagged with `quantity` (and `test(tensor)`, when given).
  function hasTag(model, quantity, test) {
    return (model.trace.tensors || []).some(function (tensor) {
      return tensor.tags && tensor.tags.quantity === quantity && (!test || test(tensor));
    });
  }

  // The described history series of `quantity` (of `of`, when given), or null.
  function seriesOf(model, quantity, of) {
    var list = Array.isArray(model.trace.series) ? model.trace.series : [];
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (s && s.quantity === quantity && (of == null || s.of === of) && typeof s.key === 'string') return s;
    }
    return null;
  }

  function matches(values, wanted) {
    for (var key in wanted || {}) if (!values || values[key] !== wanted[key]) return false;
    return true;
  }

  // One string per set of tags, whatever the order of their keys: what lookups compare.
  function tagKey(tags) {
    return JSON.stringify(Object.keys(tags).sort().map(function (k) { return [k, tags[k]]; }));
  }

  // ---------------------------------------------------------------- the shared trace index

  /* What several views need to know about a trace, computed once per model in O(scopes +
     steps + tensors): per scope the declared time step t, direction ('f', 'b' or ''), and
     iteration root; per step the same, carried over from the previous step for scope-less
     update steps; per tensor its producing step and the gradients of it in step order; and per
     iteration (root scope) the tagged tensors, by their tags, in the order steps first use
     them, since the same tags repeat across traced iterations. */
  var indexes = typeof WeakMap === 'function' ? new WeakMap() : null;

  function traceIndex(model) {
    var cached = indexes && indexes.get(model);
    if (cached) return cached;
    var trace = model.trace;
    var scopes = trace.scopes || [], steps = trace.steps || [], tensors = trace.tensors || [];

    var scopeT = new Int32Array(scopes.length), scopeDir = new Array(scopes.length);
    var scopeRoot = new Int32Array(scopes.length);
    for (var i = 0; i < scopes.length; i++) {
      var scope = scopes[i], parent = scope.parent, attributes = scope.attributes || {};
      var t = scope.kind === 'time_step' ? attributes.t : null;
      scopeT[i] = typeof t === 'number' ? t : (parent == null ? 0 : scopeT[parent]);
      scopeDir[i] = DIRECTION[attributes.direction] || (parent == null ? '' : scopeDir[parent]);
      scopeRoot[i] = parent == null ? i : scopeRoot[parent];
    }

    var producer = model.producers;   // the model's own index of producing steps
    var stepRoot = new Int32Array(steps.length);
    var gradientsOf = {};
    var tagged = {};         // root scope id → {key: tensor id, order: [tensor ids]}
    var root = -1, keys = new Array(tensors.length);
    function note(table, tensor) {
      if (!tensor.tags || tensor.role === 'gradient') return;
      var key = keys[tensor.id] || (keys[tensor.id] = tagKey(tensor.tags));
      if (!(key in table.byKey)) { table.byKey[key] = tensor.id; table.order.push(tensor.id); }
    }
    for (var s = 0; s < steps.length; s++) {
      var step = steps[s];
      if (step.scope != null) root = scopeRoot[step.scope];
      stepRoot[s] = root;
      var table = tagged[root] || (tagged[root] = { byKey: {}, order: [] });
      for (var k = 0; k < step.inputs.length; k++) note(table, tensors[step.inputs[k]]);
      var output = tensors[step.output];
      if (output.role === 'gradient') {
        (gradientsOf[output.of] || (gradientsOf[output.of] = [])).push({ step: s, id: output.id });
      } else {
        note(table, output);
      }
    }
    var loss = trace.loss != null && tensors[trace.loss] ? tensors[trace.loss] : null;
    // The seed ∂L/∂L is made by no step; it counts from the first backward step.
    var index = {
      trace: trace, scopes: scopes, steps: steps, tensors: tensors,
      scopeT: scopeT, scopeDir: scopeDir, scopeRoot: scopeRoot, stepRoot: stepRoot,
      producer: producer, gradientsOf: gradientsOf,
      // The display name of the loss the gradients are taken of (Q in ∂Q/∂h), null without one.
      lossName: loss ? loss.name : null,
      // The tensor of iteration `rootId` tagged exactly `tags`, or -1.
      find: function (rootId, tags) {
        var t = tagged[rootId];
        var key = tagKey(tags);
        return t && key in t.byKey ? t.byKey[key] : -1;
      },
      // The tagged tensors of iteration `rootId` whose quantity is `quantity`, in order of first use.
      withQuantity: function (rootId, quantity) {
        var t = tagged[rootId];
        return t ? t.order.filter(function (id) { return tensors[id].tags.quantity === quantity; }) : [];
      },
      // The latest gradient of tensor `id` made at or before step s (accumulated so far).
      gradientAt: function (id, s) {
        var list = gradientsOf[id];
        if (!list) return -1;
        var at = kit.lastAtOrBefore(list, s);
        return at < 0 ? -1 : list[at].id;
      },
      roots: function () {
        var list = [];
        for (var r = 0; r < scopes.length; r++) if (scopes[r].parent == null) list.push(r);
        return list;
      },
      // The declared attribute `name` of scope `id` when it is of `kind`, else undefined.
      attribute: function (id, kind, name) {
        var scope = id == null ? null : scopes[id];
        return scope && scope.kind === kind && scope.attributes ? scope.attributes[name] : undefined;
      },
      // Per scope: 1 when it or an enclosing scope is of `kind`.
      within: function (kind) {
        var inside = new Uint8Array(scopes.length);
        for (var c = 0; c < scopes.length; c++) {
          var up = scopes[c].parent;
          inside[c] = scopes[c].kind === kind || (up != null && inside[up]) ? 1 : 0;
        }
        return inside;
      }
    };
    if (indexes) indexes.set(model, index);
    return index;
  }

  kit.traceIndex = traceIndex;
  kit.suggests = suggests;
  kit.hasScope = hasScope;
  kit.hasTag = hasTag;
  kit.seriesOf = seriesOf;
  kit.tagKey = tagKey;
})(window.Unrolled);
