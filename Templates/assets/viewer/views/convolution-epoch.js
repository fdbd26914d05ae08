/* Unrolled viewer: what the convolution view (views/convolution.js) reads at a recorded epoch.
   The history keeps, at its snapshotted entries, every parameter (`parameter` series, keyed by the
   parameter's name) and the feature maps the convolutions read and make, recomputed from those
   parameters on one image of the traced batch (`activation` series, found by their tags, with
   `item`; docs/trace-format.md, "Series"). An entry's values stand in for the traced ones, so the
   view's arithmetic (U.imageWork) is the traced step's, on the epoch's numbers. Adds
   convolutionHistory to U.viewKit; loaded before convolution.js (file-name order). */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { tagKey, toNumber } = U.viewKit;

  function numbers(snapshot) { return Float64Array.from(snapshot.data, toNumber); }

  /* The entries a convolution can be shown at, and for each one a source of values with the
     model's shape ({tensors, steps, values(id)}): a parameter's snapshot; a tagged map's snapshot,
     placed at its item of the batch (the other items NaN: the history keeps one image); the input
     image (quantity `image`) as traced, since it is data; null for anything else (gradients). */
  function convolutionHistory(model) {
    var trace = model.trace, series = Array.isArray(trace.series) ? trace.series : [];
    var parameters = {}, byTags = {}, item = null;
    series.forEach(function (s) {
      if (!s || typeof s.key !== 'string') return;
      if (s.quantity === 'parameter') parameters[s.key] = true;
      if (s.quantity === 'activation' && s.tags && typeof s.tags === 'object') {
        byTags[tagKey(s.tags)] = s;
        if (s.item) item = s.item;
      }
    });
    var convs = model.steps.filter(function (st) { return st.op === 'conv2d' && st.phase === 'forward'; });
    var history = trace.history || [];
    // The entries that hold a convolution's kernel and a recomputed map.
    var entries = history.filter(function (e) {
      var held = e.tensors || {};
      return convs.some(function (st) { var w = model.tensors[st.inputs[1]]; return parameters[w.name] && held[w.name]; }) &&
        Object.keys(byTags).some(function (k) { return held[byTags[k].key]; });
    });
    var unit = series.some(function (s) { return s && s.quantity === 'activation' && s.per === 'epoch'; }) ? 'epoch' : 'iteration';

    function source(entry) {
      var cache = {};
      function values(id) {
        if (!(id in cache)) cache[id] = lookup(model.tensors[id], entry.tensors || {});
        return cache[id];
      }
      return { trace: trace, tensors: model.tensors, steps: model.steps, values: values, entry: entry };
    }

    function lookup(t, held) {
      if (t.role === 'parameter') return parameters[t.name] && held[t.name] ? numbers(held[t.name]) : null;
      if (!t.tags) return null;
      if (t.tags.quantity === 'image') return model.values(t.id);
      var s = byTags[tagKey(t.tags)], snap = s && held[s.key];
      if (!snap) return null;
      if (!s.item) return numbers(snap);
      var per = snap.data.length, out = new Float64Array(per * t.shape[0]).fill(NaN);
      out.set(numbers(snap), (s.item - 1) * per);
      return out;
    }

    // Whether `src` holds every input and the output of step `s`: a forward image op it can show.
    function holds(src, s) {
      var st = model.steps[s];
      return st.phase === 'forward' && src.values(st.output) != null && st.inputs.every(function (id) { return src.values(id) != null; });
    }

    /* The forward op to show at an epoch for image step `s` (the history keeps no gradients): a
       forward step itself; for ∂W (conv2d_weight) the conv2d that read the same input, for ∂X
       (conv_transpose2d) the one with the same kernel, for a pool's backward the pool of the same
       input; else the last conv2d before it. */
    function forwardOf(s) {
      var st = model.steps[s];
      if (st.phase === 'forward') return s;
      var match = { conv2d_weight: ['conv2d', 0, 0], conv_transpose2d: ['conv2d', 1, 1], max_pool2d_backward: ['max_pool2d', 0, 0] }[st.op];
      var found = -1;
      model.steps.forEach(function (f, k) {
        if (f.phase !== 'forward') return;
        if (match ? f.op === match[0] && f.inputs[match[2]] === st.inputs[match[1]] : f.op === 'conv2d' && k < s) found = k;
      });
      return found >= 0 ? found : model.steps.indexOf(convs[0]);
    }

    return { entries: entries, history: history, unit: unit, item: item, source: source, holds: holds, forwardOf: forwardOf };
  }

  U.viewKit.convolutionHistory = convolutionHistory;
})(window.Unrolled);
