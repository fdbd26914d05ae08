/* Unrolled viewer, special view: a CNN's feature maps as heatmaps (view feature-maps).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, exact, toNumber, traceIndex, prepare, caption, setText,
          suggests, hasTag, seriesOf, historyOf } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The input image and every feature map of the traced iteration, in network order (by the
     tag `layer`, then in the order the steps compute them: conv, relu, pool …), one small
     heatmap per channel, for one image of the batch (a picker when the batch has several).
     The colour scale diverges at 0 and is shared by the channels of one map, so they compare.
     Maps the current step has not computed yet are blank; the one it computes is ringed.
     When the trace describes `feature_map` series (the chosen image's maps after each epoch),
     a slider moves from the traced iteration (before any update) through the epochs; it is
     the viewer's history position, shared with the training view. A trace whose `activation`
     series follow its traced maps by their tags (segmentation: one image of the batch, the series'
     `item`) shows at an epoch the same sections as the traced iteration, each map recomputed, the
     image as traced. Declared: tensors tagged image and feature_map (their layer, stage), the
     feature_map, activation and accuracy series. */

  views.push({
    id: 'feature-maps',
    title: 'Feature maps',
    applies: function (model) {
      return suggests(model, 'feature-maps') && hasTag(model, 'feature_map', isImage);
    },
    create: createFeatureMaps
  });

  function isImage(tensor) { return tensor.shape.length === 4; }

  var CELL = 13;   // px per pixel of a map; an 8×8 map is 104 px wide

  function createFeatureMaps(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-feature-maps');
    var history = model.trace.history || [];
    var mapSeries = (Array.isArray(model.trace.series) ? model.trace.series : []).filter(function (s) {
      return s && s.quantity === 'feature_map' && typeof s.key === 'string';
    });
    var accuracy = seriesOf(model, 'accuracy');
    // The traced maps recomputed after an epoch, found by their tags; one image of the batch.
    var recorded = historyOf(model, mapSeries.length ? [] : ['feature_map']);
    var item = recorded.series.length ? recorded.series[0].item : null;
    var epochs = recorded.entries.length ? recorded.entries : history.filter(function (e) {
      return e.tensors && mapSeries.some(function (s) { return e.tensors[s.key]; });
    });

    var controls = html('div', { class: 'uv-controls' }, host);
    var picker = null, slider = null, out = null;
    var holder = html('div', null, host);
    var readout = html('p', { class: 'uv-caption uv-fm-readout' }, host);
    var note = caption(host);

    var root = null, maps = [], batch = 1, image = 0, position = null, lastStep = -1;

    // The traced iteration's image and maps, network order: by layer, then by first use.
    function tracedMaps(rootId) {
      var found = index.withQuantity(rootId, 'image').concat(index.withQuantity(rootId, 'feature_map'))
        .map(function (id, order) { return { id: id, tensor: index.tensors[id], order: order }; })
        .filter(function (m) { return isImage(m.tensor); });
      found.sort(function (a, b) {
        var la = a.tensor.tags.layer || 0, lb = b.tensor.tags.layer || 0;
        return la !== lb ? la - lb : a.order - b.order;
      });
      return found.map(function (m) {
        var tags = m.tensor.tags;
        var what = (tags.quantity === 'image' ? 'input image' : 'layer ' + tags.layer) + (tags.stage ? ', ' + tags.stage : '');
        return { id: m.id, tensor: m.tensor, title: what + ' (' + m.tensor.name + ')', layer: tags.layer || 0,
                 stage: tags.stage || tags.quantity, step: index.producer[m.id] };
      });
    }

    if (epochs.length) {
      var label = html('label', null, controls);
      html('span', null, label, 'epoch');
      slider = html('input', { type: 'range', class: 'uv-fm-epoch', min: 0, max: epochs.length, value: 0,
                               'aria-label': 'traced iteration, or the epoch after which the maps are shown' }, label);
      out = html('output', null, label);
      slider.addEventListener('input', function () {
        var k = +slider.value;
        api.state.set({ history: k === 0 ? null : history.indexOf(epochs[k - 1]) });
      });
    }

    function buildPicker() {
      if (picker) { picker.parentNode.remove(); picker = null; }
      if (position != null || batch < 2) return;
      var label = html('label', null, controls);
      html('span', null, label, 'image of the batch');
      picker = html('select', { class: 'uv-fm-image', 'aria-label': 'which image of the traced batch' }, label);
      for (var n = 0; n < batch; n++) html('option', { value: n }, picker, String(n + 1) + ' of ' + batch);
      picker.value = String(image);
      picker.addEventListener('change', function () { image = +picker.value; build(); update(lastStep); });
    }

    // A traced map of image n of the batch, as drawn.
    function traced(m, n) {
      var shape = m.tensor.shape, count = shape[1] * shape[2] * shape[3];
      return { title: m.title, id: m.id, name: m.tensor.name, step: m.step, layer: m.layer, stage: m.stage, shape: shape.slice(1),
               data: model.values(m.id).slice(n * count, (n + 1) * count) };
    }

    // The traced maps after epochs[position], by their tags: each recomputed map (the image
    // itself is data, the same at every epoch), for the series' item of the batch.
    function recomputed() {
      // The series' item; a series of the whole batch shows the image the picker chose.
      var n = Math.min(Math.max(item ? item - 1 : image, 0), batch - 1);
      return maps.map(function (m) {
        if (m.tensor.tags.quantity === 'image') return m.tensor.tags.stage ? null : traced(m, n);
        var snap = recorded.snapshot(position, m.tensor.tags);
        if (!snap) return null;
        var shape = snap.shape, data = Array.from(snap.values);
        if (shape.length === 4) {
          var count = shape[1] * shape[2] * shape[3];
          data = data.slice(n * count, (n + 1) * count);
          shape = shape.slice(1);
        }
        return { title: m.title, id: null, name: m.tensor.name, step: -1, layer: m.layer, stage: m.stage, shape: shape,
                 data: data, iteration: epochs[position].iteration };
      }).filter(Boolean);
    }

    // One section per map: its title, then one heatmap per channel.
    function build() {
      holder.textContent = '';
      var list = position == null ? maps.map(function (m) { return traced(m, image); })
        : recorded.entries.length ? recomputed() : mapSeries.filter(function (s) { return epochs[position].tensors[s.key]; }).map(function (s, k) {
        var snap = epochs[position].tensors[s.key];
        return { title: s.meaning, id: null, step: -1, layer: k + 1, stage: s.key, shape: snap.shape,
                 data: snap.data.map(toNumber) };
      });
      list.forEach(function (m) { m.view = section(m); });
      built = list;
    }
    var built = [];

    function section(m) {
      var C = m.shape.length === 3 ? m.shape[0] : 1, H = m.shape[m.shape.length - 2], W = m.shape[m.shape.length - 1];
      var box = html('section', { class: 'uv-fmap-layer', style: 'margin:0 0 0.8rem' }, holder);
      html('h3', { style: 'font-size:1rem;margin:0.3rem 0' }, box, m.title);
      var row = html('div', { style: 'display:flex;flex-wrap:wrap;gap:0.5rem 0.9rem' }, box);
      var maxAbs = 0;
      m.data.forEach(function (x) { if (isFinite(x)) maxAbs = Math.max(maxAbs, Math.abs(x)); });
      var cells = [], frames = [];
      for (var c = 0; c < C; c++) {
        var figure = html('figure', { style: 'margin:0' }, row);
        var w = W * CELL + 2, h = H * CELL + 2;
        var name = m.name || m.stage;
        var graphic = svg('svg', { class: 'uv-svg uv-heat uv-fmap', viewBox: '0 0 ' + w + ' ' + h, width: w, height: h,
                                   role: 'img', tabindex: 0, 'data-channel': c, 'data-layer': m.layer, 'data-stage': m.stage,
                                   'data-tensor-id': m.id != null ? m.id : '', 'data-iteration': m.iteration || null,
                                   'aria-label': m.title + ', channel ' + (c + 1) + ' of ' + C + ': ' + H + '×' + W +
                                     ' values, largest magnitude ' + api.format(maxAbs) }, figure);
        frames.push(svg('rect', { class: 'uv-fmap-frame', x: 0.5, y: 0.5, width: w - 1, height: h - 1, fill: 'none',
                                  stroke: 'var(--uv-border)', 'stroke-width': 1 }, graphic));
        for (var i = 0; i < H; i++) {
          for (var j = 0; j < W; j++) {
            var x = m.data[(c * H + i) * W + j];
            var r = svg('rect', { class: 'uv-cellrect uv-fmcell', x: 1 + j * CELL, y: 1 + i * CELL, width: CELL, height: CELL,
                                  'data-row': i, 'data-col': j, 'data-value': exact(x) }, graphic);
            var where = name + '[' + (C > 1 ? 'c=' + (c + 1) + ', ' : '') + (i + 1) + ', ' + (j + 1) + ']';
            titled(r, where + ' = ' + api.format(x) + ' (' + exact(x) + ')');
            r.addEventListener('mouseenter', hover.bind(null, where, x));
            cells.push({ rect: r, value: x });
          }
        }
        html('figcaption', { class: 'uv-caption', style: 'margin:0.1rem 0 0;font-size:0.85em' }, figure,
          C > 1 ? 'channel ' + (c + 1) : 'one channel');
      }
      table(box, m, C, H, W);
      return { cells: cells, frames: frames, maxAbs: maxAbs, state: null, step: m.step };
    }

    function hover(where, x) { setText(readout, where + ' = ' + exact(x)); }

    // The numbers for screen readers: a table per channel, rows of the map.
    function table(parent, m, C, H, W) {
      // A table is as wide as its numbers whatever its width says: the clipping box around it keeps
      // a phone's page from scrolling sideways.
      var box = html('div', { class: 'uv-sr-only' }, parent);
      for (var c = 0; c < C; c++) {
        var t = html('table', { class: 'uv-sr-only' }, box);
        html('caption', null, t, m.title + (C > 1 ? ', channel ' + (c + 1) : '') + ': ' + H + ' rows of ' + W);
        var body = html('tbody', null, t);
        for (var i = 0; i < H; i++) {
          var tr = html('tr', null, body);
          html('th', { scope: 'row' }, tr, 'row ' + (i + 1));
          for (var j = 0; j < W; j++) html('td', null, tr, api.format(m.data[(c * H + i) * W + j]));
        }
      }
    }

    function paint(view, done, lit) {
      var state = (done ? 'done' : 'pending') + (lit ? ' lit' : '');
      if (view.state === state) return;
      view.state = state;
      view.cells.forEach(function (c) {
        // An exact 0 (ReLU's zeros) is neutral: the kit's scale tints it faintly.
        c.rect.setAttribute('fill', !done ? 'none' : c.value === 0 ? 'transparent' : api.colour(c.value, view.maxAbs));
        toggleClass(c.rect, 'uv-pending', !done);
      });
      view.frames.forEach(function (f) {
        f.setAttribute('stroke', lit ? 'var(--uv-forward)' : 'var(--uv-border)');
        f.setAttribute('stroke-width', lit ? 3 : 1);
      });
    }

    // The history position as this view shows it: an epoch (index into `epochs`), or null
    // for the traced iteration.
    function positionOf(h) {
      if (h == null || !epochs.length) return null;
      var k = null;
      for (var e = 0; e < epochs.length; e++) if (history.indexOf(epochs[e]) <= h) k = e;
      return k;
    }

    function follow() {
      var p = positionOf(api.state.history);
      if (p === position && built.length) return;
      position = p;
      if (slider) slider.value = p == null ? 0 : p + 1;
      buildPicker();
      build();
      update(lastStep);
    }

    function update(s) {
      lastStep = s;
      var r = s >= 0 && s < index.steps.length ? index.stepRoot[s] : (index.roots()[0] || 0);
      if (r !== root) {
        root = r;
        maps = tracedMaps(root);
        batch = maps.length ? maps[0].tensor.shape[0] : 1;
        image = Math.min(image, batch - 1);
        if (position == null) { buildPicker(); build(); }
      }
      if (!built.length && maps.length) build();
      var epoch = position == null ? null : epochs[position];
      built.forEach(function (m, k) {
        var done = position != null || s < 0 || m.step < 0 || m.step <= s;
        paint(m.view, done, position == null && m.step === s);
      });
      if (out) {
        setText(out, epoch ? String(epoch.iteration) + ' of ' + epochs[epochs.length - 1].iteration : 'none: the traced iteration');
      }
      if (epoch) {
        var acc = accuracy && epoch.tensors[accuracy.key] ? toNumber(epoch.tensors[accuracy.key].data[0]) : null;
        setText(note, 'After epoch ' + epoch.iteration + ': loss ' + api.format(toNumber(epoch.loss)) +
          (acc != null ? ', accuracy ' + api.format(acc) : '') + '. ' +
          (recorded.entries.length ? 'Image ' + (item || image + 1) + ' of the batch, its maps recomputed with the weights after the epoch'
            : 'The chosen image’s maps') + '; colours diverge at 0 (red above, blue below), one scale per map (all its channels).');
      } else {
        var pending = built.filter(function (m) { return m.view.state && m.view.state.indexOf('pending') === 0; }).length;
        setText(note, (pending ? pending + ' of these maps are not computed yet at this step. ' : '') +
          'The traced iteration, before any update: image ' + (image + 1) + ' of the batch. Colours diverge at 0 (red above, blue below), one scale per map (all its channels).' +
          (epochs.length ? ' Move the slider to see the chosen image’s maps after each epoch.' : ''));
      }
    }

    var unsubscribe = api.state.subscribe(function (changed) { if (changed.history) follow(); });
    position = positionOf(api.state.history);
    if (slider) slider.value = position == null ? 0 : position + 1;
    return { update: update, destroy: function () { unsubscribe(); host.textContent = ''; } };
  }
})(window.Unrolled);
