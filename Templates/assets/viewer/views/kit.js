/* Unrolled viewer: what the special views share. U.viewKit is the viewer's one kit
   (viewer-kit.js: DOM and SVG helpers, numbers, formats); this file adds the helpers only the
   views use, and views/structure.js the per-trace index of the declared structure. The views,
   "views that teach where a generic matrix view does not", are a file each beside this one: graph.js, cell.js,
   unrolled.js, attention.js, word2vec.js, neighbours.js, training.js (its scatter in
   training-scatter.js), convolution.js (at an epoch: convolution-epoch.js), feature-maps.js, inception.js, residual.js, normalization.js. Each appears only for traces whose
   declared structure it can draw (and which suggest it, when the trace lists its views). Each view is a spec pushed onto Unrolled.views (see the viewer contract):
   applies(model), create(host, model, api) → {update(stepIndex), destroy()}.
   Every view builds its indexes once in create() so that update() only looks things up:
   it must stay under 5 ms on a 20,000-step trace. Classic script; needs viewer-kit.js.

   Hooks that tests and other scripts may rely on (inside the panel [data-view="<id>"]):
   - lstm-cell, gru-cell: .uv-wire[data-wire][data-tensor="f_2"][data-tensor-id] (the id of
     the tensor or gradient shown, empty when not computed yet; its <title> has the exact
     values), .uv-node[data-node].uv-lit; the panel has .uv-backward during backward.
   - unrolled: .uv-unit[data-t][data-dir] (click: first step of that cell),
     .uv-bar[data-t][data-dir][data-norm] (data-norm absent while not computed).
   - attention: .uv-heatcell[data-row][data-col][data-value], .uv-rowtoken, .uv-coltoken,
     .uv-rowlit[visibility], rects .uv-masked and .uv-pending; a <select> of heads; svg.uv-heat
     [data-iteration] while it shows a recorded iteration.
   - attention, lstm-cell, gru-cell, word2vec at recorded iterations (epochs): input.uv-history-slider
     (0 the traced step) and .uv-history-text; training's .uv-history-mark[data-iteration] (docs/viewer.md,
     "Views at any recorded iteration").
   - neighbours: .uv-nb-list[data-word] with .uv-nb-row[data-rank][data-word][data-cosine],
     input.uv-nb-epoch; unrolled's scale control input.uv-fixed-scale.
   - word2vec: .uv-stage[data-stage="<tensor name>"].uv-lit (data-iteration: the epoch shown, empty
     for the traced values), .uv-w2vcell[data-value], and for stages with a gradient
     .uv-w2vgrad[data-value] (empty until computed, and at a recorded epoch).
   - training: .uv-curve (one point per finite history loss), .uv-curve-validation,
     .uv-mark[data-mark][data-iteration], .uv-acc-curve, .uv-traced circles,
     .uv-hover-text; .uv-word[data-word] and .uv-point with a range input per epoch.
   - convolution: .uv-conv-grid[data-role] with .uv-conv-cell[data-row][data-col][data-value]
     (.uv-conv-pad, .uv-conv-window[data-kernel]), .uv-conv-term[data-a][data-b][data-product]
     [data-sum], .uv-conv-result/.uv-conv-bias/.uv-conv-after[data-stage][data-value]; the
     panel's data-step, data-element and data-iteration (the epoch shown; input.uv-history-slider)
     (docs/viewer.md, "The convolution view").
   - feature-maps: svg.uv-fmap[data-tensor-id][data-channel][data-layer][data-stage] (and
     [data-iteration] at an epoch, for a map recomputed by its tags) with
     .uv-fmcell[data-row][data-col][data-value] (.uv-pending), .uv-fmap-frame, select.uv-fm-image,
     input.uv-fm-epoch (docs/viewer.md, "The feature-maps view"). */
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

  function values(model, id) {
    return id < 0 ? null : model.values(id);
  }

  function phaseOf(index, s) {
    return s >= 0 && s < index.steps.length ? index.steps[s].phase : null;
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

  /* An epoch slider over `epochs` (history entries that hold a view's series) tied to the
     viewer's history position (api.state.history, an index into trace.history), shared with the
     other views: it shows the last epoch at or before the position, the last epoch when none is
     set, and moving it moves the position. Calls show(k) on each change; returns the unsubscribe. */
  function followEpochs(api, history, epochs, slider, show) {
    function epochAt(position) {
      if (position == null) return epochs.length - 1;
      var k = 0;
      while (k + 1 < epochs.length && history.indexOf(epochs[k + 1]) <= position) k++;
      return k;
    }
    function follow() {
      var k = epochAt(api.state.history);
      slider.value = k;
      show(k);
    }
    slider.addEventListener('input', function () { api.state.set({ history: history.indexOf(epochs[+slider.value]) }); });
    var unsubscribe = api.state.subscribe(function (changed) { if (changed.history) follow(); });
    follow();
    return unsubscribe;
  }

  /* Views that draw traced tensors (attention maps, a cell's wires) at any recorded iteration.
     The trace describes `activation` series: a tensor of the traced iteration, found by its tags,
     recomputed after the update of each snapshotted entry (docs/trace-format.md, "Series").
     `historyOf(model, quantities)` gives, for the series whose tags' quantity is one of
     `quantities`, those series, the lookup by tags and the entries holding at least one of them. */
  function historyOf(model, quantities) {
    var trace = model.trace, byKey = {};
    var series = (Array.isArray(trace.series) ? trace.series : []).filter(function (s) {
      return s && s.quantity === 'activation' && typeof s.key === 'string' && s.tags && typeof s.tags === 'object' &&
        quantities.indexOf(s.tags.quantity) >= 0;
    });
    series.forEach(function (s) { byKey[U.viewKit.tagKey(s.tags)] = s.key; });
    var history = trace.history || [];
    var entries = !series.length ? [] : history.filter(function (e) {
      return e.tensors && series.some(function (s) { return e.tensors[s.key]; });
    });
    return {
      entries: entries, history: history, series: series,
      // What an entry is, as the series say: `iteration`, or `epoch` (word2vec's).
      unit: series.length && series[0].per === 'epoch' ? 'epoch' : 'iteration',
      // The snapshot of the tensor tagged `tags` after entries[k]: {shape, values}, or null.
      snapshot: function (k, tags) {
        var key = byKey[U.viewKit.tagKey(tags)], e = entries[k];
        var t = key != null && e && e.tensors[key];
        return t && t.data ? { shape: t.shape, values: Float64Array.from(t.data, U.viewKit.toNumber) } : null;
      }
    };
  }

  /* A slider over `recorded.entries` tied to the viewer's history position (api.state.history),
     as the other views' sliders are: 0 is the traced step, k the snapshot after entries[k − 1].
     The position shown is the last snapshot at or before the viewer's; a step the reader takes
     returns the view to the step (the traced values). Calls changed() when what is shown changes;
     at() is null for the traced step, else the index into entries. */
  function historyControl(parent, api, recorded, changed) {
    var entries = recorded.entries, history = recorded.history, position = null;
    var box = html('div', { class: 'uv-controls uv-history' }, parent);
    var label = html('label', null, box);
    html('span', null, label, 'show');
    var slider = html('input', { type: 'range', class: 'uv-history-slider', min: 0, max: entries.length, value: 0,
                                 'aria-label': 'what the view shows: 0 the traced step, then the model after each recorded ' + recorded.unit }, label);
    var out = html('output', { class: 'uv-history-text' }, label);
    var last = entries.length ? entries[entries.length - 1].iteration : 0;
    function text() {
      return position == null ? 'the traced step' : 'after ' + recorded.unit + ' ' + entries[position].iteration + ' (of ' + last + ')';
    }
    function show(p) {
      if (p === position) return;
      position = p;
      slider.value = p == null ? 0 : p + 1;
      out.textContent = text();
      box.classList.toggle('uv-history-on', p != null);
      changed();
    }
    function fromState(h) {
      if (h == null) return null;
      var k = null;
      for (var e = 0; e < entries.length; e++) if (history.indexOf(entries[e]) <= h) k = e;
      return k;
    }
    slider.addEventListener('input', function () {
      var k = +slider.value;
      show(k === 0 ? null : k - 1);
      api.state.set({ history: k === 0 ? null : history.indexOf(entries[k - 1]) });
    });
    var unsubscribe = api.state.subscribe(function (c) {
      if (c.history) show(fromState(api.state.history));
      else if (c.step) show(null);
    });
    position = fromState(api.state.history);
    slider.value = position == null ? 0 : position + 1;
    out.textContent = text();
    box.classList.toggle('uv-history-on', position != null);
    return { at: function () { return position; }, entry: function () { return position == null ? null : entries[position]; },
             last: last, destroy: unsubscribe };
  }

  // A panel under 600 px, a phone's: the views draw their narrow layouts (views/legible.js).
  function narrowPanel(host) { var w = host.clientWidth; return w > 0 && w < 600; }

  Object.assign(U.viewKit, {
    narrowPanel: narrowPanel,
    historyOf: historyOf,
    historyControl: historyControl,
    followEpochs: followEpochs,
    lastAtOrBefore: lastAtOrBefore,
    values: values,
    phaseOf: phaseOf,
    equationLine: equationLine
  });
})(window.Unrolled);
